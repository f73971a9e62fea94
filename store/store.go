// Package store keeps everything kassa must not lose in one bbolt file:
// operations (payments and refunds), settings, and secrets such as tokens.
//
// Buckets:
//
//	operations  ID (8 bytes, big endian)         → Operation's JSON, compressed (codec.go)
//	open        ID                                → nothing (operations to follow up)
//	needs_person ID                               → nothing (operations only a person can settle)
//	fiscal_due  ID                                → nothing (paid, fiscal data still to ask for)
//	refunds     payment ID + refund ID            → nothing (a payment's refunds)
//	summary     created unix nanos + ID           → Row, fixed binary layout (history, CSV)
//	numbers     receipt/payment number \x00 ID    → created unix nanos (search as you type,
//	                                                a payment by its number or handle)
//	days        local day + kind, state, …        → count and sum (period totals)
//	settings    name                              → value
//	secrets     name                              → value (tokens, API keys)
//	people      name in lower case                → Person as JSON (the PIN only as its hash)
//	audit       seq (8 bytes, big endian)         → AuditEntry as JSON, chained by hashes (audit.go)
//	audit_time  unix nanos + seq                  → nothing (the audit log by period)
//	shifts      Z report number (8 bytes)         → Shift as JSON (stored Z reports; see shift.go)
//	outbox      change seq (8 bytes, big endian)  → what changed, for the central database (outbox.go)
//
// Every write is one bbolt transaction, fsynced before it returns, so an
// operation written ahead of a provider call survives a killed process.
//
// # History over a million operations
//
// The history screens and the CSV export never decode an Operation's JSON
// (a few microseconds each: a month of a busy shop would take seconds).
// Every write keeps three derived buckets in step, inside the same
// transaction, undoing what the operation's previous version put there:
//
//   - summary: a Row per operation, 28 fixed bytes and four short strings,
//     keyed by creation time, so a period is one cursor range, read newest
//     first for the screen and oldest first for export. Filters test the
//     bytes in place and decode only the rows shown: a 35-day period with
//     no match at all is a walk over its ~200,000 keys, about 16 ms.
//   - numbers: every receipt number, payment number and provider handle,
//     each followed by the ID, so typing a prefix is a cursor Seek. A prefix
//     too short to be worth it (the first digit) is answered by filtering
//     the period instead; see maxIndexWalk.
//   - days: per local day, kind, state, method, currency, provider and
//     terminal, a count and a sum, so a period's totals read a few dozen
//     entries a day, however many operations it holds.
//
// A page is up to n rows beyond a Cursor (the last row's summary key), so
// scrolling holds one page at a time. Files written before the summaries
// existed get them when opened. Days are local days: moving the machine to
// another time zone shifts which day an existing total belongs to.
package store

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/kassa-till/kassa/providers"
)

var (
	bOperations  = []byte("operations")
	bByTime      = []byte("by_time")
	bOpen        = []byte("open")
	bNeedsPerson = []byte("needs_person")
	bFiscalDue   = []byte("fiscal_due")
	bSummary     = []byte("summary")
	bNumbers     = []byte("numbers")
	bDays        = []byte("days")
	bByRef       = []byte("by_ref")
	bRefunds     = []byte("refunds")
	bSettings    = []byte("settings")
	bSecrets     = []byte("secrets")
	bPeople      = []byte("people")
	bAudit       = []byte("audit")
	bAuditTime   = []byte("audit_time")
	bShifts      = []byte("shifts")
)

var allBuckets = [][]byte{bOperations, bOpen, bNeedsPerson, bFiscalDue, bRefunds, bSettings, bSecrets, bSummary, bNumbers, bDays,
	bPeople, bAudit, bAuditTime, bShifts, bOutbox}

// legacyBuckets are what files before the compact layout had besides: the
// summaries' keys say what by_time said, and the number index what by_ref
// did. Only the conversion and the salvage of an old file read them.
var legacyBuckets = [][]byte{bByTime, bByRef}

