package receipts

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Charset is a printer's text encoding.
type Charset string

const (
	// UTF8 is for printers (and screens) that take UTF-8: "₸" is kept.
	UTF8 Charset = "utf-8"
	// CP866 is the DOS Cyrillic code page most ESC/POS printers in
	// Kazakhstan and Uzbekistan ship with. It has Russian, Ё and the Uzbek
	// Ў, but no ₸ and none of the Kazakh letters (Қ, Ә, Ү...), nor Uzbek
	// Қ, Ғ, Ҳ: those print as '?' and Encode reports them.
	CP866 Charset = "cp866"
	// ASCII is for printers with no national code page: Latin text only.
	ASCII Charset = "ascii"
)

// Charsets lists the charsets Render and Encode know.
var Charsets = []Charset{UTF8, CP866, ASCII}

func (cs Charset) known() bool { return cs == UTF8 || cs == CP866 || cs == ASCII }

// cp866High is code page 866 from byte 0x80 to 0xFF, one rune per byte.
// Written out rather than taken from golang.org/x/text, which the module
// does not require; its bytes are pinned by the tests.
const cp866High = "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмноп" +
	"░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" +
	"рстуфхцчшщъыьэюяЁёЄєЇїЎў°∙·√№¤■\u00a0"

var cp866 = func() map[rune]byte {
	m := make(map[rune]byte, 128)
	b := 0x80
	for _, r := range cp866High {
		m[r] = byte(b)
		b++
	}
	if b != 0x100 {
		panic("receipts: code page 866 table is not 128 characters")
	}
	return m
}()

// encode returns the byte cs prints r as, for the single-byte charsets.
// Control characters are never encodable: a receipt is text, and a stray
// ESC or GS would be taken by the printer as a command.
func (cs Charset) encode(r rune) (byte, bool) {
	if unicode.IsControl(r) {
		return 0, false
	}
	if r < 0x80 {
		return byte(r), true
	}
	if cs == CP866 {
		b, ok := cp866[r]
		return b, ok
	}
	return 0, false
}

// prints reports whether cs can print every rune of s.
func (cs Charset) prints(s string) bool {
	for _, r := range s {
		if cs == UTF8 {
			if unicode.IsControl(r) || r == utf8.RuneError {
				return false
			}
			continue
		}
		if _, ok := cs.encode(r); !ok {
			return false
		}
	}
	return true
}

// standIns are what a character the charset lacks prints as, when there
// is something close enough: typography the labels and banners use
// (dashes, quotes, №) and the UZS symbol's ʻ. Letters have none: a
// Kazakh letter turned into a Russian one would change a name.
var standIns = map[rune]string{
	'—': "-", '–': "-", '‒': "-", '−': "-", '‐': "-", '‑': "-",
	'«': `"`, '»': `"`, '“': `"`, '”': `"`, '„': `"`,
	'‘': "'", '’': "'", 'ʻ': "'", 'ʼ': "'",
	'№': "No", '·': "-", '…': "...", '\u00a0': " ",
}

// tengeFor is what "₸" becomes in cs: the shop's choice of word when cs
// can print it, "T" otherwise.
func tengeFor(cs Charset, as string) string {
	if cs == UTF8 {
		return "₸"
	}
	if as != "" && cs.prints(as) {
		return as
	}
	return "T"
}

// substitute replaces what cs cannot print with its stand-in, before the
// layout measures anything: "тенге" is five columns where "₸" was one.
// What has no stand-in is left for Encode to report.
func substitute(s string, cs Charset, tenge string) string {
	if cs == UTF8 || cs.prints(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if _, ok := cs.encode(r); ok {
			b.WriteRune(r)
			continue
		}
		if r == '₸' {
			b.WriteString(tenge)
			continue
		}
		if alt, ok := standIns[r]; ok && cs.prints(alt) {
			b.WriteString(alt)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Encode turns receipt lines into printer bytes, each line ended by "\n".
// A character the charset lacks becomes '?' and is returned, each once in
// order of appearance, so the caller can warn; the print goes on, because
// a receipt with a '?' serves the customer better than none. Control
// characters count as lacking in every charset. The error is only for an
// unknown charset.
//
// Render's lines have already had ₸ and typography replaced for cs; Encode
// does no replacing of its own, so what it reports is what truly could
// not be printed.
func Encode(lines []string, cs Charset) ([]byte, []rune, error) {
	if cs == "" {
		cs = UTF8
	}
	if !cs.known() {
		return nil, nil, fmt.Errorf("receipts: unknown charset %q", cs)
	}
	var out []byte
	var lost []rune
	seen := map[rune]bool{}
	bad := func(r rune) {
		out = append(out, '?')
		if !seen[r] {
			seen[r] = true
			lost = append(lost, r)
		}
	}
	for _, line := range lines {
		for _, r := range line {
			switch {
			case cs == UTF8:
				if cs.prints(string(r)) {
					out = utf8.AppendRune(out, r)
				} else {
					bad(r)
				}
			default:
				if b, ok := cs.encode(r); ok {
					out = append(out, b)
				} else {
					bad(r)
				}
			}
		}
		out = append(out, '\n')
	}
	return out, lost, nil
}
