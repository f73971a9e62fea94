package common

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
