// Package signin is who works the till: the first manager's setup, the
// sign-in with a PIN that starts a shift (and ends a lock), and a
// manager's approval typed at the moment an action needs one.
package signin

import (
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// SignedIn tells the root who signed in.
type SignedIn struct{ Person store.Person }

// Granted tells the root a manager approved Action; Then is what the
// approval was asked for, to be done now.
type Granted struct {
	Manager string
	Action  string
	Then    tea.Msg
}

// Refused tells the root the approval was given up (Esc): nothing is done.
type Refused struct{}

// Msg is any message of this package's own commands.
type Msg interface{ signinMsg() }

type (
	peopleMsg struct {
		people []store.Person
		err    error
	}
	// answerMsg is the store's answer to a PIN (or to the first manager).
	answerMsg struct {
		person store.Person
		err    error
	}
)

func (peopleMsg) signinMsg() {}
func (answerMsg) signinMsg() {}

type purpose int

const (
	signIn purpose = iota
	approve
)

type field int

const (
	fieldName field = iota
	fieldPIN
	fieldAgain
)

// Model is the sign-in screen, or the approval screen.
type Model struct {
	c       *common.Common
	purpose purpose
	action  string  // approval: the action, as the store records it
	then    tea.Msg // approval: what to do once granted
	people  []store.Person
	loaded  bool
	cursor  int
	pin     PIN
	// setup is the first start: no one is in the data file yet, and the
	// first person is a manager.
	setup bool
	focus field
	name  textinput.Model
	again PIN
	busy  bool // a PIN is being checked (a slow hash)
	// problem is the last refusal, in the catalog's words.
	problem string
}

// New returns the sign-in screen; Open loads who may sign in.
func New(c *common.Common) Model {
	name := textinput.New()
	name.Placeholder = c.T("signin.name_placeholder")
	name.CharLimit = 32
	name.SetWidth(max(24, lipgloss.Width(name.Placeholder)+1))
	return Model{c: c, name: name}
}

// Open resets the screen and reads the people.
func (m Model) Open() (Model, tea.Cmd) {
	m = New(m.c)
	return m, m.load()
}

// Approve returns the approval screen for action (see the store's
// approval actions); then is delivered with Granted.
func Approve(c *common.Common, action string, then tea.Msg) (Model, tea.Cmd) {
	m := New(c)
	m.purpose, m.action, m.then = approve, action, then
	return m, m.load()
}

func (m Model) load() tea.Cmd {
	st, managers := m.c.Store, m.purpose == approve
	return func() tea.Msg {
		all, err := st.People()
		var people []store.Person
		for _, p := range all {
			if !p.Disabled && (!managers || p.Manager()) {
				people = append(people, p)
			}
		}
		return peopleMsg{people: people, err: err}
	}
}

// Setup reports whether the screen asks for the first manager.
func (m Model) Setup() bool { return m.setup }

// Update handles keys and the store's answers.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case peopleMsg:
		m.people, m.loaded = msg.people, true
		m.cursor = min(m.cursor, max(len(m.people)-1, 0))
		if msg.err != nil {
			m.problem = m.c.T("error.store", msg.err.Error())
		}
		if msg.err == nil && len(m.people) == 0 && m.purpose == signIn {
			m.setup = true
			return m, m.name.Focus()
		}
		return m, nil
	case answerMsg:
		m.busy = false
		if msg.err != nil {
			m.problem = m.refusal(msg.err)
			m.pin, m.again = PIN{}, PIN{}
			if m.setup {
				m.focus = fieldPIN
			}
			return m, m.load() // a lock may have changed who is listed
		}
		m.problem = ""
		if m.purpose == approve {
			g := Granted{Manager: msg.person.Name, Action: m.action, Then: m.then}
			return m, func() tea.Msg { return g }
		}
		p := msg.person
		return m, func() tea.Msg { return SignedIn{Person: p} }
	case tea.KeyPressMsg:
		if m.busy {
			return m, nil
		}
		if m.setup {
			return m.keySetup(msg)
		}
		return m.keyList(msg)
	}
	if m.setup && m.focus == fieldName {
		var cmd tea.Cmd
		m.name, cmd = m.name.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m Model) keyList(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Back) && m.purpose == approve:
		return m, func() tea.Msg { return Refused{} }
	case key.Matches(msg, k.Up):
		m.cursor, m.pin = max(m.cursor-1, 0), PIN{}
		return m, nil
	case key.Matches(msg, k.Down):
		m.cursor, m.pin = min(m.cursor+1, max(len(m.people)-1, 0)), PIN{}
		return m, nil
	case key.Matches(msg, k.SignInKey):
		if m.cursor >= len(m.people) {
			return m, nil
		}
		if len(m.pin.Value()) < 4 {
			m.problem = m.c.T("signin.bad_pin")
			return m, nil
		}
		return m.check(m.people[m.cursor].Name, m.pin.Value())
	}
	m.pin, _ = m.pin.Key(msg)
	return m, nil
}

