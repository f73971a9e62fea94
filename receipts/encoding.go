package receipts

import (
	"bytes"
	"fmt"
	"strings"
)

// Charset is a printer's text encoding.
type Charset string

const (
	UTF8 Charset = "utf-8"
	// CP866 is the DOS Cyrillic code page most ESC/POS printers in
	// Kazakhstan and Uzbekistan ship with. It has no ₸ and none of the
	// Kazakh letters; those print as '?' and are reported.
	CP866 Charset = "cp866"
)

// cp866 maps the Cyrillic runes of code page 866 to their bytes; ASCII
// maps to itself.
var cp866 = func() map[rune]byte {
	m := map[rune]byte{'Ё': 0xF0, 'ё': 0xF1, '№': 0xFC, '·': 0xFA, '°': 0xF8}
	for i := range 32 {
		m['А'+rune(i)] = 0x80 + byte(i)
	}
	for i := range 16 {
		m['а'+rune(i)] = 0xA0 + byte(i)
		m['р'+rune(i)] = 0xE0 + byte(i)
	}
	return m
}()

// Encode turns receipt lines into printer bytes, lines ended by "\n".
// Characters the charset lacks become '?' and are returned, each once, so
// the caller can warn; printing goes on.
func Encode(lines []string, cs Charset) ([]byte, []rune, error) {
	text := strings.Join(lines, "\n") + "\n"
	switch cs {
	case UTF8:
		return []byte(text), nil, nil
	case CP866:
		var out bytes.Buffer
		var lost []rune
		seen := map[rune]bool{}
		for _, r := range text {
			switch b, ok := cp866[r]; {
			case r < 0x80:
				out.WriteByte(byte(r))
			case ok:
				out.WriteByte(b)
			default:
				out.WriteByte('?')
				if !seen[r] {
					seen[r] = true
					lost = append(lost, r)
				}
			}
		}
		return out.Bytes(), lost, nil
	}
	return nil, nil, fmt.Errorf("receipts: unknown charset %q", cs)
}
