// Package decode reads back the ESC/POS bytes package escpos writes, for
// tests and tools: text lines decoded from the code page selected, raster
// images, native QR codes and cuts. It knows the subset kassa sends —
// ESC @, ESC t, ESC a, ESC E, GS !, LF, GS v 0, GS ( k (QR) and GS V — and
// refuses any other byte with an error naming its offset, so a test of
// printer output fails on a stray command rather than passing over it.
//
// It is strict where a printer would do something other than intended:
// a character above 0x7F before any ESC t (the printer's own table, which
// is not one of kassa's), ESC a, GS v 0 or GS V with a line half sent,
// text not ended by LF, a QR printed with nothing stored.
package decode

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"strconv"
	"strings"
	"unicode"

	"github.com/kassa-till/kassa/receipts/escpos"
)

// Kind is what an Item is.
type Kind int

const (
	KindText Kind = iota
	KindImage
	KindQR
	KindCut
)

// Item is one thing printed.
type Item struct {
	Kind   Kind
	Offset int // where its bytes start

	// KindText: the line as printed, and how.
	Text  string
	Align escpos.Align // the text's, image's or QR code's
	Bold  bool         // some of the line was bold
	Tall  bool         // double height (GS !)
	Wide  bool         // double width (GS !)

	Image *Image // KindImage
	QR    *QR    // KindQR
}

// QR is a code the printer draws itself (GS ( k).
type QR struct {
	Payload string
	Model   int  // 1, 2, or 3 for Micro QR
	Module  int  // dots a module
	Level   byte // 'L', 'M', 'Q' or 'H'
}

// Image is raster rows (GS v 0), consecutive commands of one width joined:
// the bands of one image as escpos sends them.
type Image struct {
	Width, Height int // in dots
	Bands         int // the GS v 0 commands it came in
	bits          []byte
}

// Black reports whether the dot at x, y prints.
func (m *Image) Black(x, y int) bool {
	if x < 0 || y < 0 || x >= m.Width || y >= m.Height {
		return false
	}
	return m.bits[y*(m.Width/8)+x/8]&(0x80>>(x%8)) != 0
}

// Gray is the image black on white.
func (m *Image) Gray() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, m.Width, m.Height))
	for y := range m.Height {
		for x := range m.Width {
			c := color.Gray{0xFF}
			if m.Black(x, y) {
				c.Y = 0
			}
			g.SetGray(x, y, c)
		}
	}
	return g
}

// Sub is the rows from y0 to y1 (not included), as an image of their own.
func (m *Image) Sub(y0, y1 int) *Image {
	y0, y1 = max(y0, 0), min(y1, m.Height)
	s := m.Width / 8
	return &Image{Width: m.Width, Height: max(y1-y0, 0), Bands: 1, bits: m.bits[y0*s : max(y1, y0)*s]}
}

// Blank reports whether no dot of the rows from y0 to y1 prints.
func (m *Image) Blank(y0, y1 int) bool {
	s := m.Width / 8
	for _, b := range m.bits[max(y0, 0)*s : min(y1, m.Height)*s] {
		if b != 0 {
			return false
		}
	}
	return true
}

// Hash is a short hash of the dots, for golden files.
func (m *Image) Hash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%dx%d:", m.Width, m.Height)
	h.Write(m.bits)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Doc is a decoded print.
type Doc struct {
	Items []Item
	// Pages are the ESC t numbers selected, in order.
	Pages []int
	// Resets are the offsets of ESC @.
	Resets []int
}

// Lines are the text lines, in order.
func (d *Doc) Lines() []string {
	var ls []string
	for _, it := range d.Items {
		if it.Kind == KindText {
			ls = append(ls, it.Text)
		}
	}
	return ls
}

// Images are the raster images, in order.
func (d *Doc) Images() []*Image {
	var ms []*Image
	for _, it := range d.Items {
		if it.Kind == KindImage {
			ms = append(ms, it.Image)
		}
	}
	return ms
}

// QRs are the codes the printer draws itself, in order.
func (d *Doc) QRs() []QR {
	var qs []QR
	for _, it := range d.Items {
		if it.Kind == KindQR {
			qs = append(qs, *it.QR)
		}
	}
	return qs
}

// Cuts is how many times the paper is cut.
func (d *Doc) Cuts() int {
	n := 0
	for _, it := range d.Items {
		if it.Kind == KindCut {
			n++
		}
	}
	return n
}

