package escpos

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
)

// The command bytes, from Epson's ESC/POS Application Programming Guide.
const (
	esc = 0x1B
	gs  = 0x1D
	lf  = 0x0A
)

// Limits the commands set.
const (
	// bandRows is the most rows one GS v 0 carries. The command's own
	// limit is yL + yH×256 ≤ 2303 on Epson, 4095 on others, but some
	// clones take no more than 343; 255 keeps yH at 0 for all of them.
	bandRows = 255
	// qrMaxData is the most bytes GS ( k <Function 180> stores:
	// 4 ≤ pL + pH×256 ≤ 7092, three of them cn fn m.
	qrMaxData = 7092 - 3
	// cutFeed is the lines fed before the cut, so the last line printed
	// clears the cutter, which sits above the head.
	cutFeed = 4
)

// Report is what a print could not show as it was given. Each character is
// listed once, in order of first appearance.
type Report struct {
	// Missing printed as '?': the code page (Text mode) or the font
	// (Raster mode) lacks it, or it is a control character.
	Missing []rune
	// Replaced printed as something close: ʻ and ʼ as ', ₸ as the
	// profile's Tenge, typographic dashes and quotes as - and ".
	Replaced []rune
}

func (r *Report) missing(c rune) {
	if !slices.Contains(r.Missing, c) {
		r.Missing = append(r.Missing, c)
	}
}

func (r *Report) replaced(c rune) {
	if !slices.Contains(r.Replaced, c) {
		r.Replaced = append(r.Replaced, c)
	}
}

// Encode writes d for the printer p describes, in one Write: ESC @, in Text
// mode ESC t with the code page's number, the items, and a feed and cut at
// the end (unless d already ends with a cut). A character that cannot be
// printed does not stop the print: it is replaced and reported. The error
// is for an invalid profile, a QR code too long to print, or the write.
func Encode(w io.Writer, p Profile, d *Doc) (Report, error) {
	b, rep, err := Bytes(p, d)
	if err != nil {
		return rep, err
	}
	_, err = w.Write(b)
	return rep, err
}

// Bytes is what Encode writes.
func Bytes(p Profile, d *Doc) ([]byte, Report, error) {
	if err := p.Validate(); err != nil {
		return nil, Report{}, err
	}
	e := &encoder{p: p}
	e.out = append(e.out, esc, '@')
	if p.Mode == Text {
		e.out = append(e.out, esc, 't', byte(p.PageNumber()))
	}
	items := d.items
	if len(items) == 0 || items[len(items)-1].kind != itemCut {
		items = append(slices.Clip(items), item{kind: itemCut})
	}
	for i, it := range items {
		if err := e.item(it); err != nil {
			return nil, e.rep, fmt.Errorf("escpos: item %d: %w", i, err)
		}
	}
	return e.out, e.rep, nil
}

// encoder is one Encode: the bytes so far, what the printer was last told
// (Encode sends a setting only when it changes), and the raster rows not
// yet sent.
type encoder struct {
	p    Profile
	out  []byte
	rep  Report
	font *renderer // Raster mode's, made at the first line

	align Align
	bold  bool
	size  byte // GS ! n

	rows []byte // raster rows of Dots/8 bytes, waiting for GS v 0
}

func (e *encoder) item(it item) error {
	switch it.kind {
	case itemText:
		if e.p.Mode == Raster {
			return e.rasterLine(it.text, it.style)
		}
		e.textLine(it.text, it.style)
	case itemQR:
		return e.qr(it.text)
	case itemFeed:
		if e.p.Mode == Raster {
			r, err := e.renderer()
			if err != nil {
				return err
			}
			e.rows = append(e.rows, make([]byte, it.n*r.height*e.stride())...)
			return nil
		}
		e.feed(it.n)
	case itemCut:
		e.feed(cutFeed)
		e.out = append(e.out, gs, 'V', 1) // partial cut (function A)
	}
	return nil
}

// feed sends n empty lines of the normal height.
func (e *encoder) feed(n int) {
	e.flush()
	e.setAlign(Left)
	e.setBold(false)
	e.setSize(Style{})
	e.out = append(e.out, bytes.Repeat([]byte{lf}, n)...)
}

func (e *encoder) setAlign(a Align) {
	if a != e.align {
		e.out = append(e.out, esc, 'a', byte(a))
		e.align = a
	}
}

func (e *encoder) setBold(b bool) {
	if b != e.bold {
		n := byte(0)
		if b {
			n = 1
		}
		e.out = append(e.out, esc, 'E', n)
		e.bold = b
	}
}

func (e *encoder) setSize(st Style) {
	var n byte
	if st.Wide {
		n |= 0x10
	}
	if st.Tall {
		n |= 0x01
	}
	if n != e.size {
		e.out = append(e.out, gs, '!', n)
		e.size = n
	}
}

// textLine sends s as characters of the profile's code page.
func (e *encoder) textLine(s string, st Style) {
	e.flush()
	e.setAlign(st.Align)
	e.setBold(st.Bold)
	e.setSize(st)
	cp := e.p.CodePage
	for _, r := range s {
		if b, ok := cp.Encode(r); ok {
			e.out = append(e.out, b)
			continue
		}
		alt, ok := standIns[r]
		if r == '₸' {
			alt, ok = e.p.Tenge, true
		}
		if ok && cp.Has(alt) {
			for _, a := range alt {
				b, _ := cp.Encode(a)
				e.out = append(e.out, b)
			}
			e.rep.replaced(r)
			continue
		}
		e.out = append(e.out, '?')
		e.rep.missing(r)
	}
	e.out = append(e.out, lf)
}

func (e *encoder) stride() int { return e.p.Dots / 8 }

// flush sends the raster rows waiting, in bands of at most bandRows.
func (e *encoder) flush() {
	if len(e.rows) == 0 {
		return
	}
	e.setAlign(Left) // the image is the paper's width: nothing to align
	stride := e.stride()
	for rest := e.rows; len(rest) > 0; {
		h := min(len(rest)/stride, bandRows)
		e.out = append(e.out, gs, 'v', '0', 0, byte(stride), byte(stride>>8), byte(h), byte(h>>8))
		e.out = append(e.out, rest[:h*stride]...)
		rest = rest[h*stride:]
	}
	e.rows = e.rows[:0]
}

// errQRTooLong is a payload no QR code holds at level M.
var errQRTooLong = errors.New("QR code payload too long")

// qr sends a QR code of payload, centred: GS ( k where the printer has it,
// as raster rows otherwise.
func (e *encoder) qr(payload string) error {
	q, err := newQR(payload)
	if err != nil {
		return err
	}
	module := qrModule(e.p.Dots, q.size())
	if module < minQRModule {
		return fmt.Errorf("a QR code of %d modules does not fit %d dots", q.size(), e.p.Dots)
	}
	if !e.p.NativeQR {
		e.rows = q.raster(e.rows, e.p.Dots, module)
		return nil
	}
	if len(payload) > qrMaxData {
		return errQRTooLong
	}
	e.flush()
	e.setAlign(Center)
	fn := func(fn byte, args ...byte) {
		n := len(args) + 2 // cn and fn
		e.out = append(e.out, gs, '(', 'k', byte(n), byte(n>>8), '1', fn)
		e.out = append(e.out, args...)
	}
	fn('A', '2', 0)                             // <Function 165> model 2
	fn('C', byte(module))                       // <Function 167> module size in dots
	fn('E', '1')                                // <Function 169> error correction M
	fn('P', append([]byte{'0'}, payload...)...) // <Function 180> store
	fn('Q', '0')                                // <Function 181> print
	return nil
}
