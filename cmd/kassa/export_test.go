package main

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
)

// genFile writes n made-up operations into a new data file.
func genFile(t *testing.T, n int) string {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "big.db")
	var out bytes.Buffer
	if err := runGen([]string{"--count", strconv.Itoa(n), "--db", db}, &out, io.Discard); err != nil {
		t.Fatalf("gen: %v\n%s", err, &out)
	}
	if !strings.HasPrefix(out.String(), strconv.Itoa(n)+" operations written to "+db) {
		t.Fatalf("gen says %q", &out)
	}
	return db
}

func day(t time.Time) string { return t.Format("2006-01-02") }

func TestGenThenExport(t *testing.T) {
	db := genFile(t, 3000)
	from, to := day(time.Now().AddDate(0, 0, -34)), day(time.Now())
	for _, kind := range []string{"payments", "refunds"} {
		file := filepath.Join(t.TempDir(), kind+".csv")
		var out bytes.Buffer
		if err := runExport([]string{"--from", from, "--to", to, "--kind", kind, "--out", file, "--db", db}, &out); err != nil {
			t.Fatalf("export: %v", err)
		}
		raw, _ := os.ReadFile(file)
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff"))).ReadAll()
		if err != nil || len(recs) < 10 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
		// As many rows as the history lists for the same period.
		st, err := store.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		q := store.Query{Kind: store.KindPayment, From: time.Now().AddDate(0, 0, -34), To: time.Now()}
		if kind == "refunds" {
			q.Kind = store.KindRefund
		}
		rows, _, err := st.Page(q, nil, 100000)
		st.Close()
		if err != nil || len(rows) != len(recs)-1 {
			t.Fatalf("%s: %d rows exported, the history lists %d (%v)", kind, len(recs)-1, len(rows), err)
		}
		if want := locale.MustLoad("en").Number(int64(len(rows))) + " " + kind + " written to " + file; !strings.HasPrefix(out.String(), want) {
			t.Fatalf("export says %q, want %q", &out, want)
		}
	}
}

func TestExportRefusesMoreThan35Days(t *testing.T) {
	db := genFile(t, 100)
	long := filepath.Join(t.TempDir(), "long.csv")
	var stderr bytes.Buffer
	code := run([]string{"export", "--from", day(time.Now().AddDate(0, 0, -35)), "--to", day(time.Now()), "--out", long, "--db", db}, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "36 days; export at most 35") {
		t.Fatalf("36 days: exit %d, %q", code, &stderr)
	}
	if _, err := os.Stat(long); err == nil {
		t.Fatal("a file was written for a refused period")
	}
	stderr.Reset()
	if code := run([]string{"export", "--lang", "ru", "--from", day(time.Now().AddDate(0, 0, -35)), "--to", day(time.Now()), "--db", db}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "в периоде 36 дней") {
		t.Fatalf("36 days in Russian: exit %d, %q", code, &stderr)
	}
	ok := filepath.Join(t.TempDir(), "ok.csv")
	if code := run([]string{"export", "--from", day(time.Now().AddDate(0, 0, -34)), "--to", day(time.Now()), "--out", ok, "--db", db}, &stderr); code != 0 {
		t.Fatalf("35 days: exit %d, %q", code, &stderr)
	}
	stderr.Reset()
	if code := run([]string{"export", "--from", "2026-03-02", "--to", "2026-03-01", "--db", db}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "ends before it starts") {
		t.Fatalf("backwards: exit %d, %q", code, &stderr)
	}
	stderr.Reset()
	if code := run([]string{"export", "--from", "1.3.2026", "--to", "2026-03-01", "--db", db}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "YYYY-MM-DD") {
		t.Fatalf("bad date: exit %d, %q", code, &stderr)
	}
}

// In Russian the file is what a Russian spreadsheet opens in columns:
// fields split by ';'.
func TestExportInRussianUsesSemicolons(t *testing.T) {
	db := genFile(t, 200)
	file := filepath.Join(t.TempDir(), "ru.csv")
	var out bytes.Buffer
	if err := runExport([]string{"--lang", "ru", "--from", day(time.Now().AddDate(0, 0, -34)), "--db", db, "--out", file}, &out); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(file)
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 || len(recs[0]) != len(store.CSVHeader) {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	// The header and the kind, status and method in Russian too; a Kaspi
	// payment has no fiscal state.
	if recs[0][0] != "Время" || recs[0][1] != "Вид" || recs[1][1] != "Оплата" || !slices.Contains([]string{"Kaspi QR", "Карта"}, recs[1][9]) ||
		recs[1][5] != "Kaspi Smart POS" || recs[0][11] != "Фискальный статус" || recs[0][14] != "QR фискального чека" || recs[1][11] != "" {
		t.Fatalf("header %q, first row %q", recs[0], recs[1])
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if !strings.Contains(out.String(), "Оплат") {
		t.Fatalf("said %q", &out)
	}
}

// --out naming a file that exists is refused with its name, the file kept
// as it was; a new file is 0600 whatever the umask allows.
func TestExportNeverOverwrites(t *testing.T) {
	db := genFile(t, 50)
	dir := t.TempDir()
	old := filepath.Join(dir, "old.csv")
	os.WriteFile(old, []byte("keep me\n"), 0o644)
	var stderr bytes.Buffer
	code := run([]string{"export", "--from", day(time.Now().AddDate(0, 0, -3)), "--out", old, "--db", db}, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), old+" exists already") {
		t.Fatalf("exit %d, %q", code, &stderr)
	}
	if raw, _ := os.ReadFile(old); string(raw) != "keep me\n" {
		t.Fatalf("the old file now holds %q", raw)
	}
	if fi, _ := os.Stat(old); fi.Mode().Perm() != 0o644 {
		t.Fatalf("the old file's mode became %v", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

// An export that fails half-way leaves nothing under the name, nor its
// temporary file; a default name taken meanwhile moves on to the next.
func TestFailedExportLeavesNothing(t *testing.T) {
	cat := catalogFor("en")
	dir := t.TempDir()
	name := filepath.Join(dir, "kassa-payments.csv")
	_, err := writeExport(name, true, cat, func(w io.Writer) error {
		io.WriteString(w, "Time,Kind\n2026-11-23,")
		return io.ErrUnexpectedEOF
	})
	if exitCode(err) != exitBooks || !strings.Contains(err.Error(), "Nothing was written there") {
		t.Fatalf("%v (exit %d)", err, exitCode(err))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
	got, err := writeExport(name, false, cat, func(w io.Writer) error {
		os.WriteFile(name, []byte("someone else's\n"), 0o600) // taken while the rows were written
		_, err := io.WriteString(w, "Time,Kind\n")
		return err
	})
	if err != nil || got != filepath.Join(dir, "kassa-payments-2.csv") {
		t.Fatalf("%q %v", got, err)
	}
	if raw, _ := os.ReadFile(name); string(raw) != "someone else's\n" {
		t.Fatalf("overwritten: %q", raw)
	}
	if fi, _ := os.Stat(got); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("left behind: %v", entries)
	}
}
