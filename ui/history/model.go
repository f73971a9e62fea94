// Package history is the manager's history screen: payments and refunds
// newest first, search by receipt or payment number as you type, a period
// of at most 35 days, filters by method, status and terminal or QR,
// totals, the detail of one operation, CSV export, and a refund started
// from a payment's row. The screen holds a window of at most maxRows rows
// and asks the store for more as the manager scrolls either way, so a
// million operations scroll as fast, and in as little memory, as a
// hundred. What it shows is read again every few seconds, so a refund's
// status moves on the screen as it moves in the data file.
package history

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/central"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/common"
)

// BackMsg asks the root model to return to the sale screen.
type BackMsg struct{}

// RefundMsg asks the root model to open the refund screen for a payment.
type RefundMsg struct{ Payment store.ID }

// Msg is any message of this screen's own commands.
type Msg interface{ historyMsg() }

const (
	pageSize = 50
	// maxRows is the most rows the screen holds at once: scrolling past
	// them lets the far end go and asks the store for the near one.
	maxRows = 3 * pageSize
	// ahead is how close to the window's edge the cursor comes before the
	// next page is asked for, so it is there before the cursor is.
	ahead = pageSize / 2
	// RefreshEvery is how often the screen reads again what it shows.
	RefreshEvery = 5 * time.Second
)

// load is what a page request is for.
type load int

const (
	loadFirst  load = iota // a new query: the newest rows, totals, sources
	loadOlder              // the page below the window
	loadNewer              // the page above the window
	loadOldest             // the end of the list
	loadAgain              // the window read again in place, with totals
)

type (
	pageMsg struct {
		gen  int // which query it answers
		load load
		rows []store.Row
		// more: rows left beyond the page, below it (first, older, again)
		// or above it (newer, oldest).
		more    bool
		totals  *store.Totals
		sources []store.Source
		// elsewhere is the newest row the search finds outside the period,
		// when it finds none inside.
		elsewhere *store.Row
		// tills and byTill are the chain's, in a chain's history.
		tills  []central.Till
		byTill []central.Total
		err    error
	}
	detailMsg struct {
		again   bool // read again for a detail already shown
		at      store.Ref
		op      store.Operation
		refunds []store.Operation
		left    *providers.Money // what may still be refunded of a payment
		err     error
	}
	exportedMsg struct {
		path string
		rows int
		err  error
	}
	refreshMsg struct{ loop chan struct{} }
	// exportMsg writes the CSV, once a manager approved it where one must.
	exportMsg struct{}
	// askedMsg is the tracker's answer to asking again for a payment's
	// fiscal receipt.
	askedMsg struct {
		id  store.ID
		err error
	}
)

func (pageMsg) historyMsg()     {}
func (detailMsg) historyMsg()   {}
func (exportedMsg) historyMsg() {}
func (exportMsg) historyMsg()   {}
func (refreshMsg) historyMsg()  {}
func (askedMsg) historyMsg()    {}

// input is what the text field is being used for.
type input int

const (
	noInput input = iota
	searching
	choosingPeriod
)

// Model is the history screen.
type Model struct {
	c *common.Common
	// books are what it reads: the till's data file, or the chain's; chain
	// is set for the chain's (NewChain).
	books Books
	chain Chain
	// chainCurrency is what a chain's totals are summed in: its tills'.
	chainCurrency providers.Currency
	// tills are the chain's tills as the server knows them; byTill the
	// period's totals per shop, till and provider, shown instead of the
	// list while byTillShown.
	tills       []central.Till
	byTill      []central.Total
	byTillShown bool
	byTillRead  bool // byTill is of the period and filters shown
	query       store.Query
	gen         int // bumped by every query change; stale pages are dropped

	// rows is the window: a stretch of the list, newest first. older and
	// newer say whether the list goes on below and above it.
	rows         []store.Row
	older, newer bool
	cursor       int
	loading      bool // a page is on its way: no second one is asked
	totals       store.Totals
	sources      []store.Source // the period's terminals, for the filter
	elsewhere    *store.Row     // where the search is, outside the period
	follow       bool           // Enter came ahead of the search's answer
	// ticking is the refresh loop in force, closed when the screen is
	// left; nil while it is not shown.
	ticking chan struct{}
	input   input
	text    textinput.Model
	detail  *detailMsg
	pane    viewport.Model // the detail's scroll position
	// asking is the payment whose fiscal receipt the manager asked for
	// again, until the detail read back shows the ask; refusal is why the
	// till would not ask.
	asking  store.ID
	refusal string
	// printing is set while the detail's receipt prints again; printErr
	// is why it did not.
	printing bool
	printErr string
	message  string // a line to show: an export's result, a refused period
	problem  bool
}

