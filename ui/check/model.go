// Package check is the screen where a manager settles operations the till
// could not: sent without an answer, forgotten by the POS (101 after its
// 24 hours), or abandoned when the customer timed out. The manager looks
// the operation up in the POS's own history and records what it shows —
// paid or not, with a note — which is kept with the operation.
package check

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// BackMsg asks the root model to return to the sale screen.
type BackMsg struct{}

// Msg is any message of this screen's own commands.
type Msg interface{ checkMsg() }

type (
	listMsg struct {
		ops []store.Operation
		err error
	}
	savedMsg struct{ err error }
)

func (listMsg) checkMsg()  {}
func (savedMsg) checkMsg() {}

// listLimit bounds the list; more than this waiting is a problem of its
// own. It is what the header counts, so the two never disagree.
const listLimit = 1000

type field int

const (
	fieldOutcome field = iota
	fieldNumber
	fieldNote
)

// Model is the check screen.
type Model struct {
	c      *common.Common
	ops    []store.Operation
	cursor int
	open   bool // the form for ops[cursor] is open
	paid   bool
	focus  field
	number textinput.Model
	note   textinput.Model
	// problem is the last problem, in the catalog's words.
	problem string
	loaded  bool
}

// New returns the screen.
func New(c *common.Common) Model {
	number := textinput.New()
	number.Placeholder = c.TFor(firstProvider(c), "checks.number_placeholder")
	number.CharLimit = 20
	// Wide enough for the placeholder, which says what to type.
	number.SetWidth(max(24, lipgloss.Width(number.Placeholder)+1))
	note := textinput.New()
	note.Placeholder = c.T("checks.note_placeholder")
	note.CharLimit = 200
	note.SetWidth(max(50, lipgloss.Width(note.Placeholder)+1))
	return Model{c: c, number: number, note: note}
}

// Open resets the screen and loads the list.
func (m Model) Open() (Model, tea.Cmd) {
	m = New(m.c)
	return m, m.load()
}

func (m Model) load() tea.Cmd {
	st := m.c.Store
	return func() tea.Msg {
		ops, err := st.NeedingPerson(listLimit)
		return listMsg{ops: ops, err: err}
	}
}

// Update handles keys and store answers.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case listMsg:
		m.ops, m.loaded = msg.ops, true
		m.cursor = min(m.cursor, max(len(m.ops)-1, 0))
		if msg.err != nil {
			m.problem = m.c.T("error.store", msg.err.Error())
		}
		return m, nil
	case savedMsg:
		if msg.err != nil {
			m.problem = m.c.T("error.store", msg.err.Error())
			return m, nil
		}
		m.open = false
		return m, m.load()
	case tea.KeyPressMsg:
		if m.open {
			return m.keyForm(msg)
		}
		return m.keyList(msg)
	}
	return m, nil
}

func (m Model) keyList(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	if next, ok := m.c.MoveCursor(msg, m.cursor, len(m.ops), m.visibleRows()); ok {
		m.cursor = next
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return m, func() tea.Msg { return BackMsg{} }
	case key.Matches(msg, k.Pay) && len(m.ops) > 0:
		m.open, m.paid, m.problem = true, false, ""
		m.number.Reset()
		m.note.Reset()
		return m.focusOn(fieldOutcome)
	}
	return m, nil
}

func (m Model) focusOn(f field) (Model, tea.Cmd) {
	m.focus = f
	m.number.Blur()
	m.note.Blur()
	switch f {
	case fieldNumber:
		return m, m.number.Focus()
	case fieldNote:
		return m, m.note.Focus()
	}
	return m, nil
}

func (m Model) keyForm(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Back):
		m.open = false
		return m, nil
	case key.Matches(msg, k.NextField):
		next := (m.focus + 1) % 3
		if next == fieldNumber && !m.paid {
			next = fieldNote
		}
		return m.focusOn(next)
	case key.Matches(msg, k.Pay):
		return m.save()
	case m.focus == fieldOutcome && key.Matches(msg, k.Toggle):
		m.paid = !m.paid
		return m, nil
	}
	var cmd tea.Cmd
	switch m.focus {
	case fieldNumber:
		m.number, cmd = m.number.Update(msg)
	case fieldNote:
		m.note, cmd = m.note.Update(msg)
	}
	m.problem = ""
	return m, cmd
}

