package providers

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Currency is an ISO 4217 currency with the number of minor-unit digits the
// till works in. KZT is held in whole tenge because Kaspi accepts no tiyn.
type Currency struct {
	Code   string // "KZT", "UZS"
	Digits int    // minor-unit digits kept in Money.Minor
	Symbol string // "₸", "сўм"
}

var (
	KZT = Currency{Code: "KZT", Digits: 0, Symbol: "₸"}
	UZS = Currency{Code: "UZS", Digits: 2, Symbol: "soʻm"}
)

// CurrencyByCode returns the currency the till knows by that code.
func CurrencyByCode(code string) (Currency, bool) {
	switch strings.ToUpper(code) {
	case KZT.Code:
		return KZT, true
	case UZS.Code:
		return UZS, true
	}
	return Currency{}, false
}

// Money is an amount in minor units of its currency. Never a float.
type Money struct {
	Minor    int64    `json:"minor"`
	Currency Currency `json:"currency"`
}

// New returns an amount of minor units in c.
func New(minor int64, c Currency) Money { return Money{Minor: minor, Currency: c} }

func (m Money) IsZero() bool { return m.Minor == 0 }

// Add and Sub panic on a currency mismatch: mixing currencies is a
// programming error, never a runtime condition a cashier can cause.
func (m Money) Add(o Money) Money {
	m.mustMatch(o)
	return Money{Minor: m.Minor + o.Minor, Currency: m.Currency}
}

func (m Money) Sub(o Money) Money {
	m.mustMatch(o)
	return Money{Minor: m.Minor - o.Minor, Currency: m.Currency}
}

func (m Money) mustMatch(o Money) {
	if m.Currency.Code != o.Currency.Code {
		panic(fmt.Sprintf("money: %s and %s mixed", m.Currency.Code, o.Currency.Code))
	}
}

// Major returns the amount as a plain decimal string in major units with
// exactly Digits decimals and no grouping: "1500", "100.01", "-0.50".
// This is the form wire formats and CSV want.
func (m Money) Major() string {
	neg := m.Minor < 0
	v := m.Minor
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	if d := m.Currency.Digits; d > 0 {
		if len(s) <= d {
			s = strings.Repeat("0", d-len(s)+1) + s
		}
		s = s[:len(s)-d] + "." + s[len(s)-d:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Grouped returns the amount for people: thousands separated by a space,
// decimals kept: "12 500", "1 200 000.50".
func (m Money) Grouped() string {
	s := m.Major()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return sign + b.String()
}

// String is for logs and tests: "12 500 KZT".
func (m Money) String() string { return m.Grouped() + " " + m.Currency.Code }

// ErrBadAmount is returned by ParseMajor for text that is not an amount.
var ErrBadAmount = errors.New("not an amount")

// ParseMajor reads a decimal amount in major units ("1500", "100.01") into
// minor units of c, refusing more decimals than c has and anything that is
// not plain digits.
func ParseMajor(s string, c Currency) (Money, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || (hasFrac && (!allDigits(frac) || len(frac) > c.Digits || frac == "")) {
		return Money{}, fmt.Errorf("%w: %q", ErrBadAmount, s)
	}
	frac += strings.Repeat("0", c.Digits-len(frac))
	v, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return Money{}, fmt.Errorf("%w: %q", ErrBadAmount, s)
	}
	if neg {
		v = -v
	}
	return Money{Minor: v, Currency: c}, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

type moneyJSON struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

// MarshalJSON stores the currency by its code only.
func (m Money) MarshalJSON() ([]byte, error) {
	return json.Marshal(moneyJSON{Minor: m.Minor, Currency: m.Currency.Code})
}

func (m *Money) UnmarshalJSON(b []byte) error {
	var v moneyJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	c, ok := CurrencyByCode(v.Currency)
	if !ok && v.Currency != "" {
		return fmt.Errorf("money: unknown currency %q", v.Currency)
	}
	*m = Money{Minor: v.Minor, Currency: c}
	return nil
}