// wipeKeeps are the buckets a wipe of training data leaves: its people,
// and its audit log, which records the wipe.
var wipeKeeps = [][]byte{bPeople, bAudit, bAuditTime}

var (
	// ErrNotFound is returned when no operation matches.
	ErrNotFound = errors.New("store: not found")
	// ErrLocked is returned when another kassa holds the data file.
	ErrLocked = errors.New("store: the data file is in use by another kassa")
)

// Store is an open kassa data file.
type Store struct {
	db   *bolt.DB
	path string
	till atomic.Pointer[string]
	// damaged is set once a read found the file damaged: from then on
	// nothing is written to it.
	damaged atomic.Pointer[DamagedError]

	// The journal (journal.go). applyMu is taken before wmu where both
	// are: applying runs one at a time, and wmu guards the journal, what
	// it holds that the file does not yet (pending), and the last id.
	applyMu  sync.Mutex
	wmu      sync.Mutex
	j        *journal
	pending  []record
	waiting  atomic.Int64  // len(pending), read without the lock
	searched searchMemo    // the last search's index answer (history.go)
	lastID   atomic.Uint64 // the last operation's id; read without the lock
	applyErr error         // why the last apply failed; the records wait for the next
	kick     chan struct{}
	stop     chan struct{}
	stopped  chan struct{}
}

// Open opens or creates the data file at path with mode 0600: it holds
// tokens and keys. The file is checked first and never written to when
// damaged (a DamagedError), and an empty or missing file where one was
// before is refused (a GoneError): see admit.
func Open(path string) (*Store, error) { return OpenWith(path, nil) }

// OpenWith is Open, telling progress how a conversion of a file written
// before the compact layout goes (see convert.go): it happens once, and
// a million operations take a minute or two.
func OpenWith(path string, progress Progress) (*Store, error) {
	if err := finishConversion(path); err != nil {
		return nil, err
	}
	if err := admit(path); err != nil {
		return nil, err
	}
	db, err := openBolt(path)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrLocked
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return nil, fmt.Errorf("store: %w", err) // it names the path already
	}
	var damaged *DamagedError
	if errors.As(err, &damaged) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// bbolt applies the mode only when it creates the file; an older file
	// may have been made wider by hand.
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: chmod %s: %w", path, err)
	}
	if old, err := needsConversion(db); old || err != nil {
		if err == nil {
			err = convert(db, path, progress)
		}
		db.Close()
		if err != nil {
			return nil, err
		}
		return OpenWith(path, nil)
	}
	s := &Store{db: db, path: path}
	err = s.update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if k, _ := tx.Bucket(bOperations).Cursor().First(); k == nil {
			// A new file is written in the current layout from the start.
			if err := markLayout(tx); err != nil {
				return err
			}
		}
		if err := nameTill(tx); err != nil {
			return err
		}
		return backfillSummaries(tx)
	})
	if errors.As(err, &damaged) {
		db.Close()
		return nil, err
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: init %s: %w", path, err)
	}
	if err := s.openJournal(); err != nil {
		db.Close()
		return nil, err
	}
	err = s.view(func(tx *bolt.Tx) error {
		name := string(tx.Bucket(bSettings).Get([]byte(settingTill)))
		s.till.Store(&name)
		return nil
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	markSeen(path, s.Till())
	return s, nil
}

// openBolt opens a checked file with bbolt, which still panics on some
// damage the check cannot see (it reads the freelist at once).
func openBolt(path string) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				db.Close()
			}
			db, err = nil, panicked(path, r)
		}
	}()
	return bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
}

