package qrcode_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	qr "github.com/skip2/go-qrcode"

	"github.com/kassa-till/kassa/ui/qrcode"
	"github.com/kassa-till/kassa/ui/qrcode/qrscan"
)

// crc16 is CRC-16/CCITT-FALSE, the checksum EMVCo puts in tag 63.
func crc16(s string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

func TestCRC16(t *testing.T) {
	if got := crc16("123456789"); got != 0x29B1 {
		t.Fatalf("crc16 check value = %04X, want 29B1", got)
	}
}

func tlv(tag, value string) string {
	if len(value) > 99 {
		panic("EMVCo value longer than 99: " + tag)
	}
	return fmt.Sprintf("%s%02d%s", tag, len(value), value)
}

// ids is a stream of upper-case hex like the invoice and reference ids in
// a real payload: letters and digits mixed, the costly kind for a QR code.
func ids(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		sum := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		b.WriteString(strings.ToUpper(hex.EncodeToString(sum[:])))
	}
	return b.String()[:n]
}

// emvcoHead is an UzQR-style merchant-presented payload up to its extra
// templates: format, dynamic QR, merchant account (GUID, invoice, QR
// name), MCC, currency 860, amount, country, merchant, city, and the
// additional data (bill number, reference label, terminal). The bill
// number has as many leading zeros as asked.
func emvcoHead(name string, zeros int) string {
	return "000201" + "010212" +
		tlv("26", tlv("00", "UZ.UZQR")+tlv("01", "INVC134B7FEFED34BC3B470B8")+tlv("02", name)) +
		tlv("52", "5411") + tlv("53", "860") + tlv("54", "125000.00") + tlv("58", "UZ") +
		tlv("59", "KASSA SHOP") + tlv("60", "TASHKENT") +
		tlv("62", tlv("01", strings.Repeat("0", zeros)+"42")+tlv("05", "KASSA1-000042")+tlv("07", name))
}

// shortestEMVCo is the length of the shortest payload emvco makes.
var shortestEMVCo = len(emvcoHead("CASH-1", 0)) + 8

// emvco is a payload of exactly n characters: emvcoHead, then templates
// 80 and up carrying ids, then the CRC in tag 63. All its characters are
// in the QR code's alphanumeric set (digits, upper case, space $%*+-./:).
func emvco(t testing.TB, n int) string {
	t.Helper()
	return emvcoNamed(t, "CASH-1", n)
}

// emvcoUnderscore is emvco with the till's QR named CASH_1: '_' is allowed
// in a QR's name and is not alphanumeric, which costs go-qrcode more than
// the byte it is (see the package doc).
func emvcoUnderscore(t testing.TB, n int) string {
	t.Helper()
	return emvcoNamed(t, "CASH_1", n)
}

func emvcoNamed(t testing.TB, name string, n int) string {
	t.Helper()
	if n < shortestEMVCo {
		t.Fatalf("no EMVCo payload of %d characters: the shortest is %d", n, shortestEMVCo)
	}
	rest := n - shortestEMVCo
	zeros := 0
	if rest < 4 {
		zeros, rest = rest, 0 // too short for a template of its own
	}
	var b strings.Builder
	b.WriteString(emvcoHead(name, zeros))
	src := ids(n)
	for tag := 80; rest > 0; tag++ {
		size := min(rest, 103) // a TLV of at most 99 characters of value
		if rest > 103 && rest < 107 {
			size = rest - 50 // leave at least a tag and a length for the next
		}
		b.WriteString(tlv(fmt.Sprint(tag), src[:size-4]))
		src, rest = src[size-4:], rest-size
	}
	b.WriteString("6304")
	s := b.String()
	return s + fmt.Sprintf("%04X", crc16(s))
}

// link is an https address of exactly n characters, lower case: byte mode.
func link(t testing.TB, n int) string {
	t.Helper()
	const base = "https://pay2.octo.uz/pay/"
	if n < len(base)+1 {
		t.Fatalf("no link of %d characters", n)
	}
	return base + strings.ToLower(ids(n-len(base)))
}

