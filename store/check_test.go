package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Damaged data files, made the ways a tester made them: cut short
// (truncate -s), scribbled over (dd of random bytes over old pages),
// emptied (: > file). Each is refused with a DamagedError or GoneError,
// never a panic, and never written to.

// bookFile writes a closed data file of n operations with a setting and a
// secret, and returns its path and every operation as stored.
func bookFile(t *testing.T, n int) (string, map[ID]Operation) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kassa.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	history(t, s, n, 7)
	if err := s.PutSetting("kaspi.address", "https://10.0.0.5:8080"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSecret("kaspi.token", map[string]string{"access": "tok"}); err != nil {
		t.Fatal(err)
	}
	ops := map[ID]Operation{}
	for id := ID(1); id <= ID(n); id++ {
		op, err := s.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		ops[id] = op
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, ops
}

func digest(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// opPage is a leaf page of the operations bucket and the ids it holds.
type opPage struct {
	id  uint64
	ops []ID
}

// operationPages finds the pages holding operations, by their content:
// leaves whose entries are 8-byte ids with an operation's JSON. Only pages
// the tree uses are returned (a freed page may hold an older copy).
func operationPages(t *testing.T, path string) []opPage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := checkFile(f, true)
	if err != nil || !rep.OK() {
		t.Fatalf("the file is not whole to begin with: %v %v", err, rep.Problems)
	}
	size, _ := sizeOf(f)
	pf := openPages(f, size, &Report{}, false)
	w := &pageWalk{f: pf, rep: &Report{}, used: newBitset(pf.meta.pages), free: newBitset(pf.meta.pages)}
	w.freelist()
	var found []opPage
	for id := uint64(2); id < pf.meta.pages; id++ {
		p, err := pf.read(id)
		if err != nil || p.id != id || p.flags != flagLeaf || w.free.has(id) {
			continue
		}
		elems, ok := w.elements(p.buf, p.count, false, ref{}, "", id)
		if !ok || len(elems) == 0 {
			continue
		}
		var ids []ID
		for _, e := range elems {
			if op, ok := decodeStored(e.key, e.value); ok {
				ids = append(ids, op.ID)
			}
		}
		if len(ids) == len(elems) {
			found = append(found, opPage{id: id, ops: ids})
		}
	}
	slices.SortFunc(found, func(a, b opPage) int { return int(a.ops[0]) - int(b.ops[0]) })
	if len(found) < 10 {
		t.Fatalf("only %d pages of operations", len(found))
	}
	return found
}

// scribble writes random bytes over page id, or over n bytes at off in it.
func scribble(t *testing.T, path string, id uint64, off, n int, seed uint64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := make([]byte, n)
	rnd := rand.New(rand.NewPCG(seed, 2))
	for i := range junk {
		junk[i] = byte(rnd.Uint32())
	}
	if _, err := f.WriteAt(junk, int64(id)*4096+int64(off)); err != nil {
		t.Fatal(err)
	}
}

func damaged(t *testing.T, err error) *DamagedError {
	t.Helper()
	var d *DamagedError
	if !errors.As(err, &d) || !errors.Is(err, ErrDamaged) || len(d.Report.Problems) == 0 {
		t.Fatalf("want a DamagedError with problems, got %v", err)
	}
	return d
}

func TestTruncatedFileIsRefusedAndLeftAlone(t *testing.T) {
	path, _ := bookFile(t, 3000)
	fi, _ := os.Stat(path)
	for _, size := range []int64{fi.Size() / 2, fi.Size()/2 + 1234, 3 * 4096, 100} {
		if err := os.Truncate(path, size); err != nil {
			t.Fatal(err)
		}
		before := digest(t, path)
		_, err := Open(path)
		d := damaged(t, err)
		if p := d.Report.Problems[0]; size > 4096 && (p.Kind != ProblemTooShort || p.N != size || p.M <= size) {
			t.Errorf("cut to %d: %v", size, d.Report.Problems)
		}
		if digest(t, path) != before {
			t.Errorf("cut to %d: the damaged file was written to", size)
		}
		if _, err := os.Stat(DamageNote(path)); err != nil {
			t.Errorf("no note of the damage: %v", err)
		}
	}
}

func TestScribbledOperationPagesAreRefused(t *testing.T) {
	path, _ := bookFile(t, 3000)
	pages := operationPages(t, path)
	// Whole pages, as dd with bs=4096 writes them, and a few bytes in
	// the middle of one, over its values only.
	for i, c := range []struct{ page, off, n int }{{0, 0, 4096}, {3, 0, 4096}, {5, 2000, 40}} {
		copyPath := filepath.Join(t.TempDir(), "kassa.db")
		if err := copyFile(path, copyPath); err != nil {
			t.Fatal(err)
		}
		scribble(t, copyPath, pages[c.page].id, c.off, c.n, uint64(i))
		before := digest(t, copyPath)
		_, err := Open(copyPath)
		d := damaged(t, err)
		p := d.Report.Problems[0]
		if p.Page != pages[c.page].id || p.Bucket != "operations" {
			t.Errorf("%+v: %v", c, d.Report.Problems)
		}
		if digest(t, copyPath) != before {
			t.Errorf("%+v: the damaged file was written to", c)
		}
	}
}

func TestDamagedFreelistIsRefused(t *testing.T) {
	path, _ := bookFile(t, 500)
	f, _ := os.Open(path)
	size, _ := sizeOf(f)
	pf := openPages(f, size, &Report{}, false)
	f.Close()
	// bbolt itself panics here: "invalid freelist page".
	scribble(t, path, pf.meta.freelist, 0, 4096, 9)
	_, err := Open(path)
	if d := damaged(t, err); d.Report.Problems[0].Kind != ProblemFreelist {
		t.Fatalf("%v", d.Report.Problems)
	}
}

func TestBothHeadersGoneIsNotADataFile(t *testing.T) {
	path, _ := bookFile(t, 100)
	scribble(t, path, 0, 0, 4096, 1)
	scribble(t, path, 1, 0, 4096, 2)
	_, err := Open(path)
	if d := damaged(t, err); d.Report.Problems[0].Kind != ProblemNotData {
		t.Fatalf("%v", d.Report.Problems)
	}
	// A file that was never one is said to be so too.
	other := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(other, bytes.Repeat([]byte("shopping list\n"), 1000), 0o600)
	_, err = Open(other)
	if d := damaged(t, err); d.Report.Problems[0].Kind != ProblemNotData {
		t.Fatalf("%v", d.Report.Problems)
	}
}

func TestEmptiedOrMissingFileWhereOneWasIsRefused(t *testing.T) {
	path, _ := bookFile(t, 10)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	var gone *GoneError
	if !errors.As(err, &gone) || !errors.Is(err, ErrGone) || gone.Missing || gone.Note != SeenNote(path) {
		t.Fatalf("%v", err)
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Fatalf("the emptied file was written: %d bytes", fi.Size())
	}
	os.Remove(path)
	if _, err := Open(path); !errors.As(err, &gone) || !gone.Missing {
		t.Fatalf("%v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a new file was made")
	}

	// An empty file never opened before is a new one: a kassa killed as
	// it created the file leaves one.
	fresh := filepath.Join(t.TempDir(), "kassa.db")
	os.WriteFile(fresh, nil, 0o600)
	s, err := Open(fresh)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(SeenNote(fresh)); err != nil {
		t.Fatal(err)
	}
}

// A big file has only its structure checked at open: a scribbled leaf in
// the middle is met by the first read of it, which says so instead of
// crashing; nothing is written after, and the next open reads every page.
func TestDamageMetOnReadIsNoCrash(t *testing.T) {
	path, _ := bookFile(t, 3000)
	pages := operationPages(t, path)
	victim := pages[len(pages)/2]
	scribble(t, path, victim.id, 0, 4096, 5)
	defer func(limit int64) { fullCheckAtOpen = limit }(fullCheckAtOpen)
	fullCheckAtOpen = 0
	s, err := Open(path)
	if err != nil {
		t.Fatalf("the structure holds, the open should too: %v", err)
	}
	if _, err := s.Get(victim.ops[0] - 1); err != nil {
		t.Fatalf("an operation on a page that reads well: %v", err)
	}
	_, err = s.Get(victim.ops[0])
	damaged(t, err)
	if s.Damaged() == nil {
		t.Fatal("the store does not know")
	}
	before := digest(t, path)
	op := NewPayment("kaspi", tenge(100), "", false, t0)
	if err := s.Create(&op); !errors.Is(err, ErrDamaged) {
		t.Fatalf("a write after the damage: %v", err)
	}
	if _, _, err := s.Page(Query{From: t0.AddDate(0, 0, -30), To: t0}, nil, 100); err != nil && !errors.Is(err, ErrDamaged) {
		t.Fatal(err)
	}
	s.Close()
	if digest(t, path) != before {
		t.Fatal("the damaged file was written to")
	}
	_, err = Open(path)
	if d := damaged(t, err); !d.Report.Full {
		t.Fatal("the open after the damage did not read every page")
	}
}

func TestValidOperation(t *testing.T) {
	op := NewPayment("kaspi", tenge(100), "Айгерим «касса» \u2028 \x01", false, t0)
	v, _ := json.Marshal(op)
	if !validOperation(v) {
		t.Fatalf("%s", v)
	}
	for i := range v {
		for _, c := range []byte{0, 0x1f, '\n'} {
			bad := slices.Clone(v)
			bad[i] = c
			if validOperation(bad) {
				t.Fatalf("%q at %d passes", c, i)
			}
		}
	}
}

func TestSalvageCopiesEveryReadableOperation(t *testing.T) {
	path, ops := bookFile(t, 3000)
	pages := operationPages(t, path)
	// Two old leaves and, to orphan the leaves under it, a branch page.
	lost := append(slices.Clone(pages[2].ops), pages[7].ops...)
	scribble(t, path, pages[2].id, 0, 4096, 11)
	scribble(t, path, pages[7].id, 0, 4096, 12)
	branch := operationsBranch(t, path, pages)
	scribble(t, path, branch, 0, 4096, 13)
	before := digest(t, path)

	out := filepath.Join(t.TempDir(), "salvaged.db")
	rep, err := Salvage(path, out)
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, path) != before {
		t.Fatal("salvage wrote to the damaged file")
	}
	if rep.Damage.OK() || rep.Operations != 3000-len(lost) || rep.Next != 3001 || rep.Settings == 0 || rep.Secrets != 1 ||
		rep.SettingsDamaged || rep.SecretsDamaged {
		t.Fatalf("%+v", rep)
	}
	var gotLost []ID
	for _, l := range rep.Lost {
		gotLost = append(gotLost, l.ID)
		if l.Row == nil || l.Row.Amount != ops[l.ID].Amount || !l.Row.Created.Equal(ops[l.ID].Created) {
			t.Errorf("lost %d: %+v, was %+v", l.ID, l.Row, ops[l.ID])
		}
	}
	if !slices.Equal(gotLost, lost) {
		t.Fatalf("lost %v, want %v", gotLost, lost)
	}
	if len(rep.Older) == 0 {
		t.Fatal("the leaves under the damaged branch were not read")
	}
	check, err := CheckFile(out, CheckOptions{Full: true, Bolt: true})
	if err != nil || !check.OK() {
		t.Fatalf("the salvaged file: %v %v", err, check.Problems)
	}
	s, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id, want := range ops {
		got, err := s.Get(id)
		if slices.Contains(lost, id) {
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("%d: %v", id, err)
			}
			continue
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("%d: %v\n%s\n%s", id, err, a, b)
		}
	}
	rows := 0
	s.EachRow(func(Row) bool { rows++; return true })
	var addr string
	var tok map[string]string
	if ok, _ := s.Setting("kaspi.address", &addr); !ok || addr != "https://10.0.0.5:8080" || rows != rep.Operations {
		t.Fatalf("%q %d", addr, rows)
	}
	if ok, _ := s.Secret("kaspi.token", &tok); !ok || tok["access"] != "tok" {
		t.Fatal(tok)
	}
	// Receipts go on after the highest number the damaged file gave.
	op := NewPayment("kaspi", tenge(100), "", false, t0)
	if err := s.Create(&op); err != nil || op.ID != 3001 || op.OperationID != ops[1].OperationID[:len(ops[1].OperationID)-6]+"003001" {
		t.Fatalf("%v %d %s", err, op.ID, op.OperationID)
	}
	if _, err := Salvage(path, out); !errors.Is(err, ErrExists) {
		t.Fatalf("over an existing file: %v", err)
	}
}

