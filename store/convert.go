package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// The compact layout (compressed records, no by_time or by_ref, packed
// number pages) came in with issue 17. A file written before it is
// converted once, on open, into a new file beside it: the old file is
// only read, and stays whole as <path>.before-compact, the backup. The new
// one is written in batches, each a transaction that notes how far it got,
// so a conversion killed at any moment goes on from there at the next
// start; it replaces the old file by a rename only when it is complete.
const (
	layoutCompact  = "compact-1"
	settingLayout  = "layout"
	settingThrough = "convert_through" // the last operation id converted
)

// convertBatch is how many operations one transaction of a conversion
// writes: what a kill can make it do again.
var convertBatch = 10000

// ConvertingPath is where a conversion writes the new file, and
// BeforeCompactPath where the old one stays once it is done.
func ConvertingPath(path string) string    { return path + ".converting" }
func BeforeCompactPath(path string) string { return path + ".before-compact" }

// Progress is told how far a conversion is: done of total operations.
// total is 0 once, at the start, before it is counted.
type Progress func(done, total int)

// verbatim are the buckets a conversion copies as they are: what is not
// derived from the operations.
var verbatim = [][]byte{bSettings, bSecrets, bPeople, bAudit, bAuditTime, bShifts, bOutbox}

// needsConversion reports whether db holds operations in an older layout.
func needsConversion(db *bolt.DB) (bool, error) {
	old := false
	err := db.View(func(tx *bolt.Tx) error {
		ops, settings := tx.Bucket(bOperations), tx.Bucket(bSettings)
		if ops == nil {
			return nil
		}
		if k, _ := ops.Cursor().First(); k == nil {
			return nil
		}
		old = settings == nil || string(settings.Get([]byte(settingLayout))) != layoutCompact
		return nil
	})
	return old, err
}

// finishConversion completes a conversion that was killed between its
// two renames: the old file already moved to its backup name, the new one
// complete but not yet at path.
func finishConversion(path string) error {
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	tmp := ConvertingPath(path)
	if _, err := os.Stat(BeforeCompactPath(path)); err != nil {
		return nil
	}
	if done, err := convertedAll(tmp); err != nil || !done {
		return err
	}
	return renameDurably(tmp, path)
}

// convertedAll reports whether the file at tmp is a finished conversion.
func convertedAll(tmp string) (bool, error) {
	if _, err := os.Stat(tmp); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		return false, fmt.Errorf("store: %s: %w", tmp, err)
	}
	defer db.Close()
	done := false
	err = db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bSettings); b != nil {
			done = string(b.Get([]byte(settingLayout))) == layoutCompact && b.Get([]byte(settingThrough)) == nil
		}
		return nil
	})
	return done, err
}

// convert writes the operations of old (open, at path, in an older layout)
// into the compact layout and puts the new file at path. old is only read.
func convert(old *bolt.DB, path string, progress Progress) error {
	if progress == nil {
		progress = func(int, int) {}
	}
	tmp := ConvertingPath(path)
	out, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("store: convert %s: %w", path, err)
	}
	err = convertInto(old, out, progress)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: convert %s: %w", path, err)
	}
	backup := BeforeCompactPath(path)
	for i := 2; ; i++ {
		if _, err := os.Stat(backup); errors.Is(err, os.ErrNotExist) {
			break
		}
		backup = BeforeCompactPath(path) + "-" + strconv.Itoa(i)
	}
	if err := renameDurably(path, backup); err != nil {
		return err
	}
	return renameDurably(tmp, path)
}

func convertInto(old, out *bolt.DB, progress Progress) error {
	var through ID
	started := false
	err := out.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		settings := tx.Bucket(bSettings)
		if v := settings.Get([]byte(settingThrough)); len(v) == 8 {
			through, started = ID(binary.BigEndian.Uint64(v)), true
		} else if string(settings.Get([]byte(settingLayout))) == layoutCompact {
			through, started = ^ID(0), true // converted already: only the renames were left
		}
		return nil
	})
	if err != nil || through == ^ID(0) {
		return err
	}
	total := 0
	progress(0, 0)
	err = old.View(func(tx *bolt.Tx) error {
		total = tx.Bucket(bOperations).Stats().KeyN
		if started {
			return nil
		}
		// The first batch: everything not derived from the operations,
		// as it is (the audit chain's hashes hold over its bytes).
		return out.Update(func(otx *bolt.Tx) error {
			for _, name := range verbatim {
				src := tx.Bucket(name)
				if src == nil {
					continue
				}
				dst := otx.Bucket(name)
				if err := src.ForEach(func(k, v []byte) error { return dst.Put(slices.Clone(k), slices.Clone(v)) }); err != nil {
					return err
				}
				if err := dst.SetSequence(src.Sequence()); err != nil {
					return err
				}
			}
			if err := otx.Bucket(bOperations).SetSequence(tx.Bucket(bOperations).Sequence()); err != nil {
				return err
			}
			return otx.Bucket(bSettings).Put([]byte(settingThrough), idKey(0))
		})
	})
	if err != nil {
		return err
	}
	done, err := countThrough(old, through)
	if err != nil {
		return err
	}
	progress(done, total)
	for {
		var batch []Operation
		err := old.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bOperations).Cursor()
			for k, v := c.Seek(idKey(through + 1)); k != nil && len(batch) < convertBatch; k, v = c.Next() {
				var op Operation
				if err := decodeOp(v, &op); err != nil {
					return fmt.Errorf("operation %d: %w", binary.BigEndian.Uint64(k), err)
				}
				batch = append(batch, op)
			}
			return nil
		})
		if err != nil {
			return err
		}
		last := len(batch) < convertBatch
		err = out.Update(func(tx *bolt.Tx) error {
			for i := range batch {
				if err := keep(tx, &batch[i]); err != nil {
					return err
				}
			}
			settings := tx.Bucket(bSettings)
			if !last {
				return settings.Put([]byte(settingThrough), idKey(batch[len(batch)-1].ID))
			}
			if err := settings.Delete([]byte(settingThrough)); err != nil {
				return err
			}
			if err := markSummaryVersion(tx); err != nil {
				return err
			}
			return settings.Put([]byte(settingLayout), []byte(layoutCompact))
		})
		if err != nil {
			return err
		}
		if len(batch) > 0 {
			through = batch[len(batch)-1].ID
		}
		done += len(batch)
		progress(done, total)
		if last {
			return nil
		}
	}
}

// countThrough counts the operations of db up to id: where a resumed
// conversion is.
func countThrough(db *bolt.DB, id ID) (int, error) {
	n := 0
	err := db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bOperations).Cursor()
		end := idKey(id)
		for k, _ := c.First(); k != nil && bytes.Compare(k, end) <= 0; k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n, err
}

// renameDurably renames from to to and syncs their folder, so the rename
// survives a power cut.
func renameDurably(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return syncDir(filepath.Dir(to))
}

// markLayout marks a file with no operations as written in the current
// layout, and drops the buckets older layouts had.
func markLayout(tx *bolt.Tx) error {
	for _, b := range legacyBuckets {
		if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
	}
	if err := markSummaryVersion(tx); err != nil {
		return err
	}
	return tx.Bucket(bSettings).Put([]byte(settingLayout), []byte(layoutCompact))
}
