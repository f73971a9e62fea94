// Package qrcode draws a payment QR code in a terminal, for providers whose
// customer scans a code the till shows: UzQR's qr_text (an EMVCo
// merchant-presented payload), Monetix's qr_data link, OCTO's octo_pay_url.
//
// One module is one column wide and half a row high: a cell holds two
// modules one above the other as a half block ('█' both dark, '▀' top,
// '▄' bottom, ' ' neither), so with the usual cells twice as high as wide
// every module is square. Every cell is black on white whatever the
// terminal's theme, and the plain text alone says which halves are dark.
// The code is never cut or squeezed: when the area is too small, Draw
// says so and how much it needs, and the caller shows a sentence instead.
//
// The terminal's height is what limits the code: a terminal is always
// much wider than high in modules, so a screen showing a code puts the
// amount and the time left beside it, not above or below. The longest
// payloads that fit, measured by TestFitTable (every shorter one fits):
//
//	area    what it is                    EMVCo  EMVCo_  link  largest code   EMVCo at M, zone 4
//	78x19   80x24 less header and help        -       -    78  v4, 33 mods    -
//	80x24   80x24, the whole frame          203     196   134  v6, 41 mods    -
//	98x25   100x30 less header and help     231     225   154  v7, 45 mods    -
//	100x30  100x30, the whole frame         339     334   230  v9, 53 mods    227
//	118x35  120x40 less header and help     536     527   367  v12, 65 mods   371
//	120x40  120x40, the whole frame         668     657   458  v14, 73 mods   486
//
// "Less header and help" is kassa's frame: two columns of margin, two
// header lines, a help line and a blank line either side of the body.
// EMVCo is an UzQR-style payload of upper-case letters, digits and
// " .-" with a real CRC, 175 characters at the shortest; EMVCo_ is the
// same with the QR's name CASH_1 in it; link is a lower-case https
// address like OCTO's octo_pay_url (byte mode). These are reached with
// error correction L and a quiet zone of 2; the last column is the
// longest EMVCo payload still drawn at M with the full quiet zone.
//
// So a realistic UzQR payload of 200 to 300 characters needs the whole
// frame at 100x30 (or the body at 120x40); at 80x24 only the whole frame
// holds one, up to about 200 characters.
//
// go-qrcode refused, below version 10, any payload of more than 255 bytes
// with a character outside the alphanumeric set (lower case, '_', ...),
// such as a UzQR payload with the reverse-domain name of its scheme: kassa
// builds it from a patched copy (ui/qrcode/goqrcode, README.kassa.md), so
// such payloads take the version their mixed segments need.
package qrcode

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	qr "github.com/skip2/go-qrcode"
)

// Level is the error correction level a code is drawn with.
type Level int

// The levels Draw uses: M where it fits, L only when that is what makes it
// fit. A code on a screen is not scratched or soiled, so L scans as well;
// M is kept where it costs nothing for screens with glare or dead pixels.
const (
	LevelM Level = iota
	LevelL
)

func (l Level) String() string {
	if l == LevelL {
		return "L"
	}
	return "M"
}

func (l Level) recovery() qr.RecoveryLevel {
	if l == LevelL {
		return qr.Low
	}
	return qr.Medium
}

// Quiet zones, in modules on each side: the standard asks for 4, and phone
// scanners read a code on a screen with 2.
const (
	QuietZone    = 4
	MinQuietZone = 2
)

// ErrTooSmall is what a TooSmallError matches with errors.Is.
var ErrTooSmall = errors.New("qrcode: the area is too small for a scannable code")

// ErrTooLong means the payload does not fit in the largest QR code at all.
var ErrTooLong = errors.New("qrcode: the payload is too long for a QR code")

// ErrEmpty means there is nothing to draw.
var ErrEmpty = errors.New("qrcode: the payload is empty")

// TooSmallError says that the area offered cannot hold the code, and the
// smallest area that can (error correction L, the minimal quiet zone).
type TooSmallError struct {
	Width, Height         int // the area offered, in cells
	NeedWidth, NeedHeight int // the smallest area that holds the code
}