// Dump is the document as text for golden files: a line per item, and
// each image as its size, bands and hash followed by its dots in Braille.
func (d *Doc) Dump() string {
	var b strings.Builder
	fmt.Fprintf(&b, "resets %d, code pages %v\n", len(d.Resets), d.Pages)
	for _, it := range d.Items {
		switch it.Kind {
		case KindText:
			fmt.Fprintf(&b, "text  %-7s%s|%s|\n", it.Align, flags(it), it.Text)
		case KindImage:
			m := it.Image
			fmt.Fprintf(&b, "image %dx%d in %d bands, %s\n", m.Width, m.Height, m.Bands, m.Hash())
			b.WriteString(m.Braille())
		case KindQR:
			q := it.QR
			fmt.Fprintf(&b, "qr    %-7s model %d, module %d, level %c: %q\n", it.Align, q.Model, q.Module, q.Level, q.Payload)
		case KindCut:
			b.WriteString("cut\n")
		}
	}
	return b.String()
}

func flags(it Item) string {
	var f []string
	for _, x := range []struct {
		on   bool
		name string
	}{{it.Bold, "bold"}, {it.Tall, "tall"}, {it.Wide, "wide"}} {
		if x.on {
			f = append(f, x.name)
		}
	}
	if len(f) == 0 {
		return ""
	}
	return strings.Join(f, ",") + " "
}

// Error is bytes the decoder refuses.
type Error struct {
	Offset int
	What   string
}

func (e *Error) Error() string { return "decode: offset " + strconv.Itoa(e.Offset) + ": " + e.What }

// Decode reads data. pages maps ESC t numbers to code pages; nil means
// Epson's numbers (escpos.EpsonPages).
func Decode(data []byte, pages map[int]escpos.CodePage) (*Doc, error) {
	if pages == nil {
		pages = escpos.EpsonPages()
	}
	d := &decoder{data: data, pages: pages, doc: &Doc{}}
	d.reset()
	if err := d.run(); err != nil {
		return d.doc, err
	}
	return d.doc, nil
}

type decoder struct {
	data  []byte
	pages map[int]escpos.CodePage
	doc   *Doc

	// printer state
	page       escpos.CodePage // "" before ESC t: the printer's own table
	align      escpos.Align
	bold       bool
	tall, wide bool
	module     int
	level      byte
	model      int
	stored     []byte
	hasStored  bool

	line      []rune // text since the last LF
	lineStart int
	lineBold  bool
	lastImage bool // the previous item is an image more rows may join
}

func (d *decoder) reset() {
	d.page, d.align, d.bold, d.tall, d.wide = "", escpos.Left, false, false, false
	d.module, d.level, d.model, d.stored, d.hasStored = 3, 'L', 2, nil, false
}

func (d *decoder) fail(off int, format string, args ...any) error {
	return &Error{Offset: off, What: fmt.Sprintf(format, args...)}
}

// need returns the n bytes skip bytes into the command at off, or an
// error naming the command's offset.
func (d *decoder) need(off, skip, n int, what string) ([]byte, error) {
	at := off + skip
	if at+n > len(d.data) {
		return nil, d.fail(off, "%s cut short: %d bytes wanted, %d left", what, n, max(len(d.data)-at, 0))
	}
	return d.data[at : at+n], nil
}

func (d *decoder) midLine(off int, what string) error {
	if len(d.line) > 0 {
		return d.fail(off, "%s in the middle of a line (%q sent, no LF)", what, string(d.line))
	}
	return nil
}

func (d *decoder) add(it Item) {
	d.doc.Items = append(d.doc.Items, it)
	d.lastImage = it.Kind == KindImage
}

func (d *decoder) run() error {
	i := 0
	for i < len(d.data) {
		c := d.data[i]
		var n int
		var err error
		switch {
		case c == 0x1B:
			n, err = d.esc(i)
		case c == 0x1D:
			n, err = d.gs(i)
		case c == 0x0A:
			d.lf(i)
			n = 1
		case c < 0x20 || c == 0x7F:
			return d.fail(i, "control byte 0x%02X is not one kassa sends", c)
		default:
			err = d.char(i, c)
			n = 1
		}
		if err != nil {
			return err
		}
		i += n
	}
	if len(d.line) > 0 {
		return d.fail(d.lineStart, "text %q not ended by LF: the printer would hold it", string(d.line))
	}
	return nil
}

