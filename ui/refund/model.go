// Package refund is the till's refund screen: find the payment (by receipt
// number, by its payment number — Kaspi's orderNumber or rrn — or from
// today's list), see what is left of it, and choose how much to return.
// The refund itself runs on the sale screen's workflow, which the root
// model starts when this screen sends StartMsg.
package refund

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/amount"
	"github.com/kassa-till/kassa/ui/common"
)

// StartMsg asks the root model to start a refund.
type StartMsg struct {
	Payment store.Operation
	Amount  providers.Money
	// Approved is set once a manager approved the refund, where one must.
	Approved bool
}

// BackMsg asks the root model to return to the sale screen.
type BackMsg struct{}

type phase int

const (
	finding phase = iota
	choosing
)

// Msg is any message of this screen's own commands, so the root model
// can route them here.
type Msg interface{ refundMsg() }

func (todayMsg) refundMsg() {}
func (foundMsg) refundMsg() {}

// todayMsg carries today's payments; foundMsg a payment and its refunds.
type (
	todayMsg struct {
		ops []store.Operation
		err error
	}
	foundMsg struct {
		payment store.Operation
		refunds []store.Operation
		left    providers.Money
		err     error
		// several are the payments that share the number asked for.
		several []store.Operation
	}
)

// Problems the screen explains, as catalog keys.
var (
	errNotFound   = errors.New("refund.not_found")
	errNotPayment = errors.New("refund.not_payment")
	errNotPaid    = errors.New("refund.not_paid")
)

// todayLimit bounds the list; a shop with more sales a day searches by number.
const todayLimit = 200

// Model is the refund screen.
type Model struct {
	c       *common.Common
	phase   phase
	number  textinput.Model
	today   []store.Operation
	cursor  int
	problem string // the last problem, in the catalog's words

	payment store.Operation
	refunds []store.Operation
	left    providers.Money
	amount  amount.Input
	// prefilled is true while amount still holds the suggested full
	// remainder: the first digit typed replaces it.
	prefilled bool
	// direct is set when the payment was chosen elsewhere (OpenFor): Esc
	// goes back there rather than to a search never seen.
	direct bool
	// several, while set, are the payments sharing the number typed: the
	// list shows them instead of today's, for the cashier to choose one.
	several []store.Operation
}

// New returns the refund screen at the search.
func New(c *common.Common) Model {
	ti := textinput.New()
	ti.Placeholder = c.TFor(c.Providers.First().Info().Name, "refund.number_placeholder")
	ti.CharLimit = 20
	ti.SetWidth(30)
	ti.Focus()
	return Model{c: c, number: ti}
}

// Open resets the screen and loads today's payments.
func (m Model) Open() (Model, tea.Cmd) {
	m = New(m.c)
	st, clk, names := m.c.Store, m.c.Clock, m.c.Providers.Names()
	return m, func() tea.Msg {
		ops, err := todays(st, names, clk.Now())
		return todayMsg{ops: ops, err: err}
	}
}

// OpenFor opens the screen on a payment chosen elsewhere (a history row).
func (m Model) OpenFor(id store.ID) (Model, tea.Cmd) {
	m = New(m.c)
	m.direct = true
	st := m.c.Store
	return m, func() tea.Msg { op, err := st.Get(id); return load(st, op, err) }
}

// todays lists today's successful payments, newest first.
func todays(st *store.Store, providers []string, now time.Time) ([]store.Operation, error) {
	recent, err := st.Recent(todayLimit * 4)
	if err != nil {
		return nil, err
	}
	y, mo, d := now.Date()
	var ops []store.Operation
	for _, op := range recent {
		cy, cm, cd := op.Created.In(now.Location()).Date()
		if op.Kind == store.KindPayment && op.State == store.StateSuccess && slices.Contains(providers, op.Provider) &&
			cy == y && cm == mo && cd == d && len(ops) < todayLimit {
			ops = append(ops, op)
		}
	}
	return ops, nil
}