// New returns the screen over the till's own data file.
func New(c *common.Common) Model {
	m := newModel(c)
	m.books = tillBooks{c.Store}
	return m
}

// NewChain returns the screen over a chain's books: every till's
// operations, with the shop and till as columns and a filter, its totals
// in currency cur.
func NewChain(c *common.Common, chain Chain, cur providers.Currency) Model {
	m := newModel(c)
	m.books, m.chain, m.chainCurrency = chain, chain, cur
	return m
}

// Where makes a chain's history show shop, or one till of it, when it
// opens.
func (m Model) Where(shop, till string) Model {
	m.query.Shop, m.query.Till = shop, till
	return m
}

// currency is the currency of the totals.
func (m Model) currency() providers.Currency {
	if m.chain != nil {
		return m.chainCurrency
	}
	return m.c.Currency()
}

func newModel(c *common.Common) Model {
	ti := textinput.New()
	ti.CharLimit = 24
	ti.SetWidth(26)
	// A steady cursor: nothing on a till screen moves unless something
	// changed.
	styles := ti.Styles()
	styles.Cursor.Blink = false
	ti.SetStyles(styles)
	pane := viewport.New()
	pane.KeyMap = viewport.KeyMap{Up: c.Keys.Up, Down: c.Keys.Down, PageUp: c.Keys.PageUp, PageDown: c.Keys.PageDown}
	return Model{c: c, text: ti, pane: pane}
}

// Open shows today's payments.
func (m Model) Open() (Model, tea.Cmd) {
	gen := m.gen // answers to the last opening must not pass for this one's
	books, chain, cur, q := m.books, m.chain, m.chainCurrency, m.query
	m = newModel(m.c)
	m.books, m.chain, m.chainCurrency, m.gen = books, chain, cur, gen
	m.ticking = make(chan struct{})
	today := m.c.Clock.Now()
	// The shop and till it was opened for stay (Where).
	m.query = store.Query{Kind: store.KindPayment, From: today, To: today, Shop: q.Shop, Till: q.Till}
	m, load := m.reload()
	return m, tea.Batch(load, m.tick())
}

// Resume shows the screen again as it was left, for a manager back from
// a refund started here: the same period, filters and place, read again.
func (m Model) Resume() (Model, tea.Cmd) {
	m.ticking = make(chan struct{})
	m.loading = false
	m.gen++ // nothing asked before leaving is taken in
	cmds := []tea.Cmd{m.tick()}
	if m.detail != nil && m.detail.err == nil {
		cmds = append(cmds, m.fetchDetail(m.detail.at, true))
	}
	m, load := m.fetch(loadAgain)
	return m, tea.Batch(append(cmds, load)...)
}

// selected is the chosen row.
func (m Model) selected() (store.Row, bool) {
	if m.cursor < len(m.rows) {
		return m.rows[m.cursor], true
	}
	return store.Row{}, false
}

func (m Model) tick() tea.Cmd {
	clk, loop := m.c.Clock, m.ticking
	return func() tea.Msg {
		t := clk.NewTimer(RefreshEvery)
		select {
		case <-t.C:
			return refreshMsg{loop: loop}
		case <-loop:
			t.Stop()
			return nil
		}
	}
}

// leave stops the refresh loop and sends msg, which takes the manager to
// another screen.
func (m Model) leave(msg tea.Msg) (Model, tea.Cmd) {
	loop := m.ticking
	m.ticking, m.follow = nil, false
	return m, tea.Batch(func() tea.Msg {
		if loop != nil {
			close(loop)
		}
		return nil
	}, func() tea.Msg { return msg })
}

// reload starts the query afresh from its newest row.
func (m Model) reload() (Model, tea.Cmd) {
	m.gen++
	m.rows, m.older, m.newer, m.cursor, m.loading, m.elsewhere, m.follow = nil, false, false, 0, false, nil, false
	return m.fetch(loadFirst)
}

