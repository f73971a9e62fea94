package settings

import (
	"errors"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/signin"
)

type (
	peopleMsg struct {
		people []store.Person
		err    error
	}
	// personDoneMsg is a change to a person, done (or refused): text says
	// what was done.
	personDoneMsg struct {
		text string
		name string // whose change
		err  error
	}
)

func (peopleMsg) settingsMsg()     {}
func (personDoneMsg) settingsMsg() {}

// peopleForm is what the people screen's form is for.
type peopleForm int

const (
	formNone peopleForm = iota
	formAdd             // a new person: name, role, PIN twice
	formPIN             // a new PIN for the chosen person, twice
)

// People is the screen where a manager adds people, switches them off and
// on, gives them a new PIN, unlocks them after wrong PINs and sets their
// language. Every change is in the audit log under the manager's name.
type People struct {
	c       *common.Common
	people  []store.Person
	loaded  bool
	cursor  int
	form    peopleForm
	focus   int // in the form: 0 name, 1 role, 2 PIN, 3 PIN again
	name    textinput.Model
	role    store.Role
	pin     signin.PIN
	again   signin.PIN
	busy    bool
	result  string
	problem bool
}

// NewPeople returns the screen.
func NewPeople(c *common.Common) People {
	name := textinput.New()
	name.Placeholder = c.T("signin.name_placeholder")
	name.CharLimit = 32
	name.SetWidth(max(24, lipgloss.Width(name.Placeholder)+1))
	return People{c: c, name: name, role: store.RoleCashier}
}

// openPeopleMsg opens the people screen, once a manager is there.
type openPeopleMsg struct{}

func (openPeopleMsg) settingsMsg() {}

// keyingMsg and pairingMsg open the gateway's key field and the pairing
// name, once a manager approved it where one must.
type (
	keyingMsg  struct{}
	pairingMsg struct{}
)

func (keyingMsg) settingsMsg()  {}
func (pairingMsg) settingsMsg() {}

// withPeople is a settings screen's keys with the people's, where people
// sign in.
func withPeople(keys []key.Binding, c *common.Common) []key.Binding {
	if c.SignIn {
		keys = append(keys, c.Keys.PeopleKey)
	}
	return keys
}

// openPeople puts the people screen on top, where a manager works.
func openPeople(c *common.Common) tea.Cmd {
	p := NewPeople(c)
	return common.PushScreen(common.AsScreen(p), p.load())
}

func (p People) load() tea.Cmd {
	st := p.c.Store
	return func() tea.Msg {
		people, err := st.People()
		return peopleMsg{people: people, err: err}
	}
}

// by is the manager the changes are made by: the one signed in, or the
// one who approved the settings.
func (p People) by() string {
	if p.c.Approver != "" {
		return p.c.Approver
	}
	return p.c.Cashier
}

// Update handles keys and the store's answers.
func (p People) Update(msg tea.Msg) (People, tea.Cmd) {
	c := p.c
	switch msg := msg.(type) {
	case peopleMsg:
		p.people, p.loaded = msg.people, true
		p.cursor = min(p.cursor, max(len(p.people)-1, 0))
		if msg.err != nil {
			p.result, p.problem = c.T("error.store", msg.err.Error()), true
		}
		return p, nil
	case personDoneMsg:
		p.busy = false
		if msg.err != nil {
			p.result, p.problem = personError(c, msg.err, msg.name), true
			return p, p.load()
		}
		p.result, p.problem, p.form = msg.text, false, formNone
		return p, p.load()
	case tea.KeyPressMsg:
		if p.busy {
			return p, nil
		}
		if p.form != formNone {
			return p.keyForm(msg)
		}
		return p.keyList(msg)
	}
	if p.form == formAdd && p.focus == 0 {
		var cmd tea.Cmd
		p.name, cmd = p.name.Update(msg)
		return p, cmd
	}
	return p, nil
}

func (p People) chosen() (store.Person, bool) {
	if p.cursor < len(p.people) {
		return p.people[p.cursor], true
	}
	return store.Person{}, false
}

