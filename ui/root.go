// Package ui is kassa's terminal interface: one root model that owns the
// header, the help line and a stack of screens, and one model per screen.
// The sale screen is at the bottom of the stack; every other screen is
// pushed on it and "back" pops.
package ui

import (
	"context"
	"errors"
	"slices"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/central"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/audit"
	"github.com/kassa-till/kassa/ui/check"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/history"
	"github.com/kassa-till/kassa/ui/lesson"
	"github.com/kassa-till/kassa/ui/refund"
	"github.com/kassa-till/kassa/ui/report"
	"github.com/kassa-till/kassa/ui/sale"
	"github.com/kassa-till/kassa/ui/settings"
	"github.com/kassa-till/kassa/ui/signin"
	"github.com/kassa-till/kassa/ui/trainer"
)

// Model is the root of the program.
type Model struct {
	c *common.Common
	// stack is the screens, the sale screen first; the last has the keys.
	stack []common.Screen
	help  help.Model
	sub   *tracker.Subscription
	// attention counts operations only a person can settle, for the header.
	attention int
	// lesson is the lesson in progress, nil for free practice; score is
	// set once it is over and its score shows.
	lesson *lesson.Run
	score  bool
	// observed is the operations the lesson has judged.
	observed map[store.ID]bool
	// locked is set while no one is signed in (c.SignIn): gate has the
	// keys, and the screens under it go on following their operations.
	locked bool
	gate   signin.Model
	// tillLang is the till's own language, spoken by whoever has none
	// of their own.
	tillLang string
}

// New returns the root model over c. It subscribes to c's tracker, until
// the tracker is closed.
func New(c *common.Common) Model {
	h := help.New()
	h.Styles = c.Styles.Help
	m := Model{c: c, stack: []common.Screen{common.AsScreen(sale.NewModel(c))}, help: h,
		sub: c.Tracker.Subscribe(), observed: map[store.ID]bool{}}
	if c.Lesson != nil && c.Trainer != nil {
		run := lesson.Start(*c.Lesson)
		m.lesson = &run
	}
	m.tillLang = c.Lang
	if c.SignIn && c.Person.Name == "" {
		m.locked, m.gate = true, signin.New(c)
	}
	return m
}

// queueCustomer scripts the customer of the lesson's step in progress.
func (m Model) queueCustomer() tea.Cmd {
	if m.lesson == nil || m.lesson.Done() {
		return nil
	}
	_, step := m.lesson.Step()
	t := m.c.Trainer
	return func() tea.Msg {
		_ = t.Next(step.Customer) // the lesson was checked when loaded
		return nil
	}
}

// resumedMsg carries the operations an earlier run left open, now
// followed again.
type resumedMsg struct {
	ms  []tracker.Machine
	err error
}

// attentionMsg counts operations waiting for a person.
type attentionMsg int

// centralEvery is how often the header reads again how far behind the
// central database is: the pusher sends in the background, and nothing
// else would draw the screen again when it has caught up.
const centralEvery = 2 * time.Second

type centralTickMsg struct{}

func (m Model) centralTick() tea.Cmd {
	if m.c.Central == nil {
		return nil
	}
	clk := m.c.Clock
	return func() tea.Msg {
		<-clk.After(centralEvery)
		return centralTickMsg{}
	}
}

// Init takes up what an earlier run left open, counts the operations
// waiting for a person, and listens to the tracker.
func (m Model) Init() tea.Cmd {
	tr := m.c.Tracker
	var gate tea.Cmd
	if m.locked {
		_, gate = m.gate.Open()
	}
	return tea.Batch(func() tea.Msg {
		ms, err := tr.Resume()
		return resumedMsg{ms: ms, err: err}
	}, m.countAttention(), m.listen(), m.queueCustomer(), gate, m.centralTick())
}