// fetch asks the store for a page; the answer comes as a pageMsg.
func (m Model) fetch(l load) (Model, tea.Cmd) {
	if m.loading || (l == loadOlder || l == loadNewer) && len(m.rows) == 0 {
		return m, nil
	}
	m.loading = true
	st, chain, q, gen, cur, byTill := m.books, m.chain, m.query, m.gen, m.currency(), m.byTillShown
	var at store.Cursor
	n := pageSize
	switch l {
	case loadOlder:
		at = st.CursorAt(m.rows[len(m.rows)-1])
	case loadNewer:
		at = st.CursorAt(m.rows[0])
	case loadAgain:
		if m.newer && len(m.rows) > 0 {
			at = st.CursorAt(m.rows[0])
		}
		// A page more than is held: rows that came in at the top push
		// nothing out from under the cursor.
		n = len(m.rows) + pageSize
	}
	return m, func() tea.Msg {
		msg := pageMsg{gen: gen, load: l}
		var next store.Cursor
		switch l {
		case loadNewer, loadOldest:
			msg.rows, msg.more, msg.err = st.PageNewer(q, at, n)
		case loadOlder:
			msg.rows, next, msg.err = st.Page(q, at, n)
		default:
			msg.rows, next, msg.err = st.PageAt(q, at, n)
		}
		if l != loadNewer && l != loadOldest {
			msg.more = next != nil
		}
		if msg.err == nil && (l == loadFirst || l == loadAgain) {
			t, err := st.Totals(q, cur)
			msg.totals, msg.err = &t, err
			if err == nil {
				msg.sources, msg.err = st.Sources(q)
			}
			if msg.err == nil && chain != nil {
				msg.tills, msg.err = chain.Tills()
			}
			if msg.err == nil && chain != nil && byTill {
				msg.byTill, msg.err = chain.TotalsBy(q)
			}
		}
		if msg.err == nil && l == loadFirst && len(msg.rows) == 0 && q.Search != "" {
			both := q
			both.Kind = "" // a refund's number typed on the payments tab is found too
			if r, ok, err := st.Latest(both); ok {
				msg.elsewhere = &r
			} else {
				msg.err = err
			}
		}
		return msg
	}
}

func (m Model) fetchDetail(at store.Ref, again bool) tea.Cmd {
	st := m.books
	return func() tea.Msg {
		d := detailMsg{again: again, at: at}
		d.op, d.err = st.Get(at)
		if d.err == nil && d.op.Kind == store.KindPayment {
			d.refunds, d.err = st.Refunds(at)
		}
		if d.err == nil && tookMoney(d.op.Kind, d.op.State) {
			left, err := st.Refundable(at)
			d.left, d.err = &left, err
		}
		return d
	}
}