// Find returns the refundable payment of one of providers with that
// payment number (Kaspi's orderNumber or rrn, UzQR's pay_id) or receipt
// number. Its errors name a catalog key through ProblemKey; Problem puts
// them in words. A number several payments have gives a *SeveralError.
func Find(st *store.Store, providers []string, number string) (store.Operation, error) {
	f := find(st, providers, number)
	if len(f.several) > 0 {
		return store.Operation{}, &SeveralError{Payments: f.several}
	}
	return f.payment, f.err
}

// SeveralError is Find's answer to a payment number several payments have
// (a training file written while the demo's POS repeated its numbers):
// only their receipt numbers tell them apart.
type SeveralError struct{ Payments []store.Operation }

func (e *SeveralError) Error() string { return "refund: several payments have that number" }

// Problem explains an error of Find in the catalog's words.
func Problem(c *common.Common, err error) string {
	var several *SeveralError
	switch {
	case errors.As(err, &several):
		receipts := make([]string, len(several.Payments))
		for i, op := range several.Payments {
			receipts[i] = op.Receipt()
		}
		return c.T("refund.several_receipts", strings.Join(receipts, ", "))
	case errors.Is(err, errNotFound):
		return c.T("refund.not_found")
	case errors.Is(err, errNotPayment):
		return c.T("refund.not_payment")
	case errors.Is(err, errNotPaid):
		return c.T("refund.not_paid")
	}
	return c.T("error.store", err.Error())
}

// find looks a payment up by payment number, then by receipt number.
func find(st *store.Store, providers []string, number string) foundMsg {
	number = strings.TrimSpace(number)
	var numbered []store.Operation
	for _, p := range providers {
		ops, err := st.PaymentsNumbered(p, number)
		if err != nil {
			return foundMsg{err: err}
		}
		numbered = append(numbered, ops...)
	}
	if len(numbered) > 1 {
		return foundMsg{several: numbered}
	}
	var (
		op  store.Operation
		err = store.ErrNotFound
	)
	for _, p := range providers {
		if op, err = st.ByReference(p, number); !errors.Is(err, store.ErrNotFound) {
			break
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		if n, perr := strconv.ParseUint(strings.TrimLeft(number, "0"), 10, 64); perr == nil {
			op, err = st.Get(store.ID(n))
		}
	}
	return load(st, op, err)
}

func load(st *store.Store, op store.Operation, err error) foundMsg {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return foundMsg{err: errNotFound}
	case err != nil:
		return foundMsg{err: err}
	case op.Kind != store.KindPayment:
		return foundMsg{err: errNotPayment}
	case op.State != store.StateSuccess:
		return foundMsg{payment: op, err: errNotPaid}
	}
	refunds, err := st.Refunds(op.ID)
	if err != nil {
		return foundMsg{err: err}
	}
	left, err := st.Refundable(op.ID)
	return foundMsg{payment: op, refunds: refunds, left: left, err: err}
}

// Update handles keys and lookups.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case todayMsg:
		m.today, m.cursor = msg.ops, 0
		if msg.err != nil {
			m.problem = Problem(m.c, msg.err)
		}
		return m, nil
	case foundMsg:
		if len(msg.several) > 0 {
			m.several, m.cursor, m.problem = msg.several, 0, ""
			return m, nil
		}
		if msg.err != nil {
			m.problem = Problem(m.c, msg.err)
			return m, nil
		}
		m.phase, m.problem = choosing, ""
		m.payment, m.refunds, m.left = msg.payment, msg.refunds, msg.left
		m.amount, m.prefilled = amount.New(msg.left.Currency).SetMoney(msg.left), true
		switch {
		case msg.left.Minor <= 0:
			// Said at once, not after a key that cannot do anything.
			m.amount = m.amount.Clear()
			m.problem = m.c.T("refund.nothing_left")
		case !m.c.Info(msg.payment.Provider).Refunds:
			m.problem = m.c.TFor(msg.payment.Provider, "refund.not_offered")
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.phase == finding {
			return m.keyFinding(msg)
		}
		return m.keyChoosing(msg)
	}
	return m, nil
}

