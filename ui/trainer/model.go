// Package trainer is the trainer's panel in training mode: what the next
// customer does, how fast time runs, and wiping the training data file.
package trainer

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// BackMsg asks the root model to return to the sale screen.
type BackMsg struct{}

// WipedMsg tells the root model the training file was emptied.
type WipedMsg struct{}

// Msg is any message of this screen's own commands.
type Msg interface{ trainerMsg() }

type doneMsg struct {
	text  string // what was done, in the catalog's words
	wiped bool
	err   error
}

func (doneMsg) trainerMsg() {}

// wipeMsg empties the training file, once a manager approved it where one
// must.
type wipeMsg struct{}

func (wipeMsg) trainerMsg() {}

// Model is the trainer's panel.
type Model struct {
	c      *common.Common
	cursor int
	wiping bool   // w pressed once: the next w wipes
	done   string // the last thing done, in the catalog's words
	failed bool
}

// New returns the panel.
func New(c *common.Common) Model { return Model{c: c} }

// Open resets the panel.
func (m Model) Open() Model { return New(m.c) }

// Update handles keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	t, k, c := m.c.Trainer, m.c.Keys, m.c
	switch msg := msg.(type) {
	case wipeMsg:
		if t == nil {
			return m, nil
		}
		by, approver := c.Cashier, c.Approver
		return m, func() tea.Msg { return doneMsg{text: c.T("trainer.wiped"), wiped: true, err: t.Wipe(by, approver)} }
	case doneMsg:
		m.done, m.failed = msg.text, msg.err != nil
		if msg.wiped && msg.err == nil {
			return m, func() tea.Msg { return WipedMsg{} }
		}
		return m, nil
	case tea.KeyPressMsg:
		if t == nil {
			return m, func() tea.Msg { return BackMsg{} }
		}
		wiping := m.wiping
		m.wiping = false
		behaviours := t.Behaviours()
		switch {
		case key.Matches(msg, k.Back):
			return m, func() tea.Msg { return BackMsg{} }
		case key.Matches(msg, k.Up):
			m.cursor = max(m.cursor-1, 0)
		case key.Matches(msg, k.Down):
			m.cursor = min(m.cursor+1, len(behaviours)-1)
		case key.Matches(msg, k.Choose):
			b := behaviours[m.cursor]
			return m, func() tea.Msg { return doneMsg{text: c.T("trainer.queued", c.T("trainer.b."+b)), err: t.Next(b)} }
		case key.Matches(msg, k.Day):
			return m, func() tea.Msg { t.RealisticDay(); return doneMsg{text: c.T("trainer.day")} }
		case key.Matches(msg, k.SpeedKey):
			next := map[int]int{1: 5, 5: 20, 20: 1}[t.Speed()]
			return m, func() tea.Msg {
				t.SetSpeed(max(next, 1))
				return doneMsg{text: c.T("trainer.speed_set", max(next, 1))}
			}
		case key.Matches(msg, k.Wipe):
			if !wiping {
				m.wiping, m.done = true, ""
				return m, nil
			}
			if cmd := c.Gate(store.ActionWipe, wipeMsg{}); cmd != nil {
				return m, cmd
			}
			return m.Update(wipeMsg{})
		}
	}
	return m, nil
}

// View draws the panel.
func (m Model) View() string {
	s, t := m.c.Styles, m.c.Trainer
	if t == nil {
		return ""
	}
	parts := []string{s.Training.Render(" " + m.c.T("trainer.title") + " "), "", s.Label.Render(m.c.T("trainer.next"))}
	behaviours := t.Behaviours()
	// The header, the panel's other lines and the help take about 13 rows:
	// the list scrolls in what is left (an Uzbek demo's is long).
	rows := len(behaviours)
	if m.c.Height > 0 {
		rows = min(rows, max(m.c.Height-13, 4))
	}
	parts = append(parts, m.c.ListWindow(len(behaviours), m.cursor, rows, func(i int) string {
		return m.c.T("trainer.b." + behaviours[i])
	})...)
	parts = append(parts, "", s.Label.Render(m.c.T("trainer.speed"))+" "+m.c.T("trainer.speed_value", t.Speed()))
	switch {
	case m.wiping:
		parts = append(parts, "", s.Warn.Render(m.c.T("trainer.wipe_confirm")))
	case m.done != "":
		style := s.OK
		if m.failed {
			style = s.Problem
		}
		parts = append(parts, "", style.Render(m.done))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// Title is the panel's state for the terminal's title bar.
func (m Model) Title() string { return m.c.T("trainer.title") }

// ShortHelp lists the keys that work now.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	return []key.Binding{k.UpDown, k.Choose, k.Day, k.SpeedKey, k.Wipe, k.Back}
}

// FullHelp is ShortHelp in one column.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