// Update handles keys and the store's answers.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case pageMsg:
		follow := m.follow && msg.gen == m.gen && msg.load == loadFirst
		m, cmd := m.page(msg)
		if follow {
			// Enter was pressed before the search's answer came.
			m.follow = false
			if m.elsewhere != nil && len(m.rows) == 0 {
				return m.moveToElsewhere()
			}
		}
		return m, cmd
	case detailMsg:
		if msg.again && (m.detail == nil || m.detail.at != msg.at || msg.err != nil) {
			return m, nil // left meanwhile, or a passing fault: keep what is shown
		}
		if !msg.again {
			m.pane.SetYOffset(0)
			m.asking, m.refusal = 0, ""
		}
		if !msg.op.NotFiscalized() {
			m.asking = 0 // the ask is written: the detail says so itself
		}
		m.detail = &msg
		return m, nil
	case askedMsg:
		if m.detail == nil || m.detail.op.ID != msg.id {
			return m, nil
		}
		if msg.err != nil {
			m.asking, m.refusal = 0, m.askRefusal(msg.err)
			return m, nil
		}
		return m, m.fetchDetail(m.detail.at, true)
	case printedMsg:
		m.printing = false
		if m.detail == nil || m.detail.op.ID != msg.id {
			return m, nil
		}
		m.printErr = ""
		if msg.err != nil {
			m.printErr = m.c.T("history.print_failed", m.c.PrinterError(msg.err))
		}
		return m, m.fetchDetail(m.detail.at, true)
	case common.OpsChanged:
		return m.opsChanged(msg)
	case refreshMsg:
		if msg.loop == nil || msg.loop != m.ticking {
			return m, nil // an earlier opening's loop, or the screen was left
		}
		next := m.tick()
		switch {
		case m.detail != nil && m.detail.err == nil:
			return m, tea.Batch(next, m.fetchDetail(m.detail.at, true))
		case m.input == noInput:
			m, load := m.fetch(loadAgain)
			return m, tea.Batch(next, load)
		}
		return m, next
	case exportMsg:
		m.message, m.problem = m.c.T("history.exporting"), false
		return m, m.export()
	case exportedMsg:
		if msg.err != nil {
			m.message, m.problem = m.c.T("history.export_failed", msg.err.Error()), true
		} else {
			m.message, m.problem = m.c.T("history.exported", m.c.Count(msg.rows), msg.path), false
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

// page takes in a page the store sent.
func (m Model) page(msg pageMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	m.loading = false
	if msg.err != nil {
		m.message, m.problem = m.readFailed(msg.err), true
		return m, nil
	}
	if msg.totals != nil {
		m.totals, m.sources, m.tills, m.byTill = *msg.totals, msg.sources, msg.tills, msg.byTill
		m.byTillRead = m.byTillShown
	}
	switch msg.load {
	case loadFirst:
		m.rows, m.older, m.newer, m.cursor, m.elsewhere = msg.rows, msg.more, false, 0, msg.elsewhere
	case loadOlder:
		m.rows, m.older = append(m.rows, msg.rows...), msg.more
		m = m.fit(true)
	case loadNewer:
		m.rows, m.cursor, m.newer = append(slices.Clone(msg.rows), m.rows...), m.cursor+len(msg.rows), msg.more
		m = m.fit(false)
	case loadOldest:
		m.rows, m.older, m.newer, m.cursor = msg.rows, false, msg.more, max(len(msg.rows)-1, 0)
	case loadAgain:
		// The same stretch with the states as they are now; the chosen row
		// stays chosen where it still is in the list.
		chosen, ok := m.selected()
		if len(msg.rows) == 0 && m.newer {
			return m.reload() // all it held left the filter: start at the top
		}
		m.rows, m.older = msg.rows, msg.more
		if i := slices.IndexFunc(m.rows, func(r store.Row) bool { return r.At() == chosen.At() }); ok && i >= 0 {
			m.cursor = i
		}
		m = m.fit(false)
	}
	return m.loadAhead()
}

// fit keeps the cursor on a row and the window at most maxRows, cutting
// from the top first when keepEnd (a page came in below) and from the
// bottom otherwise, but never the chosen row: keys pressed while a page
// was on its way may have taken the cursor anywhere.
func (m Model) fit(keepEnd bool) Model {
	m.cursor = max(min(m.cursor, len(m.rows)-1), 0)
	if len(m.rows) <= maxRows {
		return m
	}
	start := 0
	if keepEnd {
		start = len(m.rows) - maxRows
	}
	start = max(min(start, m.cursor), m.cursor-maxRows+1)
	if start > 0 {
		m.newer = true
	}
	if start+maxRows < len(m.rows) {
		m.older = true
	}
	// A new array: the rows let go of are freed, not kept behind.
	m.rows, m.cursor = slices.Clone(m.rows[start:start+maxRows]), m.cursor-start
	return m
}

// loadAhead asks for the next page when the cursor is near an edge of the
// window with more of the list beyond it.
func (m Model) loadAhead() (Model, tea.Cmd) {
	switch {
	case m.older && m.cursor >= len(m.rows)-ahead:
		return m.fetch(loadOlder)
	case m.newer && m.cursor < ahead:
		return m.fetch(loadNewer)
	}
	return m, nil
}

// opsChanged reads again what the tracker changed that the screen shows:
// the detail's operation (its fiscal receipt coming as the till asks), or
// a row of the list. Other operations wait for the next refresh.
func (m Model) opsChanged(msg common.OpsChanged) (Model, tea.Cmd) {
	if m.ticking == nil {
		return m, nil // not shown
	}
	for _, mc := range msg.Machines {
		switch {
		case m.detail != nil:
			if m.detail.err == nil && mc.Op.ID == m.detail.op.ID {
				return m, m.fetchDetail(m.detail.at, true)
			}
		case m.input == noInput && slices.ContainsFunc(m.rows, func(r store.Row) bool { return r.ID == mc.Op.ID }):
			return m.fetch(loadAgain)
		}
	}
	return m, nil
}

// canAskFiscal: the detail shows a paid payment whose fiscal receipt the
// till gave up asking for, and no ask is under way.
func (m Model) canAskFiscal() bool {
	d := m.detail
	return d != nil && d.err == nil && d.op.NotFiscalized() && m.c.Tracker != nil && m.asking != d.op.ID
}

// askFiscal has the tracker ask the provider again for the detail's
// fiscal receipt; the detail follows what it publishes.
func (m Model) askFiscal() (Model, tea.Cmd) {
	tr, id := m.c.Tracker, m.detail.op.ID
	m.asking, m.refusal = id, ""
	return m, func() tea.Msg {
		_, err := tr.AskFiscal(id)
		return askedMsg{id: id, err: err}
	}
}

type printedMsg struct {
	id  store.ID
	err error
}

// canPrint: the detail shows a finished operation with a receipt, and the
// till has a printer.
func (m Model) canPrint() bool {
	d := m.detail
	return d != nil && d.err == nil && m.c.Printer != nil && !m.printing && d.op.State == store.StateSuccess
}

// print prints the detail's receipt again: a COPY once one came out.
func (m Model) print() (Model, tea.Cmd) {
	op := m.detail.op
	print := m.c.PrintAudited(op, !op.Printed.IsZero())
	m.printing, m.printErr = true, ""
	return m, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := print(ctx)
		return printedMsg{id: op.ID, err: err}
	}
}