func (e *TooSmallError) Error() string {
	return fmt.Sprintf("qrcode: the code needs %dx%d cells, the area is %dx%d", e.NeedWidth, e.NeedHeight, e.Width, e.Height)
}

// Is makes errors.Is(err, ErrTooSmall) true.
func (e *TooSmallError) Is(target error) bool { return target == ErrTooSmall }

// Drawing is a QR code ready to print.
type Drawing struct {
	// Lines are the rows of cells, each Width cells wide, each setting its
	// own colours and resetting them at its end, so that layout functions
	// that split and join lines keep them.
	Lines []string
	// Width and Height are in cells, the quiet zone included.
	Width, Height int
	Level         Level
	Version       int // 1 to 40
	Modules       int // modules on a side of the code itself
	QuietZone     int // modules of white on each side
}

// String is the drawing as one block of text.
func (d Drawing) String() string { return strings.Join(d.Lines, "\n") }

// cell is the colour of every cell of a code: not a theme colour, it is
// what makes the code scan. Bubble Tea brings the colours down to what the
// terminal can show (256 colours: 16 and 231, which themes leave alone).
var cell = lipgloss.NewStyle().Foreground(lipgloss.Color("#000000")).Background(lipgloss.Color("#FFFFFF"))

// Size is the area in cells a code of so many modules takes with the quiet
// zone given: a column per module, two modules per row.
func Size(modules, quietZone int) (width, height int) {
	side := modules + 2*quietZone
	return side, (side + 1) / 2
}

// Draw encodes payload exactly as given and draws it in at most maxWidth
// by maxHeight cells: error correction M with a quiet zone of 4, shrinking
// the quiet zone down to 2 before trying L the same way. When none fits it
// returns a *TooSmallError, never a code with modules cut or squeezed.
// Draw is pure but not cheap: a few milliseconds for an UzQR payload
// (BenchmarkDraw300At100x30), nearly all of it go-qrcode building the
// code. A screen draws when the payload or its area changes and keeps the
// result for View; an area too small is found out without building.
func Draw(payload string, maxWidth, maxHeight int) (Drawing, error) {
	if payload == "" {
		return Drawing{}, ErrEmpty
	}
	tooSmall := &TooSmallError{Width: maxWidth, Height: maxHeight}
	for _, level := range []Level{LevelM, LevelL} {
		code, err := qr.New(payload, level.recovery())
		if err != nil {
			continue // too long at M can still fit at L
		}
		// The version says the size; only the code drawn is built, which is
		// what takes the time.
		n := 17 + 4*code.VersionNumber
		for zone := QuietZone; zone >= MinQuietZone; zone-- {
			if w, h := Size(n, zone); w <= maxWidth && h <= maxHeight {
				code.DisableBorder = true
				return render(code.Bitmap(), zone, level, code.VersionNumber), nil
			}
		}
		tooSmall.NeedWidth, tooSmall.NeedHeight = Size(n, MinQuietZone)
	}
	if tooSmall.NeedWidth == 0 {
		return Drawing{}, ErrTooLong
	}
	return Drawing{}, tooSmall
}

// HalfBlock is the cell that shows two pixels one above the other: '█'
// both dark, '▀' the top, '▄' the bottom, ' ' neither.
func HalfBlock(top, bottom bool) rune {
	switch {
	case top && bottom:
		return '█'
	case top:
		return '▀'
	case bottom:
		return '▄'
	}
	return ' '
}

// render draws bits (the code without its quiet zone) inside a quiet zone
// of zone modules. The side is odd, so the last row's lower halves are one
// more module of quiet zone.
func render(bits [][]bool, zone int, level Level, version int) Drawing {
	n := len(bits)
	w, h := Size(n, zone)
	dark := func(x, y int) bool {
		x, y = x-zone, y-zone
		return x >= 0 && y >= 0 && x < n && y < n && bits[y][x]
	}
	lines := make([]string, h)
	var b strings.Builder
	for row := range h {
		b.Reset()
		for x := range w {
			b.WriteRune(HalfBlock(dark(x, 2*row), dark(x, 2*row+1)))
		}
		lines[row] = cell.Render(b.String())
	}
	return Drawing{Lines: lines, Width: w, Height: h, Level: level, Version: version, Modules: n, QuietZone: zone}
}
