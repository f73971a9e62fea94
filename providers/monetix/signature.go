package monetix

// The signature of the ECommPay family of gates, Monetix among them
// (SPEC §4): HMAC-SHA512 with the project's secret key, Base64 with
// padding, over the request or callback flattened to sorted path:value
// entries. Requests and callbacks are signed the same way.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kassa-till/kassa/providers"
)

// ErrSignature is wrapped by Verify's refusals.
var ErrSignature = errors.New("monetix: signature does not match")

// Flatten is the string a body's signature is computed over: every
// "signature" field dropped, at any depth; every leaf written as
// path:value, nested keys joined with ':', array elements keyed by their
// index; true and false as 1 and 0, null as nothing, numbers as their
// JSON literal (so 9007199254740993 stays exact); empty objects and arrays
// contribute nothing; the entries sorted by their path in natural order
// (index 10 after 9) and joined with ';'.
func Flatten(body []byte) (string, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", fmt.Errorf("monetix: not JSON: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return "", errors.New("monetix: more than one JSON value")
	}
	if _, ok := v.(map[string]any); !ok {
		return "", errors.New("monetix: not a JSON object")
	}
	type entry struct{ key, line string }
	var entries []entry
	var walk func(prefix string, v any)
	add := func(prefix, value string) { entries = append(entries, entry{prefix, prefix + ":" + value}) }
	join := func(prefix, key string) string {
		if prefix == "" {
			return key
		}
		return prefix + ":" + key
	}
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k != "signature" {
					walk(join(prefix, k), x)
				}
			}
		case []any:
			for i, x := range v {
				walk(join(prefix, fmt.Sprint(i)), x)
			}
		case string:
			add(prefix, v)
		case json.Number:
			add(prefix, v.String())
		case bool:
			if v {
				add(prefix, "1")
			} else {
				add(prefix, "0")
			}
		case nil:
			add(prefix, "")
		}
	}
	walk("", v)
	slices.SortFunc(entries, func(a, b entry) int { return natural(a.key, b.key) })
	lines := make([]string, len(entries))
	for i, e := range entries {
		lines[i] = e.line
	}
	return strings.Join(lines, ";"), nil
}

// natural compares as PHP's strnatcmp, which the family's SDKs sort with
// (ksort SORT_NATURAL): runs of digits by their value, the rest byte by
// byte.
func natural(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			da, db := digitRun(a), digitRun(b)
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := len(na) - len(nb); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			if c := da - db; c != 0 {
				return c // more leading zeros first, so the order is total
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitRun(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}

// Sign is the signature of body with the project's secret key.
func Sign(secret, body []byte) (string, error) {
	s, err := Flatten(body)
	if err != nil {
		return "", err
	}
	return sign(secret, s), nil
}

func sign(secret []byte, flat string) string {
	m := hmac.New(sha512.New, secret)
	m.Write([]byte(flat))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks the signature body carries: a callback's at the top
// ("signature"), a request's in general.signature. It compares in constant
// time and fails, wrapping ErrSignature, for a body without one.
func Verify(secret, body []byte) error {
	var v struct {
		Signature json.RawMessage `json:"signature"`
		General   struct {
			Signature json.RawMessage `json:"signature"`
		} `json:"general"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("%w: not a JSON object: %v", ErrSignature, err)
	}
	raw := v.Signature
	if isNull(raw) {
		raw = v.General.Signature
	}
	var got string
	if isNull(raw) || json.Unmarshal(raw, &got) != nil || got == "" {
		return fmt.Errorf("%w: no signature", ErrSignature)
	}
	want, err := Sign(secret, body)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSignature, err)
	}
	if !hmac.Equal([]byte(got), []byte(want)) {
		return ErrSignature
	}
	return nil
}

func isNull(v json.RawMessage) bool { return providers.JSONNull(v) }