// askRefusal is why the till did not ask again, in the catalog's words.
func (m Model) askRefusal(err error) string {
	switch {
	case errors.Is(err, tracker.ErrNotFiscal):
		return m.c.T("history.fiscal_not_fiscal")
	case errors.Is(err, tracker.ErrUnknownProvider):
		return m.c.T("history.fiscal_no_provider", m.c.T("provider."+m.detail.op.Provider))
	}
	return m.c.T("history.fiscal_ask_failed", m.c.ErrorFor(m.detail.op.Provider, err))
}

func (m Model) keyDetail(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Back):
		m.detail, m.asking, m.refusal = nil, 0, ""
		// The list as it is now: what changed while the detail was shown
		// (its fiscal receipt come) is not left for the next refresh.
		return m.fetch(loadAgain)
	case key.Matches(msg, k.AskFiscal) && m.canAskFiscal():
		return m.askFiscal()
	case key.Matches(msg, k.Print) && m.canPrint():
		return m.print()
	case m.chain != nil && (key.Matches(msg, k.RefundRow) && m.refundable() || key.Matches(msg, k.AskFiscal) && m.detail.op.NotFiscalized() ||
		key.Matches(msg, k.Print) && m.detail.err == nil && m.detail.op.State == store.StateSuccess):
		m.refusal = m.tillOnly(store.Row{Shop: m.detail.at.Shop, Till: m.detail.at.Till})
	case key.Matches(msg, k.RefundRow) && m.refundable():
		return m.leave(RefundMsg{Payment: m.detail.op.ID})
	case key.Matches(msg, k.Home):
		m.pane.SetYOffset(0)
	case key.Matches(msg, k.End):
		pane := m.detailPane()
		pane.GotoBottom()
		m.pane = pane
	default:
		pane, cmd := m.detailPane().Update(msg)
		m.pane = pane
		return m, cmd
	}
	return m, nil
}

// tookMoney is what a refund can be started from: a payment that succeeded.
func tookMoney(k store.Kind, s store.State) bool {
	return k == store.KindPayment && s == store.StateSuccess
}

// rowRefundable: the chosen row is a payment that took money.
func (m Model) rowRefundable() bool {
	r, ok := m.selected()
	return ok && tookMoney(r.Kind, r.State)
}

// refundable: the detail shows a payment that took money, not all of it
// refunded yet.
func (m Model) refundable() bool {
	d := m.detail
	return d != nil && d.err == nil && tookMoney(d.op.Kind, d.op.State) && (d.left == nil || d.left.Minor > 0)
}

func (m Model) keyInput(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Back):
		was := m.input
		m.input, m.message = noInput, ""
		m.text.Blur()
		if was == searching && m.query.Search != "" {
			m.query.Search = ""
			return m.reload()
		}
		return m, nil
	case key.Matches(msg, k.Save) && m.input == choosingPeriod:
		return m.applyPeriod()
	case key.Matches(msg, k.Save):
		m.input = noInput
		m.text.Blur()
		if m.elsewhere != nil && len(m.rows) == 0 {
			return m.moveToElsewhere()
		}
		m.follow = m.loading
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

// applyPeriod takes the period typed, or says why it refuses it.
func (m Model) applyPeriod() (Model, tea.Cmd) {
	from, to, problem := ReadPeriod(m.c, m.text.Value())
	if problem != "" {
		m.message, m.problem = problem, true
		return m, nil
	}
	m.message, m.problem = "", false
	m.query.From, m.query.To, m.input = from, to, noInput
	m.text.Blur()
	return m.reload()
}

// ReadPeriod is parsePeriod with its refusal in c's words ("" when the
// period is taken): the history's and the audit log's period fields.
func ReadPeriod(c *common.Common, text string) (from, to time.Time, problem string) {
	from, to, err := parsePeriod(text)
	switch {
	case errors.Is(err, errPeriodFormat):
		return from, to, c.T("history.period_format")
	case errors.Is(err, store.ErrPeriodTooLong):
		days := store.Query{From: from, To: to}.Days()
		return from, to, c.N("history.period_too_long", days, days, store.MaxPeriod)
	case err != nil:
		return from, to, c.T("history.period_backwards")
	}
	return from, to, ""
}

// errPeriodFormat: the text is not one day or two.
var errPeriodFormat = errors.New("history: not a period")

