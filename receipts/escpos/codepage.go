package escpos

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/encoding/charmap"
)

// CodePage is a single-byte table a printer's own font draws text from.
type CodePage string

const (
	// CP866 is DOS Cyrillic, the table most printers sold in the region
	// ship with: Russian, Ё, Ў and №, but none of ә ғ қ ң ө ұ ү һ і.
	CP866 CodePage = "cp866"
	// CP1251 is Windows Cyrillic: Russian, Ё, Ў, І і, №, « » and dashes,
	// but no other Kazakh letter.
	CP1251 CodePage = "cp1251"
	// KZ1048 is Kazakhstan's STRK1048-2002: Windows-1251 with sixteen of
	// its places given to Kazakh letters, so it has them all.
	KZ1048 CodePage = "kz1048"
)

// CodePages lists the code pages Encode can send text in.
var CodePages = []CodePage{CP866, CP1251, KZ1048}

// ParseCodePage reads a code page as a user writes it: cp866 (or 866),
// cp1251 (windows-1251, 1251), kz1048 (kz-1048, strk1048).
func ParseCodePage(s string) (CodePage, error) {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "") {
	case "cp866", "866", "ibm866":
		return CP866, nil
	case "cp1251", "1251", "windows1251":
		return CP1251, nil
	case "kz1048", "1048", "strk1048", "strk10482002":
		return KZ1048, nil
	}
	return "", fmt.Errorf("escpos: code page %q: use cp866, cp1251 or kz1048", s)
}

func (c CodePage) known() bool { return c == CP866 || c == CP1251 || c == KZ1048 }

// EpsonNumber is the n of ESC t n that selects c on an Epson printer:
// PC866 is 17, WPC1251 46, KZ-1048 53. Other makers often number their
// tables otherwise (which is why Profile.CodePageNumber exists).
func (c CodePage) EpsonNumber() int {
	switch c {
	case CP866:
		return 17
	case CP1251:
		return 46
	case KZ1048:
		return 53
	}
	return 0
}

// EpsonPages maps Epson's ESC t numbers to the code pages here.
func EpsonPages() map[int]CodePage {
	m := make(map[int]CodePage, len(CodePages))
	for _, c := range CodePages {
		m[c.EpsonNumber()] = c
	}
	return m
}

// kz1048 is where KZ-1048 differs from Windows-1251: the sixteen places
// that hold Kazakh letters. From the Unicode Consortium's mapping
// https://www.unicode.org/Public/MAPPINGS/VENDORS/MISC/KZ1048.TXT (Ken
// Whistler, 2007: "a modification of Windows cp1251 ... for the Kazakhstan
// national standard, STRK1048-2002, registered in IANA as KZ-1048"), the
// table CPython's kz1048 codec is generated from; every other byte is
// Windows-1251's. TestKZ1048 pins all 256.
var kz1048 = map[byte]rune{
	0x8D: 'Қ', 0x8E: 'Һ', 0x9D: 'қ', 0x9E: 'һ',
	0xA1: 'Ұ', 0xA2: 'ұ', 0xA3: 'Ә', 0xA5: 'Ө',
	0xAA: 'Ғ', 0xAF: 'Ү', 0xB4: 'ө', 0xBA: 'ғ',
	0xBC: 'ә', 0xBD: 'Ң', 0xBE: 'ң', 0xBF: 'ү',
}

// table is a code page both ways. Bytes below 0x20 and 0x7F are commands
// to a printer, never text: they are in neither direction.
type table struct {
	dec [256]rune // unicode.ReplacementChar where the byte is no character
	enc map[rune]byte
}

var tables = sync.OnceValue(func() map[CodePage]*table {
	build := func(decode func(byte) rune) *table {
		t := &table{enc: make(map[rune]byte, 224)}
		for i := range 256 {
			b := byte(i)
			r := decode(b)
			if b < 0x20 || b == 0x7F || r == unicode.ReplacementChar || unicode.IsControl(r) {
				r = unicode.ReplacementChar
			} else {
				t.enc[r] = b
			}
			t.dec[b] = r
		}
		return t
	}
	return map[CodePage]*table{
		CP866:  build(charmap.CodePage866.DecodeByte),
		CP1251: build(charmap.Windows1251.DecodeByte),
		KZ1048: build(func(b byte) rune {
			if r, ok := kz1048[b]; ok {
				return r
			}
			return charmap.Windows1251.DecodeByte(b)
		}),
	}
})

// Encode is the byte c prints r as, if c has r. Control characters are in
// no code page.
func (c CodePage) Encode(r rune) (byte, bool) {
	t := tables()[c]
	if t == nil {
		return 0, false
	}
	b, ok := t.enc[r]
	return b, ok
}

// Decode is the character c prints for b: unicode.ReplacementChar for a
// byte that is no character (a control byte, or one c leaves undefined).
func (c CodePage) Decode(b byte) rune {
	t := tables()[c]
	if t == nil {
		return unicode.ReplacementChar
	}
	return t.dec[b]
}

// Has reports whether c can print every character of s.
func (c CodePage) Has(s string) bool {
	for _, r := range s {
		if _, ok := c.Encode(r); !ok {
			return false
		}
	}
	return true
}

// standIns are what a character a code page lacks prints as when something
// close is there: Uzbek Latin's ʻ and ʼ as an apostrophe, and typography.
// Letters have none: a Kazakh letter turned into a Russian one would
// change a name, so it prints as '?' and is reported missing.
var standIns = map[rune]string{
	'ʻ': "'", 'ʼ': "'", '‘': "'", '’': "'", '‚': "'",
	'«': `"`, '»': `"`, '“': `"`, '”': `"`, '„': `"`,
	'—': "-", '–': "-", '‒': "-", '−': "-", '‐': "-", '‑': "-",
	'…': "...", '·': "-", '№': "No", '\u00a0': " ",
}
