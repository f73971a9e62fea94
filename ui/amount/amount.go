// Package amount is the money field a cashier types into: digits, and a
// decimal separator where the currency has minor units. What it cannot
// take is refused with a reason, never dropped silently: a point typed in
// tenge would otherwise turn 1500.50 into 150 050.
package amount

import (
	"strings"
	"unicode"

	"github.com/kassa-till/kassa/providers"
)

// Problem says why what was typed is not an amount to send.
type Problem int

const (
	NoProblem Problem = iota
	// Empty: nothing typed.
	Empty
	// Zero: the amount is zero.
	Zero
	// TooSmall and TooLarge: outside the provider's limits (the caller
	// checks them; see Problem.With).
	TooSmall
	TooLarge
	// NoMinorUnits: a decimal separator in a currency that has none (KZT).
	NoMinorUnits
	// TooManyDecimals: more decimals than the currency has.
	TooManyDecimals
	// NotDigit: a letter or another sign.
	NotDigit
	// TooLong: more digits than any provider takes.
	TooLong
	// Format: a pasted text that is not an amount.
	Format
)

// Key is the catalog key of the problem's sentence.
func (p Problem) Key() string {
	switch p {
	case Empty:
		return "problem.empty"
	case Zero:
		return "problem.zero"
	case TooSmall:
		return "problem.too_small"
	case TooLarge:
		return "problem.too_large"
	case NoMinorUnits:
		return "problem.no_minor_units"
	case TooManyDecimals:
		return "problem.too_many_decimals"
	case NotDigit:
		return "problem.not_digit"
	case TooLong:
		return "problem.too_long"
	}
	return "problem.format"
}

// maxDigits bounds the whole part: far past any provider's limit, and far
// from int64's.
const maxDigits = 10

// Input is what the cashier typed: digits, and "." for the decimal
// separator where the currency has minor units. It is a value.
type Input struct {
	Currency providers.Currency
	// Text is the amount as typed, normalised: "1500", "1500.5".
	Text string
	// Problem is why the last key or paste was refused, or why Value
	// cannot be sent; NoProblem after a key it took.
	Problem Problem
	// Refused is what the last refused key or paste was, to name it.
	Refused string
}

// New returns an empty input in c.
func New(c providers.Currency) Input { return Input{Currency: c} }

// separator reports whether r is a decimal separator a cashier may type.
func separator(r rune) bool { return r == '.' || r == ',' }

// Type adds one typed character, or refuses it with a reason. A refusal
// holds until Backspace or Clear: the keys typed after a refused one are
// refused too, so "1500.50" in tenge never becomes 150 050 behind a
// message shown for a moment.
func (in Input) Type(r rune) Input {
	if in.Problem != NoProblem && in.Refused != "" {
		return in
	}
	in.Problem, in.Refused = NoProblem, ""
	whole, frac, hasSep := strings.Cut(in.Text, ".")
	switch {
	case r >= '0' && r <= '9':
		if hasSep {
			if len(frac) >= in.Currency.Digits {
				return in.refuse(TooManyDecimals, r)
			}
			in.Text += string(r)
			return in
		}
		if whole == "0" {
			whole = ""
		}
		if len(whole) >= maxDigits {
			return in.refuse(TooLong, r)
		}
		in.Text = whole + string(r)
	case separator(r):
		if in.Currency.Digits == 0 {
			return in.refuse(NoMinorUnits, r)
		}
		if hasSep {
			return in.refuse(Format, r)
		}
		if in.Text == "" {
			in.Text = "0"
		}
		in.Text += "."
	default:
		return in.refuse(NotDigit, r)
	}
	return in
}

func (in Input) refuse(p Problem, r rune) Input {
	in.Problem, in.Refused = p, string(r)
	return in
}

// Paste takes a pasted amount as if typed: spaces that group thousands
// ("12 500") are dropped, anything else that is not an amount refuses the
// whole paste, which then changes nothing.
func (in Input) Paste(s string) Input {
	if in.Refusing() {
		return in
	}
	s = strings.TrimSpace(s)
	next := in
	next.Problem, next.Refused = NoProblem, ""
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' {
			continue
		}
		next = next.Type(r)
		if next.Problem != NoProblem {
			in.Problem, in.Refused = next.Problem, s
			return in
		}
	}
	return next
}

// Backspace takes back a refusal, else removes the last typed character.
func (in Input) Backspace() Input {
	if in.Problem != NoProblem && in.Refused != "" {
		in.Problem, in.Refused = NoProblem, ""
		return in
	}
	if in.Text != "" {
		in.Text = in.Text[:len(in.Text)-1]
	}
	in.Problem, in.Refused = NoProblem, ""
	return in
}

// Refusing reports whether the input holds a refused key or paste, which
// the cashier must take back before the amount can be sent.
func (in Input) Refusing() bool { return in.Problem != NoProblem && in.Refused != "" }

// Clear empties the input.
func (in Input) Clear() Input { return Input{Currency: in.Currency} }

// SetMoney fills the input with m, as a cashier would type it.
func (in Input) SetMoney(m providers.Money) Input {
	in = in.Clear()
	in.Text = m.Major()
	return in
}

// Value is the typed amount, and why it cannot be sent if it cannot
// (Empty, Zero, Format); the caller checks the provider's limits.
func (in Input) Value() (providers.Money, Problem) {
	if in.Text == "" {
		return providers.Money{Currency: in.Currency}, Empty
	}
	m, err := providers.ParseMajor(strings.TrimSuffix(in.Text, "."), in.Currency)
	if err != nil {
		return m, Format
	}
	if m.Minor <= 0 {
		return m, Zero
	}
	return m, NoProblem
}

// Shown is the input grouped in thousands with the catalog's decimal
// separator, keeping a trailing separator visible while the cashier types.
func (in Input) Shown(group, decimal string) string {
	if in.Text == "" {
		return "0"
	}
	whole, frac, hasSep := strings.Cut(in.Text, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(r)
	}
	if hasSep {
		b.WriteString(decimal + frac)
	}
	return b.String()
}

// Refusal is the sentence for what the input last refused, "" when it
// refused nothing; t is the catalog's T.
func (in Input) Refusal(t func(key string, args ...any) string) string {
	switch in.Problem {
	case NoProblem:
		return ""
	case NotDigit:
		return t(in.Problem.Key(), in.Refused)
	}
	return t(in.Problem.Key())
}