// operationsBranch is the branch page over the middle leaf of operations.
func operationsBranch(t *testing.T, path string, pages []opPage) uint64 {
	t.Helper()
	pf := openPagesFor(t, path)
	leaf := pages[len(pages)/2].id
	for id := uint64(2); id < pf.meta.pages; id++ {
		p, err := pf.read(id)
		if err != nil || p.id != id || p.flags != flagBranch {
			continue
		}
		for i := 0; i < p.count; i++ {
			if order.Uint64(p.buf[pageHeaderSize+i*elementSize+8:]) == leaf {
				return id
			}
		}
	}
	t.Fatal("no branch page over the middle leaf")
	return 0
}

// lastTimeIndexPage is the last page of the time index: the summaries
// (or an older file's by_time), keys of a time near t0 and an id.
func lastTimeIndexPage(t *testing.T, path string) uint64 {
	pf := openPagesFor(t, path)
	w := &pageWalk{f: pf, rep: &Report{}}
	var last uint64
	for id := uint64(2); id < pf.meta.pages; id++ {
		p, err := pf.read(id)
		if err != nil || p.id != id || p.flags != flagLeaf {
			continue
		}
		elems, ok := w.elements(p.buf, p.count, false, ref{}, "", id)
		if ok && len(elems) > 0 && (indexPage(elems) || summaryPage(elems)) {
			at := time.Unix(0, int64(binary.BigEndian.Uint64(elems[0].key)))
			if at.After(t0.AddDate(-1, 0, 0)) && !at.After(t0) {
				last = id
			}
		}
	}
	return last
}

