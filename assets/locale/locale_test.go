package locale

import (
	"slices"
	"testing"

	"golang.org/x/text/language"
)

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	en := MustLoad("en")
	for _, lang := range Languages() {
		c := MustLoad(lang)
		for _, k := range en.Keys() {
			if !slices.Contains(c.Keys(), k) {
				t.Errorf("%s.toml lacks %q", lang, k)
			}
		}
		for _, k := range c.Keys() {
			if !en.Has(k) {
				t.Errorf("%s.toml has %q, which en.toml lacks", lang, k)
			}
		}
	}
}

func TestLanguages(t *testing.T) {
	if got := Languages(); !slices.Equal(got, []string{"en", "kk", "ru", "uz", "uz-Cyrl"}) {
		t.Fatalf("languages %v", got)
	}
	if _, err := Load("xx"); err == nil {
		t.Fatal("unknown language loaded")
	}
}

func mustTag(t *testing.T, lang string) language.Tag {
	t.Helper()
	tag, err := language.Parse(lang)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

func TestTextAndArguments(t *testing.T) {
	ru := MustLoad("ru")
	if got := ru.T("paid.title", "1 500 ₸"); got != "Оплачено: 1 500 ₸" {
		t.Fatalf("got %q", got)
	}
	if got := ru.T("no.such.key"); got != "!no.such.key" {
		t.Fatalf("missing key shows as %q", got)
	}
}

func TestVerbs(t *testing.T) {
	for text, want := range map[string]string{
		"no verbs":             "",
		"%s paid":              "s",
		"Paid: %s for %d · %q": "sdq",
		"100%% sure, %-8s|%*d": "s*d",
		"%5.2f%%":              "f",
		"%[2]d of %[1]s":       "sd",
		"%[2]s, %[1]s, %[3]d":  "ssd",
		"%[2]s only":           "?s",
		"%[x]s":                "!",
	} {
		if got := Verbs(text); got != want {
			t.Errorf("Verbs(%q) = %q, want %q", text, got, want)
		}
	}
}

// A text takes its arguments in the order the code passes them, whatever
// the language: each language's text has English's verbs, in order.
func TestEveryLanguageTakesTheSameArguments(t *testing.T) {
	en := MustLoad("en")
	for _, lang := range Languages() {
		c := MustLoad(lang)
		for _, k := range c.Keys() {
			want := Verbs(en.T(k))
			texts := map[string]string{"": c.T(k)}
			if c.IsPlural(k) {
				texts = c.PluralForms(k)
			}
			for form, text := range texts {
				if got := Verbs(text); got != want {
					t.Errorf("%s.toml %s %s takes %q, en.toml %q", lang, k, form, got, want)
				}
			}
		}
	}
}
