// Package ui is kassa's terminal interface: one root model that owns the
// header, the help line and the routing, and one model per screen.
package ui

import (
	"slices"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/check"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/history"
	"github.com/kassa-till/kassa/ui/lesson"
	"github.com/kassa-till/kassa/ui/refund"
	"github.com/kassa-till/kassa/ui/sale"
	"github.com/kassa-till/kassa/ui/settings"
	"github.com/kassa-till/kassa/ui/trainer"
)

// screen is which screen has the keyboard.
type screen int

const (
	screenSale screen = iota
	screenRefund
	screenCheck
	screenSettings
	screenTrainer
	screenScore
	screenHistory
)

// Model is the root of the program.
type Model struct {
	c        *common.Common
	screen   screen
	sale     sale.Model
	refund   refund.Model
	check    check.Model
	settings settings.Model
	trainer  trainer.Model
	history  history.Model
	help     help.Model
	// attention counts operations only a person can settle, for the header.
	attention int
	// fromHistory is set while a refund started from the history runs:
	// when it is over, the manager is taken back there.
	fromHistory bool
	// lesson is the lesson in progress, nil for free practice.
	lesson *lesson.Run
}

// New returns the root model over c.
func New(c *common.Common) Model {
	h := help.New()
	h.Styles = c.Styles.Help
	m := Model{c: c, sale: sale.NewModel(c), refund: refund.New(c), check: check.New(c), settings: settings.New(c), trainer: trainer.New(c), history: history.New(c), help: h}
	if c.Lesson != nil && c.Trainer != nil {
		run := lesson.Start(*c.Lesson)
		m.lesson = &run
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

// unfinishedMsg carries the operations an earlier run left open.
type unfinishedMsg struct {
	ops []store.Operation
	err error
}

// attentionMsg counts operations waiting for a person.
type attentionMsg int

// Init looks for operations an earlier run left unfinished, and counts
// those waiting for a person.
func (m Model) Init() tea.Cmd {
	st := m.c.Store
	return tea.Batch(m.lookAgain(st), m.queueCustomer())
}

// lookAgain finds operations left open and counts those waiting for a
// person; the root does it at start and whenever a sale screen is free.
func (m Model) lookAgain(st *store.Store) tea.Cmd {
	return tea.Batch(func() tea.Msg {
		ops, err := st.Unfinished()
		return unfinishedMsg{ops: ops, err: err}
	}, m.countAttention())
}

func (m Model) countAttention() tea.Cmd {
	st := m.c.Store
	return func() tea.Msg {
		ops, _ := st.NeedingPerson(1000)
		return attentionMsg(len(ops))
	}
}

// Update routes messages: size and quit here, the rest to the screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width - 2)
		var cmd tea.Cmd
		m.sale, cmd = m.sale.Update(msg)
		return m, cmd
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.c.Keys.Help):
			m.help.ShowAll = !m.help.ShowAll
			return m, nil
		case key.Matches(msg, m.c.Keys.Quit):
			// Safe at any moment: every operation is written ahead, and the
			// next start takes up whatever is still open.
			return m, tea.Quit
		case m.screen == screenSale && m.sale.Idle() && m.opens(msg):
			return m.open(msg)
		case m.screen == screenScore:
			if key.Matches(msg, m.c.Keys.Back) || key.Matches(msg, m.c.Keys.Next) {
				m.screen, m.lesson = screenSale, nil
			}
			return m, nil
		case m.screen != screenSale:
			return m.updateScreen(m.screen, msg)
		}
	case attentionMsg:
		m.attention = int(msg)
		return m, nil
	case refund.BackMsg:
		if m.fromHistory {
			return m.backToHistory()
		}
		m.screen = screenSale
		return m, nil
	case history.BackMsg, trainer.BackMsg, settings.BackMsg:
		m.screen = screenSale
		return m, nil
	case check.BackMsg:
		m.screen = screenSale
		return m, m.countAttention()
	case history.RefundMsg:
		var cmd tea.Cmd
		m.refund, cmd = m.refund.OpenFor(msg.Payment)
		m.screen, m.fromHistory = screenRefund, true
		return m, cmd
	case trainer.WipedMsg:
		// A fresh sale screen over the empty file.
		m.sale = sale.NewModel(m.c)
		return m, m.countAttention()
	case refund.StartMsg:
		m.screen = screenSale
		var cmd tea.Cmd
		m.sale, cmd = m.sale.StartRefund(msg.Payment, msg.Amount)
		return m, cmd
	case unfinishedMsg:
		return m.resume(msg)
	// A screen's own answers go to that screen, wherever the cashier is.
	case history.Msg:
		return m.updateScreen(screenHistory, msg)
	case trainer.Msg:
		return m.updateScreen(screenTrainer, msg)
	case settings.Msg:
		return m.updateScreen(screenSettings, msg)
	case refund.Msg:
		return m.updateScreen(screenRefund, msg)
	case check.Msg:
		return m.updateScreen(screenCheck, msg)
	}
	wasOutcome, wasBusy := m.sale.Machine().Phase.Final(), m.sale.Machine().Phase.Busy()
	var cmd tea.Cmd
	m.sale, cmd = m.sale.Update(msg)
	if wasBusy && m.sale.Machine().Phase.Final() && m.lesson != nil {
		run := m.lesson.Observe(m.sale.Machine().Op)
		m.lesson = &run
		if run.Done() {
			m.screen = screenScore
		}
		cmd = tea.Batch(cmd, m.queueCustomer())
	}
	if wasOutcome && m.sale.Machine().Phase == sale.Entry && m.fromHistory {
		// A refund the manager started from the history: back to the list
		// as it was left, its rows read again.
		next, back := m.backToHistory()
		return next, tea.Batch(cmd, back, m.lookAgain(m.c.Store))
	}
	if wasOutcome && m.sale.Machine().Phase == sale.Entry {
		// Back at a new sale: anything else left open by an earlier run?
		cmd = tea.Batch(cmd, m.lookAgain(m.c.Store))
	}
	return m, cmd
}