func (m Model) keyFinding(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	st, names := m.c.Store, m.c.Providers.Names()
	list := m.listed()
	switch {
	case key.Matches(msg, k.Back) && m.several != nil:
		m.several, m.cursor, m.problem = nil, 0, ""
		return m, nil
	case key.Matches(msg, k.Back):
		return m, func() tea.Msg { return BackMsg{} }
	case key.Matches(msg, k.Pay):
		m.problem = ""
		if number := m.number.Value(); strings.TrimSpace(number) != "" && m.several == nil {
			return m, func() tea.Msg { return find(st, names, number) }
		}
		if m.cursor < len(list) {
			op := list[m.cursor]
			return m, func() tea.Msg { op, err := st.Get(op.ID); return load(st, op, err) }
		}
		m.problem = m.c.T("refund.type_number")
		return m, nil
	case key.Matches(msg, k.Up):
		m.cursor = max(m.cursor-1, 0)
		return m, nil
	case key.Matches(msg, k.Down):
		m.cursor = min(m.cursor+1, max(len(list)-1, 0))
		return m, nil
	}
	var cmd tea.Cmd
	m.number, cmd = m.number.Update(msg)
	m.problem = ""
	if m.several != nil {
		// Another number: back to today's list.
		m.several, m.cursor = nil, 0
	}
	return m, cmd
}

// listed is the list the cursor moves in: the payments sharing the number
// typed, or today's.
func (m Model) listed() []store.Operation {
	if m.several != nil {
		return m.several
	}
	return m.today
}

func (m Model) keyChoosing(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Back) && m.direct:
		return m, func() tea.Msg { return BackMsg{} }
	case key.Matches(msg, k.Back):
		m.phase, m.problem = finding, ""
		return m, nil
	case key.Matches(msg, k.Pay):
		amount, problem := m.chosen()
		if problem != "" {
			m.problem = problem
			return m, nil
		}
		payment := m.payment
		return m, func() tea.Msg { return StartMsg{Payment: payment, Amount: amount} }
	case key.Matches(msg, k.Delete):
		m.amount = m.amount.Backspace()
	case msg.Text != "" && msg.Mod&^tea.ModShift == 0:
		if m.prefilled {
			m.amount = m.amount.Clear()
		}
		for _, r := range msg.Text {
			m.amount = m.amount.Type(r)
		}
		m.prefilled = false
		m.problem = ""
		return m, nil
	}
	m.prefilled = false
	m.problem = ""
	return m, nil
}

// chosen is the amount to refund, or why it cannot be, in the catalog's
// words.
func (m Model) chosen() (providers.Money, string) {
	if m.left.Minor <= 0 {
		return providers.Money{}, m.c.T("refund.nothing_left")
	}
	if !m.c.Info(m.payment.Provider).Refunds {
		return providers.Money{}, m.c.TFor(m.payment.Provider, "refund.not_offered")
	}
	if m.amount.Refusing() {
		return providers.Money{}, m.amount.Refusal(m.c.T)
	}
	a, problem := m.amount.Value()
	switch {
	case problem != amount.NoProblem:
		return a, m.c.T(problem.Key())
	case a.Minor > m.left.Minor:
		return a, m.c.T("refund.over", m.c.Money(m.left))
	}
	return a, ""
}

// ShortHelp lists the keys that work now.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.phase == finding {
		return []key.Binding{k.Find, k.UpDown, k.Back, k.Quit}
	}
	if !m.refundable() {
		return []key.Binding{k.Back, k.Quit}
	}
	return []key.Binding{k.Digits, k.Refund, k.Delete, k.Back, k.Quit}
}

// refundable reports whether anything of the chosen payment can be
// refunded from the till.
func (m Model) refundable() bool {
	return m.left.Minor > 0 && m.c.Info(m.payment.Provider).Refunds
}

// FullHelp is ShortHelp in one column.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
