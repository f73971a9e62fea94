package kaspi

import (
	"fmt"
	"strings"
	"time"
)

// Tokens are the secured API's credentials from /v2/register or
// /v2/revoke. They are secrets: String hides them, so logging a Tokens
// value with %v does not leak them.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	// ExpirationDate is the POS's text as received.
	ExpirationDate string
	// Expires is ExpirationDate read in the POS's zone; zero when the text
	// could not be read, which counts as already expired.
	Expires time.Time
	// Issued is when the till received the tokens, by its own clock (set
	// by Session; zero if unknown). Expires minus Issued is the token's
	// lifetime, which sets how early it is renewed.
	Issued time.Time
}

// Expired reports whether the access token is dead at now. An unreadable
// expiration date counts as expired: the safe move is to refresh.
func (t Tokens) Expired(now time.Time) bool {
	return t.Expires.IsZero() || !now.Before(t.Expires)
}

func (t Tokens) String() string {
	return fmt.Sprintf("kaspi.Tokens{access:%s refresh:%s expires:%q}", redact(t.AccessToken), redact(t.RefreshToken), t.ExpirationDate)
}

// GoString keeps %#v from printing the secrets too.
func (t Tokens) GoString() string { return t.String() }

func redact(s string) string {
	if s == "" {
		return `""`
	}
	return "<redacted>"
}

// expirationLayouts are the forms expirationDate is seen in: the seed's
// sample, the ISO-like form of newer firmware, and the 12-hour form a
// Java default formatter gives in some locales.
var expirationLayouts = []string{
	"Jan 2, 2006 15:04:05",
	"2006-01-02 15:04:05",
	"Jan 2, 2006 3:04:05 PM",
	"2006-01-02T15:04:05",
}

// ParseExpiration reads an expirationDate in loc (the POS writes no zone).
func ParseExpiration(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	// Java's formatters put narrow or plain no-break spaces before AM/PM.
	norm := strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\t'
	}), " ")
	for _, layout := range expirationLayouts {
		if t, err := time.ParseInLocation(layout, norm, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("kaspi: unreadable expirationDate %q", s)
}

func (c *Client) decodeTokens(data []byte) (Tokens, error) {
	m, err := members(data)
	if err != nil {
		return Tokens{}, malformed("token data", err)
	}
	t := Tokens{
		AccessToken:    m.str("accessToken"),
		RefreshToken:   m.str("refreshToken"),
		ExpirationDate: m.str("expirationDate"),
	}
	if t.AccessToken == "" || t.RefreshToken == "" {
		return Tokens{}, malformed("answer without accessToken or refreshToken", nil)
	}
	// An unreadable date is not an error: the tokens are real and must be
	// kept (the old ones are dead), they just count as expired.
	t.Expires, _ = ParseExpiration(t.ExpirationDate, c.location())
	return t, nil
}