// opens reports whether key opens another screen from the free sale screen.
func (m Model) opens(msg tea.KeyPressMsg) bool {
	k := m.c.Keys
	return key.Matches(msg, k.GoRefund, k.GoCheck, k.GoSettings, k.GoHistory) ||
		key.Matches(msg, k.GoTrainer) && m.c.Trainer != nil
}

// open opens the screen that msg's key names.
func (m Model) open(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.c.Keys
	var cmd tea.Cmd
	m.fromHistory = false // the cashier has gone on to something else
	switch {
	case key.Matches(msg, k.GoRefund):
		m.refund, cmd = m.refund.Open()
		m.screen = screenRefund
	case key.Matches(msg, k.GoCheck):
		m.check, cmd = m.check.Open()
		m.screen = screenCheck
	case key.Matches(msg, k.GoSettings):
		m.settings, cmd = m.settings.Open()
		m.screen = screenSettings
	case key.Matches(msg, k.GoTrainer):
		m.trainer = m.trainer.Open()
		m.screen = screenTrainer
	case key.Matches(msg, k.GoHistory):
		m.history, cmd = m.history.Open()
		m.screen = screenHistory
	}
	return m, cmd
}

// backToHistory returns to the history screen a refund was started from.
func (m Model) backToHistory() (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	m.history, cmd = m.history.Resume()
	m.screen, m.fromHistory = screenHistory, false
	return m, cmd
}

// updateScreen hands msg to one of the screens besides the sale.
func (m Model) updateScreen(s screen, msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch s {
	case screenRefund:
		m.refund, cmd = m.refund.Update(msg)
	case screenCheck:
		m.check, cmd = m.check.Update(msg)
		if m.check.Loaded() {
			// The list just read is the count: no second read to race it.
			m.attention = m.check.Count()
		}
	case screenSettings:
		m.settings, cmd = m.settings.Update(msg)
	case screenTrainer:
		m.trainer, cmd = m.trainer.Update(msg)
	case screenHistory:
		m.history, cmd = m.history.Update(msg)
	}
	return m, cmd
}

// resume takes up an operation an earlier run left open: first one whose
// outcome is still to be learned (newest first), else one that was sent
// before the provider answered, which goes to a person. The sale screen
// follows one at a time; when the cashier leaves its outcome, the root
// looks again (see Update), until none is left.
func (m Model) resume(msg unfinishedMsg) (tea.Model, tea.Cmd) {
	if !m.sale.Idle() {
		return m, nil
	}
	for _, states := range [][]store.State{{store.StateUnknown, store.StatePending}, {store.StateCreated}} {
		for i := len(msg.ops) - 1; i >= 0; i-- {
			op := msg.ops[i]
			if op.Provider == m.c.Provider.Info().Name && slices.Contains(states, op.State) {
				var cmd tea.Cmd
				m.sale, cmd = m.sale.Resume(op)
				m.screen = screenSale
				return m, cmd
			}
		}
	}
	return m, nil
}

// shown is the screen that has the keyboard: its body, its keys for the
// help line, and its state for the terminal's title.
func (m Model) shown() (string, help.KeyMap, string) {
	switch m.screen {
	case screenRefund:
		return m.refund.View(), m.refund, m.refund.Title()
	case screenCheck:
		return m.check.View(), m.check, m.check.Title()
	case screenSettings:
		return m.settings.View(), m.settings, m.settings.Title()
	case screenTrainer:
		return m.trainer.View(), m.trainer, m.trainer.Title()
	case screenScore:
		return m.scoreView(), scoreKeys{m.c.Keys}, m.c.T("lesson.finished", m.lesson.Lesson.Title.In(m.c.Lang))
	case screenHistory:
		return m.history.View(), m.history, m.history.Title()
	}
	return m.sale.View(), m.sale, m.sale.Title()
}

// helpKeys is the shown screen's keys, led by F1 when the help line is
// too narrow for them all: F1 then lists every key.
func (m Model) helpKeys(keys help.KeyMap) help.KeyMap {
	if m.help.ShowAll {
		return withHelpKey{keys, m.c.Keys.Help}
	}
	wide := m.help
	wide.SetWidth(0) // no limit: how long the line would be
	if lipgloss.Width(wide.ShortHelpView(keys.ShortHelp())) <= m.c.Width-2 {
		return keys
	}
	return withHelpKey{keys, m.c.Keys.Help}
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

// View draws header, screen and help.
func (m Model) View() tea.View {
	screen, keys, title := m.shown()
	if m.fromHistory && m.screen == screenSale {
		// The sale screen's Enter ends a refund started from the history
		// by going back there.
		keys = relabel{keys, m.c.Keys.Next.Help(), m.c.Keys.BackToHistory}
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
	lefts := []string{s.Brand.Render("kassa")}
	lefts = append(lefts, lefts[0]+s.Provider.Render("  ·  "+m.c.T("provider."+m.c.Provider.Info().Name)))
	if m.c.Cashier != "" {
		lefts = append(lefts, lefts[1]+s.Provider.Render("  ·  "+m.c.T("app.cashier", m.c.Cashier)))
	}
	right := ""
	if m.c.Insecure {
		right += s.Bad.Render(m.c.T("app.insecure")) + "  "
	}
	if m.attention > 0 {
		right += s.Warn.Render(m.c.T("app.attention", m.attention)) + "  "
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

// Sale exposes the sale screen, for tests.
func (m Model) Sale() sale.Model { return m.sale }
