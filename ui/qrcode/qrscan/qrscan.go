// Package qrscan reads back a QR code drawn with half blocks from a whole
// captured screen, for tests: the text tmux capture-pane -p gives, or a
// Bubble Tea view (its colours are stripped here). Text around and beside
// the code is fine.
//
// A drawn code is a perfect grid, one module per column and two per row,
// so Decode finds it by its three finder patterns, module for module, and
// hands exactly those modules to the decoder: a code that decodes was
// drawn without a module cut, squeezed or out of place. Only when no such
// grid is found does it fall back to a camera's way of looking (for a
// code drawn some other way, two columns a module say), which guesses
// where the modules are and sometimes guesses wrong on perfect codes.
package qrscan

import (
	"errors"
	"fmt"
	"image"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// ErrNoCode means no half or full block is on the screen at all.
var ErrNoCode = errors.New("qrscan: no QR code on the screen")

// hints: go-qrcode writes a payload's bytes as they are, with no ECI.
var hints = map[gozxing.DecodeHintType]any{
	gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
	gozxing.DecodeHintType_TRY_HARDER:    true,
}

// Decode finds the QR code in screen and returns the text it holds.
func Decode(screen string) (string, error) {
	g := modules(screen)
	if !g.any() {
		return "", ErrNoCode
	}
	var firstErr error
	for _, c := range g.codes() {
		res, err := decoder.NewDecoder().DecodeBoolMap(c, hints)
		if err == nil {
			return res.GetText(), nil
		}
		firstErr = firstOf(firstErr, err)
	}
	text, err := g.camera()
	if err == nil {
		return text, nil
	}
	return "", fmt.Errorf("qrscan: %w", firstOf(firstErr, err))
}

func firstOf(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// grid is the screen as modules, dark true: two rows of modules a row of
// cells, one column a column.
type grid [][]bool

// modules reads the screen. Anything but a half or a full block is light,
// and a wide character takes the two columns it takes on the screen.
func modules(screen string) grid {
	lines := strings.Split(strings.ReplaceAll(ansi.Strip(screen), "\r", ""), "\n")
	g := make(grid, 2*len(lines))
	for i, line := range lines {
		var top, bottom []bool
		for _, r := range line {
			switch r {
			case '█':
				top, bottom = append(top, true), append(bottom, true)
			case '▀':
				top, bottom = append(top, true), append(bottom, false)
			case '▄':
				top, bottom = append(top, false), append(bottom, true)
			default:
				for range ansi.StringWidth(string(r)) {
					top, bottom = append(top, false), append(bottom, false)
				}
			}
		}
		g[2*i], g[2*i+1] = top, bottom
	}
	return g
}

func (g grid) dark(x, y int) bool {
	return y >= 0 && y < len(g) && x >= 0 && x < len(g[y]) && g[y][x]
}

func (g grid) any() bool {
	for _, row := range g {
		for _, d := range row {
			if d {
				return true
			}
		}
	}
	return false
}

// finder says whether a finder pattern is centred on (x, y): a dark 3x3
// core, a light ring, a dark ring, and the light ring of its separator or
// the quiet zone around it.
func (g grid) finder(x, y int) bool {
	for dy := -4; dy <= 4; dy++ {
		for dx := -4; dx <= 4; dx++ {
			ring := max(abs(dx), abs(dy))
			if g.dark(x+dx, y+dy) != (ring <= 1 || ring == 3) {
				return false
			}
		}
	}
	return true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// codes are the squares of modules that three finder patterns frame as a
// QR code: top left, top right at the same row, bottom left at the same
// column, as far apart as a QR code of some version has them.
func (g grid) codes() [][][]bool {
	type point struct{ x, y int }
	var centres []point
	found := map[point]bool{}
	for y := range g {
		for x := range g[y] {
			if g[y][x] && g.finder(x, y) {
				centres = append(centres, point{x, y})
				found[point{x, y}] = true
			}
		}
	}
	var codes [][][]bool
	for _, tl := range centres {
		for _, tr := range centres {
			d := tr.x - tl.x
			n := d + 7
			if tr.y != tl.y || d <= 0 || n < 21 || n > 177 || (n-17)%4 != 0 || !found[point{tl.x, tl.y + d}] {
				continue
			}
			code := make([][]bool, n)
			for y := range n {
				code[y] = make([]bool, n)
				for x := range n {
					code[y][x] = g.dark(tl.x-3+x, tl.y-3+y)
				}
			}
			codes = append(codes, code)
		}
	}
	return codes
}

// camera draws the screen as an image, four pixels a module, and lets a
// QR reader find the code the way it would in a photograph.
func (g grid) camera() (string, error) {
	const scale, margin = 4, 4
	width := 0
	for _, row := range g {
		width = max(width, len(row))
	}
	img := image.NewGray(image.Rect(0, 0, (width+2*margin)*scale, (len(g)+2*margin)*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range g {
		for x, d := range row {
			if !d {
				continue
			}
			for py := range scale {
				start := img.PixOffset((x+margin)*scale, (y+margin)*scale+py)
				clear(img.Pix[start : start+scale])
			}
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}
