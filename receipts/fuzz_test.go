package receipts

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Provider and shop texts as they come: the seed's samples, and what the
// network or a careless config could put in them.
var dirtyTexts = []string{
	"Kaspi Gold-ман сатып алу. Мақұлданды",
	" Алматы қ.",
	"12\u00a0500\u00a0₸",
	"- 1 ₸",
	"Kaspi\x1b[31m Mark\x1dV\x00",
	"Қонаев 11,\n\t6\u202e",
	"Aigerim\r\n\x1b@",
	"\x1b]8;;http://x\x07link\x1b]8;;\x07",
	"\x1bP1;2q\x1b\\tail",
	"\u009b31mC1 CSI",
	"zero\u200bwidth\ufeffmarks\u2066",
	"\xff\xfe broken \xc3",
	"   ",
	"\x1b",
	"\x1b[",
	"\u00a0",
	"a \u00a0 b\u00a0\u00a0c\u00a0",
}

// FuzzClean: whatever a provider sends, the cleaner's output reaches the
// printer as text only (no control, escape or invisible format character),
// with single spaces (a no-break one only between two characters) and none
// at the ends, grows only by what replacing
// broken UTF-8 costs, and is clean already.
func FuzzClean(f *testing.F) {
	for _, s := range dirtyTexts {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := clean(s)
		if !utf8.ValidString(out) {
			t.Fatalf("clean(%q) = %q: not UTF-8", s, out)
		}
		// A broken byte becomes U+FFFD, three bytes; nothing else grows.
		if len(out) > 3*len(s) {
			t.Fatalf("clean(%q) grew to %d bytes", s, len(out))
		}
		for i, r := range out {
			if r < 0x20 || r == 0x7f || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
				(unicode.IsSpace(r) && r != ' ' && r != '\u00a0') {
				t.Fatalf("clean(%q) = %q keeps %U at %d", s, out, r, i)
			}
		}
		if strings.Trim(out, " \u00a0") != out || strings.Contains(out, "  ") || strings.Contains(out, "\u00a0\u00a0") ||
			strings.Contains(out, " \u00a0") || strings.Contains(out, "\u00a0 ") {
			t.Fatalf("clean(%q) = %q: spaces not collapsed", s, out)
		}
		if again := clean(out); again != out {
			t.Fatalf("clean is not idempotent: clean(%q) = %q, clean of that = %q", s, out, again)
		}
	})
}

// FuzzRender puts provider and shop text into a receipt: in every charset
// and width, no line is wider than the paper or ends in a space, and the
// printer is sent no control byte but the line ends.
func FuzzRender(f *testing.F) {
	for i, s := range dirtyTexts {
		f.Add(s, dirtyTexts[(i+1)%len(dirtyTexts)], dirtyTexts[(i+2)%len(dirtyTexts)], uint8(i))
	}
	f.Fuzz(func(t *testing.T, store, address, cashier string, pick uint8) {
		r := sample(QRPayment)
		r.Cheque.StoreName, r.Cheque.Address, r.Cashier = store, address, cashier
		cs := Charsets[int(pick)%len(Charsets)]
		w := Widths[int(pick/4)%len(Widths)]
		lines, err := Render(r, Options{Width: w, Charset: cs, TengeAs: "тенге", T: translator(enTexts)})
		if err != nil {
			if blank(store) || blank(address) || blank(cashier) {
				return // a mandatory field left empty is refused, as it must be
			}
			t.Fatalf("render: %v", err)
		}
		l := layout{w: w, cs: cs}
		for i, line := range lines {
			if n := l.width(line); n > w {
				t.Fatalf("%s/%d: line %d is %d columns: %q", cs, w, i, n, line)
			}
			if strings.HasSuffix(line, " ") {
				t.Fatalf("%s/%d: line %d ends in a space: %q", cs, w, i, line)
			}
		}
		b, _, err := Encode(lines, cs)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range b {
			if c < 0x20 && c != '\n' || c == 0x7f {
				t.Fatalf("%s/%d: control byte %#x at %d in\n%s", cs, w, c, i, b)
			}
		}
	})
}

// FuzzMaskContact: whatever the cashier typed as the customer's contact,
// the paper shows at most an email's first letter before the @, or of a
// phone's digits only the country and operator code and the last two.
func FuzzMaskContact(f *testing.F) {
	for _, s := range append([]string{"+998901234567", "998 (90) 123-45-67", "aziz@b.uz", "a@b@c", "+77011234567", "12"}, dirtyTexts...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskContact(s)
		if clean(out) != out {
			t.Fatalf("MaskContact(%q) = %q: not clean", s, out)
		}
		if at := strings.LastIndexByte(out, '@'); at >= 0 {
			if local := out[:at]; utf8.RuneCountInString(strings.TrimSuffix(local, "***")) > 1 || !strings.HasSuffix(local, "***") {
				t.Fatalf("MaskContact(%q) = %q shows the email's name", s, out)
			}
			return
		}
		digits := 0
		for _, r := range out {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits > 7 {
			t.Fatalf("MaskContact(%q) = %q shows %d digits", s, out, digits)
		}
	})
}
