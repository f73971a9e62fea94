// Package escpos turns a receipt into the bytes an ESC/POS thermal printer
// takes: Epson's and the clones shops in Kazakhstan and Uzbekistan have
// (Xprinter, Rongta, HPRT, Sunmi-class 58 and 80 mm printers).
//
// The till fills a Doc with lines already laid out to the printer's
// columns (receipts.Render), headings, QR codes, feeds and cuts, and
// Encode writes it for a Profile: the paper's width in dots and columns,
// and how text is printed.
//
// In Raster mode, the default, every line is drawn with the embedded
// DejaVu Sans Mono and sent as an image (GS v 0), so every Kazakh and
// Uzbek letter and ₸ prints on any printer. In Text mode lines are sent as
// characters of the printer's code page (CP866, Windows-1251 or KZ-1048,
// chosen with ESC t): faster and sharper, but only KZ-1048 has the Kazakh
// letters, and only Epson offers it. What a code page (or the font) lacks
// is replaced and listed in the Report, so the caller can warn.
//
// The commands sent, all from Epson's ESC/POS reference: ESC @ (reset),
// ESC t (code page), ESC a (alignment), ESC E (bold), GS ! (character
// size), LF, GS v 0 (raster image), GS ( k (QR code, where the profile says
// the printer has it) and GS V (cut). Package decode reads them back, for
// tests.
package escpos

import (
	"fmt"
	"strings"
)

// Mode is how text reaches the paper.
type Mode string

const (
	// Raster draws text with the embedded font and sends it as images:
	// every letter prints, on every printer.
	Raster Mode = "raster"
	// Text sends characters in the profile's code page, for the printer's
	// own font to draw.
	Text Mode = "text"
)

// Modes lists the modes, the default first.
var Modes = []Mode{Raster, Text}

// ParseMode reads a mode as a user writes it: "raster" or "text".
func ParseMode(s string) (Mode, error) {
	m := Mode(strings.ToLower(strings.TrimSpace(s)))
	if m != Raster && m != Text {
		return "", fmt.Errorf("escpos: printer mode %q: use raster or text", s)
	}
	return m, nil
}

// Paper widths the profiles are made for, in millimetres.
const (
	Paper58 = 58
	Paper80 = 80
)

// Profile is what Encode needs to know of a printer.
type Profile struct {
	// Dots is the printable width in dots: 384 on 58 mm paper, 576 on
	// 80 mm (203 dpi heads). A multiple of 8.
	Dots int
	// Columns is how many characters a line holds: 32 on 58 mm, 48 on
	// 80 mm (the printer's font A, 12 dots a character). Raster mode draws
	// that many across Dots.
	Columns int
	Mode    Mode
	// CodePage is the table text is sent in, in Text mode.
	CodePage CodePage
	// CodePageNumber is the n of ESC t n that selects CodePage on this
	// printer; makers number their tables differently. 0 means
	// CodePage.EpsonNumber().
	CodePageNumber int
	// NativeQR says the printer draws QR codes itself (GS ( k). Otherwise
	// a QR code is sent as an image, which every printer prints.
	NativeQR bool
	// Tenge is what ₸ prints as in Text mode, where no code page has it:
	// "T", "тг" or "тенге". Raster mode draws ₸ itself.
	Tenge string
}

// NewProfile is the profile of a printer for paper 58 or 80 mm wide: its
// dots and columns, Raster mode, CP866 as the text code page with Epson's
// number, QR codes as images, and ₸ as "T" in text.
func NewProfile(paperMM int) (Profile, error) {
	p := Profile{Mode: Raster, CodePage: CP866, Tenge: "T"}
	switch paperMM {
	case Paper58:
		p.Dots, p.Columns = 384, 32
	case Paper80:
		p.Dots, p.Columns = 576, 48
	default:
		return Profile{}, fmt.Errorf("escpos: paper %d mm: use %d or %d", paperMM, Paper58, Paper80)
	}
	return p, nil
}

// Limits of a profile. A raster row is sent as Dots/8 bytes; no thermal
// printer kassa meets is wider than 104 mm (832 dots). A character
// narrower than 8 dots is no longer legible on paper.
const (
	minDots     = 64
	maxDots     = 832
	minCellDots = 8
)

// Validate says what is wrong with p, if anything.
func (p Profile) Validate() error {
	if p.Dots < minDots || p.Dots > maxDots || p.Dots%8 != 0 {
		return fmt.Errorf("escpos: %d dots wide: use a multiple of 8 from %d to %d (384 for 58 mm, 576 for 80 mm)", p.Dots, minDots, maxDots)
	}
	if p.Columns < 1 || p.Dots/p.Columns < minCellDots {
		return fmt.Errorf("escpos: %d columns in %d dots: a character needs at least %d dots", p.Columns, p.Dots, minCellDots)
	}
	if p.Mode != Raster && p.Mode != Text {
		return fmt.Errorf("escpos: printer mode %q: use raster or text", p.Mode)
	}
	if !p.CodePage.known() {
		return fmt.Errorf("escpos: code page %q: use cp866, cp1251 or kz1048", p.CodePage)
	}
	if p.CodePageNumber < 0 || p.CodePageNumber > 255 {
		return fmt.Errorf("escpos: code page number %d: ESC t takes 0 to 255", p.CodePageNumber)
	}
	if p.Tenge == "" {
		return fmt.Errorf("escpos: no text for ₸: use T, тг or тенге")
	}
	for _, r := range p.Tenge {
		if _, ok := p.CodePage.Encode(r); !ok {
			return fmt.Errorf("escpos: ₸ as %q: %s has no %q", p.Tenge, p.CodePage, r)
		}
	}
	return nil
}

// PageNumber is the n of the ESC t n Encode sends in Text mode.
func (p Profile) PageNumber() int {
	if p.CodePageNumber == 0 {
		return p.CodePage.EpsonNumber()
	}
	return p.CodePageNumber
}

// cell is the width of one character in dots when drawn.
func (p Profile) cell() int { return p.Dots / p.Columns }
