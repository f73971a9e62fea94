package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/receipts/escpos"
	"github.com/kassa-till/kassa/receipts/escpos/decode"
	"github.com/kassa-till/kassa/receipts/printer"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

func report(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := runReport(args, strings.NewReader(""), &out); err != nil {
		t.Fatalf("kassa report %q: %v\n%s", args, err, &out)
	}
	return out.String()
}

// historyTotals is what the history's totals say of every operation in
// db, in tenge: the made-up shop's six months, 35 days at a time.
func historyTotals(t *testing.T, db string) store.Totals {
	t.Helper()
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sum := store.Totals{Paid: providers.New(0, providers.KZT), Refunded: providers.New(0, providers.KZT)}
	for from := time.Now().AddDate(0, 0, -200); !from.After(time.Now()); from = from.AddDate(0, 0, store.MaxPeriod) {
		tot, err := st.Totals(store.Query{From: from, To: from.AddDate(0, 0, store.MaxPeriod-1)}, providers.KZT)
		if err != nil {
			t.Fatal(err)
		}
		sum.Payments, sum.Refunds = sum.Payments+tot.Payments, sum.Refunds+tot.Refunds
		sum.Paid, sum.Refunded = sum.Paid.Add(tot.Paid), sum.Refunded.Add(tot.Refunded)
	}
	return sum
}

// readCSV is a report's CSV file: its header and rows.
func readCSV(t *testing.T, file string, comma rune) [][]string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text, ok := strings.CutPrefix(string(raw), "\ufeff")
	if !ok {
		t.Fatal("no byte-order mark")
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = comma
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestReportXZAndShow(t *testing.T) {
	db := genFile(t, 2000)

	x := report(t, "x", "--db", db)
	for _, want := range []string{"X REPORT", "NON-FISCAL DOCUMENT", "Shift No.", "000001 – 002000",
		"THE SHIFT IS LONGER THAN 24 HOURS", "CASHIER: Айгерім", "CASHIER: Данияр", "CASHIER: Мария"} {
		if !strings.Contains(x, want) {
			t.Errorf("kassa report x lacks %q:\n%s", want, x)
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(x, "\n"), "\n") {
		if w := ansi.StringWidth(line); w > 48 {
			t.Errorf("a line of %d columns on 80 mm paper: %q", w, line)
		}
	}
	if again := report(t, "x", "--db", db); stripTimes(again) != stripTimes(x) {
		t.Error("a second X differs from the first")
	}

	// The CSV's whole-till rows say what the history's totals say.
	file := filepath.Join(t.TempDir(), "x.csv")
	said := report(t, "x", "--db", db, "--out", file, "--lang", "ru")
	if !strings.Contains(said, "Отчёт записан в "+file) || !strings.Contains(said, "больше 24 часов") {
		t.Errorf("kassa report x --out says %q", said)
	}
	recs := readCSV(t, file, ';')
	if recs[0][0] != "Кассир" || recs[0][4] != "Продажи, шт." || len(recs[0]) != len(store.ShiftCSVHeader) {
		t.Fatalf("header %q", recs[0])
	}
	got := store.Totals{Paid: providers.New(0, providers.KZT), Refunded: providers.New(0, providers.KZT)}
	var failed int
	for _, r := range recs[1:] {
		if r[0] != "Вся касса" {
			continue
		}
		if r[1] == "" {
			failed = atoi(t, r[9])
			continue
		}
		got.Payments += atoi(t, r[4])
		got.Refunds += atoi(t, r[6])
		got.Paid.Minor += int64(atoi(t, r[5]))
		got.Refunded.Minor += int64(atoi(t, r[7]))
	}
	if want := historyTotals(t, db); got != want {
		t.Fatalf("the report's CSV says %+v, the history %+v", got, want)
	}
	if failed == 0 {
		t.Fatal("no declined or refused payment counted")
	}

	z := report(t, "z", "--db", db, "--cashier", "Мария")
	if !strings.Contains(z, "Z REPORT No. 1") || !strings.Contains(z, "Closed by") || !strings.Contains(z, "000001 – 002000") {
		t.Fatalf("kassa report z:\n%s", z)
	}
	next := report(t, "x", "--db", db)
	for _, want := range [][2]string{{"Shift No.", "2"}, {"Receipts", "none"}, {"", "No payments or refunds"}} {
		if !hasLine(next, want[0], want[1]) {
			t.Errorf("the X after the Z lacks %q … %q:\n%s", want[0], want[1], next)
		}
	}
	if shown := report(t, "show", "--z", "1", "--db", db); shown != z {
		t.Errorf("kassa report show --z 1 shows\n%s\nthe Z said\n%s", shown, z)
	}
	if last := report(t, "show", "--db", db); last != z {
		t.Error("kassa report show does not show the last Z")
	}

	var stderr bytes.Buffer
	if code := run([]string{"report", "show", "--z", "2", "--db", db}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "has no Z report No. 2") {
		t.Errorf("show --z 2: exit %d, %q", code, &stderr)
	}
	stderr.Reset()
	if code := run([]string{"report", "y", "--db", db}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "kassa report what?") {
		t.Errorf("report y: exit %d, %q", code, &stderr)
	}

	// An empty shift closes too, into a CSV of its counts alone.
	file = filepath.Join(t.TempDir(), "z2.csv")
	said = report(t, "z", "--db", db, "--out", file)
	if !strings.Contains(said, "The shift is closed: Z report No. 2.") || strings.Contains(said, "24 hours") {
		t.Errorf("the second Z says %q", said)
	}
	recs = readCSV(t, file, ',')
	if len(recs) != 2 || recs[1][0] != "Whole till" || recs[1][1] != "" || recs[1][9] != "0" {
		t.Errorf("an empty shift's CSV: %q", recs)
	}
	// --out never overwrites, and a Z refused for it closes nothing.
	stderr.Reset()
	if code := run([]string{"report", "z", "--db", db, "--out", file}, &stderr); code != exitUsage {
		t.Errorf("a Z over an existing file: exit %d, %q", code, &stderr)
	}
	if last := report(t, "show", "--db", db); !strings.Contains(last, "Z REPORT No. 2") {
		t.Errorf("a refused Z closed the shift:\n%s", last)
	}
}

// hasLine reports whether a line of text starts with label and ends with
// value.
func hasLine(text, label, value string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, label) && strings.HasSuffix(l, value) {
			return true
		}
	}
	return false
}

