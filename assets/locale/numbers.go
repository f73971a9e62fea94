package locale

import (
	"strconv"
	"strings"
)

// The language's number format comes from its catalog: [number] group is
// put between each three digits (a no-break space in ru, kk and uz, so an
// amount never breaks across lines), decimal before the minor units.

// Number formats a whole number for people: "150 924".
func (c *Catalog) Number(n int64) string { return c.Decimal(n, 0) }

// Decimal formats minor units with digits decimals: Decimal(120000050, 2)
// is "1 200 000,50" in ru and "1 200 000.50" in en.
func (c *Catalog) Decimal(minor int64, digits int) string {
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	group := c.T("number.group")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteByte(whole[i])
	}
	if digits > 0 {
		b.WriteString(c.T("number.decimal"))
		b.WriteString(frac)
	}
	return b.String()
}

// Amount formats money for people in this language: the number, then the
// currency's sign in this language ("12 500 ₸", "12 500,00 soʻm", "сўм"),
// joined so they stay on one line. symbol is used for a currency the
// catalog has no word for.
func (c *Catalog) Amount(minor int64, digits int, code, symbol string) string {
	if key := "currency." + code; c.Has(key) {
		symbol = c.T(key)
	}
	s := c.Decimal(minor, digits)
	if symbol == "" {
		return s
	}
	return s + c.T("number.before_currency") + symbol
}