func (p People) keyList(msg tea.KeyPressMsg) (People, tea.Cmd) {
	c, k := p.c, p.c.Keys
	st, by, now := c.Store, p.by(), c.Clock.Now()
	person, ok := p.chosen()
	switch {
	case key.Matches(msg, k.Back):
		return p, func() tea.Msg { return BackMsg{} }
	case key.Matches(msg, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, k.Down):
		p.cursor = min(p.cursor+1, max(len(p.people)-1, 0))
	case key.Matches(msg, k.AddKey):
		p.form, p.focus, p.role, p.pin, p.again, p.result = formAdd, 0, store.RoleCashier, signin.PIN{}, signin.PIN{}, ""
		p.name.SetValue("")
		return p, p.name.Focus()
	case !ok:
	case key.Matches(msg, k.ResetPIN):
		p.form, p.focus, p.pin, p.again, p.result = formPIN, 2, signin.PIN{}, signin.PIN{}, ""
	case key.Matches(msg, k.DisableKey):
		p.busy = true
		if person.Disabled {
			return p, func() tea.Msg {
				return personDoneMsg{text: c.T("people.enabled", person.Name), name: person.Name, err: st.EnablePerson(person.Name, by, now)}
			}
		}
		return p, func() tea.Msg {
			return personDoneMsg{text: c.T("people.switched_off", person.Name), name: person.Name, err: st.DisablePerson(person.Name, by, now)}
		}
	case key.Matches(msg, k.UnlockKey) && person.Locked:
		p.busy = true
		return p, func() tea.Msg {
			return personDoneMsg{text: c.T("people.unlocked", person.Name), name: person.Name, err: st.UnlockPerson(person.Name, by, now)}
		}
	case key.Matches(msg, k.LanguageKey):
		// "" (the till's language), then each language in turn.
		langs := append([]string{""}, locale.Languages()...)
		next := langs[(slices.Index(langs, person.Lang)+1)%len(langs)]
		p.busy = true
		return p, func() tea.Msg {
			return personDoneMsg{text: c.T("people.language_set", person.Name, languageName(c, next)), err: st.SetPersonLanguage(person.Name, next, by, now)}
		}
	}
	return p, nil
}

// languageName is a person's language in its own words, or "the till's".
func languageName(c *common.Common, lang string) string {
	if lang == "" {
		return c.T("people.till_language")
	}
	cat, err := locale.Load(lang)
	if err != nil {
		return lang
	}
	return cat.T("settings.language_name")
}

func (p People) keyForm(msg tea.KeyPressMsg) (People, tea.Cmd) {
	k := p.c.Keys
	if key.Matches(msg, k.Back) {
		p.form, p.result = formNone, ""
		p.name.Blur()
		return p, nil
	}
	if key.Matches(msg, k.NextField) || key.Matches(msg, k.Save) {
		last := p.focus == 3
		if !last || key.Matches(msg, k.NextField) {
			p.focus++
			if p.focus > 3 {
				p.focus = 0
				if p.form == formPIN {
					p.focus = 2
				}
			}
			if p.focus == 0 {
				return p, p.name.Focus()
			}
			p.name.Blur()
			return p, nil
		}
		return p.submit()
	}
	switch p.focus {
	case 0:
		var cmd tea.Cmd
		p.name, cmd = p.name.Update(msg)
		return p, cmd
	case 1:
		if key.Matches(msg, k.RoleKey) {
			p.role = map[store.Role]store.Role{store.RoleCashier: store.RoleManager, store.RoleManager: store.RoleCashier}[p.role]
		}
	case 2:
		p.pin, _ = p.pin.Key(msg)
	case 3:
		p.again, _ = p.again.Key(msg)
	}
	return p, nil
}

// submit adds the person, or keeps the new PIN, once both PINs agree.
func (p People) submit() (People, tea.Cmd) {
	c := p.c
	if p.pin.Value() != p.again.Value() {
		p.result, p.problem, p.pin, p.again, p.focus = c.T("signin.pins_differ"), true, signin.PIN{}, signin.PIN{}, 2
		return p, nil
	}
	st, by, now, pin := c.Store, p.by(), c.Clock.Now(), p.pin.Value()
	p.busy = true
	if p.form == formPIN {
		person, _ := p.chosen()
		return p, func() tea.Msg {
			return personDoneMsg{text: c.T("people.pin_set", person.Name), name: person.Name, err: st.ResetPIN(person.Name, pin, by, now)}
		}
	}
	person := store.Person{Name: strings.TrimSpace(p.name.Value()), Role: p.role}
	return p, func() tea.Msg {
		return personDoneMsg{text: c.T("people.added", person.Name), name: person.Name, err: st.AddPerson(person, pin, by, now)}
	}
}

