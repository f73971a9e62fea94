package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/history"
)

// Chain is the program of kassa history --central: the history screen
// over the chain's central database, under a header that says so, with
// the help line. It sells nothing and changes nothing: Esc on the list
// ends it.
type Chain struct {
	c       *common.Common
	history history.Model
	open    tea.Cmd // the opening's first page and refresh loop
	help    help.Model
	// name is the database as the header names it: host and database.
	name string
}

// NewChain returns the program over chain, whose totals are in cur;
// start is the shop and till the history first shows ("" for all).
func NewChain(c *common.Common, chain history.Chain, cur providers.Currency, name, shop, till string) Chain {
	h := help.New()
	h.Styles = c.Styles.Help
	// Opened here, not in Init, which cannot keep what it changes.
	screen, open := history.NewChain(c, chain, cur).Where(shop, till).Open()
	return Chain{c: c, history: screen, open: open, help: h, name: name}
}

// Init reads today's payments of every till (or of the one asked for).
func (m Chain) Init() tea.Cmd { return m.open }

func (m Chain) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width - 2)
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.c.Keys.Help):
			m.help.ShowAll = !m.help.ShowAll
			return m, nil
		case key.Matches(msg, m.c.Keys.Quit):
			return m, tea.Quit
		}
	case history.BackMsg:
		return m, tea.Quit
	case history.RefundMsg:
		return m, nil // refused on the screen already: the chain's books only read
	}
	var cmd tea.Cmd
	m.history, cmd = m.history.Update(msg)
	return m, cmd
}

func (m Chain) View() tea.View {
	s := m.c.Styles
	w := max(m.c.Width-2, 40)
	left := s.Brand.Render("kassa") + s.Provider.Render("  ·  "+m.c.T("centralhistory.header", m.name))
	header := s.Header.Width(w).Render(lipgloss.NewStyle().MaxWidth(w).Render(left))
	keys := helpKeys(m.help, m.history, m.c.Keys.Help, m.c.Width-2)
	body := s.App.Render(lipgloss.JoinVertical(lipgloss.Left,
		header,
		"",
		m.history.View(),
		"",
		lipgloss.NewStyle().MaxWidth(w).Render(common.HelpView(m.help, keys, w)),
	))
	v := tea.NewView(body)
	v.AltScreen = true
	v.WindowTitle = "kassa · " + m.c.T("centralhistory.title") + " · " + m.history.Title()
	return v
}
