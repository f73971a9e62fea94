// Package report is the shift's screen: the X report (how the shift
// stands, changing nothing), closing the shift with a Z report, and the
// Z reports kept, each shown and printed again on demand. Reports are not
// fiscal documents and say so.
package report

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// BackMsg asks the root model to return to the sale screen.
type BackMsg struct{}

// Msg is any message of this screen's own commands.
type Msg interface{ reportMsg() }

type (
	loadedMsg struct {
		x   store.Shift
		zs  []store.Shift
		err error
	}
	closedMsg struct {
		z   store.Shift
		err error
	}
	printedMsg struct {
		err   error // the printer's
		audit error // the audit log's, once it printed
	}
	// closeMsg closes the shift, once a manager approved it.
	closeMsg struct{}
)

func (loadedMsg) reportMsg()  {}
func (closedMsg) reportMsg()  {}
func (printedMsg) reportMsg() {}
func (closeMsg) reportMsg()   {}

// kept is how many Z reports the screen lists.
const kept = 30

// Model is the reports screen.
type Model struct {
	c  *common.Common
	x  store.Shift
	zs []store.Shift
	// cursor is the report shown: 0 the X report, i the Z report zs[i-1].
	cursor  int
	scroll  int
	loaded  bool
	closing bool // z pressed once: the next z closes the shift
	busy    bool
	message string
	problem bool
}

// New returns the screen.
func New(c *common.Common) Model { return Model{c: c} }

// Open resets the screen and reads the shift.
func (m Model) Open() (Model, tea.Cmd) {
	m = New(m.c)
	return m, m.load()
}

func (m Model) load() tea.Cmd {
	st, now := m.c.Store, m.c.Clock.Now()
	return func() tea.Msg {
		x, err := st.XReport(now)
		if err != nil {
			return loadedMsg{err: err}
		}
		zs, err := st.ZReports(kept)
		return loadedMsg{x: x, zs: zs, err: err}
	}
}

// shown is the report on screen.
func (m Model) shown() store.Shift {
	if m.cursor > 0 && m.cursor <= len(m.zs) {
		return m.zs[m.cursor-1]
	}
	return m.x
}

// Update handles keys and the store's answers.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	c, k := m.c, m.c.Keys
	switch msg := msg.(type) {
	case loadedMsg:
		m.loaded, m.busy = true, false
		if msg.err != nil {
			m.message, m.problem = c.T("error.store", msg.err.Error()), true
			return m, nil
		}
		m.x, m.zs = msg.x, msg.zs
		m.cursor = min(m.cursor, len(m.zs))
		return m, nil
	case closeMsg:
		m.busy = true
		st, by, approver, now := c.Store, c.Cashier, c.Approver, c.Clock.Now()
		return m, func() tea.Msg {
			z, err := st.CloseShift(by, approver, now)
			return closedMsg{z: z, err: err}
		}
	case closedMsg:
		m.busy = false
		if msg.err != nil {
			m.message, m.problem = c.T("error.store", msg.err.Error()), true
			return m, nil
		}
		m.message, m.problem, m.cursor, m.scroll = c.T("shift.closed", msg.z.Z), false, 1, 0
		return m, m.load()
	case printedMsg:
		m.busy = false
		switch {
		case msg.err != nil:
			m.message, m.problem = c.PrinterError(msg.err), true
		case msg.audit != nil:
			m.message, m.problem = c.T("error.store", msg.audit.Error()), true
		default:
			m.message, m.problem = c.T("shift.printed"), false
		}
		return m, nil
	case tea.KeyPressMsg:
		closing := m.closing
		m.closing = false
		if m.busy {
			return m, nil
		}
		switch {
		case key.Matches(msg, k.Back):
			return m, func() tea.Msg { return BackMsg{} }
		case key.Matches(msg, k.Tab):
			m.cursor, m.scroll = (m.cursor+1)%(len(m.zs)+1), 0
		case key.Matches(msg, k.XReport):
			m.cursor, m.scroll, m.message = 0, 0, ""
			return m, m.load()
		case key.Matches(msg, k.ZReport):
			if !closing {
				m.closing, m.message = true, ""
				return m, nil
			}
			if cmd := c.GateManager(store.ActionCloseShift, closeMsg{}); cmd != nil {
				return m, cmd
			}
			return m.Update(closeMsg{})
		case key.Matches(msg, k.PrintKey) && c.Printer != nil && m.loaded:
			m.busy, m.message = true, c.T("shift.printing")
			return m, m.print(m.shown())
		case key.Matches(msg, k.Up):
			m.scroll = max(m.scroll-1, 0)
		case key.Matches(msg, k.Down):
			m.scroll++
		}
	}
	return m, nil
}

// print prints sh and records it in the audit log.
func (m Model) print(sh store.Shift) tea.Cmd {
	p, st := m.c.Printer, m.c.Store
	kind := store.AuditPrint
	e := m.c.AuditEntry(kind, reportName(sh))
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := p.PrintReport(ctx, sh); err != nil {
			return printedMsg{err: err}
		}
		return printedMsg{audit: st.Audit(e)}
	}
}

// reportName is how the audit log names a report: "X" or "Z 12".
func reportName(sh store.Shift) string {
	if sh.Z > 0 {
		return fmt.Sprintf("Z %d", sh.Z)
	}
	return "X"
}

// Title is the screen's state for the terminal's title.
func (m Model) Title() string {
	sh := m.shown()
	switch {
	case sh.Z > 0:
		return m.c.T("shift.z_title", sh.Z)
	case m.loaded:
		return m.c.N("shift.x_title_n", sh.Operations(), sh.Operations())
	}
	return m.c.T("shift.x_title")
}

