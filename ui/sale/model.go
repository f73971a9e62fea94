// Package sale is the till's sale screen: the cashier types the amount,
// picks the method where the till has several, and the operation's own
// screen (Follow) shows the QR or the terminal's progress, the outcome and
// the receipt. The operation itself is followed by the tracker
// (store/tracker), not by the screen: leaving the screen, or the till
// dying, loses nothing.
package sale

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/ui/amount"
	"github.com/kassa-till/kassa/ui/common"
)

// Model is the sale screen at amount entry.
type Model struct {
	c     *common.Common
	input amount.Input
	// problem is why the amount was refused at Enter, beside what the
	// input itself refused; limit is the bound it broke.
	problem amount.Problem
	limit   providers.Money
	// choices are the providers the amount fits when there are several;
	// the cashier picks one. Nil while typing.
	choices []providers.Provider
	cursor  int
	amount  providers.Money
	// details is the product and phone step of a provider that registers
	// the fiscal receipt; nil otherwise.
	details *details
}

// NewModel returns the sale screen at amount entry.
func NewModel(c *common.Common) Model {
	return Model{c: c, input: amount.New(c.Currency())}
}

// Input is what the cashier typed, for tests.
func (m Model) Input() amount.Input { return m.input }

// Choosing reports whether the cashier is picking the method, or giving
// the product and the customer's phone.
func (m Model) Choosing() bool { return m.choices != nil || m.details != nil }

// Update handles keys; a payment starts on its own screen (Follow).
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.details != nil {
			return m.keyDetails(msg)
		}
		if m.choices != nil {
			return m.keyChoosing(msg)
		}
		return m.keyEntry(msg)
	case tea.PasteMsg:
		if m.details != nil && m.details.product >= 0 {
			d := m.details.pastePhone(msg.Content)
			m.details = &d
		} else if m.choices == nil && m.details == nil {
			m.input, m.problem = m.input.Paste(msg.Content), amount.NoProblem
		}
	case LeaveMsg:
		return m.left(msg)
	}
	return m, nil
}

// left takes the cashier's way out of a finished operation: a new sale,
// the same amount again, or a new sale begun with a digit.
func (m Model) left(msg LeaveMsg) (Model, tea.Cmd) {
	m = NewModel(m.c)
	switch {
	case msg.Again != nil && msg.Again.Sale != nil:
		// The same product and customer: a decline does not change them.
		return m.startSale(msg.Again.Provider, msg.Again.Amount, *msg.Again.Sale)
	case msg.Again != nil:
		return m.start(msg.Again.Provider, msg.Again.Amount)
	case msg.Typed != 0:
		m.input = m.input.Type(msg.Typed)
	}
	return m, nil
}

func (m Model) keyEntry(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Pay):
		return m.submit()
	case key.Matches(msg, k.Delete):
		m.input, m.problem = m.input.Backspace(), amount.NoProblem
	case key.Matches(msg, k.Clear):
		m.input, m.problem = m.input.Clear(), amount.NoProblem
	case msg.Text != "" && msg.Mod&^(tea.ModShift) == 0:
		// Every printable key is the amount's: digits are taken, anything
		// else is refused with a word rather than dropped.
		for _, r := range msg.Text {
			m.input = m.input.Type(r)
		}
		m.problem = amount.NoProblem
	}
	return m, nil
}

// submit checks the typed amount and starts the payment, or offers the
// methods it fits where there are several.
func (m Model) submit() (Model, tea.Cmd) {
	if m.input.Refusing() {
		// The refused key is still shown; it must be taken back first.
		return m, nil
	}
	a, problem := m.input.Value()
	if problem != amount.NoProblem {
		m.problem = problem
		return m, nil
	}
	fit := m.c.Providers.For(a)
	switch len(fit) {
	case 0:
		m.problem, m.limit = m.outside(a)
		return m, nil
	case 1:
		return m.start(fit[0].Info().Name, a)
	}
	m.choices, m.cursor, m.amount = fit, 0, a
	return m, nil
}

// Outside is the sentence for an amount no provider of the till takes.
func (m Model) Outside(a providers.Money) string {
	p, limit := m.outside(a)
	return ProblemText(m.c, m.input, p, limit)
}

// outside says which bound an amount no provider takes breaks: below the
// smallest minimum, or above the largest maximum.
func (m Model) outside(a providers.Money) (amount.Problem, providers.Money) {
	var low, high providers.Money
	for _, p := range m.c.Providers.All() {
		info := p.Info()
		if info.MinAmount.Minor > 0 && (low.Minor == 0 || info.MinAmount.Minor < low.Minor) {
			low = info.MinAmount
		}
		if info.MaxAmount.Minor > high.Minor {
			high = info.MaxAmount
		}
	}
	if low.Minor > 0 && a.Minor < low.Minor {
		return amount.TooSmall, low
	}
	return amount.TooLarge, high
}

func (m Model) keyChoosing(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Back):
		m.choices = nil
	case key.Matches(msg, k.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, k.Down):
		m.cursor = min(m.cursor+1, len(m.choices)-1)
	case key.Matches(msg, k.Pay):
		return m.start(m.choices[m.cursor].Info().Name, m.amount)
	case len(msg.Text) == 1 && msg.Text[0] >= '1' && int(msg.Text[0]-'0') <= len(m.choices):
		return m.start(m.choices[msg.Text[0]-'1'].Info().Name, m.amount)
	}
	return m, nil
}

// start opens the payment's own screen, which writes it ahead and sends
// it, or first asks for what the provider's fiscal receipt needs.
func (m Model) start(provider string, a providers.Money) (Model, tea.Cmd) {
	if d := m.needsDetails(provider, a); d != nil {
		m.choices, m.details = nil, d
		return m, nil
	}
	return m.startSale(provider, a, providers.Sale{})
}

func (m Model) startSale(provider string, a providers.Money, sale providers.Sale) (Model, tea.Cmd) {
	f, cmd := PaySale(m.c, provider, a, sale)
	m = NewModel(m.c)
	return m, common.PushScreen(f, cmd)
}

// Title is the screen's state for the terminal's title bar.
func (m Model) Title() string {
	if m.details != nil && m.details.product < 0 {
		return m.c.T("title.details_product", m.c.Money(m.details.amount))
	}
	if m.details != nil {
		return m.c.T("title.details_phone", m.c.Money(m.details.amount))
	}
	if m.choices != nil {
		return m.c.T("title.choose", m.c.Money(m.amount))
	}
	return m.c.T("title.entry")
}

// ShortHelp lists the keys that work now, for the footer.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.details != nil {
		return m.detailsHelp()
	}
	if m.choices != nil {
		return []key.Binding{k.PickMethod, k.UpDown, k.Pay, k.Back, k.Quit}
	}
	keys := []key.Binding{k.Digits, k.Pay, k.Delete, k.Clear, k.GoRefund, k.GoHistory, k.GoCheck, k.GoReports, k.GoAudit}
	if m.c.Trainer != nil {
		keys = append(keys, k.GoTrainer)
	}
	keys = append(keys, k.GoSettings)
	if m.c.SignIn {
		keys = append(keys, k.Lock)
	}
	return append(keys, k.Quit)
}

// FullHelp is ShortHelp in two columns at amount entry, the sale's keys
// and the other screens', so F1's list fits a 24-row terminal.
func (m Model) FullHelp() [][]key.Binding {
	keys := m.ShortHelp()
	if m.details != nil || m.choices != nil || len(keys) < 5 {
		return [][]key.Binding{keys}
	}
	return [][]key.Binding{keys[:4], keys[4:]}
}
