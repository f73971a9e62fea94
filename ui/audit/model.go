// Package audit is the manager's screen of the audit log: who signed in,
// approved, refunded, changed, exported and printed what, newest first,
// with the history's period and search, and whether the log's chain of
// hashes still holds.
package audit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/history"
)

// BackMsg asks the root model to return to the sale screen.
type BackMsg struct{}

// Msg is any message of this screen's own commands.
type Msg interface{ auditMsg() }

type (
	entriesMsg struct {
		entries []store.AuditEntry
		more    bool
		err     error
	}
	verifiedMsg struct {
		entries int
		broken  *store.AuditBreak
		err     error
	}
)

func (entriesMsg) auditMsg()  {}
func (verifiedMsg) auditMsg() {}

// limit bounds what one period shows; more is for the CSV export.
const limit = 5000

type input int

const (
	noInput input = iota
	searching
	choosingPeriod
)

// Model is the audit log's screen.
type Model struct {
	c        *common.Common
	from, to time.Time
	search   string
	entries  []store.AuditEntry // newest first
	more     bool
	cursor   int
	loaded   bool
	input    input
	text     textinput.Model
	verified *verifiedMsg
	message  string
}

// New returns the screen over the last seven days.
func New(c *common.Common) Model {
	today := time.Date(c.Clock.Now().Year(), c.Clock.Now().Month(), c.Clock.Now().Day(), 0, 0, 0, 0, time.Local)
	text := textinput.New()
	text.CharLimit = 40
	text.SetWidth(30)
	return Model{c: c, from: today.AddDate(0, 0, -6), to: today, text: text}
}

// Open resets the screen, reads the period and checks the chain.
func (m Model) Open() (Model, tea.Cmd) {
	m = New(m.c)
	st := m.c.Store
	return m, tea.Batch(m.load(), func() tea.Msg {
		n, broken, err := st.VerifyAudit()
		return verifiedMsg{entries: n, broken: broken, err: err}
	})
}

func (m Model) load() tea.Cmd {
	st, from, to, search := m.c.Store, m.from, m.to.AddDate(0, 0, 1), m.search
	return func() tea.Msg {
		var out []store.AuditEntry
		more := false
		err := st.AuditEntries(from, to, search, func(e store.AuditEntry) bool {
			out = append(out, e)
			if len(out) > limit {
				out, more = out[1:], true
			}
			return true
		})
		slices.Reverse(out)
		return entriesMsg{entries: out, more: more, err: err}
	}
}

// Update handles keys and the store's answers.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	c, k := m.c, m.c.Keys
	switch msg := msg.(type) {
	case entriesMsg:
		m.entries, m.more, m.loaded = msg.entries, msg.more, true
		m.cursor = min(m.cursor, max(len(m.entries)-1, 0))
		if msg.err != nil {
			m.message = c.T("error.store", msg.err.Error())
		}
		return m, nil
	case verifiedMsg:
		m.verified = &msg
		return m, nil
	case tea.KeyPressMsg:
		if m.input != noInput {
			return m.keyInput(msg)
		}
		m.message = ""
		if next, ok := c.MoveCursor(msg, m.cursor, len(m.entries), m.rows()); ok {
			m.cursor = next
			return m, nil
		}
		switch {
		case key.Matches(msg, k.Back):
			return m, func() tea.Msg { return BackMsg{} }
		case key.Matches(msg, k.SearchKey):
			m.input = searching
			m.text.SetValue(m.search)
			m.text.Placeholder = c.T("auditlog.search_placeholder")
			return m, m.text.Focus()
		case key.Matches(msg, k.Period):
			m.input = choosingPeriod
			m.text.SetValue(m.from.Format("02.01.2006") + " – " + m.to.Format("02.01.2006"))
			m.text.Placeholder = ""
			return m, m.text.Focus()
		}
		return m, nil
	}
	var cmd tea.Cmd
	m.text, cmd = m.text.Update(msg)
	return m, cmd
}

func (m Model) keyInput(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	c, k := m.c, m.c.Keys
	switch {
	case key.Matches(msg, k.Back):
		was := m.input
		m.input = noInput
		m.text.Blur()
		if was == searching && m.search != "" {
			m.search = ""
			return m, m.load()
		}
		return m, nil
	case key.Matches(msg, k.Save) && m.input == choosingPeriod:
		from, to, problem := history.ReadPeriod(c, m.text.Value())
		if problem != "" {
			m.message = problem
			return m, nil
		}
		m.from, m.to, m.input, m.message, m.cursor = from, to, noInput, "", 0
		m.text.Blur()
		return m, m.load()
	case key.Matches(msg, k.Save):
		m.input = noInput
		m.text.Blur()
		return m, nil
	}
	var cmd tea.Cmd
	m.text, cmd = m.text.Update(msg)
	if m.input == searching && strings.TrimSpace(m.text.Value()) != m.search {
		m.search, m.cursor = strings.TrimSpace(m.text.Value()), 0
		return m, tea.Batch(cmd, m.load())
	}
	return m, cmd
}

// rows is how many entries fit.
func (m Model) rows() int {
	if m.c.Height == 0 {
		return 20
	}
	return max(m.c.Height-14, 3)
}

