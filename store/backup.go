package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Backups of a data file are whole copies, each taken in one bbolt read
// transaction while the till goes on selling (tx.WriteTo), written to a
// hidden name, fsynced, then read back and checked (every page, and
// bbolt's own check) before they take their real name: a file named as a
// backup has passed its check. They are named after the data file and the
// local time they were taken,
//
//	backups/kassa-2026-11-23-143000.db   (a second in the same second: …-143000-2.db)
//
// so a training file's (demo-…, demo-uz-…) are kept and rotated apart
// from the real one's in the same folder.

// backupTime is the time in a backup's name.
const backupTime = "2006-01-02-150405"

// Backups is where the copies of one data file go and how many are kept.
type Backups struct {
	Dir string
	// Base is the data file's name without its extension: kassa, demo.
	Base string
	// Keep is how many of the newest are kept; 0 keeps them all.
	Keep int
}

// BackupsOf are the backups of the data file at path in dir.
func BackupsOf(path, dir string, keep int) Backups {
	base := filepath.Base(path)
	return Backups{Dir: dir, Base: strings.TrimSuffix(base, filepath.Ext(base)), Keep: keep}
}

// BackupFile is one backup.
type BackupFile struct {
	Path  string
	Taken time.Time
	n     int // 1, or the second backup in the same second
}

// List is the data file's backups, newest first.
func (b Backups) List() ([]BackupFile, error) {
	entries, err := os.ReadDir(b.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var list []BackupFile
	for _, e := range entries {
		if f, ok := b.parse(e.Name()); ok && e.Type().IsRegular() {
			list = append(list, f)
		}
	}
	slices.SortFunc(list, func(x, y BackupFile) int {
		if c := y.Taken.Compare(x.Taken); c != 0 {
			return c
		}
		return y.n - x.n
	})
	return list, nil
}

// parse reads a backup's name: Base, "-", the time, maybe "-N", ".db".
func (b Backups) parse(name string) (BackupFile, bool) {
	rest, ok := strings.CutPrefix(name, b.Base+"-")
	if !ok {
		return BackupFile{}, false
	}
	rest, ok = strings.CutSuffix(rest, ".db")
	if !ok || len(rest) < len(backupTime) {
		return BackupFile{}, false
	}
	t, err := time.ParseInLocation(backupTime, rest[:len(backupTime)], time.Local)
	if err != nil {
		return BackupFile{}, false
	}
	n := 1
	if tail := rest[len(backupTime):]; tail != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(tail, "-"))
		if !strings.HasPrefix(tail, "-") || err != nil || v < 2 {
			return BackupFile{}, false
		}
		n = v
	}
	return BackupFile{Path: filepath.Join(b.Dir, name), Taken: t, n: n}, true
}

// Take writes a checked backup of s taken at at, then removes the oldest
// beyond Keep. A copy that fails its check is removed and is a
// *DamagedError naming it; the backups kept before are left as they were.
func (b Backups) Take(s *Store, at time.Time) (BackupFile, error) {
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return BackupFile{}, fmt.Errorf("store: %w", err)
	}
	stamp := at.In(time.Local).Format(backupTime)
	var path string
	for n := 1; ; n++ {
		name := b.Base + "-" + stamp + ".db"
		if n > 1 {
			name = fmt.Sprintf("%s-%s-%d.db", b.Base, stamp, n)
		}
		path = filepath.Join(b.Dir, name)
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if _, err := s.Backup(path); err != nil {
		return BackupFile{}, err
	}
	f, _ := b.parse(filepath.Base(path))
	return f, b.rotate()
}

// rotate removes the oldest backups beyond Keep.
func (b Backups) rotate() error {
	if b.Keep <= 0 {
		return nil
	}
	list, err := b.List()
	if err != nil || len(list) <= b.Keep {
		return err
	}
	for _, f := range list[b.Keep:] {
		if err := os.Remove(f.Path); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	return nil
}

// Backup writes a copy of the data file to path, which must not exist,
// mode 0600, in one read transaction: the till goes on writing meanwhile.
// The copy is checked (every page, then bbolt's own check); one that fails
// is removed, and the error is a *DamagedError naming path. Only a copy
// that passed is given its name.
func (s *Store) Backup(path string) (*Report, error) {
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrExists, path)
	}
	part := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".part")
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	err = s.view(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(f)
		return err
	})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(part)
		var d *DamagedError
		if errors.As(err, &d) {
			return nil, err
		}
		return nil, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	rep, err := CheckFile(part, CheckOptions{Full: true, Bolt: true})
	if err != nil {
		os.Remove(part)
		return nil, err
	}
	if !rep.OK() {
		os.Remove(part)
		rep.Path = path
		return rep, &DamagedError{Path: path, Report: rep}
	}
	if err := os.Rename(part, path); err != nil {
		os.Remove(part)
		return nil, fmt.Errorf("store: %w", err)
	}
	rep.Path = path
	return rep, syncDir(filepath.Dir(path))
}