func TestPayloadBuilders(t *testing.T) {
	for n := shortestEMVCo; n < 700; n++ {
		p := emvco(t, n)
		if len(p) != n {
			t.Fatalf("emvco(%d) has %d characters", n, len(p))
		}
		if want := fmt.Sprintf("%04X", crc16(p[:n-4])); p[n-8:n-4] != "6304" || p[n-4:] != want {
			t.Fatalf("emvco(%d) ends %q, want 6304%s", n, p[n-8:], want)
		}
	}
	if got := len(link(t, 80)); got != 80 {
		t.Fatalf("link(80) has %d characters", got)
	}
}

// checkDrawing asserts what every drawing must be, and that it scans back
// to payload from its plain text alone.
func checkDrawing(t *testing.T, d qrcode.Drawing, payload string, maxW, maxH int) {
	t.Helper()
	if d.Width > maxW || d.Height > maxH {
		t.Fatalf("drawing %dx%d in an area of %dx%d", d.Width, d.Height, maxW, maxH)
	}
	if w, h := qrcode.Size(d.Modules, d.QuietZone); w != d.Width || h != d.Height {
		t.Fatalf("drawing %dx%d, Size says %dx%d", d.Width, d.Height, w, h)
	}
	if d.QuietZone < qrcode.MinQuietZone || d.QuietZone > qrcode.QuietZone || d.Modules != 17+4*d.Version {
		t.Fatalf("quiet zone %d, version %d, %d modules", d.QuietZone, d.Version, d.Modules)
	}
	if len(d.Lines) != d.Height {
		t.Fatalf("%d lines, height %d", len(d.Lines), d.Height)
	}
	for i, line := range d.Lines {
		if w := ansi.StringWidth(line); w != d.Width {
			t.Fatalf("line %d is %d cells, want %d", i, w, d.Width)
		}
		// Black on white on every cell, whatever the theme: the line sets
		// both colours before its first cell and resets after its last.
		if !strings.HasPrefix(line, "\x1b[38;2;0;0;0;48;2;255;255;255m") || !strings.HasSuffix(line, "\x1b[m") ||
			strings.Count(line, "\x1b[") != 2 {
			t.Fatalf("line %d is not one black-on-white run: %q", i, line)
		}
	}
	plain := ansi.Strip(d.String())
	got, err := qrscan.Decode(plain)
	if err != nil {
		t.Fatalf("the drawing of %d characters (version %d-%s, quiet zone %d) does not scan: %v", len(payload), d.Version, d.Level, d.QuietZone, err)
	}
	if got != payload {
		t.Fatalf("scanned %q, want %q", got, payload)
	}
}

func TestDrawScansBack(t *testing.T) {
	areas := [][2]int{{78, 19}, {80, 24}, {98, 25}, {100, 30}, {118, 35}, {120, 40}, {200, 60}}
	payloads := map[string]string{
		"monetix short link": "https://example.uz/qr",
		"octo link":          link(t, 70),
		"link 150":           link(t, 150),
		"emvco 180":          emvco(t, 180),
		"emvco 200":          emvco(t, 200),
		"emvco 250":          emvco(t, 250),
		"emvco 300":          emvco(t, 300),
		"emvco 500":          emvco(t, 500),
		"digits":             "1234567890123456789012345678901234567890",
		"cyrillic":           "Оплата в магазине «Касса», чек 000042",
	}
	drawn := 0
	for name, p := range payloads {
		for _, a := range areas {
			d, err := qrcode.Draw(p, a[0], a[1])
			if errors.Is(err, qrcode.ErrTooSmall) {
				continue // TestFitTable says where each fits
			}
			if err != nil {
				t.Fatalf("%s at %dx%d: %v", name, a[0], a[1], err)
			}
			t.Run(fmt.Sprintf("%s/%dx%d", name, a[0], a[1]), func(t *testing.T) { checkDrawing(t, d, p, a[0], a[1]) })
			drawn++
		}
	}
	if drawn < 40 {
		t.Fatalf("only %d drawings fitted", drawn)
	}
}

