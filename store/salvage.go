package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Salvage reads what it can of a damaged data file, page by page and never
// through bbolt, and writes it to a new data file: every operation that
// reads whole, the settings, the secrets, the Z reports, the people and
// the audit log (as they were: the log's chain says what of it is
// missing). The indexes, summaries and day totals are not copied but made
// again from the operations.
//
// Operations are found first through the file's tree, where its pages
// hold; then in every other page that is not free, so the leaves under a
// damaged branch page are not lost with it. Where one operation is found
// twice (a page bbolt freed still holds an older version), the version
// last updated wins. Receipts are numbered without gaps, so every number
// up to the highest the file knows of that was not found is listed lost,
// with what its history row says of it where that still reads.
type SalvageReport struct {
	// Damage is what checking the file found.
	Damage *Report
	// Operations is how many operations were copied; Older those of them
	// read from a page outside the tree (under a damaged branch page, or
	// an older copy bbolt freed: check those on the provider's side).
	Operations int
	Older      []ID
	// Settings and Secrets are how many were copied; SettingsDamaged and
	// SecretsDamaged are set when some of their pages could not be read.
	Settings, Secrets               int
	SettingsDamaged, SecretsDamaged bool
	// People and Audit are how many people and audit entries were
	// copied, as they were (the audit log's chain still says whether
	// any is missing); PeopleDamaged and AuditDamaged as above.
	People, Audit               int
	PeopleDamaged, AuditDamaged bool
	// Shifts is how many Z reports were copied; ShiftsDamaged is set when
	// some of their pages could not be read: the next shift then starts
	// after the last Z that was, and may count a lost Z's operations again.
	Shifts        int
	ShiftsDamaged bool
	// Lost is every operation that could not be read, oldest first.
	Lost []Lost
	// Next is the receipt number the new file gives next.
	Next ID
}

// Lost is an operation that could not be read; Row is what the history
// said of it, where that could be read.
type Lost struct {
	ID  ID
	Row *Row
}

// ErrExists is a file in the way of one kassa would write.
var ErrExists = errors.New("store: the file exists already")

// Salvage copies what can be read of the data file at src into a new data
// file at dst, which must not exist. src is only read, under its shared
// lock (ErrLocked when a till has it open). Operations are written as they
// are found, a batch at a time: a million of them never sit in memory.
func Salvage(src, dst string) (*SalvageReport, error) {
	if _, err := os.Lstat(dst); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrExists, dst)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store: %w", err)
	}
	db, err := bolt.Open(src, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil && lockTimeout(err) {
		return nil, ErrLocked
	}
	if err == nil {
		defer db.Close() // held for its shared lock only
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	damage, err := checkFile(f, true)
	if err != nil {
		return nil, err
	}
	damage.Path = src
	size, err := sizeOf(f)
	if err != nil {
		return nil, err
	}
	out, err := Open(dst)
	if err != nil {
		return nil, err
	}
	pf := openPages(f, size, &Report{}, true)
	rd := &salvager{pf: pf, w: &pageWalk{f: pf, rep: &Report{}}, out: out, lostRows: map[ID]Row{}}
	rep := &SalvageReport{Damage: damage}
	err = rd.read(rep)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		os.Remove(SeenNote(dst))
		return nil, err
	}
	return rep, nil
}

// salvager is one salvage's reading.
type salvager struct {
	pf *pageFile
	w  *pageWalk // for its checked reading of a page's entries
	// inTree is the pages reached through the tree; free the free ones
	// (nil when the freelist cannot be read).
	inTree, free bitset
	out          *Store
	// have is the operations written to out; batch those waiting to be.
	have  idSet
	batch []Operation
	// highest is the highest operation id any readable page names.
	highest  ID
	lostRows map[ID]Row
	// audit is the audit entries waiting to be written.
	audit [][2][]byte
}

// idSet is a set of operation ids that grows as they come.
type idSet []uint64

func (s *idSet) add(id ID) {
	for uint64(len(*s)) <= uint64(id)/64 {
		*s = append(*s, 0)
	}
	(*s)[id/64] |= 1 << (id % 64)
}

func (s idSet) has(id ID) bool { return uint64(id)/64 < uint64(len(s)) && s[id/64]&(1<<(id%64)) != 0 }

