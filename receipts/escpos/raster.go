package escpos

import (
	"fmt"
	"image"
	"image/draw"
	"strings"
	"sync"
	"unicode"

	qr "github.com/skip2/go-qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/width"

	"github.com/kassa-till/kassa/assets/fonts"
)

// threshold is the grey below which a drawn pixel is a dot: a little
// lighter than half, so the thin strokes of a 12-dot letter are kept.
const threshold = 0x90

// faces are the embedded fonts, parsed once; an *sfnt.Font is safe to
// share, the faces made from it are not.
var faces = sync.OnceValues(func() ([2]*sfnt.Font, error) {
	var fs [2]*sfnt.Font
	for i, data := range [][]byte{fonts.Mono, fonts.MonoBold} {
		f, err := opentype.Parse(data)
		if err != nil {
			return fs, fmt.Errorf("escpos: embedded font: %w", err)
		}
		fs[i] = f
	}
	return fs, nil
})

// renderer draws lines of text for one Encode.
type renderer struct {
	cell   int // dots a character is wide
	ascent int // baseline, from the top of a line
	height int // dots a line is high
	fonts  [2]*sfnt.Font
	faces  [2]font.Face // regular, bold
	buf    sfnt.Buffer
}

func (e *encoder) renderer() (*renderer, error) {
	if e.font != nil {
		return e.font, nil
	}
	fs, err := faces()
	if err != nil {
		return nil, err
	}
	r := &renderer{cell: e.p.cell(), fonts: fs}
	// The size at which a character's advance is the cell: the font is
	// monospaced, so 'M' says it for all.
	f := fs[0]
	upem := fixed.I(int(f.UnitsPerEm()))
	idx, err := f.GlyphIndex(&r.buf, 'M')
	if err != nil {
		return nil, err
	}
	adv, err := f.GlyphAdvance(&r.buf, idx, upem, font.HintingNone)
	if err != nil {
		return nil, err
	}
	size := float64(r.cell) * float64(upem) / float64(adv)
	for i, f := range fs {
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			return nil, err
		}
		r.faces[i] = face
	}
	m := r.faces[0].Metrics()
	r.ascent = m.Ascent.Ceil()
	r.height = r.ascent + m.Descent.Ceil()
	e.font = r
	return r, nil
}

// has reports whether the face (0 regular, 1 bold) has a glyph for c.
func (r *renderer) has(face int, c rune) bool {
	i, err := r.fonts[face].GlyphIndex(&r.buf, c)
	return err == nil && i != 0
}