// parsePeriod reads two days or one, each as the screen shows it
// (DD.MM.YYYY) or as ISO writes it (YYYY-MM-DD), with or without a dash
// between, and refuses a period the store would refuse (the store's error).
func parsePeriod(text string) (from, to time.Time, err error) {
	fields := slices.DeleteFunc(strings.Fields(text), func(f string) bool { return strings.Trim(f, "-–—") == "" })
	if len(fields) == 1 {
		fields = append(fields, fields[0])
	}
	if len(fields) != 2 {
		return from, to, errPeriodFormat
	}
	from, err1 := parseDay(fields[0])
	to, err2 := parseDay(fields[1])
	if err1 != nil || err2 != nil {
		return from, to, errPeriodFormat
	}
	return from, to, store.Query{From: from, To: to}.Validate()
}

// dayLayout is how the screen writes a day.
const dayLayout = "02.01.2006"

// parseDay reads a day as the screen writes it (one-digit day and month
// too), or in ISO form, in the local time zone.
func parseDay(s string) (time.Time, error) {
	if d, err := time.ParseInLocation("2.1.2006", s, time.Local); err == nil {
		return d, nil
	}
	return store.ParseDay(s)
}

func (m Model) keyList(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	m.message = ""
	switch {
	case key.Matches(msg, k.Back):
		return m.leave(BackMsg{})
	case m.byTillShown && key.Matches(msg, k.Open, k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.RefundRow):
		return m, nil // the list is not shown: nothing on it to move to or open
	case key.Matches(msg, k.Tab):
		m.query.Kind = map[store.Kind]store.Kind{store.KindPayment: store.KindRefund, store.KindRefund: store.KindPayment}[m.query.Kind]
		return m.reload()
	case key.Matches(msg, k.Up):
		return m.move(-1)
	case key.Matches(msg, k.Down):
		return m.move(1)
	case key.Matches(msg, k.PageUp):
		return m.move(-m.visibleRows())
	case key.Matches(msg, k.PageDown):
		return m.move(m.visibleRows())
	case key.Matches(msg, k.Home):
		if m.newer {
			return m.reload()
		}
		m.cursor = 0
	case key.Matches(msg, k.End):
		if m.older {
			m.gen++ // what is on its way is for the window being replaced
			m.loading = false
			return m.fetch(loadOldest)
		}
		m.cursor = max(len(m.rows)-1, 0)
	case key.Matches(msg, k.SearchKey):
		m.input = searching
		m.text.Placeholder = m.c.T("history.search_placeholder")
		m.text.SetValue(m.query.Search)
		return m, m.text.Focus()
	case key.Matches(msg, k.Period):
		m.input = choosingPeriod
		// The current period as the placeholder: typing starts afresh.
		m.text.Placeholder = m.query.From.Format(dayLayout) + " " + m.query.To.Format(dayLayout)
		m.text.SetValue("")
		return m, m.text.Focus()
	case key.Matches(msg, k.MethodKey):
		m.query.Method = map[providers.Method]providers.Method{"": providers.MethodQR, providers.MethodQR: providers.MethodCard, providers.MethodCard: ""}[m.query.Method]
		return m.reload()
	case key.Matches(msg, k.StatusKey):
		m.query.States = nextStates(m.query.States)
		return m.reload()
	case key.Matches(msg, k.TerminalKey):
		next := m.nextSource()
		m.query.Provider, m.query.Terminal = next.Provider, next.Terminal
		return m.reload()
	case key.Matches(msg, k.Export):
		if cmd := m.c.Gate(store.ActionExport, exportMsg{}); cmd != nil {
			return m, cmd
		}
		return m.Update(exportMsg{})
	case key.Matches(msg, k.Open) && m.elsewhere != nil && len(m.rows) == 0:
		return m.moveToElsewhere()
	case key.Matches(msg, k.TillKey) && m.chain != nil:
		m.query.Shop, m.query.Till = m.nextTill()
		return m.reload()
	case key.Matches(msg, k.ByTill) && m.chain != nil:
		m.byTillShown, m.byTillRead = !m.byTillShown, false
		m.gen++ // a page asked for before holds no totals by till
		m.loading = false
		return m.fetch(loadAgain)
	case key.Matches(msg, k.RefundRow) && m.rowRefundable() && m.chain != nil:
		m.message, m.problem = m.tillOnly(m.rows[m.cursor]), true
	case key.Matches(msg, k.RefundRow) && m.rowRefundable():
		return m.leave(RefundMsg{Payment: m.rows[m.cursor].ID})
	case key.Matches(msg, k.Open) && m.cursor < len(m.rows):
		return m, m.fetchDetail(m.rows[m.cursor].At(), false)
	}
	return m, nil
}

