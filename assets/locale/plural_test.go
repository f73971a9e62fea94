package locale

import (
	"maps"
	"slices"
	"testing"

	"golang.org/x/text/feature/plural"
)

// The forms each language uses for 0, 1, 2, 5, 11, 21, 22, 25 and 101, by
// CLDR: Russian one/few/many, the others one/other.
func TestPluralFormsByNumber(t *testing.T) {
	numbers := []int{0, 1, 2, 5, 11, 21, 22, 25, 101}
	one, few, many, other := plural.One, plural.Few, plural.Many, plural.Other
	for lang, want := range map[string][]plural.Form{
		"en":      {other, one, other, other, other, other, other, other, other},
		"ru":      {many, one, few, many, many, one, few, many, one},
		"kk":      {other, one, other, other, other, other, other, other, other},
		"uz":      {other, one, other, other, other, other, other, other, other},
		"uz-Cyrl": {other, one, other, other, other, other, other, other, other},
	} {
		c := &Catalog{Lang: lang, tag: mustTag(t, lang)}
		for i, n := range numbers {
			if got := c.Form(n); got != want[i] {
				t.Errorf("%s %d: form %v, want %v", lang, n, got, want[i])
			}
		}
	}
}

// A text by number reads as a Russian says it for each number.
func TestRussianTextsByNumber(t *testing.T) {
	ru := MustLoad("ru")
	for n, want := range map[int]string{
		0:   "▼ ещё 0 строк (↓)",
		1:   "▼ ещё 1 строка (↓)",
		2:   "▼ ещё 2 строки (↓)",
		5:   "▼ ещё 5 строк (↓)",
		11:  "▼ ещё 11 строк (↓)",
		21:  "▼ ещё 21 строка (↓)",
		22:  "▼ ещё 22 строки (↓)",
		25:  "▼ ещё 25 строк (↓)",
		101: "▼ ещё 101 строка (↓)",
	} {
		if got := ru.N("history.more_below", n, n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
	if got := ru.N("history.period_too_long", 36, 36, 35); got != "В периоде 36 дней, а история показывает не больше 35 за раз." {
		t.Errorf("period: %q", got)
	}
	en := MustLoad("en")
	if got := en.N("history.period_too_long", 1, 1, 35); got != "That period is 1 day; the history shows at most 35 at a time." {
		t.Errorf("en period: %q", got)
	}
	// A plain text asked by number is itself; a text by number asked
	// plainly reads in its "other" form.
	if got := en.N("sale.title", 3); got != en.T("sale.title") {
		t.Errorf("plain by number: %q", got)
	}
	if got := en.T("history.more_below", 7); got != "▼ 7 more lines (↓)" {
		t.Errorf("by number plainly: %q", got)
	}
}

// Every text by number gives exactly the forms its language has, in every
// catalog, and no language says plainly what English says by number.
func TestTextsByNumberHaveTheLanguagesForms(t *testing.T) {
	en := MustLoad("en")
	for _, lang := range Languages() {
		c := MustLoad(lang)
		want := c.Forms()
		for _, k := range en.Keys() {
			if !en.IsPlural(k) {
				if c.IsPlural(k) {
					t.Errorf("%s.toml %s is by number, en.toml's is not", lang, k)
				}
				continue
			}
			if !c.IsPlural(k) {
				t.Errorf("%s.toml %s is one text; it needs the forms %v", lang, k, want)
				continue
			}
			if got := slices.Sorted(maps.Keys(c.PluralForms(k))); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
				t.Errorf("%s.toml %s has the forms %v, want %v", lang, k, got, want)
			}
		}
	}
}

func TestATextByNumberNeedsItsOtherForm(t *testing.T) {
	c := &Catalog{texts: map[string]string{}, plurals: map[string]map[string]string{}}
	err := c.flatten("", map[string]any{"a": map[string]any{"b": map[string]any{"one": "%d line"}}})
	if err == nil {
		t.Fatal("a text by number without its other form loaded")
	}
}
