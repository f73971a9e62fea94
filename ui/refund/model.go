// Package refund is the till's refund screen: find the payment (by receipt
// number, by its payment number — Kaspi's orderNumber or rrn — or from
// today's list), see what is left of it, and choose how much to return.
// The refund itself runs on the sale screen's workflow, which the root
// model starts when this screen sends StartMsg.
package refund

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// StartMsg asks the root model to start a refund.
type StartMsg struct {
	Payment store.Operation
	Amount  providers.Money
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
	amount  string
	// prefilled is true while amount still holds the suggested full
	// remainder: the first digit typed replaces it.
	prefilled bool
	// direct is set when the payment was chosen elsewhere (OpenFor): Esc
	// goes back there rather than to a search never seen.
	direct bool
}

// New returns the refund screen at the search.
func New(c *common.Common) Model {
	ti := textinput.New()
	ti.Placeholder = c.T("refund.number_placeholder")
	ti.CharLimit = 20
	ti.SetWidth(30)
	ti.Focus()
	return Model{c: c, number: ti}
}

// Open resets the screen and loads today's payments.
func (m Model) Open() (Model, tea.Cmd) {
	m = New(m.c)
	st, clk, provider := m.c.Store, m.c.Clock, m.c.Provider.Info().Name
	return m, func() tea.Msg {
		ops, err := todays(st, provider, clk.Now())
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
func todays(st *store.Store, provider string, now time.Time) ([]store.Operation, error) {
	recent, err := st.Recent(todayLimit * 4)
	if err != nil {
		return nil, err
	}
	y, mo, d := now.Date()
	var ops []store.Operation
	for _, op := range recent {
		cy, cm, cd := op.Created.In(now.Location()).Date()
		if op.Kind == store.KindPayment && op.State == store.StateSuccess && op.Provider == provider &&
			cy == y && cm == mo && cd == d && len(ops) < todayLimit {
			ops = append(ops, op)
		}
	}
	return ops, nil
}

// Find returns the refundable payment with that payment number (Kaspi's
// orderNumber or rrn) or receipt number. Its errors name a catalog key
// through ProblemKey.
func Find(st *store.Store, provider, number string) (store.Operation, error) {
	f := find(st, provider, number)
	return f.payment, f.err
}

// Problem explains an error of Find in the catalog's words.
func Problem(c *common.Common, err error) string {
	switch {
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
func find(st *store.Store, provider, number string) foundMsg {
	number = strings.TrimSpace(number)
	op, err := st.ByReference(provider, number)
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
		if msg.err != nil {
			m.problem = Problem(m.c, msg.err)
			return m, nil
		}
		m.phase, m.problem = choosing, ""
		m.payment, m.refunds, m.left = msg.payment, msg.refunds, msg.left
		m.amount, m.prefilled = strconv.FormatInt(msg.left.Minor, 10), true
		if msg.left.Minor <= 0 {
			m.amount = ""
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
	st, provider := m.c.Store, m.c.Provider.Info().Name
	switch {
	case key.Matches(msg, k.Back):
		return m, func() tea.Msg { return BackMsg{} }
	case key.Matches(msg, k.Pay):
		m.problem = ""
		if number := m.number.Value(); strings.TrimSpace(number) != "" {
			return m, func() tea.Msg { return find(st, provider, number) }
		}
		if m.cursor < len(m.today) {
			op := m.today[m.cursor]
			return m, func() tea.Msg { op, err := st.Get(op.ID); return load(st, op, err) }
		}
		m.problem = m.c.T("refund.type_number")
		return m, nil
	case key.Matches(msg, k.Up):
		m.cursor = max(m.cursor-1, 0)
		return m, nil
	case key.Matches(msg, k.Down):
		m.cursor = min(m.cursor+1, max(len(m.today)-1, 0))
		return m, nil
	}
	var cmd tea.Cmd
	m.number, cmd = m.number.Update(msg)
	m.problem = ""
	return m, cmd
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
		if m.amount != "" {
			m.amount = m.amount[:len(m.amount)-1]
		}
	case msg.Code >= '0' && msg.Code <= '9':
		if m.prefilled || m.amount == "0" {
			m.amount = ""
		}
		if len(m.amount) < 12 {
			m.amount += string(msg.Code)
		}
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
	if m.amount == "" {
		return providers.Money{}, m.c.T("problem.empty")
	}
	a, err := providers.ParseMajor(m.amount, m.left.Currency)
	switch {
	case err != nil:
		return a, m.c.T("problem.format")
	case a.Minor <= 0:
		return a, m.c.T("problem.zero")
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
	return []key.Binding{k.Digits, k.Refund, k.Delete, k.Back, k.Quit}
}

// FullHelp is ShortHelp in one column.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
