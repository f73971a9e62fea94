package common

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// ListWindow draws a list of n rows, of which at most rows fit, keeping
// the cursor's row in view; line(i) draws row i. The chosen row is marked.
func (c *Common) ListWindow(n, cursor, rows int, line func(i int) string) []string {
	from := max(0, min(cursor-rows/2, n-rows))
	var out []string
	for i := from; i < n && i < from+rows; i++ {
		if i == cursor {
			out = append(out, c.Styles.Selected.Render("› "+line(i)))
		} else {
			out = append(out, "  "+line(i))
		}
	}
	return out
}

// Wrap breaks s into lines that fit the screen, at most 96 columns: a
// sentence is read more easily than it is scrolled.
func (c *Common) Wrap(s string) string {
	return lipgloss.NewStyle().Width(max(min(c.Width-4, 96), 30)).Render(s)
}

// MoveCursor is a list's cursor after msg, in a list of n rows of which
// page show: ↑/↓ a row, PgUp/PgDn a page, Home/End the ends. ok is false
// for a key that does not move it.
func (c *Common) MoveCursor(msg tea.KeyPressMsg, cursor, n, page int) (next int, ok bool) {
	k, last := c.Keys, max(n-1, 0)
	switch {
	case key.Matches(msg, k.Up):
		return max(cursor-1, 0), true
	case key.Matches(msg, k.Down):
		return min(cursor+1, last), true
	case key.Matches(msg, k.PageUp):
		return max(cursor-page, 0), true
	case key.Matches(msg, k.PageDown):
		return min(cursor+page, last), true
	case key.Matches(msg, k.Home):
		return 0, true
	case key.Matches(msg, k.End):
		return last, true
	}
	return cursor, false
}
