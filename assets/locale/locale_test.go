package locale

import (
	"slices"
	"testing"
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
	if got := Languages(); !slices.Equal(got, []string{"en", "ru"}) {
		t.Fatalf("languages %v", got)
	}
	if _, err := Load("xx"); err == nil {
		t.Fatal("unknown language loaded")
	}
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