// check asks the store about a PIN; the hash takes a moment, so it runs
// as a command.
func (m Model) check(name, p string) (Model, tea.Cmd) {
	m.busy, m.problem = true, ""
	st, now, action, cashier := m.c.Store, m.c.Clock.Now(), m.action, m.c.Cashier
	if m.purpose == approve {
		return m, func() tea.Msg {
			who, err := st.Approve(name, p, action, cashier, now)
			return answerMsg{person: who, err: err}
		}
	}
	return m, func() tea.Msg {
		who, err := st.SignIn(name, p, now)
		return answerMsg{person: who, err: err}
	}
}

func (m Model) keySetup(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.Keys
	if key.Matches(msg, k.NextField) || key.Matches(msg, k.SignInKey) {
		switch m.focus {
		case fieldName:
			if strings.TrimSpace(m.name.Value()) == "" {
				m.problem = m.c.T("signin.name_needed")
				return m, nil
			}
			m.focus, m.problem = fieldPIN, ""
			m.name.Blur()
			return m, nil
		case fieldPIN:
			if key.Matches(msg, k.NextField) || len(m.pin.Value()) >= 4 {
				m.focus = fieldAgain
				return m, nil
			}
			m.problem = m.c.T("signin.bad_pin")
			return m, nil
		}
		if key.Matches(msg, k.NextField) {
			m.focus = fieldName
			return m, m.name.Focus()
		}
		if m.pin.Value() != m.again.Value() {
			m.problem = m.c.T("signin.pins_differ")
			m.pin, m.again, m.focus = PIN{}, PIN{}, fieldPIN
			return m, nil
		}
		return m.addFirst()
	}
	switch m.focus {
	case fieldName:
		var cmd tea.Cmd
		m.name, cmd = m.name.Update(msg)
		return m, cmd
	case fieldPIN:
		m.pin, _ = m.pin.Key(msg)
	case fieldAgain:
		m.again, _ = m.again.Key(msg)
	}
	return m, nil
}

// addFirst keeps the first manager and signs them in.
func (m Model) addFirst() (Model, tea.Cmd) {
	m.busy, m.problem = true, ""
	st, now := m.c.Store, m.c.Clock.Now()
	name, p := strings.TrimSpace(m.name.Value()), m.pin.Value()
	return m, func() tea.Msg {
		// No language of their own: they read the till's, as it changes.
		if err := st.AddPerson(store.Person{Name: name, Role: store.RoleManager}, p, "", now); err != nil {
			return answerMsg{err: err}
		}
		who, err := st.SignIn(name, p, now)
		return answerMsg{person: who, err: err}
	}
}

// refusal is the cashier's sentence for a PIN or a person refused.
func (m Model) refusal(err error) string {
	c := m.c
	var refused *store.PINRefused
	var soon *store.TooSoon
	name := ""
	if m.cursor < len(m.people) && !m.setup {
		name = m.people[m.cursor].Name
	}
	switch {
	case errors.As(err, &refused) && refused.Locked:
		return c.T("signin.now_locked", name)
	case errors.As(err, &refused) && refused.Wait > 0:
		return c.N("signin.wrong_pin", refused.Left, refused.Left) + " " + c.N("signin.wait", seconds(refused.Wait), seconds(refused.Wait))
	case errors.As(err, &refused):
		return c.N("signin.wrong_pin", refused.Left, refused.Left)
	case errors.As(err, &soon):
		wait := seconds(soon.Until.Sub(c.Clock.Now()))
		return c.N("signin.wait", wait, wait)
	case errors.Is(err, store.ErrPersonLocked):
		return c.T("signin.locked", name)
	case errors.Is(err, store.ErrPersonDisabled):
		return c.T("signin.disabled", name)
	case errors.Is(err, store.ErrNotManager):
		return c.T("signin.not_manager", name)
	case errors.Is(err, store.ErrBadPIN):
		return c.T("signin.bad_pin")
	case errors.Is(err, store.ErrPersonExists), errors.Is(err, store.ErrBadName):
		return c.T("signin.bad_name")
	}
	return c.T("error.store", err.Error())
}