// view and update run a bbolt transaction, turning a panic or a memory
// fault on a damaged page into a DamagedError: bbolt rolls the
// transaction back as the panic passes, so nothing half-done is written.
// Once one happened, update writes nothing more to the file.
//
// Both see every write the journal took: what it holds that the file does
// not yet is applied first.
func (s *Store) view(fn func(*bolt.Tx) error) (err error) {
	if err := s.settle(); err != nil {
		return err
	}
	defer s.recoverDamage(&err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return s.db.View(fn)
}

func (s *Store) update(fn func(*bolt.Tx) error) error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.applyLocked(len(s.pending)); err != nil {
		return err
	}
	var seq uint64
	err := s.updateNow(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		seq = tx.Bucket(bOperations).Sequence()
		return nil
	})
	if err == nil {
		s.lastID.Store(seq) // all the journal held is in: the file's sequence is the last id
	}
	return err
}

func (s *Store) updateNow(fn func(*bolt.Tx) error) (err error) {
	if d := s.damaged.Load(); d != nil {
		return d
	}
	defer s.recoverDamage(&err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return s.db.Update(fn)
}

func (s *Store) recoverDamage(err *error) {
	r := recover()
	if r == nil {
		return
	}
	if !fromDamage(r) {
		panic(r) // a mistake of kassa's own, not the file's
	}
	d := panicked(s.path, r)
	s.damaged.CompareAndSwap(nil, d)
	*err = d
}

// Damaged is the damage found in the file since it opened, nil if none.
func (s *Store) Damaged() *DamagedError { return s.damaged.Load() }

// MarkDamaged records damage found in the file by other means (a backup
// of it that failed its check): nothing more is written to it, and its
// next open reads every page.
func (s *Store) MarkDamaged(rep *Report) {
	d := &DamagedError{Path: s.path, Report: rep}
	noteDamage(s.path, rep)
	s.damaged.CompareAndSwap(nil, d)
}

// Path is the data file's path.
func (s *Store) Path() string { return s.path }

// Close applies what the journal holds and closes the data file.
func (s *Store) Close() error {
	err := s.closeJournal()
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// last is the id of the newest operation, written to the file or still in
// the journal: no receipt is beyond it.
func (s *Store) last() ID { return ID(s.lastID.Load()) }

// Create writes a new operation, giving it the next ID. It is the
// write-ahead step: call it before the provider is asked for anything.
func (s *Store) Create(op *Operation) error {
	if op.ID != 0 {
		return fmt.Errorf("store: create: operation %d already has an id", op.ID)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	op.ID = ID(s.lastID.Load()) + 1
	given := op.OperationID == ""
	if given {
		op.OperationID = s.Till() + "-" + op.Receipt()
	}
	if err := s.journalLocked(op); err != nil {
		op.ID = 0
		if given {
			op.OperationID = ""
		}
		return err
	}
	s.lastID.Store(uint64(op.ID))
	return nil
}

func (s *Store) create(tx *bolt.Tx, op *Operation) error {
	fillAppended(tx)
	seq, err := tx.Bucket(bOperations).NextSequence()
	if err != nil {
		return err
	}
	op.ID = ID(seq)
	if op.OperationID == "" {
		op.OperationID = s.Till() + "-" + op.Receipt()
	}
	return keep(tx, op)
}

// previous is what put needs of an operation's stored version to take its
// index entries away: a Save may change its references (a person's check
// gives a payment number) and must not leave the old ones finding it.
type previous struct {
	Kind          Kind      `json:"kind"`
	Provider      string    `json:"provider"`
	Ref           string    `json:"ref"`
	TransactionID string    `json:"transactionId"`
	Created       time.Time `json:"created"`
}

// Save writes an existing operation and keeps the indexes in step.
func (s *Store) Save(op *Operation) error {
	if op.ID == 0 {
		return errors.New("store: save: operation has no id; Create it first")
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if op.ID > ID(s.lastID.Load()) {
		return fmt.Errorf("store: save %d: %w", op.ID, ErrNotFound)
	}
	return s.journalLocked(op)
}

// put writes op and its index entries; prev is its stored version, nil
// for a new operation.
func put(tx *bolt.Tx, op *Operation, prev *previous) error {
	fillAppended(tx)
	buf, err := encodeOp(op)
	if err != nil {
		return err
	}
	key := idKey(op.ID)
	if err := putIfChanged(tx.Bucket(bOperations), key, buf, true); err != nil {
		return err
	}
	if err := noteChange(tx, kindOperation, uint64(op.ID)); err != nil {
		return err
	}
	var prevTime []byte
	if prev != nil {
		prevTime = timeKey(prev.Created, op.ID)
	}
	if err := putSummary(tx, op, prevTime); err != nil {
		return err
	}
	for _, flag := range []struct {
		bucket []byte
		on     bool
	}{{bOpen, op.State.Open()}, {bNeedsPerson, op.NeedsPerson()}, {bFiscalDue, op.FiscalDue()}} {
		if err := putIfChanged(tx.Bucket(flag.bucket), key, []byte{}, flag.on); err != nil {
			return err
		}
	}
	return nil
}

// putIfChanged puts k → v in b when on, deletes k when not, and leaves b
// alone when it holds that already: a bbolt Put rewrites the key's page and
// the pages above it even when the value is the same, and every page a
// commit writes costs a durable write its time.
func putIfChanged(b *bolt.Bucket, k, v []byte, on bool) error {
	// A cursor, not Get: Get gives nil for a value put as nil earlier in
	// the same transaction, as if the key were not there.
	found, old := b.Cursor().Seek(k)
	has := found != nil && bytes.Equal(found, k)
	switch {
	case on && (!has || !bytes.Equal(old, v)):
		return b.Put(k, v)
	case !on && has:
		return b.Delete(k)
	}
	return nil
}

// fillAppended packs the pages of the buckets whose keys grow with time
// (IDs, creation times) full, and those of the number index, whose keys
// grow within each kind of number (receipts, payment numbers, handles) but
// also get a refund's entry beside its payment's, nine tenths full, room
// for those. bbolt splits a full page in halves by default, and a half
// that only ever gets older keys stays half empty: a million operations
// would take twice the disk. The setting lasts one transaction.
func fillAppended(tx *bolt.Tx) {
	tx.Bucket(bOperations).FillPercent = 1
	tx.Bucket(bSummary).FillPercent = 1
	tx.Bucket(bNumbers).FillPercent = 0.9
}

// Get returns the operation with that ID.
func (s *Store) Get(id ID) (Operation, error) {
	var op Operation
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		op, err = get(tx, id)
		return err
	})
	return op, err
}

func get(tx *bolt.Tx, id ID) (Operation, error) {
	var op Operation
	v := tx.Bucket(bOperations).Get(idKey(id))
	if v == nil {
		return op, fmt.Errorf("store: operation %d: %w", id, ErrNotFound)
	}
	if err := decodeOp(v, &op); err != nil {
		return op, fmt.Errorf("store: operation %d: %w", id, err)
	}
	return op, nil
}

// Unfinished returns the operations that still need following up, oldest first.
func (s *Store) Unfinished() ([]Operation, error) {
	return s.indexed(bOpen, false, 0)
}

// Modify reads the operation id, lets fn change it and saves it, in one
// transaction: a change made beside the operation's own follower (its
// fiscal data) never undoes another's. fn's error saves nothing.
func (s *Store) Modify(id ID, fn func(*Operation) error) (Operation, error) {
	var op Operation
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		if op, err = get(tx, id); err != nil {
			return err
		}
		prev := previous{Kind: op.Kind, Provider: op.Provider, Ref: op.Ref, TransactionID: op.TransactionID, Created: op.Created}
		if err := fn(&op); err != nil {
			return err
		}
		return put(tx, &op, &prev)
	})
	return op, err
}

