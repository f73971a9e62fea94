package common

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Screen is one screen of the till as the root drives it: the root keeps
// a stack of them, gives keys to the top one and every other message to
// all, and draws the top one between the header and the help line.
type Screen interface {
	UpdateScreen(tea.Msg) (Screen, tea.Cmd)
	View() string
	// Title is the screen's state in a few words, for the terminal's title.
	Title() string
	help.KeyMap
	// Model is the screen's own model, for the root to tell screens apart.
	Model() any
	// TakeNav returns where the screen asked to go in its last Update, and
	// the screen without the request. The root acts on it before the next
	// message, so keys typed ahead land where the cashier expects; a Pop
	// sent as a message could arrive after them.
	TakeNav() (Nav, Screen)
}

// Nav is a screen's request to leave: Pop closes it, and Then goes to the
// screen below as its next message.
type Nav struct {
	Pop  bool
	Then tea.Msg
}

// Navigator is a screen model that asks to leave from Update.
type Navigator[M any] interface {
	TakeNav() (Nav, M)
}

// Push asks the root to put a screen on top; Init runs once it is there,
// so nothing Init answers can miss it.
type Push struct {
	Screen Screen
	Init   tea.Cmd
}

// PushScreen is the command that sends Push.
func PushScreen(s Screen, init tea.Cmd) tea.Cmd {
	return func() tea.Msg { return Push{Screen: s, Init: init} }
}

// Pop asks the root to close the screen on top; Then, when set, goes to
// the screen below as the next message.
type Pop struct{ Then tea.Msg }

// PopScreen is the command that sends Pop.
func PopScreen(then tea.Msg) tea.Cmd { return func() tea.Msg { return Pop{Then: then} } }

// Replace asks the root to put a screen in place of the top one.
type Replace Push

// ReplaceScreen is the command that sends Replace.
func ReplaceScreen(s Screen, init tea.Cmd) tea.Cmd {
	return func() tea.Msg { return Replace{Screen: s, Init: init} }
}

// model is what a screen's own model offers; AsScreen makes it a Screen.
type model[M any] interface {
	Update(tea.Msg) (M, tea.Cmd)
	View() string
	Title() string
	help.KeyMap
}

type screenOf[M model[M]] struct{ m M }

// AsScreen makes a screen model, whose Update returns its own type, a
// Screen.
func AsScreen[M model[M]](m M) Screen { return screenOf[M]{m} }

func (s screenOf[M]) UpdateScreen(msg tea.Msg) (Screen, tea.Cmd) {
	m, cmd := s.m.Update(msg)
	return screenOf[M]{m}, cmd
}

func (s screenOf[M]) View() string              { return s.m.View() }
func (s screenOf[M]) Title() string             { return s.m.Title() }
func (s screenOf[M]) ShortHelp() []key.Binding  { return s.m.ShortHelp() }
func (s screenOf[M]) FullHelp() [][]key.Binding { return s.m.FullHelp() }
func (s screenOf[M]) Model() any                { return s.m }

func (s screenOf[M]) TakeNav() (Nav, Screen) {
	if n, ok := any(s.m).(Navigator[M]); ok {
		nav, m := n.TakeNav()
		return nav, screenOf[M]{m}
	}
	return Nav{}, s
}
