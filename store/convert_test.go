package store

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// testdata/layout2.db was written by kassa before the compact layout (at
// 3e6fba7): 400 Kaspi operations with refunds, two OCTO payments (one
// fiscalized), two people, an audit log, a Z report and a secret; beside
// it, what that kassa read from it: every operation's JSON, the CSV of
// the payments and of the refunds of 35 days, and their totals.
func oldLayoutFile(t *testing.T) (path string, sum [32]byte) {
	t.Helper()
	raw := gunzip(t, "testdata/layout2.db.gz")
	path = filepath.Join(t.TempDir(), "shop.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, sha256.Sum256(raw)
}

func gunzip(t *testing.T, name string) []byte {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameAsBefore checks that s shows what the kassa before the compact
// layout showed of testdata/layout2.db.
func sameAsBefore(t *testing.T, s *Store) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(gunzip(t, "testdata/layout2.ops.jsonl.gz"))), "\n")
	for i, line := range lines {
		op, err := s.Get(ID(i + 1))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := json.Marshal(op); string(got) != line {
			t.Fatalf("operation %d:\n%s\nwas\n%s", i+1, got, line)
		}
	}
	if _, err := s.Get(ID(len(lines) + 1)); err == nil {
		t.Fatal("an operation more than before")
	}
	for _, kind := range []Kind{KindPayment, KindRefund} {
		var csv bytes.Buffer
		if _, err := s.WriteCSV(&csv, Query{Kind: kind, From: t0.AddDate(0, 0, -34), To: t0}, CSVFormat{}); err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile("testdata/layout2." + string(kind) + ".csv")
		if !bytes.Equal(csv.Bytes(), want) {
			t.Fatalf("the %s CSV differs from before", kind)
		}
	}
	tot, err := s.Totals(Query{From: t0.AddDate(0, 0, -34), To: t0}, providers.KZT)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("testdata/layout2.totals.json")
	if got, _ := json.Marshal(tot); string(got) != string(want) {
		t.Fatalf("totals %s, were %s", got, want)
	}
	if n, broken, err := s.VerifyAudit(); err != nil || broken != nil || n == 0 {
		t.Fatalf("audit: %d entries, %v, %v", n, broken, err)
	}
	if _, err := s.SignIn("Bolat", "2222", t0); err != nil {
		t.Fatal("the cashier's PIN:", err)
	}
	if z, err := s.ZReports(5); err != nil || len(z) != 1 {
		t.Fatalf("Z reports: %v, %v", z, err)
	}
	var token string
	if ok, err := s.Secret("kaspi_token", &token); !ok || err != nil || token != "secret-token-1" {
		t.Fatalf("the secret: %q %v %v", token, ok, err)
	}
	next := NewPayment("kaspi", tenge(100), "", false, t0)
	if err := s.Create(&next); err != nil || next.ID != ID(len(lines)+1) {
		t.Fatalf("the next receipt: %d, %v", next.ID, err)
	}
	s.view(func(tx *bolt.Tx) error {
		for _, b := range legacyBuckets {
			if tx.Bucket(b) != nil {
				t.Errorf("%s is still there", b)
			}
		}
		return nil
	})
}

func TestAnOldFileIsConvertedOnceOnOpen(t *testing.T) {
	path, sum := oldLayoutFile(t)
	var reports [][2]int
	s, err := OpenWith(path, func(done, total int) { reports = append(reports, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	last := reports[len(reports)-1]
	if len(reports) < 3 || reports[0] != [2]int{0, 0} || last[0] != 402 || last[1] != 402 {
		t.Fatalf("progress %v", reports)
	}
	sameAsBefore(t, s)
	backup, err := os.ReadFile(BeforeCompactPath(path))
	if err != nil || sha256.Sum256(backup) != sum {
		t.Fatalf("the file as it was is not kept whole beside it: %v", err)
	}
	if _, err := os.Stat(ConvertingPath(path)); !os.IsNotExist(err) {
		t.Fatal("the conversion's file is left behind")
	}
	s.Close()
	reports = nil
	s, err = OpenWith(path, func(done, total int) { reports = append(reports, [2]int{done, total}) })
	if err != nil || len(reports) != 0 {
		t.Fatalf("opened again: %v, %v", reports, err)
	}
	s.Close()
}

// A conversion killed after its renames began: the old file is at its
// backup name, the new one complete beside it. The next open finishes.
func TestAConversionKilledBetweenItsRenamesIsFinished(t *testing.T) {
	path, _ := oldLayoutFile(t)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Rename(path, ConvertingPath(path)); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sameAsBefore(t, s)
}

// The conversion is killed (SIGKILL) after a batch it wrote: the old file
// is untouched, and the next open goes on from that batch, not anew.
func TestAConversionKilledGoesOnAtTheNextOpen(t *testing.T) {
	path, sum := oldLayoutFile(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "KASSA_CONVERT_HANG="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "converted 150 ") {
	}
	cmd.Process.Kill()
	cmd.Wait()
	if raw, _ := os.ReadFile(path); sha256.Sum256(raw) != sum {
		t.Fatal("the old file was written to")
	}
	var reports [][2]int
	s, err := OpenWith(path, func(done, total int) { reports = append(reports, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(reports) < 2 || reports[1][0] < 150 {
		t.Fatalf("the conversion began again: %v", reports)
	}
	sameAsBefore(t, s)
}

// convertAndHang is the process the test above kills (see TestMain): it
// converts in batches of 50 and, once 150 are written, says so and waits
// for its end.
func convertAndHang(path string) {
	convertBatch = 50
	OpenWith(path, func(done, total int) {
		fmt.Printf("converted %d of %d\n", done, total)
		if done >= 150 {
			select {} // killed here
		}
	})
	os.Exit(1) // not killed: the test says what it saw
}
