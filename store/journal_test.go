package store

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
)

// killedWriter is the till TestAKilledTillLosesNoAcknowledgedWrite kills
// (see TestMain): it creates and pays operations, saying which once each
// write returned, and never lets the applier run before the first 256,
// so the kill finds most of them in the journal alone.
func killedWriter(path string) {
	applyPause = time.Hour
	s, err := Open(path)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		op := tillPayment(i)
		if err := s.Create(&op); err != nil {
			fmt.Println("create:", err)
			os.Exit(1)
		}
		fmt.Printf("created %d\n", op.ID)
		tillStarted(&op, i)
		tillPaid(&op, i)
		if err := s.Save(&op); err != nil {
			fmt.Println("save:", err)
			os.Exit(1)
		}
		fmt.Printf("paid %d %s\n", op.ID, op.TransactionID)
		if i == 299 {
			select {} // killed here
		}
	}
}

func TestAKilledTillLosesNoAcknowledgedWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "till.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "KASSA_JOURNAL_WRITER="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	paid := map[ID]string{}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if f[0] != "paid" && f[0] != "created" {
			t.Fatal(lines.Text())
		}
		if f[0] == "paid" {
			id, _ := strconv.Atoi(f[1])
			paid[ID(id)] = f[2]
			if len(paid) == 300 {
				break
			}
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(paid) != 300 {
		t.Fatalf("the writer stopped after %d", len(paid))
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id, number := range paid {
		op, err := s.Get(id)
		if err != nil || op.State != StateSuccess || op.TransactionID != number {
			t.Fatalf("operation %d: %v %v %q", id, err, op.State, op.TransactionID)
		}
	}
	// The indexes and totals followed the journal's records too.
	last := paid[300]
	q := Query{From: t0, To: t0.Add(time.Hour), Search: last}
	if rows, _, err := s.Page(q, nil, 10); err != nil || len(rows) != 1 || rows[0].ID != 300 {
		t.Fatalf("the last payment by its number: %v %v", rows, err)
	}
	if op, err := s.ByReference("kaspi", last); err != nil || op.ID != 300 {
		t.Fatalf("by reference: %v %v", op.ID, err)
	}
	tot, err := s.Totals(Query{From: t0, To: t0.Add(time.Hour)}, providers.KZT)
	var want int64
	for i := range 300 {
		want += tillPayment(i).Amount.Minor
	}
	if err != nil || tot.Payments != 300 || tot.Paid.Minor != want {
		t.Fatalf("totals %+v %v, want 300 paying %d", tot, err, want)
	}
	next := NewPayment("kaspi", tenge(1), "", false, t0)
	if err := s.Create(&next); err != nil || next.ID != 301 {
		t.Fatalf("the next receipt: %d %v", next.ID, err)
	}
}

// crash leaves s as a killed process would: the journal not applied, the
// files not closed in order.
func crash(t *testing.T, s *Store) {
	t.Helper()
	close(s.stop)
	<-s.stopped
	s.j.f.Close()
	s.j = nil
	s.db.Close()
}

// A record torn by the kill (or a power cut) mid-write is not applied,
// and the ones before it are.
func TestATornJournalRecordIsLeftOut(t *testing.T) {
	s, path := openTemp(t)
	applyPause = time.Hour
	defer func() { applyPause = 50 * time.Millisecond }()
	var ops []Operation
	for i := range 3 {
		op := tillPayment(i)
		if err := s.Create(&op); err != nil {
			t.Fatal(err)
		}
		ops = append(ops, op)
	}
	tillPaid(&ops[2], 2)
	if err := s.Save(&ops[2]); err != nil {
		t.Fatal(err)
	}
	off := s.j.off
	crash(t, s)
	// The last record's end never reached the disk.
	f, err := os.OpenFile(JournalPath(path), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt(make([]byte, 40), off-40)
	f.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Get(ops[2].ID)
	if err != nil || got.State != StateCreated {
		t.Fatalf("the torn save was applied: %v %v", got.State, err)
	}
	for _, op := range ops[:2] {
		if _, err := s.Get(op.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// A journal left beside a file it does not belong to (another till's, a
// file put back by hand) is never applied to it.
func TestAnotherFilesJournalIsNotApplied(t *testing.T) {
	a, pathA := openTemp(t)
	applyPause = time.Hour
	defer func() { applyPause = 50 * time.Millisecond }()
	op := tillPayment(1)
	if err := a.Create(&op); err != nil {
		t.Fatal(err)
	}
	crash(t, a)
	b, pathB := openTemp(t)
	b.Close()
	raw, _ := os.ReadFile(JournalPath(pathA))
	os.WriteFile(JournalPath(pathB), raw, 0o600)
	b, err := Open(pathB)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Get(op.ID); err == nil {
		t.Fatal("another file's journal was applied")
	}
}
