package main

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
)

func fileDigest(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// scribbleMiddle writes random-looking bytes over n pages from the middle
// of the file: where the operations' pages are.
func scribbleMiddle(t *testing.T, path string, n int) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := make([]byte, n*4096)
	x := uint32(2463534242)
	for i := range junk {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		junk[i] = byte(x)
	}
	if _, err := f.WriteAt(junk, fi.Size()/2/4096*4096); err != nil {
		t.Fatal(err)
	}
}

// A truncated and a scribbled-over data file are refused with what to do,
// by every command that opens one, and are never written to.
func TestDamagedDataFileIsRefusedUnwritten(t *testing.T) {
	for _, tc := range []struct {
		name, says string
		damage     func(t *testing.T, path string)
	}{
		{"truncated", "cut short", func(t *testing.T, path string) {
			fi, _ := os.Stat(path)
			if err := os.Truncate(path, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"scribbled", "overwritten", func(t *testing.T, path string) { scribbleMiddle(t, path, 8) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := genFile(t, 1500)
			tc.damage(t, db)
			before := fileDigest(t, db)
			_, err := openStoreFor(t, db)
			if exitCode(err) != exitBooks || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "kassa db restore --db "+db) {
				t.Fatalf("exit %d: %v", exitCode(err), err)
			}
			var out bytes.Buffer
			err = runDBCheck([]string{"--db", db}, &out)
			if exitCode(err) != exitBooks || !strings.Contains(out.String(), "is damaged:") || !strings.Contains(out.String(), tc.says) {
				t.Fatalf("check: exit %d %v\n%s", exitCode(err), err, &out)
			}
			if fileDigest(t, db) != before {
				t.Fatal("the damaged file was written to")
			}
		})
	}
}

func openStoreFor(t *testing.T, db string) (*store.Store, error) {
	t.Helper()
	st, _, err := openStore([]string{"--db", db})
	if err == nil {
		t.Cleanup(func() { st.Close() })
	}
	return st, err
}

// An emptied data file where one was is refused, not taken as new
// (receipts would start again at 000001).
func TestEmptiedDataFileIsRefused(t *testing.T) {
	db := genFile(t, 10)
	if err := os.Truncate(db, 0); err != nil {
		t.Fatal(err)
	}
	_, err := openStoreFor(t, db)
	if exitCode(err) != exitBooks || !strings.Contains(err.Error(), "is empty, but") || !strings.Contains(err.Error(), "000001") {
		t.Fatalf("exit %d: %v", exitCode(err), err)
	}
	if fi, _ := os.Stat(db); fi.Size() != 0 {
		t.Fatal("the emptied file was written to")
	}
}

func TestCheckOfASoundFile(t *testing.T) {
	db := genFile(t, 300)
	var out bytes.Buffer
	if err := runDBCheck([]string{"--db", db}, &out); err != nil || !strings.Contains(out.String(), "reads whole") {
		t.Fatalf("%v\n%s", err, &out)
	}
}

// Salvage copies every operation that reads into a new file that opens
// and checks sound; every receipt is either copied or listed.
func TestSalvageFromTheCommandLine(t *testing.T) {
	db := genFile(t, 1500)
	orig, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	want := map[store.ID]store.Operation{}
	for id := store.ID(1); id <= 1500; id++ {
		if want[id], err = orig.Get(id); err != nil {
			t.Fatal(err)
		}
	}
	orig.Close()
	scribbleMiddle(t, db, 8)
	dst := filepath.Join(t.TempDir(), "new.db")
	var out bytes.Buffer
	err = runDBSalvage([]string{"--db", db, "--out", dst}, &out)
	lost := strings.Count(out.String(), "\n  receipt ")
	switch {
	case lost > 0 && exitCode(err) != exitPerson, lost == 0 && err != nil:
		t.Fatalf("exit %d with %d lost: %v\n%s", exitCode(err), lost, err, &out)
	}
	st, err := store.Open(dst)
	if err != nil {
		t.Fatalf("the salvaged file: %v", err)
	}
	defer st.Close()
	copied := 0
	for id, op := range want {
		got, err := st.Get(id)
		if err != nil {
			if !strings.Contains(out.String(), "receipt "+id.Receipt()) {
				t.Fatalf("%s neither copied nor listed", id.Receipt())
			}
			continue
		}
		copied++
		if got.Amount != op.Amount || got.State != op.State || got.Created.Unix() != op.Created.Unix() {
			t.Fatalf("%s copied as %+v, was %+v", id.Receipt(), got, op)
		}
	}
	if copied+lost != 1500 {
		t.Fatalf("%d copied, %d lost\n%s", copied, lost, &out)
	}
	if !strings.Contains(out.String(), "gives receipt 001501 next") {
		t.Fatalf("%s", &out)
	}
	if err := runDBSalvage([]string{"--db", db, "--out", dst}, &out); exitCode(err) != exitUsage {
		t.Fatalf("salvage over an existing file: %v", err)
	}
}

// kassa db backup, then restore: the books come back as they were; the
// file replaced is kept, and receipts go on past the ones it had given.
func TestBackupAndRestoreFromTheCommandLine(t *testing.T) {
	db := genFile(t, 200)
	dir := filepath.Join(t.TempDir(), "copies")
	var out bytes.Buffer
	if err := runDBBackup([]string{"--db", db, "--backup-dir", dir}, &out); err != nil || !strings.Contains(out.String(), dir) {
		t.Fatalf("%v\n%s", err, &out)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%v", entries)
	}
	if fi, _ := entries[0].Info(); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	// A sale after the backup: its number is not given again.
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	op := store.NewPayment("kaspi", providers.New(1500, providers.KZT), "", false, time.Now())
	if err := st.Create(&op); err != nil || op.ID != 201 {
		t.Fatal(op.ID, err)
	}
	st.Close()
	out.Reset()
	if err := runDBRestore([]string{"--db", db, "--backup-dir", dir}, &out); err != nil {
		t.Fatalf("%v\n%s", err, &out)
	}
	if !strings.Contains(out.String(), "kept as") || !strings.Contains(out.String(), "go on from 000202") {
		t.Fatalf("%s", &out)
	}
	st, err = store.Open(db)
	if err != nil {
		t.Fatalf("restored: %v", err)
	}
	defer st.Close()
	if _, err := st.Get(200); err != nil {
		t.Fatalf("the backup's last operation: %v", err)
	}
	if _, err := st.Get(201); err == nil {
		t.Fatal("the sale after the backup is in it")
	}
	next := store.NewPayment("kaspi", providers.New(700, providers.KZT), "", false, time.Now())
	if err := st.Create(&next); err != nil || next.ID != 202 {
		t.Fatalf("next receipt %v %v", next.ID, err)
	}
}

// kassa db backup while the till runs asks the till over its socket; the
// till's own backups come at its start and every --backup-every after,
// the oldest beyond --backup-keep removed.
func TestBackupsOfARunningTill(t *testing.T) {
	db := genFile(t, 100)
	dir := filepath.Join(t.TempDir(), "copies")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := clock.NewFake(time.Date(2026, 12, 2, 9, 0, 0, 0, time.Local))
	b := newBackups(store.BackupsOf(db, dir, 2), st, clk, 4*time.Hour)
	taken := make(chan error)
	b.taken = taken
	go b.run()
	defer b.Close()
	stop, err := serveControl(st, store.DefaultApproval(), b.Take, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if err := <-taken; err != nil { // the one at the start
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runDBBackup([]string{"--db", db, "--backup-dir", dir}, &out); err != nil || !strings.Contains(out.String(), "big-2026-12-02-090000-2.db") {
		t.Fatalf("%v\n%s", err, &out)
	}
	clk.Advance(4 * time.Hour)
	if err := <-taken; err != nil {
		t.Fatal(err)
	}
	if got := names(dir); got != "big-2026-12-02-090000-2.db big-2026-12-02-130000.db" {
		t.Fatalf("kept: %s", got)
	}
	if b.Failed() != nil {
		t.Fatal(b.Failed())
	}
}

func names(dir string) string {
	entries, _ := os.ReadDir(dir)
	var s []string
	for _, e := range entries {
		s = append(s, e.Name())
	}
	return strings.Join(s, " ")
}

// A backup that cannot be written is said (the header shows it); one whose
// copy does not read whole stops the till writing to its damaged file.
func TestABackupThatFailsIsSaid(t *testing.T) {
	db := genFile(t, 50)
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o600)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := newBackups(store.BackupsOf(db, blocker, 3), st, clock.Real{}, 0)
	if _, err := b.Take(); err == nil || b.Failed() == nil {
		t.Fatalf("a backup into a file: %v", err)
	}
	if st.Damaged() != nil {
		t.Fatal("a backup folder that cannot be written is not damage of the data file")
	}
}
