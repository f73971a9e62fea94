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
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/refund"
	"github.com/kassa-till/kassa/ui/sale"
)

// screen is which screen has the keyboard.
type screen int

const (
	screenSale screen = iota
	screenRefund
)

// Model is the root of the program.
type Model struct {
	c      *common.Common
	screen screen
	sale   sale.Model
	refund refund.Model
	help   help.Model
}

// New returns the root model over c.
func New(c *common.Common) Model {
	h := help.New()
	h.Styles = c.Styles.Help
	return Model{c: c, sale: sale.NewModel(c), refund: refund.New(c), help: h}
}

// unfinishedMsg carries the operations an earlier run left open.
type unfinishedMsg struct {
	ops []store.Operation
	err error
}

// Init looks for operations an earlier run left unfinished.
func (m Model) Init() tea.Cmd {
	st := m.c.Store
	return func() tea.Msg {
		ops, err := st.Unfinished()
		return unfinishedMsg{ops: ops, err: err}
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
		case key.Matches(msg, m.c.Keys.Quit):
			// Safe at any moment: every operation is written ahead, and the
			// next start takes up whatever is still open.
			return m, tea.Quit
		case m.screen == screenSale && key.Matches(msg, m.c.Keys.GoRefund) && m.sale.Idle():
			var cmd tea.Cmd
			m.refund, cmd = m.refund.Open()
			m.screen = screenRefund
			return m, cmd
		case m.screen == screenRefund:
			var cmd tea.Cmd
			m.refund, cmd = m.refund.Update(msg)
			return m, cmd
		}
	case unfinishedMsg:
		return m.resume(msg)
	case refund.BackMsg:
		m.screen = screenSale
		return m, nil
	case refund.StartMsg:
		m.screen = screenSale
		var cmd tea.Cmd
		m.sale, cmd = m.sale.StartRefund(msg.Payment, msg.Amount)
		return m, cmd
	case refund.Msg:
		var cmd tea.Cmd
		m.refund, cmd = m.refund.Update(msg)
		return m, cmd
	}
	wasOutcome := m.sale.Machine().Phase.Final()
	var cmd tea.Cmd
	m.sale, cmd = m.sale.Update(msg)
	if wasOutcome && m.sale.Machine().Phase == sale.Entry {
		// Back at a new sale: anything else left open by an earlier run?
		cmd = tea.Batch(cmd, m.Init())
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

// View draws header, screen and help.
func (m Model) View() tea.View {
	var screen string
	var keys help.KeyMap = m.sale
	switch m.screen {
	case screenRefund:
		screen, keys = m.refund.View(), m.refund
	default:
		screen = m.sale.View()
	}
	body := m.c.Styles.App.Render(lipgloss.JoinVertical(lipgloss.Left,
		m.header(),
		"",
		screen,
		"",
		m.help.View(keys),
	))
	v := tea.NewView(body)
	v.AltScreen = true
	v.WindowTitle = "kassa · " + m.sale.Title()
	if m.screen == screenRefund {
		v.WindowTitle = "kassa · " + m.refund.Title()
	}
	return v
}

func (m Model) header() string {
	s := m.c.Styles
	left := s.Brand.Render("kassa") + s.Provider.Render("  ·  "+m.c.T("provider."+m.c.Provider.Info().Name))
	if m.c.Cashier != "" {
		left += s.Provider.Render("  ·  " + m.c.T("app.cashier", m.c.Cashier))
	}
	right := ""
	if m.c.Demo {
		right = s.Demo.Render(m.c.T("app.demo"))
	}
	w := max(m.c.Width-2, 40)
	gap := max(w-lipgloss.Width(left)-lipgloss.Width(right), 1)
	line := left + lipgloss.NewStyle().Width(gap).Render("") + right
	return s.Header.Width(w).Render(line)
}

// Sale exposes the sale screen, for tests.
func (m Model) Sale() sale.Model { return m.sale }