// TestDrawScansBackAcrossLengths sweeps the lengths a 120x40 area holds,
// so that every version from 1 to 14 is drawn and read back, at both
// levels and with the masks go-qrcode picks for them.
func TestDrawScansBackAcrossLengths(t *testing.T) {
	versions := map[int]bool{}
	for _, p := range sweep(t) {
		d, err := qrcode.Draw(p, 120, 40)
		if err != nil {
			t.Fatalf("%d characters: %v", len(p), err)
		}
		checkDrawing(t, d, p, 120, 40)
		versions[d.Version] = true
	}
	for v := 1; v <= 14; v++ {
		if !versions[v] {
			t.Errorf("no payload was drawn at version %d", v)
		}
	}
}

func sweep(t *testing.T) []string {
	var ps []string
	for n := 1; n <= 458; n += max(5, n/4) {
		ps = append(ps, strings.Repeat("k", n), link(t, max(n, 26)))
	}
	for n := shortestEMVCo; n <= 668; n += 41 {
		ps = append(ps, emvco(t, n), emvcoUnderscore(t, min(n, 657)))
	}
	return ps
}

// TestDrawChoosesLevelAndQuietZone offers one payload the area each
// choice needs, in the order of preference (M with the quiet zone
// shrinking from 4 to 2, then L the same way), and expects the first
// choice that fits; then areas a cell too small, which say how much the
// smallest choice needs.
func TestDrawChoosesLevelAndQuietZone(t *testing.T) {
	p := emvco(t, 250)
	m, _ := qr.New(p, qr.Medium)
	l, _ := qr.New(p, qr.Low)
	nM, nL := 17+4*m.VersionNumber, 17+4*l.VersionNumber
	if nM <= nL {
		t.Fatalf("the payload takes the same version at M and L (%d): pick another", m.VersionNumber)
	}
	type choice struct {
		level   qrcode.Level
		zone, n int
	}
	prefs := []choice{{qrcode.LevelM, 4, nM}, {qrcode.LevelM, 3, nM}, {qrcode.LevelM, 2, nM}, {qrcode.LevelL, 4, nL}, {qrcode.LevelL, 3, nL}, {qrcode.LevelL, 2, nL}}
	seen := map[choice]bool{}
	for _, c := range prefs {
		w, h := qrcode.Size(c.n, c.zone)
		// Tight in both directions, then tight in one with room in the other.
		for _, area := range [][2]int{{w, h}, {w, h + 100}, {w + 100, h}} {
			var want choice
			for _, first := range prefs {
				if fw, fh := qrcode.Size(first.n, first.zone); fw <= area[0] && fh <= area[1] {
					want = first
					break
				}
			}
			d, err := qrcode.Draw(p, area[0], area[1])
			if err != nil {
				t.Fatalf("%dx%d: %v", area[0], area[1], err)
			}
			if got := (choice{d.Level, d.QuietZone, d.Modules}); got != want {
				t.Fatalf("%dx%d: drawn %+v, want %+v", area[0], area[1], got, want)
			}
			seen[want] = true
			checkDrawing(t, d, p, area[0], area[1])
		}
	}
	// The largest L code is as big as the M code one version up with a
	// quiet zone of 2, so L with the full quiet zone is never chosen: L
	// comes only when it is what makes the code fit.
	for _, c := range []choice{prefs[0], prefs[1], prefs[2], prefs[4], prefs[5]} {
		if !seen[c] {
			t.Errorf("%+v was never chosen", c)
		}
	}
	needW, needH := qrcode.Size(nL, 2)
	for _, area := range [][2]int{{needW - 1, needH}, {needW, needH - 1}, {needW - 1, 1000}, {1000, needH - 1}, {0, 0}} {
		d, err := qrcode.Draw(p, area[0], area[1])
		var small *qrcode.TooSmallError
		if !errors.As(err, &small) || !errors.Is(err, qrcode.ErrTooSmall) {
			t.Fatalf("%dx%d: err = %v, want a TooSmallError", area[0], area[1], err)
		}
		if d.Lines != nil || d.Width != 0 {
			t.Fatalf("%dx%d: a drawing came with the error: %dx%d", area[0], area[1], d.Width, d.Height)
		}
		if *small != (qrcode.TooSmallError{Width: area[0], Height: area[1], NeedWidth: needW, NeedHeight: needH}) {
			t.Fatalf("%dx%d: %+v, want a need of %dx%d", area[0], area[1], *small, needW, needH)
		}
	}
}