// read reads the tree, then the pages outside it, writing what it finds.
func (rd *salvager) read(rep *SalvageReport) error {
	pf := rd.pf
	rd.inTree = newBitset(pf.meta.pages)
	if pf.meta.freelist != noFreelist {
		fw := &pageWalk{f: pf, rep: &Report{}, used: newBitset(pf.meta.pages), free: newBitset(pf.meta.pages)}
		fw.freelist()
		if fw.rep.OK() {
			rd.free = fw.free
		}
	}
	buckets := map[string][]byte{}
	if pf.meta.root != 0 {
		rd.entries(pf.meta.root, nil, nil, 0, func(k, v []byte, flags uint32) {
			if flags&flagBucket != 0 {
				buckets[string(k)] = slices.Clone(v)
			}
		})
	}
	var err error
	if v, ok := buckets[string(bOperations)]; ok && len(v) >= 16 {
		// The bucket's sequence is the last receipt number given.
		rd.highest = ID(order.Uint64(v[8:]))
	}
	rd.bucket(buckets[string(bOperations)], func(k, v []byte) {
		if err == nil && rd.operation(k, v) {
			err = rd.flush(false)
		}
	})
	if err == nil {
		err = rd.flush(true)
	}
	if err != nil {
		return err
	}
	// Every id an index names existed, and the summaries say what the
	// operations not found were. The indexes are read before the pages
	// outside the tree, so that is all those are.
	for _, name := range [][]byte{bByTime, bRefunds} {
		rd.bucket(buckets[string(name)], func(k, _ []byte) {
			if len(k) == 16 {
				rd.highest = max(rd.highest, ID(binary.BigEndian.Uint64(k[8:])))
			}
		})
	}
	rd.bucket(buckets[string(bSummary)], func(k, v []byte) {
		if r, err := decodeRow(k, v); err == nil {
			rd.highest = max(rd.highest, r.ID)
			if !rd.have.has(r.ID) {
				rd.lostRows[r.ID] = r
			}
		}
	})
	var settings, secrets, shifts [][2][]byte
	rep.SettingsDamaged = !rd.bucket(buckets[string(bSettings)], func(k, v []byte) {
		settings = append(settings, [2][]byte{slices.Clone(k), slices.Clone(v)})
	})
	rep.SecretsDamaged = !rd.bucket(buckets[string(bSecrets)], func(k, v []byte) {
		secrets = append(secrets, [2][]byte{slices.Clone(k), slices.Clone(v)})
	})
	rep.ShiftsDamaged = !rd.bucket(buckets[string(bShifts)], func(k, v []byte) {
		shifts = append(shifts, [2][]byte{slices.Clone(k), slices.Clone(v)})
	})
	var people [][2][]byte
	rep.PeopleDamaged = !rd.bucket(buckets[string(bPeople)], func(k, v []byte) {
		people = append(people, [2][]byte{slices.Clone(k), slices.Clone(v)})
	})
	rep.AuditDamaged = !rd.bucket(buckets[string(bAudit)], func(k, v []byte) {
		if err == nil {
			rep.Audit++
			err = rd.auditEntry(k, v)
		}
	})
	if err == nil {
		err = rd.flushAudit(true)
	}
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bOpen, bNeedsPerson, bFiscalDue, bByRef, bNumbers, bDays, bAuditTime} {
		rd.bucket(buckets[string(name)], func(k, v []byte) {}) // only to know their pages
	}
	older, err := rd.orphans()
	if err != nil {
		return err
	}
	rep.Older = older
	rep.Settings, rep.Secrets, rep.People, rep.Shifts = len(settings), len(secrets), len(people), len(shifts)
	for id := ID(1); id <= rd.highest; id++ {
		if rd.have.has(id) {
			rep.Operations++
			continue
		}
		l := Lost{ID: id}
		if r, ok := rd.lostRows[id]; ok {
			l.Row = &r
		}
		rep.Lost = append(rep.Lost, l)
	}
	rep.Next = rd.highest + 1
	return rd.out.update(func(tx *bolt.Tx) error {
		for _, kv := range settings {
			if err := tx.Bucket(bSettings).Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		for _, kv := range secrets {
			if err := tx.Bucket(bSecrets).Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		for _, kv := range people {
			if err := tx.Bucket(bPeople).Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		for _, kv := range shifts {
			if err := tx.Bucket(bShifts).Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		if err := nameTill(tx); err != nil { // if the till's name was lost
			return err
		}
		if err := markSummaryVersion(tx); err != nil {
			return err
		}
		return tx.Bucket(bOperations).SetSequence(uint64(rd.highest))
	})
}

// bucket calls fn with the entries of the top-level bucket whose entry in
// the root is v, and reports whether every page of it read well.
func (rd *salvager) bucket(v []byte, fn func(k, v []byte)) bool {
	if len(v) < 16 {
		return v == nil && rd.pf.meta.root != 0 // not there at all: nothing lost
	}
	each := func(k, v []byte, flags uint32) {
		if flags&flagBucket == 0 {
			fn(k, v)
		}
	}
	if root := order.Uint64(v); root != 0 {
		return rd.entries(root, nil, nil, 0, each)
	}
	return rd.inline(v[16:], each)
}

// inline reads the entries of a bucket kept inside its parent's page.
func (rd *salvager) inline(b []byte, fn func(k, v []byte, flags uint32)) bool {
	if len(b) < pageHeaderSize {
		return false
	}
	p := parsePage(0, b)
	if p.flags != flagLeaf {
		return false
	}
	elems, ok := rd.w.elements(b, p.count, false, ref{}, "", 0)
	if !ok {
		return false
	}
	for _, e := range elems {
		fn(e.key, e.value, e.flags)
	}
	return true
}

// entries calls fn with the entries of every page under id that reads
// well, and reports whether they all did.
func (rd *salvager) entries(id uint64, lo, hi []byte, depth int, fn func(k, v []byte, flags uint32)) bool {
	if depth > 64 || id < 2 || id >= rd.pf.meta.pages || rd.inTree.has(id) {
		return false
	}
	p, err := rd.pf.read(id)
	if err != nil || p.id != id || p.flags != flagBranch && p.flags != flagLeaf {
		return false
	}
	for i := uint64(0); i <= p.overflow; i++ {
		rd.inTree.set(id + i)
	}
	elems, ok := rd.w.elements(p.buf, p.count, p.flags == flagBranch, ref{lo: lo, hi: hi}, "", id)
	if !ok {
		return false
	}
	if p.flags == flagLeaf {
		for _, e := range elems {
			fn(e.key, e.value, e.flags)
		}
		return true
	}
	elems = slices.Clone(elems) // the next read reuses them
	whole := true
	for i, e := range elems {
		var next []byte
		if i+1 < len(elems) {
			next = elems[i+1].key
		}
		whole = rd.entries(e.child, e.key, next, depth+1, fn) && whole
	}
	return whole
}

// operation queues an operation of the tree stored under key k, if it
// reads whole.
func (rd *salvager) operation(k, v []byte) bool {
	op, ok := decodeStored(k, v)
	if ok && !rd.have.has(op.ID) {
		rd.have.add(op.ID)
		rd.highest = max(rd.highest, op.ID)
		rd.batch = append(rd.batch, op)
	}
	return ok
}

// indexPage reports whether elems are a page of by_time or refunds.
func indexPage(elems []element) bool {
	for _, e := range elems {
		if e.flags != 0 || len(e.key) != 16 || len(e.value) != 0 || binary.BigEndian.Uint64(e.key[8:]) >= 1<<40 {
			return false
		}
	}
	return true
}

// summaryRow reads an entry of the summaries found outside the tree: a
// key of time and id whose value starts with the same time.
func summaryRow(k, v []byte) (Row, bool) {
	if len(k) != 16 || len(v) < 8 || !bytes.Equal(k[:8], v[:8]) {
		return Row{}, false
	}
	r, err := decodeRow(k, v)
	return r, err == nil && r.ID != 0 && r.Kind != ""
}

func decodeStored(k, v []byte) (Operation, bool) {
	var op Operation
	if len(k) != 8 || decodeOp(v, &op) != nil || uint64(op.ID) != binary.BigEndian.Uint64(k) ||
		op.Kind != KindPayment && op.Kind != KindRefund {
		return op, false
	}
	return op, true
}

// flush writes the operations queued, all of them or a full batch.
func (rd *salvager) flush(all bool) error {
	if len(rd.batch) == 0 || !all && len(rd.batch) < 5000 {
		return nil
	}
	err := rd.out.update(func(tx *bolt.Tx) error {
		for i := range rd.batch {
			if err := keep(tx, &rd.batch[i]); err != nil {
				return err
			}
		}
		return nil
	})
	rd.batch = rd.batch[:0]
	return err
}

// auditEntry keeps an audit entry for the new file as it was, indexed by
// its time where that reads.
func (rd *salvager) auditEntry(k, v []byte) error {
	rd.audit = append(rd.audit, [2][]byte{slices.Clone(k), slices.Clone(v)})
	return rd.flushAudit(false)
}

func (rd *salvager) flushAudit(all bool) error {
	if len(rd.audit) == 0 || !all && len(rd.audit) < 5000 {
		return nil
	}
	err := rd.out.update(func(tx *bolt.Tx) error {
		tx.Bucket(bAudit).FillPercent = 0.9
		for _, kv := range rd.audit {
			if err := tx.Bucket(bAudit).Put(kv[0], kv[1]); err != nil {
				return err
			}
			var e AuditEntry
			if len(kv[0]) == 8 && json.Unmarshal(kv[1], &e) == nil {
				if err := tx.Bucket(bAuditTime).Put(timeKey(e.At, ID(binary.BigEndian.Uint64(kv[0]))), nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	rd.audit = rd.audit[:0]
	return err
}

// orphans reads the pages neither in the tree nor free: leaves of
// operations under a damaged branch page are among them. When the
// freelist cannot be read, free pages are read too. An operation found in
// the tree as well is taken from here only if updated later (a page bbolt
// freed holds an older version). It returns the operations taken.
func (rd *salvager) orphans() ([]ID, error) {
	pf := rd.pf
	end := min(pf.meta.pages, uint64(pf.size)/pf.ps)
	var ids []uint64
	for id := uint64(2); id < end; id++ {
		if !rd.inTree.has(id) && (rd.free == nil || !rd.free.has(id)) {
			ids = append(ids, id)
		}
	}
	found := map[ID]Operation{}
	rows := map[ID]Row{}
	pf.readRun(ids, func(id uint64, p page, err error) {
		if err != nil || p.id != id || p.flags != flagLeaf {
			return
		}
		elems, ok := rd.w.elements(p.buf, p.count, false, ref{}, "", id)
		if !ok || len(elems) == 0 {
			return
		}
		if _, ok := decodeStored(elems[0].key, elems[0].value); ok {
			for _, e := range elems {
				op, ok := decodeStored(e.key, e.value)
				if e.flags != 0 || !ok {
					return // not a page of operations after all
				}
				if have, ok := found[op.ID]; !ok || op.Updated.After(have.Updated) {
					found[op.ID] = op
				}
			}
			return
		}
		// A page of summaries, or of the time or refunds index (keys of
		// 16 bytes ending in an id, no values), tells of operations that
		// existed: the numbers past a cut are known lost, not reused.
		if indexPage(elems) {
			for _, e := range elems {
				rd.highest = max(rd.highest, ID(binary.BigEndian.Uint64(e.key[8:])))
			}
			return
		}
		for _, e := range elems {
			r, ok := summaryRow(e.key, e.value)
			if e.flags != 0 || !ok {
				return
			}
			rows[r.ID] = r
		}
	})
	for id, r := range rows {
		if _, ok := found[id]; !ok && !rd.have.has(id) {
			rd.lostRows[id] = r
		}
		rd.highest = max(rd.highest, id)
	}
	taken := make([]ID, 0, len(found))
	for id := range found {
		taken = append(taken, id)
	}
	slices.Sort(taken) // a refund's payment before it
	kept := taken[:0]
	err := rd.out.update(func(tx *bolt.Tx) error {
		for _, id := range taken {
			op := found[id]
			if !rd.have.has(id) {
				rd.have.add(id)
				rd.highest = max(rd.highest, id)
				kept = append(kept, id)
				if err := keep(tx, &op); err != nil {
					return err
				}
				continue
			}
			v := tx.Bucket(bOperations).Get(idKey(id))
			var prev previous
			var stored Operation
			if v == nil || decodePrevious(v, &prev) != nil || decodeOp(v, &stored) != nil || !op.Updated.After(stored.Updated) {
				continue
			}
			kept = append(kept, id)
			if err := put(tx, &op, &prev); err != nil {
				return err
			}
		}
		return nil
	})
	return kept, err
}

// keep writes an operation under its own id, as create does under a new one.
func keep(tx *bolt.Tx, op *Operation) error {
	fillAppended(tx)
	if op.Kind == KindRefund {
		if err := tx.Bucket(bRefunds).Put(append(idKey(op.PaymentID), idKey(op.ID)...), nil); err != nil {
			return err
		}
	}
	return put(tx, op, nil)
}