func summaryPage(elems []element) bool {
	for _, e := range elems {
		if _, ok := summaryRow(e.key, e.value); e.flags != 0 || !ok {
			return false
		}
	}
	return true
}

func openPagesFor(t *testing.T, path string) *pageFile {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	size, _ := sizeOf(f)
	return openPages(f, size, &Report{}, false)
}

// A file cut after the middle page of operations and the time index: the
// root of its tree is past the cut (bbolt writes it last), so every
// operation before the cut is found outside the tree, and, as the index
// tells, every one after it is listed lost.
func TestSalvageOfATruncatedFile(t *testing.T) {
	path, ops := bookFile(t, 3000)
	pages := operationPages(t, path)
	cut := max(pages[len(pages)/2].id, lastTimeIndexPage(t, path)) + 1
	var before []ID
	for _, p := range pages {
		if p.id < cut {
			before = append(before, p.ops...)
		}
	}
	slices.Sort(before)
	os.Truncate(path, int64(cut)*4096)
	out := filepath.Join(t.TempDir(), "salvaged.db")
	rep, err := Salvage(path, out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Damage.Problems[0].Kind != ProblemTooShort || rep.Operations != len(before) ||
		rep.Operations+len(rep.Lost) != len(ops) || rep.Next != ID(len(ops))+1 {
		t.Fatalf("%d copied, %d lost, next %d, want %d copied: %v", rep.Operations, len(rep.Lost), rep.Next, len(before), rep.Damage.Problems)
	}
	for _, l := range rep.Lost {
		if _, ok := slices.BinarySearch(before, l.ID); ok {
			t.Fatalf("%d listed lost", l.ID)
		}
	}
	s, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, id := range before {
		got, err := s.Get(id)
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(ops[id])
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("%d: %v", id, err)
		}
	}
	for _, l := range rep.Lost {
		if _, err := s.Get(l.ID); !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
	}
}

