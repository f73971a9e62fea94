package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// The audit log is who did what at the till: sign-ins and wrong PINs,
// approvals, refunds, setting and key changes, exports, prints, manual
// settlements, wipes. Entries are only ever appended, numbered from 1,
// each holding the hash of the one before it and a hash of its own over
// that and every field (the JSON in the file is for a person to read; the
// hash is over a fixed encoding of the fields, so re-encoding the JSON
// does not break it). The last number and hash, the head, are kept apart
// in the settings.
//
// What the chain proves: an entry edited in the file, one taken out of the
// middle, entries moved, and the newest ones removed (the head remembers
// them) all show in VerifyAudit. What it does not: someone who can write
// the file can rewrite an entry and every hash after it, the head too, and
// the chain holds again; nor does it say when an entry was written (the
// time in it is the till's clock). Against that, the head hash is printed
// on each Z report: a chain that no longer reaches a printed head was
// rewritten.

// Kinds of audit entries.
const (
	AuditSignIn        = "sign_in"
	AuditLock          = "lock" // the till locked, the person signed out
	AuditPINFailed     = "pin_failed"
	AuditPersonLocked  = "person_locked"
	AuditApproval      = "approval"
	AuditRefund        = "refund"
	AuditSetting       = "setting"
	AuditKey           = "key"
	AuditPair          = "pair"
	AuditExport        = "export"
	AuditPrint         = "print"
	AuditReprint       = "reprint"
	AuditSettle        = "settle"
	AuditWipe          = "wipe"
	AuditPersonAdded   = "person_added"
	AuditPersonChanged = "person_changed"
	AuditXReport       = "x_report"
	AuditZReport       = "z_report"
)

// AuditKinds is every kind of audit entry, for the words a screen or an
// export puts on them.
var AuditKinds = []string{AuditSignIn, AuditLock, AuditPINFailed, AuditPersonLocked, AuditApproval, AuditRefund,
	AuditSetting, AuditKey, AuditPair, AuditExport, AuditPrint, AuditReprint, AuditSettle, AuditWipe,
	AuditPersonAdded, AuditPersonChanged, AuditXReport, AuditZReport}

// AuditEntry is one line of the audit log.
//
// Who is the person who acted (for an approval: the one approved for),
// Approver the manager who approved it. Detail depends on Kind:
//
//	pin_failed      what the PIN was for: "sign_in", or an approval's action
//	approval        the action approved ("refund", "export", …)
//	refund          the receipt number of the payment refunded
//	setting, key    the setting's or key's name (never a secret's value)
//	export          what was exported and the period: "payments 2026-11-01 2026-11-30"
//	person_added    the role and the name: "cashier Aigerim"
//	person_changed  the change and the name: "disabled Aigerim", "language=ru Aigerim" (see PersonChange)
type AuditEntry struct {
	Seq       uint64           `json:"seq"`
	At        time.Time        `json:"at"`
	Kind      string           `json:"kind"`
	Who       string           `json:"who,omitempty"`
	Approver  string           `json:"approver,omitempty"`
	Operation ID               `json:"operation,omitempty"`
	Amount    *providers.Money `json:"amount,omitempty"`
	Detail    string           `json:"detail,omitempty"`
	Prev      string           `json:"prev"`
	Hash      string           `json:"hash"` // hex SHA-256
}

// digest is the entry's hash: SHA-256 over a version tag and every field
// but Hash, each length-prefixed or fixed-size, so no two entries encode
// alike.
func (e AuditEntry) digest() string {
	h := sha256.New()
	text := func(s string) {
		putUint(h, uint64(len(s)))
		h.Write([]byte(s))
	}
	text("kassa audit 1")
	text(e.Prev)
	putUint(h, e.Seq)
	putUint(h, uint64(e.At.Unix()))
	putUint(h, uint64(e.At.Nanosecond()))
	text(e.Kind)
	text(e.Who)
	text(e.Approver)
	putUint(h, uint64(e.Operation))
	if e.Amount != nil {
		putUint(h, 1)
		putUint(h, uint64(e.Amount.Minor))
		text(e.Amount.Currency.Code)
	} else {
		putUint(h, 0)
	}
	text(e.Detail)
	return hex.EncodeToString(h.Sum(nil))
}