// FiscalDue returns the paid operations whose fiscal data the till is
// still to ask for, oldest first.
func (s *Store) FiscalDue() ([]Operation, error) {
	return s.indexed(bFiscalDue, false, 0)
}

// indexed reads the operations an ID-keyed index bucket names, oldest
// first or newest first, at most limit of them (0: all).
func (s *Store) indexed(bucket []byte, newestFirst bool, limit int) ([]Operation, error) {
	var ops []Operation
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		k, _ := c.First()
		step := c.Next
		if newestFirst {
			k, _ = c.Last()
			step = c.Prev
		}
		for ; k != nil && (limit == 0 || len(ops) < limit); k, _ = step() {
			op, err := get(tx, ID(binary.BigEndian.Uint64(k)))
			if err != nil {
				return err
			}
			ops = append(ops, op)
		}
		return nil
	})
	return ops, err
}

// ByReference finds a payment by its transaction id (Kaspi's orderNumber
// or rrn), or an operation by its provider handle (Kaspi's processId): the
// newest of provider's, where a training file has several.
func (s *Store) ByReference(provider, ref string) (Operation, error) {
	var op Operation
	err := s.view(func(tx *bolt.Tx) error {
		var byHandle *Operation
		found := false
		err := numbered(tx, indexed255(ref), func(o Operation) bool {
			if o.Provider != provider {
				return true
			}
			// Only a payment's transactionId finds it: a refund carries
			// the same one and must not shadow it.
			if o.Kind == KindPayment && o.TransactionID == ref {
				op, found = o, true
				return true
			}
			if o.Ref == ref {
				byHandle = &o
			}
			return true
		})
		switch {
		case err != nil:
			return err
		case found:
			return nil
		case byHandle != nil:
			op = *byHandle
			return nil
		}
		return fmt.Errorf("store: reference %q: %w", ref, ErrNotFound)
	})
	return op, err
}

