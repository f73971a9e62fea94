// Package history is the manager's history screen: payments and refunds
// newest first, search by receipt or payment number as you type, a period
// of at most 35 days, filters, totals, the detail of one operation, CSV
// export, and a refund started from a payment's row. Rows come a page at a
// time from the store's summaries, so a million operations scroll as fast
// as a hundred.
package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// BackMsg asks the root model to return to the sale screen.
type BackMsg struct{}

// RefundMsg asks the root model to open the refund screen for a payment.
type RefundMsg struct{ Payment store.ID }

// Msg is any message of this screen's own commands.
type Msg interface{ historyMsg() }

type (
	pageMsg struct {
		gen    int // which query it answers
		rows   []store.Row
		next   store.Cursor
		totals *store.Totals
		err    error
	}
	detailMsg struct {
		op      store.Operation
		refunds []store.Operation
		err     error
	}
	exportedMsg struct {
		path string
		rows int
		err  error
	}
)

func (pageMsg) historyMsg()     {}
func (detailMsg) historyMsg()   {}
func (exportedMsg) historyMsg() {}

const pageSize = 50

// input is what the text field is being used for.
type input int

const (
	noInput input = iota
	searching
	choosingPeriod
)

// Model is the history screen.
type Model struct {
	c      *common.Common
	query  store.Query
	gen    int // bumped by every query change; stale pages are dropped
	rows   []store.Row
	next   store.Cursor
	cursor int
	totals store.Totals

	input input
	text  textinput.Model

	detail  *detailMsg
	message string // a line to show: an export's result, a refused period
	problem bool
}

// New returns the screen.
func New(c *common.Common) Model {
	ti := textinput.New()
	ti.CharLimit = 24
	ti.SetWidth(26)
	return Model{c: c, text: ti}
}

// Open shows today's payments.
func (m Model) Open() (Model, tea.Cmd) {
	m = New(m.c)
	today := m.c.Clock.Now()
	m.query = store.Query{Kind: store.KindPayment, From: today, To: today}
	return m.reload()
}

// reload starts the query afresh.
func (m Model) reload() (Model, tea.Cmd) {
	m.gen++
	m.rows, m.next, m.cursor = nil, nil, 0
	return m, m.fetch(nil, true)
}

func (m Model) fetch(after store.Cursor, withTotals bool) tea.Cmd {
	st, q, gen, cur := m.c.Store, m.query, m.gen, m.c.Provider.Info().Currency
	return func() tea.Msg {
		rows, next, err := st.Page(q, after, pageSize)
		msg := pageMsg{gen: gen, rows: rows, next: next, err: err}
		if err == nil && withTotals {
			t, err := st.Totals(q, cur)
			msg.totals, msg.err = &t, err
		}
		return msg
	}
}

// Update handles keys and the store's answers.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case pageMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		if msg.err != nil {
			m.message, m.problem = m.c.T("error.store", msg.err.Error()), true
			return m, nil
		}
		m.rows = append(m.rows, msg.rows...)
		m.next = msg.next
		if msg.totals != nil {
			m.totals = *msg.totals
		}
		return m, nil
	case detailMsg:
		m.detail = &msg
		return m, nil
	case exportedMsg:
		if msg.err != nil {
			m.message, m.problem = m.c.T("history.export_failed", msg.err.Error()), true
		} else {
			m.message, m.problem = m.c.T("history.exported", msg.rows, msg.path), false
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.detail != nil {
			return m.keyDetail(msg)
		}
		if m.input != noInput {
			return m.keyInput(msg)
		}
		return m.keyList(msg)
	}
	return m, nil
}

func (m Model) keyDetail(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Back):
		m.detail = nil
	case key.Matches(msg, k.RefundRow) && m.detail.op.Kind == store.KindPayment && m.detail.op.State == store.StateSuccess:
		id := m.detail.op.ID
		return m, func() tea.Msg { return RefundMsg{Payment: id} }
	}
	return m, nil
}

func (m Model) keyInput(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Back):
		if m.input == searching {
			m.query.Search = ""
		}
		m.input = noInput
		m.text.Blur()
		return m.reload()
	case key.Matches(msg, k.Save) && m.input == choosingPeriod:
		return m.applyPeriod()
	case key.Matches(msg, k.Save):
		m.input = noInput
		m.text.Blur()
		return m, nil
	}
	var cmd tea.Cmd
	m.text, cmd = m.text.Update(msg)
	if m.input == searching && strings.TrimSpace(m.text.Value()) != m.query.Search {
		// Search as you type.
		m.query.Search = strings.TrimSpace(m.text.Value())
		var load tea.Cmd
		m, load = m.reload()
		return m, tea.Batch(cmd, load)
	}
	return m, cmd
}