// save records the verdict. The change is made on a copy here and written
// by the command; the list reloads from the store after.
func (m Model) save() (Model, tea.Cmd) {
	op := m.ops[m.cursor]
	number := ""
	if m.paid {
		number = strings.TrimSpace(m.number.Value())
	}
	check := store.Check{At: m.c.Clock.Now(), By: m.c.Cashier, Paid: m.paid, Note: strings.TrimSpace(m.note.Value())}
	// Tried on a copy first, so a mistake is said before anything is sent.
	trial := op
	err := trial.Checked(check, number)
	switch {
	case errors.Is(err, store.ErrNoteRequired):
		m.problem = m.c.TFor(firstProvider(m.c), "checks.note_required")
		return m.focusOn(fieldNote)
	case errors.Is(err, store.ErrLatePaid):
		m.problem = m.c.T("checks.late_paid")
		return m, nil
	case err != nil:
		m.problem = m.c.T("error.store", err.Error())
		return m, nil
	}
	// Through the tracker: an operation it still follows is written by its
	// follower alone, so nothing the provider says later overwrites this.
	tr, st := m.c.Tracker, m.c.Store
	verdict := "paid"
	if !m.paid {
		verdict = "unpaid"
	}
	e := m.c.AuditEntry(store.AuditSettle, strings.TrimSpace(verdict+" "+number+" "+check.Note))
	e.Operation, e.Amount = op.ID, &op.Amount
	return m, func() tea.Msg {
		_, err := tr.Settle(op.ID, check, number)
		if err == nil {
			err = st.Audit(e)
		}
		return savedMsg{err: err}
	}
}

// visibleRows is how many rows of the list fit under the intro and above
// the form.
func (m Model) visibleRows() int { return max(m.c.Height-20, 4) }

// Count is how many operations are waiting for a person.
func (m Model) Count() int { return len(m.ops) }

// Loaded reports whether the list has been read since the screen opened.
func (m Model) Loaded() bool { return m.loaded }

// View draws the screen body.
func (m Model) View() string {
	s := m.c.Styles
	parts := []string{s.Title.Render(m.c.TFor(firstProvider(m.c), "checks.title")), "", s.Muted.Render(m.c.Wrap(m.c.TFor(firstProvider(m.c), "checks.intro"))), ""}
	if len(m.ops) == 0 {
		parts = append(parts, s.OK.Render(m.c.T("checks.none")))
	}
	rw := common.ReceiptWidth(m.ops)
	parts = append(parts, m.c.ListWindow(len(m.ops), m.cursor, m.visibleRows(), func(i int) string {
		op := m.ops[i]
		return fmt.Sprintf("%-*s  %s  %-8s  %12s  %s", rw, op.Receipt(), op.Created.Format("02.01 15:04"),
			m.c.T("checks.kind_"+string(op.Kind)), m.c.Money(op.Amount), m.c.T("checks.state_"+string(op.State)))
	})...)
	if m.open && m.cursor < len(m.ops) {
		parts = append(parts, "", m.formView(m.ops[m.cursor]))
	}
	if m.problem != "" {
		parts = append(parts, "", s.Problem.Render(m.c.Wrap(m.problem)))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

func (m Model) formView(op store.Operation) string {
	s := m.c.Styles
	labels := map[field]string{fieldOutcome: m.c.TFor(firstProvider(m.c), "checks.outcome"), fieldNumber: m.c.T("checks.number"), fieldNote: m.c.T("checks.note")}
	lw := 0
	for _, l := range labels {
		lw = max(lw, lipgloss.Width(l))
	}
	// The fields line up under the longest label.
	mark := func(f field) string {
		label := labels[f] + strings.Repeat(" ", lw-lipgloss.Width(labels[f]))
		if m.focus == f {
			return s.Selected.Render("› " + label)
		}
		return "  " + s.Label.Render(label)
	}
	paid, notPaid := "( ) "+m.c.T("checks.paid"), "(•) "+m.c.T("checks.not_paid")
	if m.paid {
		paid, notPaid = "(•) "+m.c.T("checks.paid"), "( ) "+m.c.T("checks.not_paid")
	}
	lines := []string{
		s.Title.Render(m.c.T("checks.form_title", op.Receipt(), m.c.Money(op.Amount))),
		mark(fieldOutcome) + "  " + paid + "   " + notPaid,
	}
	if m.paid {
		lines = append(lines, mark(fieldNumber)+"  "+m.number.View())
	}
	lines = append(lines, mark(fieldNote)+"  "+m.note.View())
	return s.WarnBox.Render(lipgloss.JoinVertical(lipgloss.Left, lines...))
}

// Title is the screen's state for the terminal's title bar.
func (m Model) Title() string { return m.c.N("title.check_list", len(m.ops), len(m.ops)) }

// ShortHelp lists the keys that work now.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.open {
		return []key.Binding{k.NextField, k.Toggle, k.Save, k.Back}
	}
	if len(m.ops) > m.visibleRows() {
		return []key.Binding{k.UpDown, k.Open, k.Back, k.Paging, k.HomeEnd, k.Quit}
	}
	if len(m.ops) == 0 {
		return []key.Binding{k.Back, k.Quit}
	}
	return []key.Binding{k.UpDown, k.Open, k.Back, k.Quit}
}

// FullHelp is ShortHelp in one column.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// firstProvider is the till's main provider: the screen speaks of where
// to look in its words (the Smart POS history, an Uzbek provider's
// cabinet).
func firstProvider(c *common.Common) string {
	if c.Providers == nil || c.Providers.First() == nil {
		return ""
	}
	return c.Providers.First().Info().Name
}