// indexed255 is a number as the index holds it: its first 255 bytes.
func indexed255(n string) string { return n[:min(len(n), 255)] }

// numbered calls fn with every operation indexed under exactly the number
// n, oldest first, until fn returns false.
func numbered(tx *bolt.Tx, n string, fn func(Operation) bool) error {
	prefix := append([]byte(n), 0)
	c := tx.Bucket(bNumbers).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != len(prefix)+8 {
			continue
		}
		op, err := get(tx, ID(binary.BigEndian.Uint64(k[len(prefix):])))
		if err != nil {
			return err
		}
		if !fn(op) {
			return nil
		}
	}
	return nil
}

// PaymentsNumbered returns every payment of provider whose payment number
// (Kaspi's orderNumber or rrn) is number, oldest first: one, except in a
// training file written while the demo's POS repeated its numbers.
func (s *Store) PaymentsNumbered(provider, number string) ([]Operation, error) {
	var ops []Operation
	err := s.view(func(tx *bolt.Tx) error {
		return numbered(tx, number, func(op Operation) bool {
			if op.Kind == KindPayment && op.Provider == provider && op.TransactionID == number {
				ops = append(ops, op)
			}
			return true
		})
	})
	return ops, err
}

// Refunds returns the refunds made from a payment, oldest first.
func (s *Store) Refunds(payment ID) ([]Operation, error) {
	var ops []Operation
	err := s.view(func(tx *bolt.Tx) error {
		return forRefunds(tx, payment, func(op Operation) { ops = append(ops, op) })
	})
	return ops, err
}

func forRefunds(tx *bolt.Tx, payment ID, fn func(Operation)) error {
	prefix := idKey(payment)
	c := tx.Bucket(bRefunds).Cursor()
	for k, _ := c.Seek(prefix); k != nil && len(k) == 16 && string(k[:8]) == string(prefix); k, _ = c.Next() {
		op, err := get(tx, ID(binary.BigEndian.Uint64(k[8:])))
		if err != nil {
			return err
		}
		fn(op)
	}
	return nil
}

// Recent returns up to n operations, newest first.
func (s *Store) Recent(n int) ([]Operation, error) {
	var ops []Operation
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bOperations).Cursor()
		for k, v := c.Last(); k != nil && len(ops) < n; k, v = c.Prev() {
			var op Operation
			if err := decodeOp(v, &op); err != nil {
				return err
			}
			ops = append(ops, op)
		}
		return nil
	})
	return ops, err
}