// listen waits for the tracker's next news.
func (m Model) listen() tea.Cmd {
	sub := m.sub
	return func() tea.Msg {
		ms, err := sub.Wait(context.Background())
		if err != nil {
			return nil // the program is ending
		}
		return common.OpsChanged{Machines: ms}
	}
}

func (m Model) countAttention() tea.Cmd {
	st := m.c.Store
	return func() tea.Msg {
		ops, _ := st.NeedingPerson(1000)
		return attentionMsg(len(ops))
	}
}

func (m Model) top() common.Screen { return m.stack[len(m.stack)-1] }

// onSale reports whether the sale screen at amount entry has the keys:
// only there do the F-keys open other screens.
func (m Model) onSale() bool {
	if len(m.stack) != 1 || m.score {
		return false
	}
	s, ok := m.top().Model().(sale.Model)
	return ok && !s.Choosing()
}

// afterSale reports whether the outcome of a payment taken on the sale
// screen is shown and may be left for another screen, as for a new sale.
func (m Model) afterSale() bool {
	if len(m.stack) != 2 || m.score {
		return false
	}
	f, ok := m.top().Model().(sale.Follow)
	return ok && !f.Holds()
}

// Update routes messages: keys to the screen on top, everything else to
// every screen, which each take only their own.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := m.update(msg)
	if n, ok := next.(Model); ok && len(n.stack) == 1 {
		// A manager's approval lasts as long as the screens it opened:
		// back at the sale, whatever the way, it is over.
		n.c.Approver = ""
	}
	return next, cmd
}

func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width - 2)
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.c.Keys.Help):
			m.help.ShowAll = !m.help.ShowAll
			return m, nil
		case key.Matches(msg, m.c.Keys.Quit):
			// Safe at any moment: every operation is written ahead, and the
			// next start takes up whatever is still open.
			return m, tea.Quit
		case m.locked:
			var cmd tea.Cmd
			m.gate, cmd = m.gate.Update(msg)
			return m, cmd
		case m.c.SignIn && key.Matches(msg, m.c.Keys.Lock):
			return m.lock()
		case m.score:
			if key.Matches(msg, m.c.Keys.Back) || key.Matches(msg, m.c.Keys.Next) {
				// The score's Enter is a new sale, as it says: the last
				// receipt was seen before the score.
				m.score, m.lesson = false, nil
				m.stack = m.stack[:1]
			}
			return m, nil
		case m.onSale() && m.opens(msg):
			return m.open(msg)
		case m.afterSale() && key.Matches(msg, m.c.Keys.GoRefund):
			next, cmd := m.pop(nil)
			next, open := next.(Model).open(msg)
			return next, tea.Batch(cmd, open)
		}
		return m.updateTop(msg)
	case attentionMsg:
		m.attention = int(msg)
		return m, nil
	case centralTickMsg:
		return m, m.centralTick() // drawn again with the pusher's count
	case signin.Msg:
		if m.locked {
			var cmd tea.Cmd
			m.gate, cmd = m.gate.Update(msg)
			return m, cmd
		}
		return m.updateTop(msg)
	case signin.SignedIn:
		return m.signedIn(msg.Person)
	case common.NeedApproval:
		a, cmd := signin.Approve(m.c, msg.Action, msg.Then)
		m.stack = append(slices.Clone(m.stack), common.AsScreen(a))
		return m, cmd
	case signin.Granted:
		return m.granted(msg)
	case signin.Refused:
		return m.popIf(func(s any) bool { _, ok := s.(signin.Model); return ok })
	case openMsg:
		return m.open(msg.key)
	case resumedMsg:
		return m.resume(msg)
	case common.Push:
		m.stack = append(m.stack, msg.Screen)
		return m, msg.Init
	case common.Replace:
		m.stack = append(m.stack[:len(m.stack)-1], msg.Screen)
		return m, msg.Init
	case common.Pop:
		return m.pop(msg.Then)
	// A screen's Back pops only that screen: one that arrives after the
	// cashier has moved on changes nothing.
	case refund.BackMsg:
		return m.popIf(func(s any) bool { _, ok := s.(refund.Model); return ok })
	case history.BackMsg:
		return m.popIf(func(s any) bool { _, ok := s.(history.Model); return ok })
	case trainer.BackMsg:
		return m.popIf(func(s any) bool { _, ok := s.(trainer.Model); return ok })
	case report.BackMsg:
		return m.popIf(func(s any) bool { _, ok := s.(report.Model); return ok })
	case audit.BackMsg:
		return m.popIf(func(s any) bool { _, ok := s.(audit.Model); return ok })
	case settings.BackMsg:
		return m.popIf(func(s any) bool {
			_, model := s.(settings.Model)
			_, gateway := s.(settings.Gateway)
			_, printer := s.(settings.Printer)
			_, people := s.(settings.People)
			return model || gateway || printer || people
		})
	case check.BackMsg:
		next, cmd := m.popIf(func(s any) bool { _, ok := s.(check.Model); return ok })
		return next, tea.Batch(cmd, m.countAttention())
	case history.RefundMsg:
		r, cmd := refund.New(m.c).OpenFor(msg.Payment)
		m.stack = append(m.stack, common.AsScreen(r))
		return m, cmd
	case refund.StartMsg:
		if _, ok := m.top().Model().(refund.Model); !ok {
			return m, nil
		}
		if m.c.NeedsRefund(msg.Amount) && !msg.Approved {
			msg.Approved = true
			return m, func() tea.Msg { return common.NeedApproval{Action: store.ActionRefund, Then: msg} }
		}
		f, cmd := sale.Refund(m.c, msg.Payment, msg.Amount)
		m.stack = append(slices.Clone(m.stack[:len(m.stack)-1]), f)
		return m, cmd
	case trainer.WipedMsg:
		// A fresh sale screen over the empty file.
		m.stack = []common.Screen{common.AsScreen(sale.NewModel(m.c)), m.top()}
		return m, m.countAttention()
	case common.OpsChanged:
		next, cmd := m.broadcast(msg)
		next.observe(msg)
		return next, tea.Batch(cmd, next.listen(), next.queueCustomerIfJudged(m), next.countAttentionIf(msg))
	}
	return m.broadcast(msg)
}