// personError is the manager's sentence for a change to name refused.
func personError(c *common.Common, err error, name string) string {
	switch {
	case errors.Is(err, store.ErrBadPIN):
		return c.T("signin.bad_pin")
	case errors.Is(err, store.ErrPersonExists):
		return c.T("people.exists", name)
	case errors.Is(err, store.ErrLastManager):
		return c.T("people.last_manager", name)
	case errors.Is(err, store.ErrNotManager):
		return c.T("signin.not_manager", name)
	case errors.Is(err, store.ErrBadName):
		return c.T("signin.bad_name")
	}
	return c.T("error.store", err.Error())
}

// Title is the screen's state for the terminal's title: how many people,
// once read.
func (p People) Title() string {
	if !p.loaded {
		return p.c.T("people.title")
	}
	return p.c.N("people.title_n", len(p.people), len(p.people))
}

// View draws the list, or the form.
func (p People) View() string {
	c, s := p.c, p.c.Styles
	parts := []string{s.Title.Render(c.T("people.title")), ""}
	if p.form != formNone {
		label := func(f int, text string) string {
			if p.focus == f {
				return s.Selected.Render("› " + text)
			}
			return "  " + s.Label.Render(text)
		}
		if p.form == formAdd {
			parts = append(parts, label(0, c.T("signin.name")), "  "+p.name.View(),
				label(1, c.T("people.role")), "  "+c.T("signin.role_"+string(p.role)))
		} else {
			person, _ := p.chosen()
			parts = append(parts, c.T("people.new_pin_for", person.Name), "")
		}
		parts = append(parts, label(2, c.T("signin.pin")), "  "+p.pin.View(p.focus == 2), label(3, c.T("signin.pin_again")), "  "+p.again.View(p.focus == 3))
	} else {
		rows := len(p.people)
		if c.Height > 0 {
			rows = min(rows, max(c.Height-12, 3))
		}
		w, rw := 0, 0
		for _, person := range p.people {
			w = max(w, lipgloss.Width(person.Name))
			rw = max(rw, lipgloss.Width(c.T("signin.role_"+string(person.Role))))
		}
		parts = append(parts, c.ListWindow(len(p.people), p.cursor, rows, func(i int) string {
			person := p.people[i]
			role := c.T("signin.role_" + string(person.Role))
			line := person.Name + strings.Repeat(" ", w-lipgloss.Width(person.Name)) + "  " +
				role + strings.Repeat(" ", rw-lipgloss.Width(role)) + "  " + s.Muted.Render(languageName(c, person.Lang))
			switch {
			case person.Disabled:
				line += "  " + s.Muted.Render(c.T("people.is_disabled"))
			case person.Locked:
				line += "  " + s.Warn.Render(c.T("signin.is_locked"))
			}
			return line
		})...)
	}
	switch {
	case p.busy:
		parts = append(parts, "", s.Muted.Render(c.T("signin.checking")))
	case p.result != "" && p.problem:
		parts = append(parts, "", s.Problem.Render(c.Wrap(p.result)))
	case p.result != "":
		parts = append(parts, "", s.OK.Render(c.Wrap(p.result)))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// ShortHelp is the help line.
func (p People) ShortHelp() []key.Binding {
	k := p.c.Keys
	switch p.form {
	case formAdd:
		return []key.Binding{k.NextField, k.RoleKey, k.PINDigits, k.Save, k.Back}
	case formPIN:
		return []key.Binding{k.PINDigits, k.NextField, k.Save, k.Back}
	}
	keys := []key.Binding{k.UpDown, k.AddKey, k.DisableKey, k.ResetPIN}
	if person, ok := p.chosen(); ok && person.Locked {
		keys = append(keys, k.UnlockKey)
	}
	return append(keys, k.LanguageKey, k.Back)
}

// FullHelp is every key of the screen.
func (p People) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
