package sale

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// Model is the sale screen: the machine, the runner that does its IO, and
// what only the screen needs (a spinner).
type Model struct {
	c       *common.Common
	machine Machine
	runner  Runner
	spinner spinner.Model
	// receipt scrolls the finished operation's receipt; receiptFor is the
	// operation it holds.
	receipt    viewport.Model
	receiptFor store.ID
}

// NewModel returns the sale screen at amount entry.
func NewModel(c *common.Common) Model {
	return Model{
		c:       c,
		machine: NewMachine(c),
		runner:  Runner{Store: c.Store, Provider: c.Provider, Clock: c.Clock},
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		receipt: viewport.New(),
	}
}

// NewMachine is the workflow at amount entry for the till c, timing the
// customer on the till's clock.
func NewMachine(c *common.Common) Machine {
	m := New(c.Provider.Info(), c.Cashier, c.Demo)
	m.Elapsed = c.Clock.Sub
	return m
}

// Machine exposes the workflow state, for tests and the root model.
func (m Model) Machine() Machine { return m.machine }

// Resume takes up an operation left unfinished by an earlier run.
func (m Model) Resume(op store.Operation) (Model, tea.Cmd) {
	var eff []Effect
	m.machine, eff = m.machine.Resume(op, m.c.Clock.Now())
	return m.syncReceipt(), tea.Batch(m.runner.Cmds(eff), m.spinner.Tick)
}

// StartRefund starts a refund chosen on the refund screen.
func (m Model) StartRefund(payment store.Operation, amount providers.Money) (Model, tea.Cmd) {
	var eff []Effect
	m.machine, eff = m.machine.SubmitRefund(payment, amount, m.c.Clock.Now())
	return m.syncReceipt(), tea.Batch(m.runner.Cmds(eff), m.spinner.Tick)
}

// Idle reports whether the cashier may leave for another screen: no
// operation is in flight or waiting to be resolved.
func (m Model) Idle() bool { return !m.machine.Phase.Busy() }

// Busy reports whether an operation is in flight.
func (m Model) Busy() bool { return m.machine.Phase.Busy() }

// Update handles keys and the runner's answers.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	var eff []Effect
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.key(msg)
	case spinner.TickMsg:
		if !m.machine.Phase.Busy() {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case tea.WindowSizeMsg:
		return m.syncReceipt(), nil
	case CreatedMsg, StartedMsg, PolledMsg, ResolvedMsg, SavedMsg:
		m.machine, eff = m.machine.Update(msg)
		m = m.syncReceipt()
	}
	return m, m.runner.Cmds(eff)
}

func (m Model) key(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	switch m.machine.Phase {
	case Entry:
		switch {
		case key.Matches(msg, k.Pay):
			var eff []Effect
			m.machine, eff = m.machine.Submit(m.c.Clock.Now())
			if len(eff) == 0 {
				return m, nil
			}
			return m, tea.Batch(m.runner.Cmds(eff), m.spinner.Tick)
		case key.Matches(msg, k.Delete):
			m.machine = m.machine.Backspace()
		case key.Matches(msg, k.Clear):
			m.machine = m.machine.Clear()
		case key.Matches(msg, k.Digits):
			m.machine = m.machine.Type(rune(msg.Code))
		}
	case Paid, Declined, NotStarted, Check, TimedOut:
		switch {
		case key.Matches(msg, k.Next):
			m.machine = m.machine.Next()
			m = m.syncReceipt()
		case msg.String() == "home":
			m.receipt.GotoTop()
		case msg.String() == "end":
			m.receipt.GotoBottom()
		case key.Matches(msg, k.Scroll):
			var cmd tea.Cmd
			m.receipt, cmd = m.receipt.Update(msg)
			return m, cmd
		}
	}
	return m, nil
}

// ShortHelp lists the keys that work now, for the footer.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch m.machine.Phase {
	case Entry:
		keys := []key.Binding{k.Digits, k.Pay, k.Delete, k.Clear, k.GoRefund, k.GoHistory, k.GoCheck}
		if m.c.Trainer != nil {
			return append(keys, k.GoTrainer, k.Quit)
		}
		return append(keys, k.GoSettings, k.Quit)
	case Paid:
		if m.receipt.TotalLineCount() > m.receipt.Height() {
			return []key.Binding{k.Next, k.Scroll, k.GoRefund, k.Quit}
		}
		return []key.Binding{k.Next, k.GoRefund, k.Quit}
	case Declined, NotStarted, Check, TimedOut:
		return []key.Binding{k.Next, k.GoRefund, k.Quit}
	}
	return []key.Binding{k.Quit}
}

// FullHelp is ShortHelp in one column.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
