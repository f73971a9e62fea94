package receipts

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// sampleShift is a Z report of two providers and currencies, two
// cashiers (one without a name), a refund of an earlier shift's payment
// that leaves a cashier's net below zero, every count, a long shift and an
// audit head.
func sampleShift() store.Shift {
	almaty := time.FixedZone("Almaty", 5*60*60)
	kzt := func(n int64) providers.Money { return providers.New(n, providers.KZT) }
	uzs := func(n int64) providers.Money { return providers.New(n, providers.UZS) }
	line := func(p string, m providers.Method, np int, paid providers.Money, nr int, refunded providers.Money) store.ShiftLine {
		return store.ShiftLine{Provider: p, Method: m, Payments: np, Paid: paid, Refunds: nr, Refunded: refunded, Net: paid.Sub(refunded)}
	}
	aigerim := store.ShiftTotals{Cashier: "Айгерим Нурланова", Lines: []store.ShiftLine{
		line("kaspi", providers.MethodCard, 3, kzt(45000), 0, kzt(0)),
		line("kaspi", providers.MethodQR, 9, kzt(105500), 1, kzt(2500)),
	}, Failed: 1, Cancelled: 1, Open: 1}
	nameless := store.ShiftTotals{Lines: []store.ShiftLine{
		line("kaspi", providers.MethodQR, 0, kzt(0), 1, kzt(12000)),
		line("uzqr", providers.MethodQR, 2, uzs(15000050), 0, uzs(0)),
	}, TimedOut: 1, Unknown: 1, Open: 2, NeedsPerson: 2}
	total := store.ShiftTotals{Lines: []store.ShiftLine{
		line("kaspi", providers.MethodCard, 3, kzt(45000), 0, kzt(0)),
		line("kaspi", providers.MethodQR, 9, kzt(105500), 2, kzt(14500)),
		line("uzqr", providers.MethodQR, 2, uzs(15000050), 0, uzs(0)),
	}, Failed: 1, Cancelled: 1, TimedOut: 1, Unknown: 1, Open: 3, NeedsPerson: 2}
	return store.Shift{
		Z: 3, Number: 3, Till: "KASSA1",
		Started:      time.Date(2026, 11, 22, 21, 5, 0, 0, time.UTC),
		First:        time.Date(2026, 11, 23, 3, 2, 11, 0, time.UTC),
		Last:         time.Date(2026, 11, 24, 16, 40, 2, 0, time.UTC),
		At:           time.Date(2026, 11, 24, 22, 0, 0, 0, almaty),
		FirstReceipt: 118, LastReceipt: 140, LastID: 140,
		Total: total, Cashiers: []store.ShiftTotals{nameless, aigerim},
		Long: true, ClosedBy: "Мария", AuditHead: "9f2c4e0b7a51d3e8",
	}
}

func reportOptions(cat *locale.Catalog, w int) Options {
	return Options{Width: w, T: cat.T, Amount: cat.Amount}
}

// Golden shift reports: every width in Russian, and each other language
// at 48 columns; `go test ./receipts/ -update` rewrites them.
func TestReportLayouts(t *testing.T) {
	type reportCase struct {
		lang  string
		width int
		sh    store.Shift
	}
	var cases []reportCase
	for _, w := range Widths {
		cases = append(cases, reportCase{"ru", w, sampleShift()})
	}
	for _, lang := range []string{"en", "kk", "uz"} {
		cases = append(cases, reportCase{lang, 48, sampleShift()})
	}
	x := store.Shift{Number: 1, Till: "KASSA1", At: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), Training: true}
	cases = append(cases, reportCase{"en", 42, x})
	for _, c := range cases {
		name := fmt.Sprintf("%s/%d", c.lang, c.width)
		if c.sh.Z == 0 {
			name = fmt.Sprintf("%s/x_empty_training_%d", c.lang, c.width)
		}
		t.Run(name, func(t *testing.T) {
			lines, err := ReportLines(c.sh, reportOptions(locale.MustLoad(c.lang), c.width))
			if err != nil {
				t.Fatal(err)
			}
			fits(t, lines, c.width, UTF8)
			golden.RequireEqual(t, strings.Join(lines, "\n")+"\n")
		})
	}
}

func TestReportSaysWhatItHolds(t *testing.T) {
	cat := locale.MustLoad("en")
	sh := sampleShift()
	text := strings.Join(must(ReportLines(sh, reportOptions(cat, 48))), "\n")
	for _, want := range []string{
		"Z REPORT No. 3", "NON-FISCAL DOCUMENT", "000118 – 000140", "KASSA1", "Мария", "9f2c4e0b7a51d3e8",
		"THE SHIFT IS LONGER THAN 24 HOURS", "CASHIER: Айгерим Нурланова", "CASHIER: no name",
		// Times in the report's zone: 21:05 UTC is 02:05 in Almaty.
		"23.11.2026 02:05:00", "24.11.2026 22:00:00",
		// The nameless cashier refunded an earlier shift's payment.
		"-12 000 ₸", "150 000.50 soʻm", "136 000 ₸",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "NON-FISCAL DOCUMENT"); n != 2 {
		t.Errorf("NON-FISCAL printed %d times, want at the top and the bottom", n)
	}

	x := sh
	x.Z, x.Long, x.ClosedBy, x.AuditHead = 0, false, "", ""
	text = strings.Join(must(ReportLines(x, reportOptions(cat, 32))), "\n")
	for _, not := range []string{"Z REPORT", "LONGER", "Closed by", "Audit log"} {
		if strings.Contains(text, not) {
			t.Errorf("an X report of a short shift says %q", not)
		}
	}
	if !strings.Contains(text, "X REPORT") {
		t.Error("no X REPORT title")
	}
	if _, err := ReportLines(sh, Options{Width: 40, T: cat.T}); err == nil {
		t.Error("a width of 40 was laid out")
	}
}

func must(lines []string, err error) []string {
	if err != nil {
		panic(err)
	}
	return lines
}

// ReportKeys is exactly what ReportLines asks the translator for, apart
// from the providers' names, and every language has them all.
func TestReportKeysAreWhatReportLinesAsks(t *testing.T) {
	asked := map[string]bool{}
	tr := func(key string, args ...any) string {
		asked[key] = true
		return key
	}
	empty := store.Shift{At: time.Now(), Training: true}
	approved := sampleShift()
	approved.ApprovedBy = "Дана" // a cashier's Z, with a manager's approval
	for _, sh := range []store.Shift{approved, empty} {
		sh.Training = true
		sh.Total.Lines = append(sh.Total.Lines, store.ShiftLine{Provider: "kaspi", Paid: providers.New(1, providers.KZT),
			Refunded: providers.New(0, providers.KZT), Net: providers.New(1, providers.KZT)})
		if _, err := ReportLines(sh, Options{Width: 48, T: tr}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ReportLines(empty, Options{Width: 48, T: tr}); err != nil {
		t.Fatal(err)
	}
	for k := range asked {
		if strings.HasPrefix(k, "provider.") {
			delete(asked, k)
		}
	}
	if got, want := sorted(slices.Collect(maps.Keys(asked))), sorted(ReportKeys()); !slices.Equal(got, want) {
		t.Errorf("ReportLines asked %v\nReportKeys lists %v", got, want)
	}
	for _, lang := range locale.Languages() {
		cat := locale.MustLoad(lang)
		for _, k := range ReportKeys() {
			if !cat.Has(k) {
				t.Errorf("%s has no %s", lang, k)
			}
		}
	}
}
