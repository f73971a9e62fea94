package amount

import (
	"strings"
	"testing"

	"github.com/kassa-till/kassa/providers"
)

// wellFormed reports whether text is what the field may hold in c: digits
// without leading zeros (at most maxDigits), then, where c has decimals, a
// point and at most c.Digits of them.
func wellFormed(text string, c providers.Currency) bool {
	whole, frac, hasSep := strings.Cut(text, ".")
	if len(whole) > maxDigits || !digitsOnly(whole) || (len(whole) > 1 && whole[0] == '0') {
		return false
	}
	if hasSep {
		return c.Digits > 0 && whole != "" && len(frac) <= c.Digits && digitsOnly(frac)
	}
	return true
}

// currency is the fuzzer's pick: tenge, without decimals, or soums, with two.
func currency(uzs bool) providers.Currency {
	if uzs {
		return providers.UZS
	}
	return providers.KZT
}

func digitsOnly(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// FuzzPaste: a paste either changes nothing and says why, or leaves an
// amount that is never negative, reads back as typed, and shows as text
// that pastes back to the same amount.
func FuzzPaste(f *testing.F) {
	for _, s := range []string{"12 500", "12\u00a0500\n", "1500", "1500.50", "12 500 ₸", "15 000,50", "15000.505",
		"0007", "0.", ".5", "-5", "1e3", "12345678901", "9999999999.99", "０１２", "١٢٣", "1\u202f000"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, uzs bool) {
		c := currency(uzs)
		before := New(c).Type('7')
		in := before.Paste(s)
		if in.Problem != NoProblem {
			if in.Text != before.Text || !in.Refusing() || in.Refused != strings.TrimSpace(s) {
				t.Fatalf("refused paste %q changed the field: %+v", s, in)
			}
			return
		}
		in = New(c).Paste(s)
		if !wellFormed(in.Text, c) {
			t.Fatalf("paste %q in %s holds %q", s, c.Code, in.Text)
		}
		m, p := in.Value()
		switch p {
		case NoProblem:
			if m.Minor <= 0 || m.Currency != c {
				t.Fatalf("paste %q: amount %v", s, m)
			}
			if back, _ := New(c).SetMoney(m).Value(); back != m {
				t.Fatalf("paste %q: %v set again reads %v", s, m, back)
			}
		case Empty, Zero:
			if m.Minor != 0 {
				t.Fatalf("paste %q: %v with problem %v", s, m, p)
			}
		default:
			t.Fatalf("paste %q: text %q has problem %v", s, in.Text, p)
		}
		// An empty field shows "0"; anything else shows what it holds.
		if again := New(c).Paste(in.Shown(" ", ".")); in.Text != "" && (again.Text != in.Text || again.Problem != NoProblem) {
			t.Fatalf("paste %q: shown %q pastes back as %+v", s, in.Shown(" ", "."), again)
		}
	})
}

// FuzzKeys types a key sequence, '\b' being Backspace: whatever is typed,
// the field holds a well-formed amount or the same with a refusal.
func FuzzKeys(f *testing.F) {
	for _, s := range []string{"1500", "1500.50", "15a00\b00", "0007", "..\b\b5", "12345678901", "1,2,3\b4"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, keys string, uzs bool) {
		c := currency(uzs)
		in := New(c)
		for _, r := range keys {
			if r == '\b' {
				in = in.Backspace()
			} else {
				in = in.Type(r)
			}
			if !wellFormed(in.Text, c) {
				t.Fatalf("keys %q in %s: field holds %q", keys, c.Code, in.Text)
			}
			if m, p := in.Value(); p == NoProblem && m.Minor <= 0 {
				t.Fatalf("keys %q: amount %v", keys, m)
			}
		}
	})
}
