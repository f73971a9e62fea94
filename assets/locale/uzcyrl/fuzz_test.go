package uzcyrl

import (
	"regexp"
	"slices"
	"testing"
)

var anyVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*(\*|\d+)?(\.(\*|\d+)?)?(\[\d+\])?[a-zA-Z%]`)

// Whatever the text, FromLatin keeps its fmt verbs as they are and in
// order, and leaves Cyrillic text alone.
func FuzzFromLatin(f *testing.F) {
	for _, s := range []string{
		"Chek %s: %d soʻm, %[2]s, 100%% tayyor, %-8s|%*d",
		"kassa db check --db FAYL",
		"`%s` va %d-qator, %sni, QRni",
		"Тўловни олинг: %s",
		"bog' 'bog' o'' g`%s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := FromLatin(s)
		if a, b := anyVerb.FindAllString(s, -1), anyVerb.FindAllString(got, -1); !slices.Equal(a, b) {
			t.Fatalf("FromLatin(%q) = %q: verbs %q became %q", s, got, a, b)
		}
		if c := FromLatin(got); hasNoLatin(got) && c != got {
			t.Fatalf("Cyrillic %q became %q", got, c)
		}
	})
}

func hasNoLatin(s string) bool {
	for _, r := range s {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