func TestBackupAndRestoreRoundTrip(t *testing.T) {
	path, _ := bookFile(t, 200)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b := BackupsOf(path, filepath.Join(filepath.Dir(path), "backups"), 10)
	f, err := b.Take(s, t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(b.Dir, "kassa-"+t0.Local().Format(backupTime)+".db"); f.Path != want {
		t.Fatalf("%s, want %s", f.Path, want)
	}
	if fi, err := os.Stat(f.Path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%v %v", fi, err)
	}
	// Sales go on after the backup; then the file is lost.
	for range 5 {
		op := NewPayment("kaspi", tenge(100), "", false, t0)
		if err := s.Create(&op); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Restore(path, f.Path, t0); !errors.Is(err, ErrLocked) {
		t.Fatalf("restored under an open till: %v", err)
	}
	s.Close()
	os.Truncate(path, 4096*5)
	rep, err := Restore(path, f.Path, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(rep.Kept); err != nil || fi.Size() != 4096*5 {
		t.Fatalf("the replaced file was not kept: %v", err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Get(200); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(201); !errors.Is(err, ErrNotFound) {
		t.Fatalf("%v", err)
	}
	// The cut-short file still told how far its receipts went… or not:
	// either way the next number is said.
	op := NewPayment("kaspi", tenge(100), "", false, t0)
	if err := s.Create(&op); err != nil || op.ID != rep.Next {
		t.Fatalf("%v %d, want %d", err, op.ID, rep.Next)
	}
}

func TestRestoreGoesOnAfterTheReplacedFilesReceipts(t *testing.T) {
	path, _ := bookFile(t, 50)
	s, _ := Open(path)
	bk := filepath.Join(t.TempDir(), "copy.db")
	if _, err := s.Backup(bk); err != nil {
		t.Fatal(err)
	}
	for range 7 {
		op := NewPayment("kaspi", tenge(100), "", false, t0)
		s.Create(&op)
	}
	s.Close()
	rep, err := Restore(path, bk, t0)
	if err != nil || !rep.Continued || rep.Next != 58 {
		t.Fatalf("%+v %v", rep, err)
	}
	s, _ = Open(path)
	defer s.Close()
	op := NewPayment("kaspi", tenge(100), "", false, t0)
	if err := s.Create(&op); err != nil || op.ID != 58 {
		t.Fatalf("%v %d", err, op.ID)
	}
}

func TestRestoreRefusesADamagedBackup(t *testing.T) {
	path, _ := bookFile(t, 300)
	bad, _ := bookFile(t, 300)
	fi, _ := os.Stat(bad)
	os.Truncate(bad, fi.Size()/2)
	before := digest(t, path)
	_, err := Restore(path, bad, t0)
	damaged(t, err)
	if digest(t, path) != before {
		t.Fatal("the data file was touched")
	}
}

func TestBackupsRotateKeepingTheNewest(t *testing.T) {
	path, _ := bookFile(t, 20)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := filepath.Join(t.TempDir(), "backups")
	// Another data file's backups in the same folder are not this one's.
	demo := filepath.Join(dir, "kassa-demo-2026-01-01-000000.db")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(demo, nil, 0o600)
	b := BackupsOf(path, dir, 3)
	var taken []string
	for i, at := range []time.Time{t0, t0.Add(time.Hour), t0.Add(time.Hour), t0.Add(2 * time.Hour), t0.Add(3 * time.Hour)} {
		f, err := b.Take(s, at)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		taken = append(taken, f.Path)
	}
	if filepath.Base(taken[2]) != "kassa-"+t0.Add(time.Hour).Local().Format(backupTime)+"-2.db" {
		t.Fatalf("the second in the same second: %s", taken[2])
	}
	list, err := b.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range list {
		got = append(got, f.Path)
	}
	if want := []string{taken[4], taken[3], taken[2]}; !slices.Equal(got, want) {
		t.Fatalf("%v, want %v", got, want)
	}
	if _, err := os.Stat(demo); err != nil {
		t.Fatal("another file's backup was removed")
	}
}

// A backup of a file with a damaged leaf fails its check, takes no
// backup's name, and leaves the earlier backups alone.
func TestBackupOfADamagedFileFailsItsCheck(t *testing.T) {
	path, _ := bookFile(t, 3000)
	pages := operationPages(t, path)
	defer func(limit int64) { fullCheckAtOpen = limit }(fullCheckAtOpen)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b := BackupsOf(path, filepath.Join(t.TempDir(), "backups"), 2)
	good, err := b.Take(s, t0)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	scribble(t, path, pages[len(pages)/2].id, 0, 4096, 3)
	fullCheckAtOpen = 0
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 3 {
		_, err := b.Take(s, t0.Add(time.Duration(i+1)*time.Hour))
		damaged(t, err)
	}
	list, _ := b.List()
	if len(list) != 1 || list[0].Path != good.Path {
		t.Fatalf("%v", list)
	}
	entries, _ := os.ReadDir(b.Dir)
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestCheckFileSaysWhatItRead(t *testing.T) {
	path, _ := bookFile(t, 100)
	rep, err := CheckFile(path, CheckOptions{Full: true, Bolt: true})
	if err != nil || !rep.OK() || !rep.Full || rep.PageSize != 4096 || rep.Pages == 0 || rep.Size < int64(rep.Pages)*4096 {
		t.Fatalf("%+v %v", rep, err)
	}
	s, _ := Open(path)
	defer s.Close()
	if _, err := CheckFile(path, CheckOptions{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("a file a till holds: %v", err)
	}
}

// An inline bucket with entries (a few operations for a person to check)
// sits among the top-level buckets: checking its entries must not lose
// the buckets after it, or a sound file reads as pages lost.
func TestInlineBucketAmongOthersChecksSound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kassa.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	history(t, s, 300, 3)
	for id := ID(1); id <= 5; id++ {
		op, err := s.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		op.State = StateNeedsCheck
		if err := s.Save(&op); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := CheckFile(path, CheckOptions{Full: true, Bolt: true})
	if err != nil || !rep.OK() {
		t.Fatalf("%+v %v", rep, err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatalf("a sound file refused: %v", err)
	}
	s.Close()
}
