// Package settings is the till's settings screen for the payment terminal:
// how it is reached, the connection test (Kaspi's /v2/deviceinfo),
// pairing with a Smart POS whose integration protection is on, and a new
// address for the POS from the till's next start.
package settings

import (
	"context"
	"fmt"
	"strings"
	"time"

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
type Msg interface{ settingsMsg() }

type (
	testedMsg struct {
		info common.TerminalInfo
		err  error
	}
	pairedMsg struct {
		expires time.Time
		err     error
	}
	connMsg      common.Connection
	addressedMsg struct {
		address string
		err     error
	}
)

func (testedMsg) settingsMsg()    {}
func (pairedMsg) settingsMsg()    {}
func (connMsg) settingsMsg()      {}
func (addressedMsg) settingsMsg() {}

// pairWait bounds pairing: the POS gives a person 180 s to allow it.
const pairWait = 200 * time.Second

// Model is the settings screen.
type Model struct {
	c      *common.Common
	conn   common.Connection // as last read by a command
	naming bool              // the pairing name is being typed
	name   textinput.Model
	// addressing: the POS's address is being typed.
	addressing bool
	address    textinput.Model
	busy       string // catalog key of what is under way
	result     string // what the last action gave
	problem    bool
}

// New returns the screen.
func New(c *common.Common) Model {
	ti := textinput.New()
	ti.Placeholder = "Kassa-1"
	ti.CharLimit = 30
	ti.SetWidth(32)
	addr := textinput.New()
	addr.Placeholder = "http://192.168.1.50:8080"
	addr.CharLimit = 100
	addr.SetWidth(40)
	return Model{c: c, name: ti, address: addr}
}

// Open resets the screen and reads how the terminal is reached.
func (m Model) Open() (Model, tea.Cmd) {
	m = New(m.c)
	return m, m.readConnection()
}

func (m Model) readConnection() tea.Cmd {
	t := m.c.Terminal
	if t == nil {
		return nil
	}
	return func() tea.Msg { return connMsg(t.Connection()) }
}

// Update handles keys and the terminal's answers.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case connMsg:
		m.conn = common.Connection(msg)
		return m, nil
	case languageMsg:
		m.result, m.problem = applyLanguage(m.c, msg)
		return m, nil
	case openPeopleMsg:
		return m, openPeople(m.c)
	case pairingMsg:
		m.naming = true
		m.name.SetValue(m.conn.Name)
		return m, m.name.Focus()
	case testedMsg:
		m.busy = ""
		if msg.err != nil {
			m.result, m.problem = m.c.ErrorText(msg.err), true
			return m, nil
		}
		m.result, m.problem = m.c.T("settings.tested", msg.info.TerminalID, msg.info.SerialNum, msg.info.PosNum), false
		return m, nil
	case pairedMsg:
		m.busy = ""
		if msg.err != nil {
			m.result, m.problem = m.c.T("pair.failed", m.c.ErrorText(msg.err)), true
			return m, nil
		}
		m.result, m.problem = m.c.T("settings.paired", msg.expires.Format(timeLayout)), false
		return m, m.readConnection()
	case addressedMsg:
		switch {
		case msg.err != nil:
			m.result, m.problem = m.c.T("error.store", msg.err.Error()), true
		case msg.address == "":
			m.result, m.problem = m.c.T("settings.address_cleared"), false
		case msg.address == m.conn.URL:
			m.result, m.problem = m.c.T("settings.address_same", msg.address), false
		default:
			m.result, m.problem = m.c.T("settings.address_saved", msg.address, m.conn.URL), false
		}
		return m, m.readConnection()
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k, t := m.c.Keys, m.c.Terminal
	if m.busy != "" {
		return m, nil // the terminal is answering; the result will show
	}
	if m.addressing {
		return m.keyAddress(msg)
	}
	if m.naming {
		switch {
		case key.Matches(msg, k.Back):
			m.naming = false
			m.name.Blur()
			return m, nil
		case key.Matches(msg, k.Save):
			name := m.name.Value()
			m.naming, m.busy, m.result = false, "settings.pairing", ""
			m.name.Blur()
			st, e := m.c.Store, m.c.AuditEntry(store.AuditPair, name)
			return m, func() tea.Msg {
				ctx, cancel := context.WithTimeout(context.Background(), pairWait)
				defer cancel()
				exp, err := t.Pair(ctx, name)
				if err == nil {
					err = st.Audit(e)
				}
				return pairedMsg{expires: exp, err: err}
			}
		}
		var cmd tea.Cmd
		m.name, cmd = m.name.Update(msg)
		return m, cmd
	}
	switch {
	case key.Matches(msg, k.Back):
		return m, func() tea.Msg { return BackMsg{} }
	case key.Matches(msg, k.PrinterKey):
		return m, openPrinter(m.c)
	case key.Matches(msg, k.LanguageKey):
		return m, nextLanguage(m.c)
	case key.Matches(msg, k.PeopleKey) && m.c.SignIn:
		if cmd := m.c.GateManager(store.ActionPeople, openPeopleMsg{}); cmd != nil {
			return m, cmd
		}
		return m.Update(openPeopleMsg{})
	case t == nil:
		return m, nil
	case key.Matches(msg, k.Test):
		m.busy, m.result = "settings.testing", ""
		return m, func() tea.Msg {
			info, err := t.Test(context.Background())
			return testedMsg{info: info, err: err}
		}
	case key.Matches(msg, k.PairKey) && m.conn.Secured:
		if cmd := m.c.Gate(store.ActionKeys, pairingMsg{}); cmd != nil {
			return m, cmd
		}
		return m.Update(pairingMsg{})
	case key.Matches(msg, k.AddressKey):
		m.addressing, m.result = true, ""
		next := m.conn.URL
		if m.conn.Next != "" {
			next = m.conn.Next
		}
		m.address.SetValue(next)
		m.address.CursorEnd()
		return m, m.address.Focus()
	}
	return m, nil
}