func TestDrawRefusesWhatCannotBeACode(t *testing.T) {
	if _, err := qrcode.Draw("", 200, 200); !errors.Is(err, qrcode.ErrEmpty) {
		t.Fatalf("empty payload: %v", err)
	}
	// 2954 bytes: one more than a version-40 L code holds.
	if _, err := qrcode.Draw(strings.Repeat("a", 2954), 1000, 1000); !errors.Is(err, qrcode.ErrTooLong) {
		t.Fatalf("2954 bytes: %v", err)
	}
	if d, err := qrcode.Draw(strings.Repeat("a", 2953), 1000, 1000); err != nil || d.Version != 40 || d.Level != qrcode.LevelL {
		t.Fatalf("2953 bytes: version %d-%s, %v; want 40-L", d.Version, d.Level, err)
	}
}

// fit is a row of the table in the package's doc comment: the longest
// payload of each shape that fits (0: not even the shortest) and the
// largest version that fits; emvcoM4 is the longest EMVCo payload drawn
// at its best, with M and the full quiet zone.
type fit struct {
	w, h                    int
	emvco, underscore, link int
	version                 int
	emvcoM4                 int
}

// fitTable is the package doc's table; TestFitTable measures it again.
var fitTable = []fit{
	{78, 19, 0, 0, 78, 4, 0},
	{80, 24, 203, 196, 134, 6, 0},
	{98, 25, 231, 225, 154, 7, 0},
	{100, 30, 339, 334, 230, 9, 227},
	{118, 35, 536, 527, 367, 12, 371},
	{120, 40, 668, 657, 458, 14, 486},
}

// largest is the largest version whose code fits w x h with the quiet zone.
func largest(w, h, zone int) int {
	v := 0
	for v < 40 {
		if cw, ch := qrcode.Size(17+4*(v+1), zone); cw > w || ch > h {
			break
		}
		v++
	}
	return v
}

// longest is the first length from lo at which make no longer fits a code
// of version v or less at level, minus one: every shorter payload fits.
func longest(lo, v int, level qr.RecoveryLevel, make func(int) string) int {
	for n := lo; ; n++ {
		code, err := qr.New(make(n), level)
		if err != nil || code.VersionNumber > v {
			return n - 1
		}
	}
}

// TestFitTable measures which payload lengths fit which areas, cheaply
// through the encoder, then proves each row's edges with Draw: the longest
// payload is drawn and scans, one character more is too small.
func TestFitTable(t *testing.T) {
	shapes := []struct {
		name string
		lo   int
		make func(int) string
		col  func(*fit) *int
	}{
		{"emvco", shortestEMVCo, func(n int) string { return emvco(t, n) }, func(f *fit) *int { return &f.emvco }},
		{"emvco with _", shortestEMVCo, func(n int) string { return emvcoUnderscore(t, n) }, func(f *fit) *int { return &f.underscore }},
		{"link", 30, func(n int) string { return link(t, n) }, func(f *fit) *int { return &f.link }},
	}
	for _, row := range fitTable {
		got := fit{w: row.w, h: row.h, version: largest(row.w, row.h, qrcode.MinQuietZone)}
		for _, s := range shapes {
			if n := longest(s.lo, got.version, qr.Low, s.make); n >= s.lo {
				*s.col(&got) = n
			}
		}
		if n := longest(shortestEMVCo, largest(row.w, row.h, qrcode.QuietZone), qr.Medium, shapes[0].make); n >= shortestEMVCo {
			got.emvcoM4 = n
		}
		if got != row {
			t.Errorf("measured %+v, the doc says %+v", got, row)
			continue
		}
		for _, s := range shapes {
			n := *s.col(&row)
			next := s.lo // not even the shortest fits
			if n > 0 {
				p := s.make(n)
				d, err := qrcode.Draw(p, row.w, row.h)
				if err != nil {
					t.Fatalf("%s of %d at %dx%d: %v", s.name, n, row.w, row.h, err)
				}
				checkDrawing(t, d, p, row.w, row.h)
				next = n + 1
			}
			if _, err := qrcode.Draw(s.make(next), row.w, row.h); !errors.Is(err, qrcode.ErrTooSmall) {
				t.Fatalf("%s of %d at %dx%d: err = %v, want too small", s.name, next, row.w, row.h, err)
			}
		}
		if row.emvcoM4 > 0 {
			p := emvco(t, row.emvcoM4)
			d, err := qrcode.Draw(p, row.w, row.h)
			if err != nil || d.Level != qrcode.LevelM || d.QuietZone != qrcode.QuietZone {
				t.Fatalf("emvco of %d at %dx%d: %s with a quiet zone of %d, %v; want M and %d", row.emvcoM4, row.w, row.h, d.Level, d.QuietZone, err, qrcode.QuietZone)
			}
		}
	}
}