// EachRow calls fn with the row of every operation, oldest first, until fn
// returns false. It reads the summaries only, not the operations' JSON.
func (s *Store) EachRow(fn func(Row) bool) error {
	return s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bSummary).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			r, err := decodeRow(k, v)
			if err != nil {
				return err
			}
			if !fn(r) {
				return nil
			}
		}
		return nil
	})
}

// Setting reads a setting into v; ok is false when it was never set.
func (s *Store) Setting(name string, v any) (ok bool, err error) {
	return s.getJSON(bSettings, name, v)
}

// PutSetting stores a setting.
func (s *Store) PutSetting(name string, v any) error { return s.putJSON(bSettings, name, v) }

// Secret reads a secret (a token, an API key) into v.
func (s *Store) Secret(name string, v any) (ok bool, err error) { return s.getJSON(bSecrets, name, v) }

// PutSecret stores a secret. The file's 0600 mode is what protects it.
func (s *Store) PutSecret(name string, v any) error { return s.putJSON(bSecrets, name, v) }

func (s *Store) getJSON(bucket []byte, name string, v any) (bool, error) {
	var found bool
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket).Get([]byte(name))
		if b == nil {
			return nil
		}
		found = true
		return json.Unmarshal(b, v)
	})
	return found, err
}

func (s *Store) putJSON(bucket []byte, name string, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put([]byte(name), buf) })
}

func idKey(id ID) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(id))
	return k[:]
}

func timeKey(t time.Time, id ID) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], uint64(id))
	return k
}

// Refundable returns how much of a payment can still be refunded: its
// amount less every refund that succeeded or may yet succeed. A refund
// whose outcome is not known counts against it until it is resolved.
func (s *Store) Refundable(payment ID) (providers.Money, error) {
	var left providers.Money
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		left, err = refundable(tx, payment)
		return err
	})
	return left, err
}

// NeedingPerson returns the operations only a person can settle, newest first.
func (s *Store) NeedingPerson(limit int) ([]Operation, error) {
	return s.indexed(bNeedsPerson, true, limit)
}

// Wipe empties the data file of its operations, settings, secrets and Z
// reports, as by with approver (either may be ""): it is for the training
// file only; the caller makes sure of that. Its people and its audit log
// stay, and the log records the wipe.
//
// Receipt numbers start again from 1, so the till takes a new name: the
// operation ids it sends stay unique.
func (s *Store) Wipe(by, approver string, at time.Time) error {
	var name string
	err := s.update(func(tx *bolt.Tx) error {
		// The audit log's head goes on, and so does the journal: its
		// records name this file's journal id and follow its seq.
		kept := map[string][]byte{}
		for _, k := range []string{settingAuditHead, settingJournalID, settingJournalSeq} {
			if v := tx.Bucket(bSettings).Get([]byte(k)); v != nil {
				kept[k] = slices.Clone(v)
			}
		}
		for _, b := range allBuckets {
			if slices.ContainsFunc(wipeKeeps, func(k []byte) bool { return bytes.Equal(k, b) }) {
				continue
			}
			if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		for k, v := range kept {
			if err := tx.Bucket(bSettings).Put([]byte(k), v); err != nil {
				return err
			}
		}
		if err := nameTill(tx); err != nil {
			return err
		}
		name = string(tx.Bucket(bSettings).Get([]byte(settingTill)))
		if err := markLayout(tx); err != nil {
			return err
		}
		_, err := appendAudit(tx, AuditEntry{At: at, Kind: AuditWipe, Who: by, Approver: approver})
		return err
	})
	if err == nil {
		s.till.Store(&name)
	}
	return err
}

// backfillSummaries gives a data file written before summaries existed its
// summaries, indexes and day totals, once.
func backfillSummaries(tx *bolt.Tx) error {
	if k, _ := tx.Bucket(bSummary).Cursor().First(); k != nil {
		return nil
	}
	err := tx.Bucket(bOperations).ForEach(func(_, v []byte) error {
		var op Operation
		if err := decodeOp(v, &op); err != nil {
			return err
		}
		return putSummary(tx, &op, nil)
	})
	if err != nil {
		return err
	}
	return markSummaryVersion(tx)
}

// summaryVersion is the summaries' layout: 2 added a refund's payment's
// number, and its receipts to the number index.
const summaryVersion = "2"

// NeedsUpgrade reports whether the file was written by an older kassa and
// Upgrade has something to do: until it has, the refunds it held then are
// not found by their payment's numbers.
func (s *Store) NeedsUpgrade() bool {
	needs := false
	s.view(func(tx *bolt.Tx) error {
		if string(tx.Bucket(bSettings).Get([]byte("summary_version"))) != summaryVersion {
			k, _ := tx.Bucket(bRefunds).Cursor().First()
			needs = k != nil
		}
		return nil
	})
	return needs
}

// Upgrade brings the summaries of a file written by an older kassa to
// summaryVersion, once: only refunds changed, so only they are written
// again. On a file of a million operations it takes about a minute, so
// the command says so first (see NeedsUpgrade).
func (s *Store) Upgrade() error {
	return s.update(upgradeSummaries)
}

func upgradeSummaries(tx *bolt.Tx) error {
	settings := tx.Bucket(bSettings)
	if string(settings.Get([]byte("summary_version"))) == summaryVersion {
		return nil
	}
	var refunds []ID
	c := tx.Bucket(bRefunds).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) == 16 {
			refunds = append(refunds, ID(binary.BigEndian.Uint64(k[8:])))
		}
	}
	for _, id := range refunds {
		op, err := get(tx, id)
		if err != nil {
			return err
		}
		if err := putSummary(tx, &op, timeKey(op.Created, op.ID)); err != nil {
			return err
		}
	}
	return markSummaryVersion(tx)
}