// readFailed is why the list could not be read: the data file's fault,
// or the central database's.
func (m Model) readFailed(err error) string {
	if m.chain != nil {
		return m.c.T("central.read_failed", err)
	}
	return m.c.T("error.store", err.Error())
}

// tillOnly says that what was asked of r is done at the till that made
// it: the chain's history only reads.
func (m Model) tillOnly(r store.Row) string {
	return m.c.T("centralhistory.till_only", r.Shop, r.Till)
}

// nextTill is the shop and till filter's next step: every till, then
// each shop and its tills in turn.
func (m Model) nextTill() (shop, till string) {
	type step struct{ shop, till string }
	steps := []step{{}}
	for i, t := range m.tills {
		if i == 0 || m.tills[i-1].Shop != t.Shop {
			steps = append(steps, step{shop: t.Shop})
		}
		steps = append(steps, step{shop: t.Shop, till: t.Till})
	}
	i := slices.Index(steps, step{m.query.Shop, m.query.Till})
	next := steps[(i+1)%len(steps)] // not found (-1): every till
	return next.shop, next.till
}

// silent are the tills shown that have not reached the server for a
// day.
func (m Model) silent() []central.Till {
	now := m.c.Clock.Now()
	var out []central.Till
	for _, t := range m.tills {
		shown := (m.query.Shop == "" || t.Shop == m.query.Shop) && (m.query.Till == "" || t.Till == m.query.Till)
		if shown && now.Sub(t.Seen) > central.SilentAfter {
			out = append(out, t)
		}
	}
	return out
}

// moveToElsewhere shows the day, and the tab, of the row the search
// found outside the period.
func (m Model) moveToElsewhere() (Model, tea.Cmd) {
	m.query.From, m.query.To = m.elsewhere.Created, m.elsewhere.Created
	m.query.Kind = m.elsewhere.Kind
	return m.reload()
}

// move moves the cursor by delta rows and, near an edge of the window
// with more of the list beyond it, asks for the next page that way.
func (m Model) move(delta int) (Model, tea.Cmd) {
	m.cursor = max(min(m.cursor+delta, len(m.rows)-1), 0)
	return m.loadAhead()
}

// filterSteps are the terminal filter's steps: every terminal or QR, and
// every provider as a whole where there are several; the zero Source
// (all) first.
func (m Model) filterSteps() []store.Source {
	steps := []store.Source{{}}
	several := slices.ContainsFunc(m.sources, func(s store.Source) bool { return s.Provider != m.sources[0].Provider })
	for i, s := range m.sources {
		if several && (i == 0 || m.sources[i-1].Provider != s.Provider) {
			steps = append(steps, store.Source{Provider: s.Provider})
		}
		if s.Terminal != "" { // never confirmed: no terminal to choose by
			steps = append(steps, s)
		}
	}
	return steps
}

func (m Model) nextSource() store.Source {
	steps := m.filterSteps()
	cur := store.Source{Provider: m.query.Provider, Terminal: m.query.Terminal}
	if i := slices.Index(steps, cur); i >= 0 {
		return steps[(i+1)%len(steps)]
	}
	return store.Source{}
}

// statusFilters are the status filter's steps: all, done, failed, and the
// ones that still need something.
var statusFilters = [][]store.State{
	nil,
	{store.StateSuccess},
	{store.StateFailed, store.StateRefused},
	{store.StatePending, store.StateUnknown, store.StateCreated, store.StateTimeout, store.StateNeedsCheck},
}

var statusNames = []string{"history.status_all", "history.status_done", "history.status_failed", "history.status_open"}

func nextStates(cur []store.State) []store.State {
	i := slices.IndexFunc(statusFilters, func(f []store.State) bool { return slices.Equal(f, cur) })
	return statusFilters[(i+1)%len(statusFilters)] // not found (-1): the first step
}

func statusName(cur []store.State) string {
	i := slices.IndexFunc(statusFilters, func(f []store.State) bool { return slices.Equal(f, cur) })
	return statusNames[max(i, 0)]
}