// broadcast hands a message to every screen; each takes only its own.
func (m Model) broadcast(msg tea.Msg) (Model, tea.Cmd) {
	m.stack = slices.Clone(m.stack)
	cmds := make([]tea.Cmd, len(m.stack))
	for i, s := range m.stack {
		m.stack[i], cmds[i] = s.UpdateScreen(msg)
	}
	return m.counted(), tea.Batch(cmds...)
}

func (m Model) updateTop(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.stack = slices.Clone(m.stack)
	var cmd tea.Cmd
	m.stack[len(m.stack)-1], cmd = m.top().UpdateScreen(msg)
	nav, s := m.top().TakeNav()
	m.stack[len(m.stack)-1] = s
	if nav.Pop {
		next, more := m.pop(nav.Then)
		return next, tea.Batch(cmd, more)
	}
	return m.counted(), cmd
}

// counted takes the count of operations to check from the check screen's
// list where it shows one: no second read to race it.
func (m Model) counted() Model {
	if c, ok := m.top().Model().(check.Model); ok && c.Loaded() {
		m.attention = c.Count()
	}
	return m
}

// openMsg opens the screen of a key pressed on the sale screen, once a
// manager approved it.
type openMsg struct{ key tea.KeyPressMsg }

// actionOf is the approval action of a key that opens a screen, "" for
// one that needs none.
func (m Model) actionOf(msg tea.KeyPressMsg) string {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.GoHistory):
		return store.ActionHistory
	case key.Matches(msg, k.GoCheck):
		return store.ActionChecks
	case key.Matches(msg, k.GoSettings):
		return store.ActionSettings
	case key.Matches(msg, k.GoAudit):
		return store.ActionAudit
	}
	return ""
}

