package store

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The outbox is what a central database (package central) has still to
// be sent: every change to an operation and every audit entry notes one
// entry, in the same transaction as the change, so a change that commits
// is never lost to the central copy and one that does not is never sent.
//
//	outbox  change sequence (8 bytes, big endian) → kind (1 byte) + operation ID or audit seq (8 bytes)
//
// An entry names what changed, not how: the pusher reads the operation as
// it stands when it sends, and the change sequence is its version there,
// so an upsert that keeps the higher version is idempotent and a batch
// sent twice changes nothing.
//
// The outbox is written only once EnableOutbox was called (a till with a
// central database): a till without one would otherwise keep a list that
// only grows.
var bOutbox = []byte("outbox")

// ChangeKind is what an outbox entry names.
type ChangeKind byte

const (
	// ChangeOperation: an operation was created or changed.
	ChangeOperation ChangeKind = 1
	// ChangeAudit: an audit entry was appended.
	ChangeAudit ChangeKind = 2
)

const (
	kindOperation = ChangeOperation
	kindAudit     = ChangeAudit
)

// settingOutbox marks a data file whose changes go to the outbox;
// settingOutboxID names the file's line of changes: its backups and
// salvaged copies carry it on, a new file has its own.
const (
	settingOutbox   = "outbox"
	settingOutboxID = "outbox_id"
)

// noteChange adds an outbox entry for a change made in tx; a file without
// a central database notes nothing.
func noteChange(tx *bolt.Tx, kind ChangeKind, id uint64) error {
	if tx.Bucket(bSettings).Get([]byte(settingOutbox)) == nil {
		return nil
	}
	return addChange(tx, kind, id)
}

func addChange(tx *bolt.Tx, kind ChangeKind, id uint64) error {
	b := tx.Bucket(bOutbox)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	var v [9]byte
	v[0] = byte(kind)
	binary.BigEndian.PutUint64(v[1:], id)
	b.FillPercent = 0.9 // appended in order: see fillAppended
	return b.Put(seqKey(seq), v[:])
}

// EnableOutbox starts noting changes for a central database. The first
// time, every operation and audit entry the file holds is noted, so a till
// that had none catches up with what it sold before; later calls do
// nothing. Training operations are noted too: the pusher leaves them out.
func (s *Store) EnableOutbox() error {
	return s.update(func(tx *bolt.Tx) error {
		settings := tx.Bucket(bSettings)
		if settings.Get([]byte(settingOutboxID)) == nil {
			var raw [12]byte
			if _, err := rand.Read(raw[:]); err != nil {
				return err
			}
			if err := settings.Put([]byte(settingOutboxID), []byte(hex.EncodeToString(raw[:]))); err != nil {
				return err
			}
		}
		if settings.Get([]byte(settingOutbox)) != nil {
			return nil
		}
		if err := settings.Put([]byte(settingOutbox), []byte("1")); err != nil {
			return err
		}
		for _, kind := range []struct {
			bucket []byte
			kind   ChangeKind
		}{{bOperations, kindOperation}, {bAudit, kindAudit}} {
			c := tx.Bucket(kind.bucket).Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				if len(k) != 8 {
					continue
				}
				if err := addChange(tx, kind.kind, binary.BigEndian.Uint64(k)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// OutboxID names the file's line of changes (set by EnableOutbox): the
// central database takes a till's changes from one line only, so a second
// data file under the same till's name cannot mix its operations in.
func (s *Store) OutboxID() (string, error) {
	var id string
	err := s.view(func(tx *bolt.Tx) error {
		id = string(tx.Bucket(bSettings).Get([]byte(settingOutboxID)))
		return nil
	})
	return id, err
}

// Change is what the outbox holds for one operation or audit entry, as
// it stands now. Seq is the newest change noted for it in the batch: its
// version.
type Change struct {
	Seq  uint64
	Kind ChangeKind
	// Operation is the operation now, for ChangeOperation; nil when it is
	// no longer in the file (a wiped training file).
	Operation *Operation
	// Audit is the entry, for ChangeAudit; nil when it is gone.
	Audit *AuditEntry
}

// OutboxBatch is a batch of the oldest outbox entries.
type OutboxBatch struct {
	// Changes are in the order of their first entry in the batch, each
	// operation or audit entry once.
	Changes []Change
	// Last is the highest sequence the batch covers: DropOutbox(Last)
	// once it is safely elsewhere. Zero when the outbox is empty.
	Last uint64
}

// Outbox reads up to n of the oldest outbox entries and the operations and
// audit entries they name, in one read transaction, so each is read as of
// its newest entry at least.
func (s *Store) Outbox(n int) (OutboxBatch, error) {
	var batch OutboxBatch
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bOutbox)
		at := map[[9]byte]int{}
		c := b.Cursor()
		read := 0
		for k, v := c.First(); k != nil && read < n; k, v = c.Next() {
			read++
			if len(k) != 8 || len(v) != 9 {
				return fmt.Errorf("store: damaged outbox entry %x", k)
			}
			seq := binary.BigEndian.Uint64(k)
			batch.Last = seq
			var key [9]byte
			copy(key[:], v)
			if i, ok := at[key]; ok {
				batch.Changes[i].Seq = seq
				continue
			}
			at[key] = len(batch.Changes)
			batch.Changes = append(batch.Changes, Change{Seq: seq, Kind: ChangeKind(v[0])})
		}
		for key, i := range at {
			ch := &batch.Changes[i]
			id := binary.BigEndian.Uint64(key[1:])
			switch ch.Kind {
			case kindOperation:
				if tx.Bucket(bOperations).Get(idKey(ID(id))) == nil {
					continue
				}
				op, err := get(tx, ID(id))
				if err != nil {
					return err
				}
				ch.Operation = &op
			case kindAudit:
				e, ok, err := getAudit(tx, id)
				if err != nil {
					return err
				}
				if ok {
					ch.Audit = &e
				}
			}
		}
		return nil
	})
	return batch, err
}

// DropOutbox deletes the outbox entries up to and including seq: what the
// central database has.
func (s *Store) DropOutbox(seq uint64) error {
	return s.update(func(tx *bolt.Tx) error { return dropOutbox(tx, seq) })
}

func dropOutbox(tx *bolt.Tx, seq uint64) error {
	c := tx.Bucket(bOutbox).Cursor()
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= seq; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// OutboxFrom makes the outbox's next entries number above seq, the last
// one the central database has from this till: a file restored from a
// backup (or a fresh one under a name the server knows) would otherwise
// number its new changes as ones the server has already, and they would
// be dropped unsent. The entries at or below seq are the server's already
// and are dropped.
func (s *Store) OutboxFrom(seq uint64) error {
	return s.update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bOutbox); b.Sequence() < seq {
			if err := b.SetSequence(seq); err != nil {
				return err
			}
		}
		return dropOutbox(tx, seq)
	})
}

// OutboxLen is how many changes are still to be sent.
func (s *Store) OutboxLen() (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bOutbox).Stats().KeyN
		return nil
	})
	return n, err
}