// seconds rounds a pause up to whole seconds, at least one.
func seconds(d time.Duration) int { return max(int((d+time.Second-1)/time.Second), 1) }

// Title is the screen's state for the terminal's title.
func (m Model) Title() string {
	switch {
	case !m.loaded:
		// Keys pressed before the list is read would choose from nothing.
		return m.c.T("signin.loading")
	case m.purpose == approve:
		return m.c.T("signin.approve_title")
	case m.setup:
		return m.c.T("signin.setup_title")
	}
	return m.c.T("signin.title")
}

// View draws the screen.
func (m Model) View() string {
	s, c := m.c.Styles, m.c
	var parts []string
	switch {
	case m.purpose == approve:
		parts = append(parts, s.Title.Render(c.T("signin.approve_title")), c.Wrap(c.T("signin.approve_for", c.T("approval."+m.action))), "")
	case m.setup:
		parts = append(parts, s.Title.Render(c.T("signin.setup_title")), c.Wrap(c.T("signin.setup_text")), "")
	default:
		parts = append(parts, s.Title.Render(c.T("signin.title")), "")
	}
	if m.setup {
		label := func(f field, text string) string {
			if m.focus == f {
				return s.Selected.Render("› " + text)
			}
			return "  " + s.Label.Render(text)
		}
		parts = append(parts,
			label(fieldName, c.T("signin.name")), "  "+m.name.View(), "",
			label(fieldPIN, c.T("signin.pin")), "  "+m.pin.View(m.focus == fieldPIN), "",
			label(fieldAgain, c.T("signin.pin_again")), "  "+m.again.View(m.focus == fieldAgain))
	} else {
		if m.loaded && len(m.people) == 0 {
			parts = append(parts, s.Problem.Render(c.T("signin.no_managers")))
		}
		// The header, the title, the PIN and the help take about 12 rows.
		rows := len(m.people)
		if c.Height > 0 {
			rows = min(rows, max(c.Height-14, 3))
		}
		w := 0
		for _, p := range m.people {
			w = max(w, lipgloss.Width(p.Name))
		}
		parts = append(parts, c.ListWindow(len(m.people), m.cursor, rows, func(i int) string {
			p := m.people[i]
			line := p.Name + strings.Repeat(" ", w-lipgloss.Width(p.Name)) + "  " + s.Muted.Render(c.T("signin.role_"+string(p.Role)))
			if p.Locked {
				line += "  " + s.Warn.Render(c.T("signin.is_locked"))
			}
			return line
		})...)
		parts = append(parts, "", s.Label.Render(c.T("signin.pin"))+" "+m.pin.View(true))
	}
	switch {
	case m.busy:
		parts = append(parts, "", s.Muted.Render(c.T("signin.checking")))
	case m.problem != "":
		parts = append(parts, "", s.Problem.Render(c.Wrap(m.problem)))
	}
	if hints := m.demoHints(); len(hints) > 0 {
		parts = append(parts, "", s.Training.Render(" "+c.T("signin.demo_hint", strings.Join(hints, " · "))+" "))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// demoHints is, in training, each listed person's PIN: the training
// till's people are there to be signed in as.
func (m Model) demoHints() []string {
	if !m.c.Demo || m.setup {
		return nil
	}
	var out []string
	for _, p := range m.people {
		if pin, ok := m.c.DemoPINs[p.Name]; ok {
			out = append(out, m.c.T("signin.demo_pin", p.Name, pin))
		}
	}
	return out
}

// ShortHelp is the help line.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.setup {
		return []key.Binding{k.PINDigits, k.NextField, k.SignInKey}
	}
	if m.purpose == approve {
		return []key.Binding{k.UpDown, k.PINDigits, k.ApproveKey, k.Back}
	}
	return []key.Binding{k.UpDown, k.PINDigits, k.SignInKey}
}

// FullHelp is every key of the screen.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
