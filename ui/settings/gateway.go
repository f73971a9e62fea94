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

// Gateway is the settings screen of a gateway the till reaches with an
// API key (UzQR): its address and QR, the connection test, and a new API
// key typed (or pasted) in a masked field, as the cabinet shows it once.
type Gateway struct {
	c      *common.Common
	info   common.GatewayInfo
	keying bool
	key    textinput.Model
	busy   string // catalog key of what is under way
	result string
	bad    bool
}

type (
	gatewayInfoMsg  common.GatewayInfo
	gatewayCheckMsg struct{ err error }
	gatewayKeyMsg   struct{ err error }
)

func (gatewayInfoMsg) settingsMsg()  {}
func (gatewayCheckMsg) settingsMsg() {}
func (gatewayKeyMsg) settingsMsg()   {}

// NewGateway returns the screen, reading how the gateway is reached.
func NewGateway(c *common.Common) (Gateway, tea.Cmd) {
	in := textinput.New()
	in.EchoMode = textinput.EchoPassword
	in.CharLimit = 200
	in.SetWidth(40)
	g := Gateway{c: c, key: in}
	return g, g.read()
}

func (g Gateway) read() tea.Cmd {
	gw := g.c.Gateway
	return func() tea.Msg { return gatewayInfoMsg(gw.Describe()) }
}

// Update handles keys and the gateway's answers.
func (g Gateway) Update(msg tea.Msg) (Gateway, tea.Cmd) {
	switch msg := msg.(type) {
	case gatewayInfoMsg:
		g.info = common.GatewayInfo(msg)
	case languageMsg:
		g.result, g.bad = applyLanguage(g.c, msg)
	case openPeopleMsg:
		return g, openPeople(g.c)
	case keyingMsg:
		// The key's field, once a manager approved it where one must.
		g.keying, g.result = true, ""
		return g, g.key.Focus()
	case gatewayCheckMsg:
		g.busy = ""
		if msg.err != nil {
			g.result, g.bad = g.c.T("settings.gateway_failed", g.c.ErrorFor(g.provider(), msg.err)), true
		} else {
			g.result, g.bad = g.c.T("settings.gateway_ok"), false
		}
	case gatewayKeyMsg:
		g.busy = ""
		if msg.err != nil {
			g.result, g.bad = g.c.T("error.store", msg.err.Error()), true
			return g, nil
		}
		g.result, g.bad = g.c.T("settings.key_saved"), false
		return g, g.read()
	case tea.PasteMsg:
		if g.keying {
			var cmd tea.Cmd
			g.key, cmd = g.key.Update(msg)
			return g, cmd
		}
	case tea.KeyPressMsg:
		return g.keyPress(msg)
	}
	return g, nil
}

func (g Gateway) provider() string { return g.c.Providers.First().Info().Name }

func (g Gateway) keyPress(msg tea.KeyPressMsg) (Gateway, tea.Cmd) {
	k, gw := g.c.Keys, g.c.Gateway
	if g.busy != "" {
		return g, nil
	}
	if g.keying {
		switch {
		case key.Matches(msg, k.Back):
			g.keying = false
			g.key.Reset()
			g.key.Blur()
			return g, nil
		case key.Matches(msg, k.Save):
			typed := strings.TrimSpace(g.key.Value())
			g.keying = false
			g.key.Reset()
			g.key.Blur()
			if typed == "" {
				g.result, g.bad = g.c.T("cli.key_empty"), true
				return g, nil
			}
			g.busy = "settings.key_saving"
			st, e := g.c.Store, g.c.AuditEntry(store.AuditKey, g.c.Providers.Names()[0])
			return g, func() tea.Msg {
				err := gw.SetKey(typed)
				if err == nil {
					err = st.Audit(e)
				}
				return gatewayKeyMsg{err: err}
			}
		}
		var cmd tea.Cmd
		g.key, cmd = g.key.Update(msg)
		return g, cmd
	}
	switch {
	case key.Matches(msg, k.Back):
		return g, func() tea.Msg { return BackMsg{} }
	case key.Matches(msg, k.Test):
		g.busy, g.result = "settings.testing", ""
		return g, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return gatewayCheckMsg{err: gw.Check(ctx)}
		}
	case key.Matches(msg, k.APIKey):
		if cmd := g.c.Gate(store.ActionKeys, keyingMsg{}); cmd != nil {
			return g, cmd
		}
		return g.Update(keyingMsg{})
	case key.Matches(msg, k.PrinterKey):
		return g, openPrinter(g.c)
	case key.Matches(msg, k.LanguageKey):
		return g, nextLanguage(g.c)
	case key.Matches(msg, k.PeopleKey) && g.c.SignIn:
		if cmd := g.c.GateManager(store.ActionPeople, openPeopleMsg{}); cmd != nil {
			return g, cmd
		}
		return g.Update(openPeopleMsg{})
	}
	return g, nil
}

// View draws the screen body.
func (g Gateway) View() string {
	s, c := g.c.Styles, g.c
	row := func(label, value string) string { return s.Label.Render(fmt.Sprintf("%-24s", c.T(label))) + value }
	keyTail := g.info.KeyTail
	if keyTail == "" {
		keyTail = s.Warn.Render(c.T("settings.key_none"))
	} else {
		keyTail = c.T("settings.key_tail", keyTail)
	}
	inn := g.info.INN
	if inn == "" {
		inn = "—"
	}
	parts := []string{
		s.Title.Render(c.T("settings.gateway_title", c.T("provider."+g.provider()))), "",
		row("settings.address", g.info.URL),
		row("settings.qr_name", g.info.QRName),
		row("settings.inn", inn),
		row("settings.api_key", keyTail),
		languageRow(c),
	}
	if g.keying {
		parts = append(parts, "", s.Label.Render(c.Wrap(c.T("settings.key_label"))), g.key.View())
	}
	if g.busy != "" {
		parts = append(parts, "", c.T(g.busy))
	}
	if g.result != "" {
		style := s.OK
		if g.bad {
			style = s.Bad
		}
		parts = append(parts, "", style.Render(c.Wrap(g.result)))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// Title is the screen's state for the terminal's title bar.
func (g Gateway) Title() string {
	return g.c.T("settings.gateway_title", g.c.T("provider."+g.provider()))
}

// ShortHelp lists the keys that work now.
func (g Gateway) ShortHelp() []key.Binding {
	k := g.c.Keys
	if g.keying {
		return []key.Binding{k.Save, k.Back}
	}
	return append(withPeople([]key.Binding{k.Test, k.APIKey, k.PrinterKey, k.LanguageKey}, g.c), k.Back, k.Quit)
}

// FullHelp is ShortHelp in one column.
func (g Gateway) FullHelp() [][]key.Binding { return [][]key.Binding{g.ShortHelp()} }
