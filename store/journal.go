package store

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The journal makes a Create or a Save durable with one small write and
// one fdatasync, as SQLite's write-ahead log does, where a bbolt commit
// syncs twice (its pages, then its meta page) and writes a dozen pages.
// The operation's state is appended to <path>.journal and synced before
// Create or Save returns; it reaches the bbolt file soon after, many at a
// time in one commit, and always before anything reads (see settle).
// After a kill, Open applies what the journal holds beyond what the file
// has (journal_seq), so nothing acknowledged is lost.
//
// The file is preallocated and written over from its start once all it
// holds is in the bbolt file: a write inside the file's size changes no
// metadata, so fdatasync flushes only the data.
//
//	0     header: magic (16 bytes), the data file's journal id (16)
//	4096  records: crc32c (4), length (4), seq (8), the operation's JSON
//
// A record's checksum covers the journal id, its length, seq and JSON: a
// torn record, or one left from before the start was written over, never
// reads (seqs are consecutive from the first record on).
const (
	journalMagic  = "kassa journal 1\n"
	journalHeader = 4096
	recordHeader  = 16
	// journalSize is what the journal is given at first; a burst of
	// writes the bbolt file has not taken yet grows it.
	journalSize = 256 << 10
	// applyAt is how many records wait before the applier takes them
	// without waiting for a pause.
	applyAt = 256
)

const (
	settingJournalID  = "journal_id"
	settingJournalSeq = "journal_seq" // the last journal record in the file
)

// JournalPath is the journal beside the data file at path.
func JournalPath(path string) string { return path + ".journal" }

type journal struct {
	f    *os.File
	id   []byte
	off  int64  // where the next record goes
	seq  uint64 // the last record's seq
	size int64
}

// record is one state of an operation, as the journal holds it.
type record struct {
	seq  uint64
	json []byte
}

