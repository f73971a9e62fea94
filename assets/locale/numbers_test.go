package locale

import (
	"strings"
	"testing"
)

// Money as each language writes it. "_" stands for a no-break space.
func TestAmountsByLanguage(t *testing.T) {
	type amount struct {
		minor  int64
		digits int
		code   string
	}
	amounts := []amount{{0, 0, "KZT"}, {7, 0, "KZT"}, {999, 0, "KZT"}, {1000, 0, "KZT"}, {12500, 0, "KZT"}, {1234567, 0, "KZT"},
		{-12500, 0, "KZT"}, {1, 2, "UZS"}, {50, 2, "UZS"}, {100000, 2, "UZS"}, {120000050, 2, "UZS"}, {-5, 2, "UZS"}}
	want := map[string][]string{
		"en": {"0 ₸", "7 ₸", "999 ₸", "1 000 ₸", "12 500 ₸", "1 234 567 ₸",
			"-12 500 ₸", "0.01 soʻm", "0.50 soʻm", "1 000.00 soʻm", "1 200 000.50 soʻm", "-0.05 soʻm"},
		"ru": {"0_₸", "7_₸", "999_₸", "1_000_₸", "12_500_₸", "1_234_567_₸",
			"-12_500_₸", "0,01_сум", "0,50_сум", "1_000,00_сум", "1_200_000,50_сум", "-0,05_сум"},
	}
	for lang, texts := range want {
		c := MustLoad(lang)
		for i, a := range amounts {
			got := strings.ReplaceAll(c.Amount(a.minor, a.digits, a.code, "?"), "\u00a0", "_")
			if got != texts[i] {
				t.Errorf("%s %+v: %q, want %q", lang, a, got, texts[i])
			}
		}
	}
	// A currency the catalog has no word for keeps its own sign.
	if got := MustLoad("en").Amount(150, 2, "USD", "$"); got != "1.50 $" {
		t.Errorf("USD: %q", got)
	}
}

func TestNumbersByLanguage(t *testing.T) {
	for lang, want := range map[string]string{"en": "0|1|999|1 000|150 924|-1 000 000", "ru": "0|1|999|1_000|150_924|-1_000_000"} {
		c := MustLoad(lang)
		var got []string
		for _, n := range []int64{0, 1, 999, 1000, 150924, -1000000} {
			got = append(got, strings.ReplaceAll(c.Number(n), "\u00a0", "_"))
		}
		if s := strings.Join(got, "|"); s != want {
			t.Errorf("%s: %s, want %s", lang, s, want)
		}
	}
}
