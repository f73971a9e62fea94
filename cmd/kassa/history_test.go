package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/store"
)

func TestGenThenExport(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	db := filepath.Join(dir, "big.db")
	var out bytes.Buffer
	if err := runGen([]string{"--count", "3000", "--db", db}, &out); err != nil {
		t.Fatalf("gen: %v\n%s", err, &out)
	}
	if fi, _ := os.Stat(db); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	to := time.Now().Format("2006-01-02")
	from := time.Now().AddDate(0, 0, -34).Format("2006-01-02")
	file := filepath.Join(dir, "month.csv")
	out.Reset()
	if err := runExport([]string{"--from", from, "--to", to, "--kind", "refunds", "--out", file, "--db", db}, &out); err != nil {
		t.Fatalf("export: %v", err)
	}
	raw, _ := os.ReadFile(file)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff"))).ReadAll()
	if err != nil || len(recs) < 10 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if !strings.Contains(out.String(), file) || !strings.HasPrefix(out.String(), strings.TrimSpace(strings.Split(out.String(), " ")[0])) {
		t.Fatalf("output %q", &out)
	}

	// 36 days: refused with a clear message, nothing written.
	long := filepath.Join(dir, "long.csv")
	err = runExport([]string{"--from", time.Now().AddDate(0, 0, -35).Format("2006-01-02"), "--to", to, "--out", long, "--db", db}, &out)
	if err == nil || !strings.Contains(err.Error(), "36 days") {
		t.Fatalf("36 days: %v", err)
	}
	if _, err := os.Stat(long); err == nil {
		t.Fatal("a file was written for a refused period")
	}
	if code := run([]string{"export", "--from", "2026-01-01", "--to", "2026-03-01", "--db", db}, &bytes.Buffer{}); code == 0 {
		t.Fatal("exit 0 for a 60-day period")
	}
}

func TestGenLeavesNothingForTheTillToTakeUp(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "g.db")
	if err := runGen([]string{"--count", "5000", "--db", db}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if open, _ := st.Unfinished(); len(open) != 0 {
		t.Fatalf("%d operations left open", len(open))
	}
}