// applyPeriod reads "YYYY-MM-DD YYYY-MM-DD" (or one day) and refuses a
// period the store would refuse, saying why.
func (m Model) applyPeriod() (Model, tea.Cmd) {
	fields := strings.Fields(m.text.Value())
	if len(fields) == 1 {
		fields = append(fields, fields[0])
	}
	m.message, m.problem = "", true
	if len(fields) != 2 {
		m.message = m.c.T("history.period_format")
		return m, nil
	}
	from, err1 := store.ParseDay(fields[0])
	to, err2 := store.ParseDay(fields[1])
	if err1 != nil || err2 != nil {
		m.message = m.c.T("history.period_format")
		return m, nil
	}
	q := m.query
	q.From, q.To = from, to
	switch err := q.Validate(); {
	case errors.Is(err, store.ErrPeriodTooLong):
		m.message = m.c.T("history.period_too_long", q.Days(), store.MaxPeriod)
		return m, nil
	case err != nil:
		m.message = m.c.T("history.period_backwards")
		return m, nil
	}
	m.query, m.input, m.problem = q, noInput, false
	m.text.Blur()
	return m.reload()
}

func (m Model) keyList(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	m.message = ""
	switch {
	case key.Matches(msg, k.Back):
		return m, func() tea.Msg { return BackMsg{} }
	case key.Matches(msg, k.Tab):
		m.query.Kind = map[store.Kind]store.Kind{store.KindPayment: store.KindRefund, store.KindRefund: store.KindPayment}[m.query.Kind]
		return m.reload()
	case key.Matches(msg, k.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, k.Down):
		m.cursor = min(m.cursor+1, max(len(m.rows)-1, 0))
		// Near the end of what is loaded: fetch the next page.
		if m.cursor >= len(m.rows)-5 && m.next != nil {
			after := m.next
			m.next = nil
			return m, m.fetch(after, false)
		}
	case key.Matches(msg, k.SearchKey):
		m.input = searching
		m.text.Placeholder = m.c.T("history.search_placeholder")
		m.text.SetValue(m.query.Search)
		return m, m.text.Focus()
	case key.Matches(msg, k.Period):
		m.input = choosingPeriod
		// The current period as the placeholder: typing starts afresh.
		m.text.Placeholder = m.query.From.Format("2006-01-02") + " " + m.query.To.Format("2006-01-02")
		m.text.SetValue("")
		return m, m.text.Focus()
	case key.Matches(msg, k.MethodKey):
		m.query.Method = map[providers.Method]providers.Method{"": providers.MethodQR, providers.MethodQR: providers.MethodCard, providers.MethodCard: ""}[m.query.Method]
		return m.reload()
	case key.Matches(msg, k.StatusKey):
		m.query.States = nextStates(m.query.States)
		return m.reload()
	case key.Matches(msg, k.Export):
		return m, m.export()
	case key.Matches(msg, k.Open) && m.cursor < len(m.rows):
		st, id := m.c.Store, m.rows[m.cursor].ID
		return m, func() tea.Msg {
			op, err := st.Get(id)
			var refunds []store.Operation
			if err == nil && op.Kind == store.KindPayment {
				refunds, err = st.Refunds(id)
			}
			return detailMsg{op: op, refunds: refunds, err: err}
		}
	}
	return m, nil
}

// statusFilters are the status filter's steps: all, done, failed, and the
// ones that still need something.
var statusFilters = [][]store.State{
	nil,
	{store.StateSuccess},
	{store.StateFailed, store.StateRefused},
	{store.StatePending, store.StateUnknown, store.StateCreated, store.StateTimeout, store.StateNeedsCheck},
}

func nextStates(cur []store.State) []store.State {
	for i, f := range statusFilters {
		if fmt.Sprint(f) == fmt.Sprint(cur) {
			return statusFilters[(i+1)%len(statusFilters)]
		}
	}
	return nil
}

func statusName(cur []store.State) string {
	for i, f := range statusFilters {
		if fmt.Sprint(f) == fmt.Sprint(cur) {
			return []string{"history.status_all", "history.status_done", "history.status_failed", "history.status_open"}[i]
		}
	}
	return "history.status_all"
}

// export writes the current list as CSV into the data file's folder.
func (m Model) export() tea.Cmd {
	st, q := m.c.Store, m.query
	kind := "payments"
	if q.Kind == store.KindRefund {
		kind = "refunds"
	}
	dir := filepath.Join(filepath.Dir(st.Path()), "exports")
	name := fmt.Sprintf("kassa-%s-%s-%s.csv", kind, q.From.Format("2006-01-02"), q.To.Format("2006-01-02"))
	return func() tea.Msg {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return exportedMsg{err: err}
		}
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			return exportedMsg{err: err}
		}
		rows, err := st.WriteCSV(f, q)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return exportedMsg{path: path, rows: rows, err: err}
	}
}

// Title is the screen's state for the terminal's title bar.
func (m Model) Title() string {
	kind := m.c.T("history.payments")
	if m.query.Kind == store.KindRefund {
		kind = m.c.T("history.refunds")
	}
	return m.c.T("title.history", kind, len(m.rows))
}

// ShortHelp lists the keys that work now.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch {
	case m.detail != nil:
		return []key.Binding{k.RefundRow, k.Back}
	case m.input != noInput:
		return []key.Binding{k.Save, k.Back}
	}
	return []key.Binding{k.Tab, k.UpDown, k.Open, k.SearchKey, k.Period, k.MethodKey, k.StatusKey, k.Export, k.Back}
}

// FullHelp is ShortHelp in one column.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
