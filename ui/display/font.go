package display

import (
	"strings"

	"github.com/kassa-till/kassa/ui/qrcode"
)

// The big font draws amounts and the time left for a customer standing
// a metre or two away. Each glyph is a bitmap five pixels high; Big
// draws it at scale 1 with half blocks (a pixel is a column and half a
// row: three rows in all) or at scale 2 with full blocks (a pixel is two
// columns and one row: five rows).
var glyphs = map[rune][]string{
	'0': {"###", "#.#", "#.#", "#.#", "###"},
	'1': {".#.", "##.", ".#.", ".#.", "###"},
	'2': {"###", "..#", "###", "#..", "###"},
	'3': {"###", "..#", ".##", "..#", "###"},
	'4': {"#.#", "#.#", "###", "..#", "..#"},
	'5': {"###", "#..", "###", "..#", "###"},
	'6': {"###", "#..", "###", "#.#", "###"},
	'7': {"###", "..#", "..#", ".#.", ".#."},
	'8': {"###", "#.#", "###", "#.#", "###"},
	'9': {"###", "#.#", "###", "..#", "###"},
	' ': {".", ".", ".", ".", "."},
	'.': {".", ".", ".", ".", "#"},
	',': {".", ".", ".", "#", "#"},
	':': {".", "#", ".", "#", "."},
	'-': {"...", "...", "###", "...", "..."},
	// The tenge sign: two bars over a stem.
	'₸': {"###", "...", "###", ".#.", ".#."},
	// soʻm, the sum's symbol, in lower case.
	's': {"...", ".##", "#..", "..#", "##."},
	'o': {"...", ".#.", "#.#", "#.#", ".#."},
	'ʻ': {"#", "#", ".", ".", "."},
	'm': {".....", "##.#.", "#.#.#", "#.#.#", "#.#.#"},
}

// glyphRows is the height of every glyph in pixels.
const glyphRows = 5

// Big draws text in the big font at scale 1 (three rows) or 2 (five
// rows), glyphs a pixel apart (two at scale 2). ok is false when the text
// has a character the font lacks; nothing is drawn then.
func Big(text string, scale int) (lines []string, ok bool) {
	var bits [glyphRows][]bool
	first := true
	for _, r := range text {
		if r == '\u00a0' {
			r = ' ' // grouping in ru, kk and uz
		}
		g, ok := glyphs[r]
		if !ok {
			return nil, false
		}
		for y := range glyphRows {
			if !first {
				bits[y] = append(bits[y], false)
			}
			for _, c := range g[y] {
				bits[y] = append(bits[y], c == '#')
			}
		}
		first = false
	}
	if scale == 2 {
		lines = make([]string, glyphRows)
		for y := range glyphRows {
			var b strings.Builder
			for _, on := range bits[y] {
				if on {
					b.WriteString("██")
				} else {
					b.WriteString("  ")
				}
			}
			lines[y] = b.String()
		}
		return lines, true
	}
	lines = make([]string, (glyphRows+1)/2)
	for row := range lines {
		var b strings.Builder
		for x := range bits[0] {
			b.WriteRune(qrcode.HalfBlock(bits[2*row][x], 2*row+1 < glyphRows && bits[2*row+1][x]))
		}
		lines[row] = b.String()
	}
	return lines, true
}