func putUint(h hash.Hash, v uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	h.Write(b[:])
}

// auditHead is the last entry's number and hash, kept in the settings:
// the newest entries taken away would otherwise leave a chain that holds.
type auditHead struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

const settingAuditHead = "audit_head"

func readHead(tx *bolt.Tx) (auditHead, bool, error) {
	var h auditHead
	v := tx.Bucket(bSettings).Get([]byte(settingAuditHead))
	if v == nil {
		return h, false, nil
	}
	return h, true, json.Unmarshal(v, &h)
}

// Audit appends e to the audit log in a transaction of its own, giving it
// its number and hashes; a zero At is now.
func (s *Store) Audit(e AuditEntry) error {
	return s.update(func(tx *bolt.Tx) error {
		_, err := appendAudit(tx, e)
		return err
	})
}

// appendAudit appends e inside tx, for a change that must not land
// without its entry (nor the entry without it).
func appendAudit(tx *bolt.Tx, e AuditEntry) (AuditEntry, error) {
	if e.Kind == "" {
		return e, errors.New("store: an audit entry needs a kind")
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.Round(0) // the monotonic reading is not written
	head, _, err := readHead(tx)
	if err != nil {
		return e, fmt.Errorf("store: audit head: %w", err)
	}
	log := tx.Bucket(bAudit)
	// A head behind the last entry (taken out of the settings) would fork
	// the chain: the new entry follows the last one there is.
	if k, v := log.Cursor().Last(); k != nil && binary.BigEndian.Uint64(k) > head.Seq {
		var last AuditEntry
		if err := json.Unmarshal(v, &last); err != nil {
			return e, fmt.Errorf("store: audit entry %d: %w", binary.BigEndian.Uint64(k), err)
		}
		head = auditHead{Seq: binary.BigEndian.Uint64(k), Hash: last.Hash}
	}
	e.Seq, e.Prev = head.Seq+1, head.Hash
	e.Hash = e.digest()
	buf, err := json.Marshal(e)
	if err != nil {
		return e, err
	}
	key := seqKey(e.Seq)
	log.FillPercent = 0.9 // appended in order: see fillAppended
	if err := log.Put(key, buf); err != nil {
		return e, err
	}
	if err := tx.Bucket(bAuditTime).Put(timeKey(e.At, ID(e.Seq)), nil); err != nil {
		return e, err
	}
	if err := noteChange(tx, kindAudit, e.Seq); err != nil {
		return e, err
	}
	headBuf, err := json.Marshal(auditHead{Seq: e.Seq, Hash: e.Hash})
	if err != nil {
		return e, err
	}
	return e, tx.Bucket(bSettings).Put([]byte(settingAuditHead), headBuf)
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

// PutSettingAudited stores a setting and its audit entry in one
// transaction. The entry's kind defaults to AuditSetting and its detail
// to the setting's name.
func (s *Store) PutSettingAudited(name string, v any, e AuditEntry) error {
	return s.putAudited(bSettings, name, v, e, AuditSetting)
}

// PutSecretAudited stores a secret and its audit entry in one
// transaction; the entry says which secret changed (its kind defaults to
// AuditKey, its detail to the name), never its value.
func (s *Store) PutSecretAudited(name string, v any, e AuditEntry) error {
	return s.putAudited(bSecrets, name, v, e, AuditKey)
}

func (s *Store) putAudited(bucket []byte, name string, v any, e AuditEntry, kind string) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if e.Kind == "" {
		e.Kind = kind
	}
	if e.Detail == "" {
		e.Detail = name
	}
	return s.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucket).Put([]byte(name), buf); err != nil {
			return err
		}
		_, err := appendAudit(tx, e)
		return err
	})
}

// Reasons an audit chain does not hold (AuditBreak.Reason).
const (
	BreakAltered    = "altered"      // the entry is not as it was written
	BreakMissing    = "missing"      // the entry is gone from the middle
	BreakOutOfOrder = "out of order" // the entry is under another number than its own
	BreakUnreadable = "unreadable"   // the entry cannot be read
	BreakHead       = "head"         // the newest entries are gone (or the head was changed)
)