func markSummaryVersion(tx *bolt.Tx) error {
	return tx.Bucket(bSettings).Put([]byte("summary_version"), []byte(summaryVersion))
}

// Batch writes many new operations in one transaction, each exactly as
// Create and Save would, for `kassa gen` and benchmarks. Keep batches to
// tens of thousands: one transaction holds them all in memory.
func (s *Store) Batch(fn func(create func(op *Operation) error) error) error {
	return s.update(func(tx *bolt.Tx) error {
		return fn(func(op *Operation) error {
			if op.ID != 0 {
				return fmt.Errorf("store: batch: operation %d already has an id", op.ID)
			}
			return s.create(tx, op)
		})
	})
}

// settingTill holds the till's name: the first part of every operation id.
const settingTill = "till"

// TillNamePattern is what a till's name may hold: it goes into operation
// ids that providers limit (UzQR's external_id: 20 characters, so a name
// of at most 12 leaves room for "-" and a receipt number of 7 digits).
var TillNamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,12}$`)

// nameTill gives a data file without a till name one of its own: five
// random letters and digits, so two tills sharing a provider account do
// not send the same operation id.
func nameTill(tx *bolt.Tx) error {
	b := tx.Bucket(bSettings)
	if b.Get([]byte(settingTill)) != nil {
		return nil
	}
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var raw [5]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	name := make([]byte, len(raw))
	for i, c := range raw {
		name[i] = alphabet[int(c)%len(alphabet)]
	}
	return b.Put([]byte(settingTill), name)
}

// Till is the till's name, the first part of the ids of the operations it
// creates: "<till>-<receipt>".
func (s *Store) Till() string { return *s.till.Load() }

// SetTill renames the till (the config's till name) for the operations
// created from now on; those created before keep their ids.
func (s *Store) SetTill(name string) error {
	if !TillNamePattern.MatchString(name) {
		return fmt.Errorf("store: till name %q: use 1 to 12 Latin letters, digits or _", name)
	}
	if name == s.Till() {
		return nil
	}
	err := s.update(func(tx *bolt.Tx) error { return tx.Bucket(bSettings).Put([]byte(settingTill), []byte(name)) })
	if err == nil {
		s.till.Store(&name)
	}
	return err
}