// lock ends the signed-in person's turn: their screens close, the
// operations in progress stay (their screens too), and the next person
// signs in.
func (m Model) lock() (tea.Model, tea.Cmd) {
	st, e := m.c.Store, m.c.AuditEntry(store.AuditLock, "")
	kept := []common.Screen{m.stack[0]}
	for _, s := range m.stack[1:] {
		if _, ok := s.Model().(sale.Follow); ok {
			kept = append(kept, s)
		}
	}
	m.stack, m.locked = kept, true
	if m.c.Person.Lang == "" {
		m.tillLang = m.c.Lang // changed on the settings screen, maybe
	} else if m.tillLang != m.c.Lang {
		_ = m.c.UseLanguage(m.tillLang) // the next person reads the till's
	}
	m.c.Person, m.c.Cashier, m.c.Approver = store.Person{}, "", ""
	var open tea.Cmd
	m.gate, open = signin.New(m.c).Open()
	return m, tea.Batch(open, func() tea.Msg { _ = st.Audit(e); return nil })
}

// signedIn starts p's turn, in p's language where p has one.
func (m Model) signedIn(p store.Person) (tea.Model, tea.Cmd) {
	if !m.locked {
		return m, nil
	}
	m.locked = false
	m.c.Person, m.c.Cashier, m.c.Approver = p, p.Name, ""
	lang := m.tillLang
	if p.Lang != "" {
		lang = p.Lang
	}
	if lang != m.c.Lang {
		_ = m.c.UseLanguage(lang) // a language no longer known: the till's stays
	}
	return m, nil
}

// granted closes the approval screen and does what was approved, in the
// manager's name.
func (m Model) granted(g signin.Granted) (tea.Model, tea.Cmd) {
	if _, ok := m.top().Model().(signin.Model); !ok {
		return m, nil
	}
	m.stack = slices.Clone(m.stack[:len(m.stack)-1])
	m.c.Approver = g.Manager
	return m.Update(g.Then)
}

// popIf pops the screen on top if it is the one is says.
func (m Model) popIf(is func(any) bool) (tea.Model, tea.Cmd) {
	if !is(m.top().Model()) {
		return m, nil
	}
	return m.pop(nil)
}