// AuditBreak is the first place the audit chain does not hold: the
// entry's number and, where an entry could be read there, its time.
//
// An entry edited in place breaks at itself; one edited with its hash
// made again breaks at the next (whose Prev no longer matches); a gap
// breaks at the first number missing; the newest entries taken away
// break at the first of them (BreakHead).
type AuditBreak struct {
	Seq    uint64
	At     time.Time
	Reason string
}

// VerifyAudit reads the whole audit log and checks its chain: every
// number from 1 in turn, each entry's hash, each link to the one before,
// and the last against the head. It returns how many entries the log
// holds and the first break, nil when the chain holds.
func (s *Store) VerifyAudit() (entries int, broken *AuditBreak, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		brk := func(seq uint64, at time.Time, reason string) {
			if broken == nil {
				broken = &AuditBreak{Seq: seq, At: at, Reason: reason}
			}
		}
		next, prev := uint64(1), ""
		var lastAt time.Time
		c := tx.Bucket(bAudit).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			entries++
			if broken != nil {
				continue // counting only
			}
			var e AuditEntry
			jsonErr := json.Unmarshal(v, &e)
			if len(k) != 8 {
				brk(next, time.Time{}, BreakUnreadable)
				continue
			}
			seq := binary.BigEndian.Uint64(k)
			switch {
			case seq > next:
				brk(next, e.At, BreakMissing)
			case jsonErr != nil:
				brk(seq, time.Time{}, BreakUnreadable)
			case e.Seq != seq:
				brk(seq, e.At, BreakOutOfOrder)
			case e.Prev != prev || e.digest() != e.Hash:
				brk(seq, e.At, BreakAltered)
			}
			next, prev, lastAt = seq+1, e.Hash, e.At
		}
		if broken != nil {
			return nil
		}
		head, ok, err := readHead(tx)
		last := next - 1
		switch {
		case err != nil:
			brk(last, lastAt, BreakHead)
		case !ok && last == 0:
		case !ok:
			brk(last, lastAt, BreakHead)
		case head.Seq > last:
			brk(last+1, lastAt, BreakHead)
		case head.Seq < last:
			brk(head.Seq+1, lastAt, BreakHead)
		case head.Hash != prev:
			brk(last, lastAt, BreakAltered)
		}
		return nil
	})
	return entries, broken, err
}

// AuditEntries calls fn with every entry of the period whose search
// matches, oldest first, until fn returns false. The period is whole
// local days, both ends included, as a Query's; a zero from or to leaves
// that end open. Search matches, ignoring case, part of the person, the
// approver, the kind, the detail or the operation's receipt number; ""
// matches every entry. fn is called outside any transaction.
func (s *Store) AuditEntries(from, to time.Time, search string, fn func(AuditEntry) bool) error {
	seqs, err := s.auditPeriod(from, to, 0)
	if err != nil {
		return err
	}
	match := auditMatcher(search)
	for len(seqs) > 0 {
		chunk := seqs[:min(len(seqs), auditChunk)]
		seqs = seqs[len(chunk):]
		var got []AuditEntry
		err := s.view(func(tx *bolt.Tx) error {
			for _, seq := range chunk {
				e, ok, err := getAudit(tx, seq)
				if err != nil {
					return err
				}
				if ok && match(e) {
					got = append(got, e)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range got {
			if !fn(e) {
				return nil
			}
		}
	}
	return nil
}

// auditChunk is how many entries AuditEntries reads in one transaction.
const auditChunk = 1000

// AuditPage returns up to n entries of the period whose search matches
// (as AuditEntries), newest first, all numbered below before (0: from the
// newest): the next page starts before the last entry's Seq.
func (s *Store) AuditPage(from, to time.Time, search string, before uint64, n int) ([]AuditEntry, error) {
	seqs, err := s.auditPeriod(from, to, before)
	if err != nil || n <= 0 {
		return nil, err
	}
	match := auditMatcher(search)
	var page []AuditEntry
	err = s.view(func(tx *bolt.Tx) error {
		for i := len(seqs) - 1; i >= 0 && len(page) < n; i-- {
			e, ok, err := getAudit(tx, seqs[i])
			if err != nil {
				return err
			}
			if ok && match(e) {
				page = append(page, e)
			}
		}
		return nil
	})
	return page, err
}

// auditPeriod is the numbers of the entries of the period, below before
// when it is not 0, in order. It reads the time index only: a period of a
// busy year is a walk over its keys, not over the entries' JSON.
func (s *Store) auditPeriod(from, to time.Time, before uint64) ([]uint64, error) {
	var lo, hi []byte
	if !from.IsZero() {
		lo = timeKey(day(from), 0)
	}
	if !to.IsZero() {
		hi = timeKey(day(to).AddDate(0, 0, 1), 0)
	}
	var seqs []uint64
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bAuditTime).Cursor()
		k, _ := c.First()
		if lo != nil {
			k, _ = c.Seek(lo)
		}
		for ; k != nil && (hi == nil || string(k) < string(hi)); k, _ = c.Next() {
			if len(k) != 16 {
				continue
			}
			if seq := binary.BigEndian.Uint64(k[8:]); before == 0 || seq < before {
				seqs = append(seqs, seq)
			}
		}
		return nil
	})
	// The clock may have gone back between two entries: the log's order
	// is their numbers'.
	slices.Sort(seqs)
	return seqs, err
}

// getAudit reads entry seq; ok is false when it is not there (taken out
// of the file: VerifyAudit says so).
func getAudit(tx *bolt.Tx, seq uint64) (AuditEntry, bool, error) {
	var e AuditEntry
	v := tx.Bucket(bAudit).Get(seqKey(seq))
	if v == nil {
		return e, false, nil
	}
	if err := json.Unmarshal(v, &e); err != nil {
		return e, false, fmt.Errorf("store: audit entry %d: %w", seq, err)
	}
	return e, true, nil
}

func auditMatcher(search string) func(AuditEntry) bool {
	search = strings.ToLower(strings.TrimSpace(search))
	if search == "" {
		return func(AuditEntry) bool { return true }
	}
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), search) }
	return func(e AuditEntry) bool {
		return has(e.Who) || has(e.Approver) || has(e.Kind) || has(e.Detail) ||
			e.Operation != 0 && strings.Contains(e.Operation.Receipt(), search)
	}
}

