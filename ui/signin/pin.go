package signin

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// pinMax is the longest PIN: the store takes 4 to 8 digits.
const pinMax = 8

// PIN is a PIN being typed: digits only, shown as dots, never echoed.
type PIN struct{ digits []byte }

// Key takes a digit or a backspace; it reports whether the key was its.
func (p PIN) Key(msg tea.KeyPressMsg) (PIN, bool) {
	s := msg.String()
	switch {
	case len(s) == 1 && s[0] >= '0' && s[0] <= '9':
		if len(p.digits) < pinMax {
			p.digits = append(append([]byte(nil), p.digits...), s[0])
		}
		return p, true
	case s == "backspace":
		if len(p.digits) > 0 {
			p.digits = p.digits[:len(p.digits)-1]
		}
		return p, true
	}
	return p, false
}

// Value is the digits typed.
func (p PIN) Value() string { return string(p.digits) }

// View is a dot for each digit typed and, focused, a place for the next.
func (p PIN) View(focused bool) string {
	s := strings.Repeat("● ", len(p.digits))
	if focused && len(p.digits) < pinMax {
		s += "_"
	}
	return strings.TrimRight(s, " ")
}
