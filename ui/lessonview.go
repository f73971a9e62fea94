package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/ui/common"
)

// lessonBanner says what the lesson's current customer wants.
func (m Model) lessonBanner() string {
	if m.lesson == nil || m.lesson.Done() || m.score {
		return ""
	}
	n, step := m.lesson.Step()
	s := m.c.Styles
	head := s.Training.Render(" " + m.c.T("lesson.banner", m.lesson.Lesson.Title.In(m.c.Lang), n, len(m.lesson.Lesson.Steps)) + " ")
	say := m.c.Wrap(step.Say.In(m.c.Lang))
	return lipgloss.JoinVertical(lipgloss.Left, head, say)
}

// scoreView lists each step of the finished lesson, right or wrong and why.
func (m Model) scoreView() string {
	s, run := m.c.Styles, m.lesson
	if run == nil {
		return ""
	}
	parts := []string{
		s.Training.Render(" " + m.c.T("lesson.finished", run.Lesson.Title.In(m.c.Lang)) + " "),
		"",
		s.Title.Render(m.c.N("lesson.score", len(run.Lesson.Steps), run.Score(), len(run.Lesson.Steps))),
		"",
	}
	for _, res := range run.Results {
		step := run.Lesson.Steps[res.Step-1]
		mark, why := s.OK.Render("✓"), m.c.T("lesson.right")
		if !res.Right {
			mark, why = s.Bad.Render("✗"), m.c.T(res.Why, m.lessonArgs(res.Args)...)
		}
		parts = append(parts, fmt.Sprintf("%s %d. %s", mark, res.Step, step.Say.In(m.c.Lang)), "     "+why)
	}
	return m.c.Wrap(lipgloss.JoinVertical(lipgloss.Left, parts...))
}

// lessonArgs turns a result's arguments into words: money as money,
// outcomes by their catalog names.
func (m Model) lessonArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case providers.Money:
			out[i] = m.c.Money(v)
		case string:
			if m.c.Cat.Has(v) {
				out[i] = m.c.T(v)
			} else {
				out[i] = v
			}
		default:
			out[i] = v
		}
	}
	return out
}

// scoreKeys is the score screen's help.
type scoreKeys struct{ k common.KeyMap }

func (s scoreKeys) ShortHelp() []key.Binding  { return []key.Binding{s.k.Next, s.k.Quit} }
func (s scoreKeys) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