// TestRealisticUzQRFits is the requirement itself: a 200 to 300 character
// UzQR payload fits the whole frame at 100x30 and the body at 120x40.
func TestRealisticUzQRFits(t *testing.T) {
	for _, a := range [][2]int{{100, 30}, {118, 35}, {120, 40}} {
		for _, n := range []int{200, 250, 300} {
			p := emvco(t, n)
			d, err := qrcode.Draw(p, a[0], a[1])
			if err != nil {
				t.Fatalf("%d characters at %dx%d: %v", n, a[0], a[1], err)
			}
			checkDrawing(t, d, p, a[0], a[1])
		}
	}
}

// TestScanFindsTheCodeOnAWholeScreen puts a drawing in a screen the way a
// till's would be: a header above, the amount and other text beside it,
// wide and Cyrillic characters on its rows, help below.
func TestScanFindsTheCodeOnAWholeScreen(t *testing.T) {
	p := emvco(t, 260)
	d, err := qrcode.Draw(p, 100, 30)
	if err != nil {
		t.Fatal(err)
	}
	side := lipgloss.NewStyle().Bold(true).Render("К оплате\n\n125 000,00 сум\n\nосталось 2:57\n\n██ 進行中 ██\n▀▀▀▀▀▀▀▀")
	left := strings.Repeat("│ 支払い\n", d.Height)
	screen := lipgloss.JoinVertical(lipgloss.Left,
		"kassa  ·  UzQR  ·  Кассир: Айгерим                    DEMO",
		"────────────────────────────────────────────────────────────",
		lipgloss.JoinHorizontal(lipgloss.Top, left, " ", d.String(), "  ", side),
		"esc cancel • f1 more",
	)
	got, err := qrscan.Decode(ansi.Strip(screen))
	if err != nil {
		t.Fatalf("%v\n%s", err, ansi.Strip(screen))
	}
	if got != p {
		t.Fatalf("scanned %q, want %q", got, p)
	}
	// The styled view reads the same: Decode strips the colours itself.
	if got, err := qrscan.Decode(screen); err != nil || got != p {
		t.Fatalf("styled screen: %q, %v", got, err)
	}
}

// BenchmarkDraw300At100x30 is the cost of drawing a realistic UzQR code.
func BenchmarkDraw300At100x30(b *testing.B) {
	p := emvco(b, 300)
	for b.Loop() {
		if _, err := qrcode.Draw(p, 100, 30); err != nil {
			b.Fatal(err)
		}
	}
}

// A UzQR gateway's payload of 298 characters, lower case in its scheme's
// domain (as an independent gateway stand-in sends it), fits the body of a
// 100x30 screen beside its panel and scans.
func TestALowerCaseEMVCoPayloadFits100x30(t *testing.T) {
	p := "00020101021226760011uz.cbu.uzqr01116r1H0U3Z38n0209301234567032020208000900123456001040501180520454115303860540848500.005802UZ5915KASSA DEMO SHOP6008TASHKENT610610000062590125INVC25F1142B9E3B138D964860306CASH_10705till10807PAYMENT80570011uz.cbu.uzqr0114202612021541060214202612021544060302v163042EC8"
	d, err := qrcode.Draw(p, 100-28, 30)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version > 9 {
		t.Fatalf("version %d: mixed segments fit 9", d.Version)
	}
	if got, err := qrscan.Decode(d.String()); err != nil || got != p {
		t.Fatalf("decoded %q, %v", got, err)
	}
}