// export writes the current list as CSV into the data file's folder,
// under a new name: an earlier export of the same period with other
// filters is kept, never overwritten.
func (m Model) export() tea.Cmd {
	books, q, format := m.books, m.query, common.CSVFormat(m.c.Cat)
	kind := "payments"
	if q.Kind == store.KindRefund {
		kind = "refunds"
	}
	// A chain's history has no data file beside it: its exports go where
	// kassa history --central was started.
	dir, name := "exports", "kassa-chain"
	if m.chain == nil {
		dir, name = filepath.Join(filepath.Dir(m.c.Store.Path()), "exports"), "kassa"
	}
	// The name says what the file holds: kind, period and any filter.
	base := fmt.Sprintf("%s-%s-%s-%s", name, kind, q.From.Format("2006-01-02"), q.To.Format("2006-01-02"))
	for _, part := range []string{q.Shop, q.Till, string(q.Method), strings.TrimPrefix(statusName(q.States), "history.status_"), q.Provider, q.Terminal, q.Search} {
		if part != "" && part != "all" {
			base += "-" + strings.Map(fileSafe, part)
		}
	}
	// Said as kassa export says it: what, and the period's days.
	e := m.c.AuditEntry(store.AuditExport, kind+" "+q.From.Format(time.DateOnly)+" "+q.To.Format(time.DateOnly))
	audit := func() error { return nil } // the chain's history is no till's to log
	if m.chain == nil {
		st := m.c.Store
		audit = func() error { return st.Audit(e) }
	}
	return func() tea.Msg {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs // the message says where, whatever the folder
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return exportedMsg{err: err}
		}
		f, err := createNew(dir, base, ".csv")
		if err != nil {
			return exportedMsg{err: err}
		}
		rows, err := books.WriteCSV(f, q, format)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name()) // half a statement reads as a whole one
		} else {
			err = audit()
		}
		return exportedMsg{path: f.Name(), rows: rows, err: err}
	}
}

// fileSafe keeps letters, digits, '-' and '_' of a file name's part.
func fileSafe(r rune) rune {
	if r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) {
		return r
	}
	return '_'
}

// createNew creates dir/base+ext, or base-2, base-3… where it exists.
func createNew(dir, base, ext string) (*os.File, error) {
	for n := 1; ; n++ {
		name := base + ext
		if n > 1 {
			name = fmt.Sprintf("%s-%d%s", base, n, ext)
		}
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) || n == 1000 {
			return f, err
		}
	}
}

// Title is the screen's state for the terminal's title bar.
func (m Model) Title() string {
	kind := m.c.T("history.payments")
	if m.query.Kind == store.KindRefund {
		kind = m.c.T("history.refunds")
	}
	if m.detail != nil {
		return m.c.T("title.history_detail", m.detail.op.Receipt())
	}
	if m.byTillShown && m.byTillRead {
		return m.c.N("centralhistory.title_by_till", len(m.byTill), len(m.byTill))
	}
	return m.c.T("title.history", kind, len(m.rows))
}

// ShortHelp lists the keys that work now, the most needed first: a narrow
// terminal cuts the line's end.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch {
	case m.detail != nil:
		keys := []key.Binding{k.ScrollDetail, k.Back}
		if m.chain != nil {
			return keys // it only reads: the rest is done at the till
		}
		if m.refundable() {
			keys = slices.Insert(keys, 0, k.RefundRow)
		}
		if m.canPrint() {
			keys = slices.Insert(keys, 0, k.Print)
		}
		if m.canAskFiscal() {
			keys = slices.Insert(keys, 0, k.AskFiscal)
		}
		return keys
	case m.input == searching && m.elsewhere != nil && len(m.rows) == 0:
		return []key.Binding{k.ShowThere, k.Back}
	case m.input == searching:
		// The list follows what is typed: Enter only goes back to it.
		return []key.Binding{k.ToList, k.ClearSearch}
	case m.input == choosingPeriod:
		return []key.Binding{k.ApplyPeriod, k.Back}
	}
	keys := []key.Binding{k.UpDown, k.Open, k.Back, k.SearchKey, k.Period, k.Filters, k.Tab, k.Export, k.Paging}
	if m.chain != nil {
		return slices.Insert(keys, 5, k.TillKey, k.ByTill)
	}
	if m.rowRefundable() {
		keys = slices.Insert(keys, 2, k.RefundRow)
	}
	return keys
}

// FullHelp is every key of the list in columns: moving, finding,
// filtering, doing; elsewhere it is ShortHelp.
func (m Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	if m.detail != nil || m.input != noInput {
		return [][]key.Binding{m.ShortHelp()}
	}
	do := []key.Binding{k.Export}
	if m.chain != nil {
		do = append(do, k.TillKey, k.ByTill)
	} else if m.rowRefundable() {
		do = append(do, k.RefundRow)
	}
	return [][]key.Binding{
		{k.UpDown, k.Paging, k.HomeEnd, k.Open, k.Back},
		{k.SearchKey, k.Period, k.Tab},
		{k.MethodKey, k.StatusKey, k.TerminalKey},
		do,
	}
}
