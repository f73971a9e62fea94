package common

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// HelpView draws keys' help within width. The short line takes as many
// keys as fit with room for "…" when some are left out (help's own line
// goes on adding keys when the "…" does not fit). All keys (ShowAll) are
// the columns side by side, and where they do not fit, the rest of the
// columns in rows below, a blank line apart: help's own view drops them.
func HelpView(h help.Model, keys help.KeyMap, width int) string {
	h.SetWidth(0) // measured here
	if !h.ShowAll {
		bs := enabled(keys.ShortHelp())
		for n := len(bs); n > 0; n-- {
			line := h.ShortHelpView(bs[:n])
			if n < len(bs) {
				line += " " + h.Styles.Ellipsis.Render(h.Ellipsis)
			}
			if lipgloss.Width(line) <= width {
				return line
			}
		}
		return ""
	}
	var rows []string
	var row [][]key.Binding
	for _, col := range keys.FullHelp() {
		if len(enabled(col)) == 0 {
			continue
		}
		if len(row) > 0 && lipgloss.Width(h.FullHelpView(append(row, col))) > width {
			rows, row = append(rows, h.FullHelpView(row), ""), nil
		}
		row = append(row, col)
	}
	if len(row) > 0 {
		rows = append(rows, h.FullHelpView(row))
	}
	return lipgloss.JoinVertical(lipgloss.Left, rows...)
}

func enabled(bs []key.Binding) []key.Binding {
	var out []key.Binding
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, b)
		}
	}
	return out
}