// keyAddress takes the POS's new address: Enter keeps it for the next
// start once it reads as an address; a mistake is said and kept nothing.
func (m Model) keyAddress(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k, t := m.c.Keys, m.c.Terminal
	switch {
	case key.Matches(msg, k.Back):
		m.addressing, m.result = false, ""
		m.address.Blur()
		return m, nil
	case key.Matches(msg, k.Save):
		typed := strings.TrimSpace(m.address.Value())
		address, ok := common.CheckAddress(typed)
		if !ok && typed != "" {
			m.result, m.problem = m.c.T("settings.address_bad"), true
			return m, nil
		}
		m.addressing, m.result = false, ""
		m.address.Blur()
		st, e := m.c.Store, m.c.AuditEntry(store.AuditSetting, "address = "+address)
		return m, func() tea.Msg {
			err := t.SetAddress(address)
			if err == nil {
				err = st.Audit(e)
			}
			return addressedMsg{address: address, err: err}
		}
	}
	var cmd tea.Cmd
	m.address, cmd = m.address.Update(msg)
	m.result = ""
	return m, cmd
}

// View draws the screen body.
func (m Model) View() string {
	s := m.c.Styles
	parts := []string{s.Title.Render(m.c.T("settings.title")), ""}
	t := m.c.Terminal
	if t == nil {
		parts = append(parts, languageRow(m.c), "", s.Muted.Render(m.c.T("settings.demo")))
		return lipgloss.JoinVertical(lipgloss.Left, append(parts, m.resultLines()...)...)
	}
	conn := m.conn
	row := func(label, value string) string { return s.Label.Render(fmt.Sprintf("%-24s", m.c.T(label))) + value }
	parts = append(parts, row("settings.address", conn.URL), languageRow(m.c))
	if conn.Next != "" && conn.Next != conn.URL {
		parts = append(parts, row("settings.address_next", s.Warn.Render(conn.Next)))
	}
	if conn.Secured {
		verify := m.c.T("settings.verified")
		if conn.Insecure {
			verify = s.Bad.Render(m.c.T("app.insecure"))
		}
		parts = append(parts, row("settings.tls", verify))
		name, expires := conn.Name, m.c.T("settings.not_paired")
		if name == "" {
			name = "—"
		}
		if !conn.Expires.IsZero() {
			expires = conn.Expires.Format(timeLayout)
		}
		parts = append(parts, row("settings.name", name), row("settings.expires", expires))
	} else {
		parts = append(parts, row("settings.tls", m.c.T("settings.plain")))
	}
	if m.naming {
		parts = append(parts, "", s.Label.Render(m.c.T("settings.name_prompt")), m.name.View())
	}
	if m.addressing {
		parts = append(parts, "", s.Label.Render(m.c.Wrap(m.c.T("settings.address_prompt"))), m.address.View())
	}
	if m.busy != "" {
		parts = append(parts, "", s.Warn.Render(m.c.T(m.busy)))
	}
	parts = append(parts, m.resultLines()...)
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// resultLines is what the last action came to, when there is something
// to say.
func (m Model) resultLines() []string {
	if m.result == "" {
		return nil
	}
	s := m.c.Styles
	style := s.OK
	if m.problem {
		style = s.Problem
	}
	wrap := max(min(m.c.Width-4, 96), 30)
	return []string{"", style.Width(wrap).Render(m.result)}
}

// timeLayout is how the screen writes a moment, as the other screens do.
const timeLayout = "02.01.2006 15:04:05"

// Title is the screen's state for the terminal's title bar.
func (m Model) Title() string {
	if m.busy != "" {
		return m.c.T(m.busy)
	}
	return m.c.T("settings.title")
}

// ShortHelp lists the keys that work now.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch {
	case m.naming, m.addressing:
		return []key.Binding{k.Save, k.Back}
	case m.c.Terminal != nil && m.conn.Secured:
		return append(withPeople([]key.Binding{k.Test, k.PairKey, k.AddressKey, k.PrinterKey, k.LanguageKey}, m.c), k.Back, k.Quit)
	case m.c.Terminal != nil:
		return append(withPeople([]key.Binding{k.Test, k.AddressKey, k.PrinterKey, k.LanguageKey}, m.c), k.Back, k.Quit)
	}
	return append(withPeople([]key.Binding{k.PrinterKey, k.LanguageKey}, m.c), k.Back, k.Quit)
}

// FullHelp is ShortHelp in one column.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