// cells is how many character cells c takes: none for a combining mark
// (drawn over the character before), two for a wide East Asian character.
func cells(c rune) int {
	switch {
	case isMark(c):
		return 0
	case width.LookupRune(c).Kind() == width.EastAsianWide, width.LookupRune(c).Kind() == width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// glyph is one character placed on a line.
type glyph struct {
	c   rune
	col int
}

// layoutLine places s's characters in rows of at most cols cells, wrapping
// as a printer does; what cannot be drawn becomes '?' and is reported.
func (e *encoder) layoutLine(r *renderer, face int, s string, cols int) [][]glyph {
	var rows [][]glyph
	var row []glyph
	col := 0
	for _, c := range s {
		draw := []rune{c}
		if !printable(c) || !r.has(face, c) {
			e.rep.missing(c)
			draw = []rune(strings.Repeat("?", max(cells(c), 1)))
		}
		for _, d := range draw {
			n := cells(d)
			if col+n > cols && col > 0 {
				rows, row, col = append(rows, row), nil, 0
			}
			row = append(row, glyph{d, col})
			col += n
		}
	}
	return append(rows, row)
}

// rasterLine draws s in style st onto the rows waiting to be sent.
func (e *encoder) rasterLine(s string, st Style) error {
	r, err := e.renderer()
	if err != nil {
		return err
	}
	face, cols, sx, sy := 0, e.p.Columns, 1, 1
	if st.Bold {
		face = 1
	}
	if st.Wide {
		cols, sx = max(cols/2, 1), 2
	}
	if st.Tall {
		sy = 2
	}
	// The lines' block is centred on the paper: Columns cells may leave
	// a few dots over.
	margin := (e.p.Dots - e.p.Columns*r.cell) / 2
	for _, row := range e.layoutLine(r, face, s, cols) {
		used := 0
		for _, g := range row {
			used = max(used, g.col+cells(g.c))
		}
		w := used * r.cell
		img := image.NewGray(image.Rect(0, 0, max(w, 1), r.height))
		for i := range img.Pix {
			img.Pix[i] = 0xFF
		}
		for _, g := range row {
			dot := fixed.Point26_6{X: fixed.I(g.col * r.cell), Y: fixed.I(r.ascent)}
			dr, mask, mp, _, ok := r.faces[face].Glyph(dot, g.c)
			if ok {
				draw.DrawMask(img, dr, image.Black, image.Point{}, mask, mp, draw.Over)
			}
		}
		x0 := margin
		switch st.Align {
		case Center:
			x0 = (e.p.Dots - w*sx) / 2
		case Right:
			x0 = e.p.Dots - margin - w*sx
		}
		e.blit(img, x0, sx, sy)
	}
	return nil
}

// blit appends img to the rows, scaled sx across and sy down, its left
// edge x0 dots in; a pixel darker than threshold is a dot.
func (e *encoder) blit(img *image.Gray, x0, sx, sy int) {
	stride := e.stride()
	b := img.Bounds()
	for y := range b.Dy() {
		line := make([]byte, stride)
		for x := range b.Dx() {
			if img.Pix[y*img.Stride+x] >= threshold {
				continue
			}
			for k := range sx {
				if px := x0 + x*sx + k; px >= 0 && px < e.p.Dots {
					line[px/8] |= 0x80 >> (px % 8)
				}
			}
		}
		for range sy {
			e.rows = append(e.rows, line...)
		}
	}
}

// QR codes are drawn at level M, with the standard's quiet zone of four
// modules, at most maxQRModule dots a module (0.75 mm at 203 dpi, a code
// of 25 to 35 mm for a payment link or UzQR payload) and at least
// minQRModule, below which a phone no longer reads it off paper.
const (
	qrQuiet     = 4
	maxQRModule = 6
	minQRModule = 2
)

type qrCode struct{ bits [][]bool }

func newQR(payload string) (qrCode, error) {
	code, err := qr.New(payload, qr.Medium)
	if err != nil {
		return qrCode{}, fmt.Errorf("%w: %v", errQRTooLong, err)
	}
	code.DisableBorder = true
	return qrCode{code.Bitmap()}, nil
}

// size is the code's side in modules, without the quiet zone.
func (q qrCode) size() int { return len(q.bits) }

// qrModule is the module size in dots for a code of n modules on a paper
// dots wide.
func qrModule(dots, n int) int { return min(dots/(n+2*qrQuiet), maxQRModule) }

// raster appends the code to rows of dots/8 bytes: centred across, with
// its quiet zone above and below.
func (q qrCode) raster(rows []byte, dots, module int) []byte {
	stride := dots / 8
	n := q.size()
	x0 := (dots - n*module) / 2
	rows = append(rows, make([]byte, qrQuiet*module*stride)...)
	for _, bits := range q.bits {
		line := make([]byte, stride)
		for x, dark := range bits {
			if !dark {
				continue
			}
			for k := range module {
				px := x0 + x*module + k
				line[px/8] |= 0x80 >> (px % 8)
			}
		}
		for range module {
			rows = append(rows, line...)
		}
	}
	return append(rows, make([]byte, qrQuiet*module*stride)...)
}

// printable reports whether r may be drawn: a control character never is
// (nor is one in any code page), so text never carries a command to the
// printer.
func printable(r rune) bool { return !unicode.IsControl(r) }

// isMark reports whether c is drawn over the character before it.
func isMark(c rune) bool { return unicode.In(c, unicode.Mn, unicode.Me) }