func (d *decoder) char(off int, c byte) error {
	r := rune(c)
	if c >= 0x80 {
		if d.page == "" {
			return d.fail(off, "byte 0x%02X with no code page selected (ESC t)", c)
		}
		if r = d.page.Decode(c); r == unicode.ReplacementChar {
			return d.fail(off, "byte 0x%02X is no character in %s", c, d.page)
		}
	}
	if len(d.line) == 0 {
		d.lineStart, d.lineBold = off, false
	}
	d.line = append(d.line, r)
	d.lineBold = d.lineBold || d.bold
	d.lastImage = false
	return nil
}

func (d *decoder) lf(off int) {
	start := d.lineStart
	if len(d.line) == 0 {
		start = off
	}
	d.add(Item{Kind: KindText, Offset: start, Text: string(d.line), Align: d.align,
		Bold: d.lineBold, Tall: d.tall, Wide: d.wide})
	d.line, d.lineBold = nil, false
}

func (d *decoder) esc(off int) (int, error) {
	cmd, err := d.need(off, 1, 1, "ESC")
	if err != nil {
		return 0, err
	}
	switch cmd[0] {
	case '@':
		if err := d.midLine(off, "ESC @"); err != nil {
			return 0, err
		}
		d.reset()
		d.doc.Resets = append(d.doc.Resets, off)
		d.lastImage = false
		return 2, nil
	case 't':
		a, err := d.need(off, 2, 1, "ESC t")
		if err != nil {
			return 0, err
		}
		p, ok := d.pages[int(a[0])]
		if !ok {
			return 0, d.fail(off, "ESC t %d: a code page kassa does not know", a[0])
		}
		d.page = p
		d.doc.Pages = append(d.doc.Pages, int(a[0]))
		return 3, nil
	case 'a':
		a, err := d.need(off, 2, 1, "ESC a")
		if err != nil {
			return 0, err
		}
		if err := d.midLine(off, "ESC a"); err != nil {
			return 0, err
		}
		switch a[0] {
		case 0, '0':
			d.align = escpos.Left
		case 1, '1':
			d.align = escpos.Center
		case 2, '2':
			d.align = escpos.Right
		default:
			return 0, d.fail(off, "ESC a %d: no such alignment", a[0])
		}
		return 3, nil
	case 'E':
		a, err := d.need(off, 2, 1, "ESC E")
		if err != nil {
			return 0, err
		}
		d.bold = a[0]&1 == 1
		return 3, nil
	}
	return 0, d.fail(off, "ESC 0x%02X is not a command kassa sends", cmd[0])
}

func (d *decoder) gs(off int) (int, error) {
	cmd, err := d.need(off, 1, 1, "GS")
	if err != nil {
		return 0, err
	}
	switch cmd[0] {
	case '!':
		a, err := d.need(off, 2, 1, "GS !")
		if err != nil {
			return 0, err
		}
		w, h := a[0]>>4, a[0]&0x0F
		if w > 1 || h > 1 {
			return 0, d.fail(off, "GS ! 0x%02X: kassa prints single and double sizes only", a[0])
		}
		d.wide, d.tall = w == 1, h == 1
		return 3, nil
	case 'V':
		return d.cut(off)
	case 'v':
		return d.raster(off)
	case '(':
		return d.qr(off)
	}
	return 0, d.fail(off, "GS 0x%02X is not a command kassa sends", cmd[0])
}

func (d *decoder) cut(off int) (int, error) {
	a, err := d.need(off, 2, 1, "GS V")
	if err != nil {
		return 0, err
	}
	if err := d.midLine(off, "GS V"); err != nil {
		return 0, err
	}
	n := 3
	switch a[0] {
	case 0, 1, '0', '1':
	case 65, 66: // feed n and cut
		if _, err := d.need(off, 3, 1, "GS V"); err != nil {
			return 0, err
		}
		n = 4
	default:
		return 0, d.fail(off, "GS V %d: no such cut", a[0])
	}
	d.add(Item{Kind: KindCut, Offset: off})
	return n, nil
}