// stripTimes drops the report's own time, which moves between two runs.
func stripTimes(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "Report time") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("%q is not a count", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// While the till runs it holds the file: the reports come from it, and
// the Z it makes is in its books.
func TestReportWhileTheTillRuns(t *testing.T) {
	db := genFile(t, 300)
	st, _ := runningTill(t, db)
	x := report(t, "x", "--db", db)
	if !strings.Contains(x, "000001 – 000300") {
		t.Fatalf("X through the till:\n%s", x)
	}
	z := report(t, "z", "--db", db, "--cashier", "Данияр")
	stored, err := st.ZReport(1)
	if err != nil || stored.LastID != 300 || stored.ClosedBy != "Данияр" || !strings.Contains(z, "Z REPORT No. 1") {
		t.Fatalf("the till's Z: %+v, %v\n%s", stored, err, z)
	}
	if shown := report(t, "show", "--z", "1", "--db", db); shown != z {
		t.Errorf("show through the till:\n%s\nthe Z:\n%s", shown, z)
	}
	var stderr bytes.Buffer
	if code := run([]string{"report", "show", "--z", "5", "--db", db}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "has no Z report No. 5") {
		t.Errorf("show --z 5 through the till: exit %d, %q", code, &stderr)
	}
}

// --print sends the report to the printer as ESC/POS; a printer that is
// not set refuses the Z before it closes anything.
func TestReportPrints(t *testing.T) {
	db := genFile(t, 100)
	var stderr bytes.Buffer
	if code := run([]string{"report", "z", "--print", "--db", db}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "No printer is set") {
		t.Fatalf("--print without a printer: exit %d, %q", code, &stderr)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	zs, err := st.ZReports(0)
	st.Close()
	if err != nil || len(zs) != 0 {
		t.Fatalf("a refused Z was stored: %d (%v)", len(zs), err)
	}

	path := filepath.Join(t.TempDir(), "paper.bin")
	said := report(t, "z", "--print", "--db", db, "--printer", "file:"+path, "--paper", "58", "--printer-mode", "text", "--printer-codepage", "kz1048", "--lang", "kk")
	if !strings.Contains(said, "Ауысым жабылды: Z-есеп № 1.") || !strings.Contains(said, "принтеріне жіберілді") {
		t.Fatalf("kassa report z --print says %q", said)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := decode.Decode(raw, escpos.EpsonPages())
	if err != nil {
		t.Fatal(err)
	}
	paper := strings.Join(doc.Lines(), "\n")
	for _, want := range []string{"Z-ЕСЕП № 1", "ФИСКАЛДЫҚ ЕМЕС ҚҰЖАТ", "БҮКІЛ КАССА", "000001 – 000100"} {
		if !strings.Contains(paper, want) {
			t.Errorf("the paper lacks %q:\n%s", want, paper)
		}
	}
	if doc.Cuts() != 1 {
		t.Errorf("%d cuts", doc.Cuts())
	}
	for _, l := range doc.Lines() {
		if len([]rune(l)) > 32 {
			t.Errorf("a line wider than 58 mm paper: %q", l)
		}
	}
}

// The till's printer prints a report the screens ask for as kassa report
// --print does.
func TestTillPrinterPrintsAReport(t *testing.T) {
	cat := locale.MustLoad("ru")
	path := filepath.Join(t.TempDir(), "paper.bin")
	dev, err := printer.New("file:"+path, printer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	prof, _ := escpos.NewProfile(80)
	prof.Mode, prof.CodePage = escpos.Text, escpos.CP866
	p := &tillPrinter{c: &common.Common{Cat: cat}, device: dev, profile: prof}
	sh := store.Shift{Number: 4, Till: "K1", At: time.Now()}
	if err := p.PrintReport(context.Background(), sh); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	doc, err := decode.Decode(raw, escpos.EpsonPages())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := receipts.ReportLines(sh, receipts.Options{Width: 48, T: cat.T, Amount: cat.Amount, NoTenge: true})
	if got := strings.TrimRight(strings.Join(doc.Lines(), "\n"), "\n"); got != strings.Join(want, "\n") {
		t.Errorf("printed\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}