// pop closes the screen on top and hands then to the one below; the
// screen below reads again what it shows, where it can.
func (m Model) pop(then tea.Msg) (tea.Model, tea.Cmd) {
	if len(m.stack) == 1 {
		return m, nil
	}
	m.stack = slices.Clone(m.stack[:len(m.stack)-1])
	var cmds []tea.Cmd
	if h, ok := m.top().Model().(history.Model); ok {
		h, cmd := h.Resume()
		m.stack[len(m.stack)-1] = common.AsScreen(h)
		cmds = append(cmds, cmd)
	}
	if then != nil {
		next, cmd := m.updateTop(then)
		m = next.(Model)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// observe judges, in a lesson, each operation the trainee finished.
func (m *Model) observe(msg common.OpsChanged) {
	if m.lesson == nil || m.lesson.Done() {
		return
	}
	for _, mc := range msg.Machines {
		if mc.Phase.Busy() || m.observed[mc.Op.ID] {
			continue
		}
		m.observed[mc.Op.ID] = true
		run := m.lesson.Observe(mc.Op)
		m.lesson = &run
		if run.Done() {
			m.score = true
			return
		}
	}
}

// queueCustomerIfJudged scripts the next customer once the lesson moved on.
func (m Model) queueCustomerIfJudged(before Model) tea.Cmd {
	if m.lesson == nil || before.lesson == nil || len(m.lesson.Results) == len(before.lesson.Results) {
		return nil
	}
	return m.queueCustomer()
}

// countAttentionIf counts the operations to check again when one of msg's
// operations may have joined or left them.
func (m Model) countAttentionIf(msg common.OpsChanged) tea.Cmd {
	for _, mc := range msg.Machines {
		if !mc.Holds() {
			return m.countAttention()
		}
	}
	return nil
}

// opens reports whether key opens another screen from the free sale screen.
func (m Model) opens(msg tea.KeyPressMsg) bool {
	k := m.c.Keys
	return key.Matches(msg, k.GoRefund, k.GoCheck, k.GoSettings, k.GoHistory, k.GoReports, k.GoAudit) ||
		key.Matches(msg, k.GoTrainer) && m.c.Trainer != nil
}

// open opens the screen that msg's key names.
func (m Model) open(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.c.Keys
	if action := m.actionOf(msg); action != "" && (m.c.Needs(action) || action == store.ActionAudit && !m.c.ManagerPresent()) {
		return m, func() tea.Msg { return common.NeedApproval{Action: action, Then: openMsg{msg}} }
	}
	var (
		s   common.Screen
		cmd tea.Cmd
	)
	switch {
	case key.Matches(msg, k.GoRefund):
		var r refund.Model
		r, cmd = refund.New(m.c).Open()
		s = common.AsScreen(r)
	case key.Matches(msg, k.GoCheck):
		var c check.Model
		c, cmd = check.New(m.c).Open()
		s = common.AsScreen(c)
	case key.Matches(msg, k.GoSettings) && m.c.Gateway != nil:
		var g settings.Gateway
		g, cmd = settings.NewGateway(m.c)
		s = common.AsScreen(g)
	case key.Matches(msg, k.GoSettings):
		var st settings.Model
		st, cmd = settings.New(m.c).Open()
		s = common.AsScreen(st)
	case key.Matches(msg, k.GoTrainer):
		s = common.AsScreen(trainer.New(m.c).Open())
	case key.Matches(msg, k.GoHistory):
		var h history.Model
		h, cmd = history.New(m.c).Open()
		s = common.AsScreen(h)
	case key.Matches(msg, k.GoReports):
		var r report.Model
		r, cmd = report.New(m.c).Open()
		s = common.AsScreen(r)
	case key.Matches(msg, k.GoAudit):
		var a audit.Model
		a, cmd = audit.New(m.c).Open()
		s = common.AsScreen(a)
	}
	m.stack = append(slices.Clone(m.stack), s)
	return m, cmd
}

// resume shows the operations an earlier run left open that a cashier must
// see through, one after the other: those whose outcome is still to be
// learned (the newest first), then those sent before the provider
// answered, which go to a person. Operations that go on in the background
// (refunds that take hours) are only followed.
func (m Model) resume(msg resumedMsg) (tea.Model, tea.Cmd) {
	var shown []tracker.Machine
	for _, mc := range msg.ms {
		if mc.Phase == tracker.Check {
			shown = append(shown, mc)
		}
	}
	for _, mc := range msg.ms {
		if mc.Holds() {
			shown = append(shown, mc)
		}
	}
	var cmds []tea.Cmd
	for _, mc := range shown {
		s, cmd := sale.Show(m.c, mc)
		m.stack = append(slices.Clone(m.stack), s)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(append(cmds, m.countAttention())...)
}

// shown is the screen that has the keyboard: its body, its keys for the
// help line, and its state for the terminal's title.
func (m Model) shown() (string, help.KeyMap, string) {
	if m.score && !m.locked {
		return m.scoreView(), scoreKeys{m.c.Keys}, m.c.T("lesson.finished", m.lesson.Lesson.Title.In(m.c.Lang))
	}
	if m.locked {
		return m.gate.View(), m.gate, m.gate.Title()
	}
	s := m.top()
	var keys help.KeyMap = s
	if m.afterSale() {
		keys = withKeyAfterFirst{keys, m.c.Keys.GoRefund}
	}
	if _, ok := s.Model().(sale.Follow); ok && len(m.stack) > 1 {
		if _, fromHistory := m.stack[len(m.stack)-2].Model().(history.Model); fromHistory {
			// Enter ends a refund started from the history by going back
			// there.
			keys = relabel{keys, m.c.Keys.Next.Help(), m.c.Keys.BackToHistory}
		}
	}
	return s.View(), keys, s.Title()
}

// helpKeys is the shown screen's keys, led by F1 when the help line is
// too narrow for them all: F1 then lists every key.
func (m Model) helpKeys(keys help.KeyMap) help.KeyMap {
	return helpKeys(m.help, keys, m.c.Keys.Help, m.c.Width-2)
}

// helpKeys is keys led by helpKey where h shows all, or where their line
// is wider than width.
func helpKeys(h help.Model, keys help.KeyMap, helpKey key.Binding, width int) help.KeyMap {
	if h.ShowAll {
		return withHelpKey{keys, helpKey}
	}
	h.SetWidth(0) // no limit: how long the line would be
	if lipgloss.Width(h.ShortHelpView(keys.ShortHelp())) <= width {
		return keys
	}
	return withHelpKey{keys, helpKey}
}

// relabel is a screen's keys with one binding's help replaced.
type relabel struct {
	help.KeyMap
	from key.Help
	to   key.Binding
}

func (r relabel) swap(bs []key.Binding) []key.Binding {
	bs = slices.Clone(bs)
	for i, b := range bs {
		if b.Help() == r.from {
			bs[i] = r.to
		}
	}
	return bs
}

func (r relabel) ShortHelp() []key.Binding { return r.swap(r.KeyMap.ShortHelp()) }

func (r relabel) FullHelp() [][]key.Binding {
	cols := slices.Clone(r.KeyMap.FullHelp())
	for i := range cols {
		cols[i] = r.swap(cols[i])
	}
	return cols
}

// withKeyAfterFirst is a screen's keys with one more after the first.
type withKeyAfterFirst struct {
	help.KeyMap
	extra key.Binding
}

func (w withKeyAfterFirst) ShortHelp() []key.Binding {
	keys := w.KeyMap.ShortHelp()
	if len(keys) == 0 {
		return []key.Binding{w.extra}
	}
	return append([]key.Binding{keys[0], w.extra}, keys[1:]...)
}

func (w withKeyAfterFirst) FullHelp() [][]key.Binding { return [][]key.Binding{w.ShortHelp()} }

// withHelpKey is a screen's keys with F1 first.
type withHelpKey struct {
	help.KeyMap
	f1 key.Binding
}

func (w withHelpKey) ShortHelp() []key.Binding {
	return append([]key.Binding{w.f1}, w.KeyMap.ShortHelp()...)
}

// FullHelp keeps F1 (which closes it) in the first column: a column of
// its own would be the first cut by a narrow terminal.
func (w withHelpKey) FullHelp() [][]key.Binding {
	cols := slices.Clone(w.KeyMap.FullHelp())
	if len(cols) == 0 {
		return [][]key.Binding{{w.f1}}
	}
	cols[0] = append(slices.Clone(cols[0]), w.f1)
	return cols
}

// fullFrame is a screen that draws the whole terminal itself.
type fullFrame interface{ FullFrame() bool }

// View draws header, screen and help; a screen that needs the whole
// terminal (a QR to scan) draws it alone.
func (m Model) View() tea.View {
	screen, keys, title := m.shown()
	if ff, ok := m.top().Model().(fullFrame); ok && ff.FullFrame() && !m.score && !m.locked {
		v := tea.NewView(screen)
		v.AltScreen = true
		v.WindowTitle = "kassa · " + title
		return v
	}
	top := []string{m.header()}
	if m.c.IgnoredReal {
		top = append(top, m.c.Styles.Warn.Render(m.c.T("trainer.ignored")))
	}
	if b := m.lessonBanner(); b != "" {
		top = append(top, "", b)
	}
	body := m.c.Styles.App.Render(lipgloss.JoinVertical(lipgloss.Left,
		lipgloss.JoinVertical(lipgloss.Left, top...),
		"",
		screen,
		"",
		lipgloss.NewStyle().MaxWidth(max(m.c.Width-2, 1)).Render(common.HelpView(m.help, m.helpKeys(keys), max(m.c.Width-2, 1))),
	))
	v := tea.NewView(body)
	v.AltScreen = true
	v.WindowTitle = "kassa · " + title
	return v
}

func (m Model) header() string {
	s := m.c.Styles
	names := make([]string, 0, 4)
	for _, name := range m.c.Providers.Names() {
		names = append(names, m.c.T("provider."+name))
	}
	lefts := []string{s.Brand.Render("kassa")}
	lefts = append(lefts, lefts[0]+s.Provider.Render("  ·  "+joinNames(names)))
	switch {
	case m.locked:
		// That the till is locked matters more than its providers.
		locked := s.Provider.Render("  ·  " + m.c.T("app.locked"))
		lefts = []string{lefts[0], lefts[0] + locked, lefts[1] + locked}
	case m.c.SignIn && m.c.Person.Manager():
		lefts = append(lefts, lefts[1]+s.Provider.Render("  ·  "+m.c.T("app.manager", m.c.Cashier)))
	case m.c.Cashier != "":
		lefts = append(lefts, lefts[1]+s.Provider.Render("  ·  "+m.c.T("app.cashier", m.c.Cashier)))
	}
	right := ""
	if m.c.Insecure {
		right += s.Bad.Render(m.c.T("app.insecure")) + "  "
	}
	if w := m.booksWarning(); w != "" {
		right += s.Bad.Render(w) + "  "
	}
	if m.attention > 0 {
		right += s.Warn.Render(m.c.T("app.attention", m.attention)) + "  "
	}
	if m.c.Central != nil {
		n, err := m.c.Central.Behind(), m.c.Central.Err()
		switch {
		case errors.Is(err, central.ErrOtherFile):
			// Nothing of this till will be taken until it is renamed.
			right += s.Bad.Render(m.c.T("central.name_taken")) + "  "
		case err != nil:
			right += s.Warn.Render(m.c.N("central.behind_offline", n, n)) + "  "
		case n > 0:
			right += s.Warn.Render(m.c.N("central.behind", n, n)) + "  "
		}
	}
	if m.c.Demo {
		right += s.Demo.Render(m.c.T("app.demo"))
	}
	w := max(m.c.Width-2, 40)
	// One line: where it is too short, the cashier's name goes first, then
	// the provider's; the warnings on the right always stay.
	left := lefts[0]
	for i := len(lefts) - 1; i >= 0; i-- {
		if lipgloss.Width(lefts[i])+1+lipgloss.Width(right) <= w {
			left = lefts[i]
			break
		}
	}
	gap := max(w-lipgloss.Width(left)-lipgloss.Width(right), 1)
	line := left + lipgloss.NewStyle().Width(gap).Render("") + right
	return s.Header.Width(w).Render(line)
}

// booksWarning is what the header says of a data file found damaged, or
// of backups that are not being taken.
func (m Model) booksWarning() string {
	if m.c.Store != nil && m.c.Store.Damaged() != nil {
		return m.c.T("app.books_damaged")
	}
	if m.c.Backups == nil {
		return ""
	}
	switch err := m.c.Backups.Failed(); {
	case errors.Is(err, store.ErrDamaged):
		return m.c.T("app.books_damaged")
	case err != nil:
		return m.c.T("app.backup_failed")
	}
	return ""
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += " · "
		}
		out += n
	}
	return out
}

// Screens exposes the stack's models, bottom first, for tests.
func (m Model) Screens() []any {
	out := make([]any, len(m.stack))
	for i, s := range m.stack {
		out[i] = s.Model()
	}
	return out
}
