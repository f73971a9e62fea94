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

// sameEverywhere is the texts that read as in English in every language:
// brand names, codes and layouts with no words.
var sameEverywhere = []string{
	"cli.config_bad", "currency.KZT", "error.http", "error.provider_text", "error.provider_text_monetix",
	"error.provider_text_octo", "error.provider_text_uzqr", "history.product.gold", "history.product.red",
	"history.search_placeholder", "keys.pin", "people.language_set", "signin.demo_pin", "signin.pin", "provider.kaspi", "provider.monetix", "provider.octo", "provider.uzqr",
	"receipt.method_qr", "receipt.method_qr_monetix", "receipt.method_qr_octo", "receipt.method_qr_uzqr",
	"receipt.qr_name", "receipt.rrn", "report.method_qr", "report.range", "sale.details_title", "sale.fiscal_said", "settings.printer_codepage_value",
	"settings.qr_name", "trainer.speed_value",
}

// sameIn is the texts one language writes as English does: a word both
// share (Uzbek terminal, printer, soʻm) or a code it keeps in Latin.
var sameIn = map[string][]string{
	"uz": {"csv.header.terminal", "currency.UZS", "history.col_terminal", "history.terminal", "keys.printer",
		"keys.terminal", "receipt.bin", "receipt.inn", "receipt.terminal", "settings.inn", "settings.printer_paper_mm"},
	"uz-Cyrl": {"receipt.bin", "receipt.inn", "settings.inn"},
}

// A text that reads as in English in another language was left
// untranslated, unless it is on a list above.
func TestEveryLanguageIsTranslated(t *testing.T) {
	en := MustLoad("en")
	for _, lang := range Languages() {
		if lang == Default {
			continue
		}
		c := MustLoad(lang)
		for _, k := range c.Keys() {
			if c.T(k) == en.T(k) && !slices.Contains(sameEverywhere, k) && !slices.Contains(sameIn[lang], k) {
				t.Errorf("%s.toml %s reads as in English: %q", lang, k, c.T(k))
			}
		}
	}
}