// Title is the screen's state for the terminal's title: how many entries
// the period holds, once read and the chain checked.
func (m Model) Title() string {
	if !m.loaded || m.verified == nil {
		return m.c.T("auditlog.title")
	}
	return m.c.N("auditlog.title_n", len(m.entries), len(m.entries))
}

// View draws the chain's state, the period and search, and the entries.
func (m Model) View() string {
	c, s := m.c, m.c.Styles
	parts := []string{s.Title.Render(c.T("auditlog.title"))}
	switch v := m.verified; {
	case v == nil:
		parts = append(parts, s.Muted.Render(c.T("auditlog.verifying")))
	case v.err != nil:
		parts = append(parts, s.Problem.Render(c.T("error.store", v.err.Error())))
	case v.broken != nil:
		parts = append(parts, s.Bad.Render(c.Wrap(c.T("auditlog.broken", v.broken.Seq, c.T("audit.reason."+strings.ReplaceAll(v.broken.Reason, " ", "_"))))))
	default:
		parts = append(parts, s.OK.Render(c.Wrap(c.N("auditlog.holds", v.entries, v.entries))))
	}
	period := s.Label.Render(c.T("history.period")) + " " + m.from.Format("02.01.2006") + " – " + m.to.Format("02.01.2006")
	if m.input == choosingPeriod {
		period = s.Label.Render(c.T("history.period")) + " " + m.text.View()
	}
	parts = append(parts, period)
	switch {
	case m.input == searching:
		parts = append(parts, s.Label.Render(c.T("auditlog.search"))+" "+m.text.View())
	case m.search != "":
		parts = append(parts, s.Label.Render(c.T("auditlog.search"))+" "+m.search)
	}
	parts = append(parts, "")
	if m.loaded && len(m.entries) == 0 {
		parts = append(parts, s.Muted.Render(c.T("auditlog.empty")))
	}
	parts = append(parts, c.ListWindow(len(m.entries), m.cursor, m.rows(), func(i int) string {
		return m.line(m.entries[i])
	})...)
	if m.more {
		parts = append(parts, s.Muted.Render(c.N("auditlog.more", limit, limit)))
	}
	if m.message != "" {
		parts = append(parts, "", s.Problem.Render(c.Wrap(m.message)))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// line is one entry: when, what, who (and who approved), on which
// receipt, for how much, and the detail, cut to the screen's width.
func (m Model) line(e store.AuditEntry) string {
	c := m.c
	fields := []string{e.At.Format("02.01 15:04:05"), c.T("audit.kind." + e.Kind)}
	who := e.Who
	if e.Approver != "" {
		who = c.T("auditlog.approved_by", e.Who, e.Approver)
	}
	if who != "" {
		fields = append(fields, who)
	}
	if e.Operation != 0 {
		fields = append(fields, "№"+e.Operation.Receipt())
	}
	if e.Amount != nil {
		fields = append(fields, c.Money(*e.Amount))
	}
	if d := detail(c, e); d != "" {
		fields = append(fields, d)
	}
	line := fmt.Sprintf("%5d  %s", e.Seq, strings.Join(fields, " · "))
	if w := c.Width - 8; w > 20 {
		line = ansi.Truncate(line, w, "…")
	}
	return line
}

// detail is an entry's detail in the manager's words, where the store
// writes it in codes: a role, a change, an action approved, the payment a
// refund is of. Names, settings and files are shown as they are.
func detail(c *common.Common, e store.AuditEntry) string {
	d := e.Detail
	switch e.Kind {
	case store.AuditPersonAdded:
		role, name, _ := strings.Cut(d, " ")
		return c.T("signin.role_"+role) + " " + name
	case store.AuditPersonChanged:
		what, value, name := store.PersonChange(d)
		if what == store.ChangeLanguage {
			return name + ": " + c.T("auditlog.language_set", languageName(value))
		}
		return name + ": " + c.T("auditlog.change."+what)
	case store.AuditApproval, store.AuditPINFailed:
		if d == store.AuditSignIn {
			return c.T("audit.kind.sign_in")
		}
		if d != "" && c.Cat.Has("approval."+d) {
			return c.T("approval." + d)
		}
	case store.AuditRefund:
		if d != "" {
			return c.T("auditlog.refund_of", d)
		}
	case store.AuditExport:
		what, period, _ := strings.Cut(d, " ")
		if c.Cat.Has("auditlog.export." + what) {
			return c.T("auditlog.export."+what) + " " + period
		}
	case store.AuditSettle:
		verdict, rest, _ := strings.Cut(d, " ")
		if c.Cat.Has("auditlog.settle." + verdict) {
			return strings.TrimSpace(c.T("auditlog.settle."+verdict) + " " + rest)
		}
	}
	return d
}

// languageName is a language in its own words, "" the till's.
func languageName(lang string) string {
	if cat, err := locale.Load(lang); err == nil && lang != "" {
		return cat.T("settings.language_name")
	}
	return lang
}

// ShortHelp is the help line.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.input != noInput {
		return []key.Binding{k.Save, k.Back}
	}
	return []key.Binding{k.UpDown, k.SearchKey, k.Period, k.Paging, k.Back}
}

// FullHelp is every key of the screen.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