// syncDir makes a rename in dir survive a power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// RestoreReport is what Restore did.
type RestoreReport struct {
	// Backup is the check of the copy restored.
	Backup *Report
	// Kept is where the file it replaced went ("" when there was none).
	Kept string
	// Next is the receipt number the restored file gives next. Numbers
	// the replaced file gave after the backup are not given again when
	// its sequence could still be read (Continued); otherwise they may be.
	Next      ID
	Continued bool
}

// Restore puts a copy of the backup from in place of the data file at
// path, which no till may have open (ErrLocked). The backup is checked
// first and refused when damaged. The file it replaces is kept aside
// beside it, never deleted; the receipt numbers go on from the highest it
// had given, where that can still be read, so no operation id is sent
// twice to a provider.
func Restore(path, from string, at time.Time) (*RestoreReport, error) {
	check, err := CheckFile(from, CheckOptions{Full: true, Bolt: true})
	if err != nil {
		return nil, err
	}
	if !check.OK() {
		return nil, &DamagedError{Path: from, Report: check}
	}
	rep := &RestoreReport{Backup: check}
	// The shared lock keeps a till from opening the file meanwhile.
	if db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second}); err == nil {
		defer db.Close()
	} else if lockTimeout(err) {
		return nil, ErrLocked
	}
	replaced, hasReplaced := sequenceOf(path)
	dir := filepath.Dir(path)
	part := filepath.Join(dir, "."+filepath.Base(path)+".restoring")
	if err := copyFile(from, part); err != nil {
		return nil, err
	}
	db, err := bolt.Open(part, 0o600, &bolt.Options{Timeout: time.Second})
	if err == nil {
		err = db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bOperations)
			if b == nil {
				return errors.New("not a kassa data file: no operations")
			}
			seq := b.Sequence()
			rep.Continued = hasReplaced
			if hasReplaced && replaced > seq {
				if err := b.SetSequence(replaced); err != nil {
					return err
				}
				seq = replaced
			}
			rep.Next = ID(seq) + 1
			return nil
		})
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.Remove(part)
		return nil, fmt.Errorf("store: restore %s: %w", from, err)
	}
	if _, err := os.Lstat(path); err == nil {
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		stamp := at.In(time.Local).Format(backupTime)
		for n := 1; ; n++ {
			rep.Kept = filepath.Join(dir, base+"-replaced-"+stamp+".db")
			if n > 1 {
				rep.Kept = filepath.Join(dir, fmt.Sprintf("%s-replaced-%s-%d.db", base, stamp, n))
			}
			if _, err := os.Lstat(rep.Kept); errors.Is(err, fs.ErrNotExist) {
				break
			}
		}
		if err := os.Rename(path, rep.Kept); err != nil {
			os.Remove(part)
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	// The replaced file's journal holds its own writes, some already in
	// it: never to be applied to the backup.
	if err := os.Remove(JournalPath(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := os.Rename(part, path); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	os.Remove(DamageNote(path))
	markSeen(path, "")
	return rep, nil
}

// sequenceOf reads, without bbolt, the last receipt number the data file
// at path gave: its operations bucket's sequence, if those pages read.
func sequenceOf(path string) (uint64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	size, err := sizeOf(f)
	if err != nil {
		return 0, false
	}
	pf := openPages(f, size, &Report{}, true)
	if pf.meta.root == 0 {
		return 0, false
	}
	rd := &salvager{pf: pf, w: &pageWalk{f: pf, rep: &Report{}}, inTree: newBitset(pf.meta.pages)}
	var seq uint64
	var ok bool
	rd.entries(pf.meta.root, nil, nil, 0, func(k, v []byte, flags uint32) {
		if flags&flagBucket != 0 && string(k) == string(bOperations) && len(v) >= 16 {
			seq, ok = order.Uint64(v[8:]), true
		}
	})
	return seq, ok
}

// copyFile copies src to a new file dst, mode 0600, fsynced.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