// openJournal opens the journal of the data file at path, whose journal id
// is id, and returns the records it holds after seq applied.
func openJournal(path string, id []byte, applied uint64) (*journal, []record, error) {
	f, err := os.OpenFile(JournalPath(path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("store: journal: %w", err)
	}
	j := &journal{f: f, id: id, seq: applied}
	recs, err := j.read(applied)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return j, recs, nil
}

// read returns the records after applied, and readies the header.
func (j *journal) read(applied uint64) ([]record, error) {
	fi, err := j.f.Stat()
	if err != nil {
		return nil, fmt.Errorf("store: journal: %w", err)
	}
	j.size = fi.Size()
	raw := make([]byte, j.size)
	if _, err := j.f.ReadAt(raw, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("store: journal: %w", err)
	}
	var recs []record
	if len(raw) >= journalHeader && string(raw[:16]) == journalMagic && bytes.Equal(raw[16:32], j.id) {
		var last uint64
		for off := journalHeader; off+recordHeader <= len(raw); {
			n := int(binary.BigEndian.Uint32(raw[off+4:]))
			seq := binary.BigEndian.Uint64(raw[off+8:])
			end := off + recordHeader + n
			if n == 0 || end > len(raw) || binary.BigEndian.Uint32(raw[off:]) != j.checksum(raw[off+4:end]) ||
				last != 0 && seq != last+1 {
				break
			}
			last = seq
			if seq > applied {
				recs = append(recs, record{seq: seq, json: raw[off+recordHeader : end]})
				j.seq = seq
			}
			off = end
		}
	} else if err := j.start(); err != nil {
		return nil, err
	}
	j.off = journalHeader
	return recs, nil
}

// start writes the header and room for records, once per journal id.
func (j *journal) start() error {
	size := max(j.size, journalSize)
	buf := make([]byte, size)
	copy(buf, journalMagic)
	copy(buf[16:], j.id)
	if _, err := j.f.WriteAt(buf, 0); err != nil {
		return fmt.Errorf("store: journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("store: journal: %w", err)
	}
	j.size = size
	return nil
}

func (j *journal) checksum(b []byte) uint32 {
	return crc32.Update(crc32.Checksum(j.id, castagnoli), castagnoli, b)
}

// append writes a record of js and syncs it: when it returns, the record
// survives a kill and a power cut.
func (j *journal) append(js []byte) (record, error) {
	rec := record{seq: j.seq + 1, json: js}
	buf := make([]byte, recordHeader+len(js))
	binary.BigEndian.PutUint32(buf[4:], uint32(len(js)))
	binary.BigEndian.PutUint64(buf[8:], rec.seq)
	copy(buf[recordHeader:], js)
	binary.BigEndian.PutUint32(buf, j.checksum(buf[4:]))
	grow := j.off+int64(len(buf)) > j.size
	if _, err := j.f.WriteAt(buf, j.off); err != nil {
		return rec, fmt.Errorf("store: journal: %w", err)
	}
	var err error
	if grow {
		err = j.f.Sync() // the file's new size too
		j.size = j.off + int64(len(buf))
	} else {
		err = fdatasync(j.f)
	}
	if err != nil {
		return rec, fmt.Errorf("store: journal: %w", err)
	}
	j.off += int64(len(buf))
	j.seq = rec.seq
	return rec, nil
}

// rewind makes the next record go to the start: everything the journal
// holds is in the bbolt file.
func (j *journal) rewind() { j.off = journalHeader }

// journalID is the data file's journal id, made on first use.
func journalID(tx *bolt.Tx) ([]byte, error) {
	settings := tx.Bucket(bSettings)
	if id := settings.Get([]byte(settingJournalID)); len(id) == 16 {
		return bytes.Clone(id), nil
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	return id, settings.Put([]byte(settingJournalID), id)
}

func journalSeq(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bSettings).Get([]byte(settingJournalSeq)); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// applyRecords writes the operations' states of recs into the file in one
// transaction: a new operation under its id, a known one over its
// previous state, as Create and Save did before the journal.
func applyRecords(tx *bolt.Tx, recs []record) error {
	if len(recs) == 0 {
		return nil
	}
	ops := tx.Bucket(bOperations)
	for _, rec := range recs {
		var op Operation
		if err := decodeOp(rec.json, &op); err != nil {
			return fmt.Errorf("store: journal record %d: %w", rec.seq, err)
		}
		if v := ops.Get(idKey(op.ID)); v != nil {
			var prev previous
			if err := decodePrevious(v, &prev); err != nil {
				return fmt.Errorf("store: save %d: %w", op.ID, err)
			}
			if err := put(tx, &op, &prev); err != nil {
				return err
			}
			continue
		}
		if uint64(op.ID) > ops.Sequence() {
			if err := ops.SetSequence(uint64(op.ID)); err != nil {
				return err
			}
		}
		if err := keep(tx, &op); err != nil {
			return err
		}
	}
	seq := make([]byte, 8)
	binary.BigEndian.PutUint64(seq, recs[len(recs)-1].seq)
	return tx.Bucket(bSettings).Put([]byte(settingJournalSeq), seq)
}

// openJournal opens the data file's journal, applies what it holds beyond
// the file, and starts the applier.
func (s *Store) openJournal() error {
	var id []byte
	var applied, seq uint64
	err := s.updateNow(func(tx *bolt.Tx) error {
		var err error
		id, err = journalID(tx)
		applied, seq = journalSeq(tx), tx.Bucket(bOperations).Sequence()
		return err
	})
	if err != nil {
		return err
	}
	j, recs, err := openJournal(s.path, id, applied)
	if err != nil {
		return err
	}
	err = s.updateNow(func(tx *bolt.Tx) error {
		err := applyRecords(tx, recs)
		seq = tx.Bucket(bOperations).Sequence()
		return err
	})
	if err != nil {
		j.f.Close()
		return err
	}
	s.j = j
	s.lastID.Store(seq)
	s.kick, s.stop, s.stopped = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go s.applier()
	return nil
}

// journalLocked makes op's state durable in the journal; wmu is held.
func (s *Store) journalLocked(op *Operation) error {
	if d := s.damaged.Load(); d != nil {
		return d
	}
	js, err := json.Marshal(op)
	if err != nil {
		return err
	}
	rec, err := s.j.append(js)
	if err != nil {
		return err
	}
	s.pending = append(s.pending, rec)
	if s.waiting.Add(1) == 1 || len(s.pending) >= applyAt {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// applier takes the journal's records into the file in the background,
// applyPause after the first of them, or at once when applyAt wait: many
// in one commit, so the two syncs of a bbolt commit are shared.
func (s *Store) applier() {
	defer close(s.stopped)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		}
		if s.waiting.Load() < applyAt {
			select {
			case <-s.stop:
				return
			case <-s.kick:
			case <-time.After(applyPause):
			}
		}
		s.settle()
	}
}

// applyPause is how long the first record waits for others to join it.
var applyPause = 50 * time.Millisecond

// settle applies what the journal holds that the file does not yet.
func (s *Store) settle() error {
	if s.waiting.Load() == 0 {
		return nil
	}
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	s.wmu.Lock()
	n := len(s.pending)
	s.wmu.Unlock()
	return s.apply(n, false)
}

// applyLocked applies the first n pending records; wmu is held.
func (s *Store) applyLocked(n int) error { return s.apply(n, true) }

// apply writes the first n pending records into the file, with applyMu
// held, and wmu too when locked: otherwise writes go on meanwhile.
func (s *Store) apply(n int, locked bool) error {
	if n == 0 {
		return nil
	}
	if !locked {
		s.wmu.Lock()
	}
	recs := slices.Clone(s.pending[:n])
	if !locked {
		s.wmu.Unlock()
	}
	err := s.updateNow(func(tx *bolt.Tx) error { return applyRecords(tx, recs) })
	if !locked {
		s.wmu.Lock()
		defer s.wmu.Unlock()
	}
	s.applyErr = err
	if err != nil {
		return err
	}
	s.pending = slices.Delete(s.pending, 0, n)
	s.waiting.Store(int64(len(s.pending)))
	if len(s.pending) == 0 {
		s.j.rewind()
	}
	return nil
}

// closeJournal stops the applier and applies what waits.
func (s *Store) closeJournal() error {
	if s.j == nil {
		return nil
	}
	close(s.stop)
	<-s.stopped
	err := s.settle()
	if cerr := s.j.f.Close(); err == nil {
		err = cerr
	}
	// All it held is in the file: a closed file has no journal, so none
	// is ever applied to a copy of it put back later.
	if err == nil {
		err = os.Remove(JournalPath(s.path))
	}
	s.j = nil
	return err
}