func (d *decoder) raster(off int) (int, error) {
	h, err := d.need(off, 2, 6, "GS v 0")
	if err != nil {
		return 0, err
	}
	if h[0] != '0' {
		return 0, d.fail(off, "GS v 0x%02X is not a command kassa sends", h[0])
	}
	if m := h[1]; m != 0 && m != '0' {
		return 0, d.fail(off, "GS v 0 mode %d: kassa sends images at normal size", m)
	}
	if err := d.midLine(off, "GS v 0"); err != nil {
		return 0, err
	}
	x, y := int(h[2])|int(h[3])<<8, int(h[4])|int(h[5])<<8
	if x == 0 || y == 0 {
		return 0, d.fail(off, "GS v 0 of %d bytes by %d rows: empty", x, y)
	}
	bits, err := d.need(off, 8, x*y, "GS v 0 data")
	if err != nil {
		return 0, err
	}
	items := d.doc.Items
	if last := len(items) - 1; d.lastImage && items[last].Image.Width == 8*x && items[last].Align == d.align {
		m := items[last].Image
		m.bits = append(m.bits, bits...)
		m.Height += y
		m.Bands++
	} else {
		d.add(Item{Kind: KindImage, Offset: off, Align: d.align,
			Image: &Image{Width: 8 * x, Height: y, Bands: 1, bits: append([]byte(nil), bits...)}})
	}
	return 8 + x*y, nil
}

func (d *decoder) qr(off int) (int, error) {
	h, err := d.need(off, 2, 5, "GS (")
	if err != nil {
		return 0, err
	}
	if h[0] != 'k' {
		return 0, d.fail(off, "GS ( 0x%02X is not a command kassa sends", h[0])
	}
	n := int(h[1]) | int(h[2])<<8
	if n < 2 {
		return 0, d.fail(off, "GS ( k with %d bytes of parameters: cn and fn need 2", n)
	}
	if h[3] != '1' {
		return 0, d.fail(off, "GS ( k cn %d: kassa sends QR codes (49) only", h[3])
	}
	args, err := d.need(off, 7, n-2, "GS ( k")
	if err != nil {
		return 0, err
	}
	one := func(lo, hi byte) (byte, error) {
		if len(args) != 1 || args[0] < lo || args[0] > hi {
			return 0, d.fail(off, "GS ( k fn %d: parameters % X out of range", h[4], args)
		}
		return args[0], nil
	}
	switch h[4] {
	case 'A': // <Function 165> model
		if len(args) != 2 || args[0] < '1' || args[0] > '3' || args[1] != 0 {
			return 0, d.fail(off, "GS ( k model: parameters % X out of range", args)
		}
		d.model = int(args[0] - '0')
	case 'C': // <Function 167> module size
		m, err := one(1, 16)
		if err != nil {
			return 0, err
		}
		d.module = int(m)
	case 'E': // <Function 169> error correction
		l, err := one('0', '3')
		if err != nil {
			return 0, err
		}
		d.level = "LMQH"[l-'0']
	case 'P': // <Function 180> store
		if len(args) < 1 || args[0] != '0' {
			return 0, d.fail(off, "GS ( k store: m must be 48")
		}
		d.stored, d.hasStored = append([]byte(nil), args[1:]...), true
	case 'Q': // <Function 181> print
		if _, err := one('0', '0'); err != nil {
			return 0, err
		}
		if err := d.midLine(off, "GS ( k print"); err != nil {
			return 0, err
		}
		if !d.hasStored || len(d.stored) == 0 {
			return 0, d.fail(off, "GS ( k print with no data stored")
		}
		d.add(Item{Kind: KindQR, Offset: off, Align: d.align,
			QR: &QR{Payload: string(d.stored), Model: d.model, Module: d.module, Level: d.level}})
	default:
		return 0, d.fail(off, "GS ( k fn %d is not a function kassa sends", h[4])
	}
	return 5 + n, nil
}

// Braille draws the image exactly in Unicode braille, one character for
// each 2×4 dots. Trailing blanks are cut.
func (m *Image) Braille() string {
	// The dots of a braille cell, by column and row, as bits of U+2800.
	bit := [4][2]rune{{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}}
	var b strings.Builder
	for y := 0; y < m.Height; y += 4 {
		var line []rune
		for x := 0; x < m.Width; x += 2 {
			c := rune(0x2800)
			for dy := range 4 {
				for dx := range 2 {
					if m.Black(x+dx, y+dy) {
						c |= bit[dy][dx]
					}
				}
			}
			line = append(line, c)
		}
		b.WriteString(strings.TrimRight(string(line), "\u2800"))
		b.WriteByte('\n')
	}
	return b.String()
}