// AuditCSVHeader names the columns of WriteAuditCSV, as codes; the
// catalog's csv.audit table has their words.
var AuditCSVHeader = []string{"seq", "time", "kind", "who", "approver", "receipt", "amount", "currency", "detail", "hash"}

// AuditCSVFormat is the reader's separators and words for WriteAuditCSV.
// A header of the wrong length, or a kind missing from Kinds, is written
// as its code.
type AuditCSVFormat struct {
	Comma        rune // 0 is ','
	DecimalComma bool
	Header       []string
	Kinds        map[string]string
}

// WriteAuditCSV writes the entries AuditEntries gives for the period and
// search as CSV, oldest first, as WriteCSV writes the history: a
// byte-order mark, a header row, times in ISO 8601 with the local offset,
// amounts in major units. Each row keeps its number and hash, so the
// export can be checked against the file. It returns the rows written.
func (s *Store) WriteAuditCSV(w io.Writer, from, to time.Time, search string, f AuditCSVFormat) (int, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if f.Comma != 0 {
		cw.Comma = f.Comma
	}
	header := AuditCSVHeader
	if len(f.Header) == len(AuditCSVHeader) {
		header = f.Header
	}
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	written := 0
	var werr error
	record := make([]string, len(AuditCSVHeader))
	err := s.AuditEntries(from, to, search, func(e AuditEntry) bool {
		record[0] = strconv.FormatUint(e.Seq, 10)
		record[1] = e.At.In(time.Local).Format(time.RFC3339)
		record[2] = e.Kind
		if w, ok := f.Kinds[e.Kind]; ok {
			record[2] = w
		}
		record[3], record[4], record[5] = e.Who, e.Approver, ""
		if e.Operation != 0 {
			record[5] = e.Operation.Receipt()
		}
		record[6], record[7] = "", ""
		if e.Amount != nil {
			record[6], record[7] = e.Amount.Major(), e.Amount.Currency.Code
			if f.DecimalComma {
				record[6] = strings.Replace(record[6], ".", ",", 1)
			}
		}
		record[8], record[9] = e.Detail, e.Hash
		if werr = cw.Write(record); werr != nil {
			return false
		}
		written++
		return true
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		return written, err
	}
	cw.Flush()
	return written, cw.Error()
}