// View draws the report shown, scrolled to fit.
func (m Model) View() string {
	c, s := m.c, m.c.Styles
	if !m.loaded {
		return s.Muted.Render(c.T("shift.loading"))
	}
	sh := m.shown()
	title := c.T("shift.x_title")
	if sh.Z > 0 {
		title = c.T("shift.z_title", sh.Z)
	}
	head := []string{s.Title.Render(title) + "  " + s.Warn.Render(c.T("shift.non_fiscal"))}
	if len(m.zs) > 0 {
		head = append(head, s.Muted.Render(c.N("shift.kept", len(m.zs), len(m.zs))))
	}
	body := Lines(c, sh)
	var foot []string
	switch {
	case m.closing:
		foot = append(foot, "", s.Warn.Render(c.Wrap(c.T("shift.close_confirm"))))
	case m.busy:
		foot = append(foot, "", s.Muted.Render(c.T("shift.working")))
	case m.message != "" && m.problem:
		foot = append(foot, "", s.Problem.Render(c.Wrap(m.message)))
	case m.message != "":
		foot = append(foot, "", s.OK.Render(c.Wrap(m.message)))
	}
	// The header and the help take about 6 rows.
	rows := len(body)
	if c.Height > 0 {
		rows = max(c.Height-6-len(head)-1-len(foot), 4)
	}
	from := min(m.scroll, max(len(body)-rows, 0))
	shown := body[from:min(from+rows, len(body))]
	parts := append(append(head, ""), shown...)
	return lipgloss.JoinVertical(lipgloss.Left, append(parts, foot...)...)
}

// Lines is a report as the screen shows it: the span, a table of the
// till's totals by provider and method, the counts, then each cashier's.
func Lines(c *common.Common, sh store.Shift) []string {
	s := c.Styles
	var out []string
	at := func(t time.Time) string { return t.Format("02.01.2006 15:04") }
	span := c.T("shift.span", at(sh.First), at(sh.At))
	if sh.First.IsZero() {
		span = c.T("shift.span_empty", at(sh.At))
	}
	out = append(out, span)
	if sh.FirstReceipt != 0 {
		out = append(out, c.T("shift.receipts", sh.FirstReceipt.Receipt(), sh.LastReceipt.Receipt()))
	}
	switch {
	case sh.Z > 0 && sh.ApprovedBy != "":
		out = append(out, c.T("shift.closed_by", c.T("auditlog.approved_by", sh.ClosedBy, sh.ApprovedBy)))
	case sh.Z > 0 && sh.ClosedBy != "":
		out = append(out, c.T("shift.closed_by", sh.ClosedBy))
	}
	if sh.Long {
		out = append(out, s.Warn.Render(c.T("shift.long")))
	}
	out = append(out, "")
	out = append(out, totals(c, sh.Total)...)
	for _, t := range sh.Cashiers {
		out = append(out, "", s.Label.Render(c.T("shift.cashier", t.Cashier)))
		out = append(out, totals(c, t)...)
	}
	return out
}

// totals is one set of totals: a line per provider and method, then the
// counts that are not zero.
func totals(c *common.Common, t store.ShiftTotals) []string {
	s := c.Styles
	if len(t.Lines) == 0 && t.Failed+t.Cancelled+t.TimedOut+t.Unknown+t.Open+t.NeedsPerson == 0 {
		return []string{s.Muted.Render(c.T("shift.nothing"))}
	}
	w := 0
	names := make([]string, len(t.Lines))
	for i, l := range t.Lines {
		names[i] = methodName(c, l)
		w = max(w, lipgloss.Width(names[i]))
	}
	var out []string
	for i, l := range t.Lines {
		pad := names[i] + lipgloss.NewStyle().Width(w-lipgloss.Width(names[i])+2).Render("")
		out = append(out, pad+c.N("shift.paid", l.Payments, l.Payments, c.Money(l.Paid)))
		if l.Refunds > 0 {
			out = append(out, lipgloss.NewStyle().Width(w+2).Render("")+c.N("shift.refunded", l.Refunds, l.Refunds, c.Money(l.Refunded)))
		}
		out = append(out, lipgloss.NewStyle().Width(w+2).Render("")+s.Label.Render(c.T("shift.net", c.Money(l.Net))))
	}
	counts := []struct {
		key string
		n   int
	}{{"shift.failed", t.Failed}, {"shift.cancelled", t.Cancelled}, {"shift.timed_out", t.TimedOut},
		{"shift.unknown", t.Unknown}, {"shift.open", t.Open}, {"shift.needs_person", t.NeedsPerson}}
	for _, n := range counts {
		if n.n > 0 {
			style := s.Muted
			if n.key == "shift.unknown" || n.key == "shift.needs_person" || n.key == "shift.open" {
				style = s.Warn
			}
			out = append(out, style.Render(c.N(n.key, n.n, n.n)))
		}
	}
	return out
}

// methodName names a line of totals: the method as receipts name it, and
// the provider too where the till has more than one.
func methodName(c *common.Common, l store.ShiftLine) string {
	name := "—"
	if l.Method != "" {
		name = c.TFor(l.Provider, "receipt.method_"+string(l.Method))
	}
	if len(c.Providers.Names()) > 1 {
		name = c.T("provider."+l.Provider) + " · " + name
	}
	return name
}

// ShortHelp is the help line.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	keys := []key.Binding{k.XReport, k.ZReport}
	if m.c.Printer != nil {
		keys = append(keys, k.PrintKey)
	}
	if len(m.zs) > 0 {
		keys = append(keys, k.Tab)
	}
	return append(keys, k.ScrollDetail, k.Back)
}

// FullHelp is every key of the screen.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
