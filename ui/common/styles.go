package common

import (
	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Palette. The till runs on dark terminals in most shops; colours are
// chosen to stay readable on light ones too.
var (
	colorAccent  = lipgloss.Color("#7D56F4")
	colorOK      = lipgloss.Color("#2E9E5B")
	colorBad     = lipgloss.Color("#D64545")
	colorWarn    = lipgloss.Color("#E0A000")
	colorMuted   = lipgloss.Color("#8A8A8A")
	colorDemo    = lipgloss.Color("#FF8C00")
	colorOnColor = lipgloss.Color("#FFFFFF")
)

// Styles are every style kassa draws with, in one place.
type Styles struct {
	App       lipgloss.Style
	Header    lipgloss.Style
	Brand     lipgloss.Style
	Provider  lipgloss.Style
	Demo      lipgloss.Style
	Title     lipgloss.Style
	Label     lipgloss.Style
	Muted     lipgloss.Style
	AmountBox lipgloss.Style
	Amount    lipgloss.Style
	Problem   lipgloss.Style
	OK        lipgloss.Style
	Bad       lipgloss.Style
	Warn      lipgloss.Style
	WarnBox   lipgloss.Style
	BadBox    lipgloss.Style
	Receipt   lipgloss.Style
	Countdown lipgloss.Style
	Selected  lipgloss.Style
	Training  lipgloss.Style
	Help      help.Styles
}

// DefaultStyles returns kassa's styles.
func DefaultStyles() Styles {
	return Styles{
		App:       lipgloss.NewStyle().Padding(0, 1),
		Header:    lipgloss.NewStyle().BorderStyle(lipgloss.NormalBorder()).BorderBottom(true).BorderForeground(colorMuted),
		Brand:     lipgloss.NewStyle().Bold(true).Foreground(colorAccent),
		Provider:  lipgloss.NewStyle().Foreground(colorMuted),
		Demo:      lipgloss.NewStyle().Bold(true).Foreground(colorOnColor).Background(colorDemo).Padding(0, 1),
		Title:     lipgloss.NewStyle().Bold(true),
		Label:     lipgloss.NewStyle().Foreground(colorMuted),
		Muted:     lipgloss.NewStyle().Foreground(colorMuted),
		AmountBox: lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(colorAccent).Padding(0, 2).Align(lipgloss.Right),
		Amount:    lipgloss.NewStyle().Bold(true),
		Problem:   lipgloss.NewStyle().Foreground(colorBad),
		OK:        lipgloss.NewStyle().Bold(true).Foreground(colorOK),
		Bad:       lipgloss.NewStyle().Bold(true).Foreground(colorBad),
		Warn:      lipgloss.NewStyle().Bold(true).Foreground(colorWarn),
		WarnBox:   lipgloss.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(colorWarn).Padding(0, 1),
		BadBox:    lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(colorBad).Padding(0, 1),
		Receipt:   lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(colorMuted).Padding(0, 1),
		Countdown: lipgloss.NewStyle().Bold(true).Foreground(colorAccent),
		Selected:  lipgloss.NewStyle().Bold(true).Foreground(colorAccent),
		Training:  lipgloss.NewStyle().Bold(true).Foreground(colorOnColor).Background(colorDemo),
		Help:      help.DefaultDarkStyles(),
	}
}
