package store

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// Shift reports (X and Z). A shift is every operation created after the
// last Z report: receipt numbers are operation IDs and have no gaps, so a
// shift is the range of IDs above the last Z's LastID, read in one
// transaction. An X report reads it and changes nothing; a Z report reads
// it and stores itself in the same write transaction, so an operation
// created meanwhile falls in exactly one shift, and the next shift starts
// from zero.
//
// An operation belongs to the shift it was created in, whatever becomes of
// it later: one still open at a Z is counted open in that Z, and when it
// settles afterwards its money is in no Z's totals (the history has it, on
// the day it was created). A refund belongs to the shift it was made in,
// whichever shift its payment was in.

// LongShift is how long a shift may run, from its first operation, before
// its report says it is long: a fiscal register closes its shift daily.
const LongShift = 24 * time.Hour

// ShiftLine is the money of one provider, method and currency in a shift:
// payments and refunds that succeeded, and what they come to.
type ShiftLine struct {
	Provider string           `json:"provider"`
	Method   providers.Method `json:"method,omitempty"`
	Payments int              `json:"payments"`
	Paid     providers.Money  `json:"paid"`
	Refunds  int              `json:"refunds"`
	Refunded providers.Money  `json:"refunded"`
	// Net is Paid less Refunded: negative when refunds of an earlier
	// shift's payments outweigh this shift's payments.
	Net providers.Money `json:"net"`
}

// ShiftTotals is a shift's operations, of the whole till or of one cashier.
//
// Each operation that did not succeed is counted once by how it ended:
// Failed (declined by the provider, or refused before it started),
// Cancelled (withdrawn at the cashier's word), TimedOut (the customer's
// time ran out: the till stopped waiting, or withdrew it), Unknown (the
// provider does not know yet). Open and NeedsPerson count again across
// those: operations still followed up (State.Open, a timed-out or unknown
// one among them) and those only a person can settle (NeedsPerson).
type ShiftTotals struct {
	// Cashier is the cashier's name; "" in Shift.Total, the whole till. In
	// Shift.Cashiers "" is the operations taken with no name given.
	Cashier     string      `json:"cashier,omitempty"`
	Lines       []ShiftLine `json:"lines,omitempty"` // sorted by provider, method, currency
	Failed      int         `json:"failed,omitempty"`
	Cancelled   int         `json:"cancelled,omitempty"`
	TimedOut    int         `json:"timed_out,omitempty"`
	Unknown     int         `json:"unknown,omitempty"`
	Open        int         `json:"open,omitempty"`
	NeedsPerson int         `json:"needs_person,omitempty"`
}

// Net is the totals' net in each currency (sorted by code): what the till
// or the cashier took, all providers and methods together.
func (t ShiftTotals) Net() []providers.Money {
	var out []providers.Money
	for _, l := range t.Lines {
		i := slices.IndexFunc(out, func(m providers.Money) bool { return m.Currency.Code == l.Net.Currency.Code })
		if i < 0 {
			out = append(out, providers.New(0, l.Net.Currency))
			i = len(out) - 1
		}
		out[i] = out[i].Add(l.Net)
	}
	slices.SortFunc(out, func(a, b providers.Money) int { return strings.Compare(a.Currency.Code, b.Currency.Code) })
	return out
}

// Shift is a shift report: an X report (Z is 0) or a stored Z report.
// Reports are non-fiscal: the fiscal documents are the providers'.
type Shift struct {
	// Z is the Z report's number (1, 2, …); 0 for an X report.
	Z int `json:"z,omitempty"`
	// Number is the shift's number: the Z that closes it, or will.
	Number int    `json:"number"`
	Till   string `json:"till"`
	// Started is the previous Z report's time; zero for the file's first
	// shift.
	Started time.Time `json:"started,omitzero"`
	// First and Last are when the shift's first and last operations were
	// created; zero when it has none.
	First time.Time `json:"first,omitzero"`
	Last  time.Time `json:"last,omitzero"`
	// At is the report's time.
	At time.Time `json:"at"`
	// FirstReceipt and LastReceipt are the shift's first and last
	// receipt numbers, 0 when it has none; LastID is the highest ID the
	// shift covers (the previous Z's when it has none): the next shift
	// starts above it.
	FirstReceipt ID            `json:"first_receipt,omitempty"`
	LastReceipt  ID            `json:"last_receipt,omitempty"`
	LastID       ID            `json:"last_id"`
	Total        ShiftTotals   `json:"total"`
	Cashiers     []ShiftTotals `json:"cashiers,omitempty"` // sorted by name
	// Long is set when the shift ran longer than LongShift, from its first
	// operation to the report.
	Long bool `json:"long,omitempty"`
	// Training is set when the shift holds training operations (a demo's
	// own data file: real ones are never in it).
	Training bool   `json:"training,omitempty"`
	ClosedBy string `json:"closed_by,omitempty"`
	// ApprovedBy is the manager who approved the Z by their PIN, where the
	// one who closed it is not a manager.
	ApprovedBy string `json:"approved_by,omitempty"`
	// AuditHead is the audit log's head when the Z was made.
	AuditHead string `json:"audit_head,omitempty"`
}

// Operations is how many operations the shift holds.
func (sh Shift) Operations() int {
	if sh.FirstReceipt == 0 {
		return 0
	}
	return int(sh.LastReceipt-sh.FirstReceipt) + 1
}

// XReport is the shift so far: every operation since the last Z report. It
// changes nothing.
func (s *Store) XReport(at time.Time) (Shift, error) {
	var sh Shift
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		sh, err = shiftReport(tx, at)
		return err
	})
	return sh, err
}

// CloseShift is the Z report: the shift so far, closed by the person by
// (with the manager approver, "" for none) and stored with its audit entry,
// in one transaction. The next shift starts from zero. The report carries
// the hash of its own audit entry: printed, it anchors the audit log up to
// that moment, since changing any entry before it changes that hash.
func (s *Store) CloseShift(by, approver string, at time.Time) (Shift, error) {
	var sh Shift
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		if sh, err = shiftReport(tx, at); err != nil {
			return err
		}
		sh.Z, sh.ClosedBy, sh.ApprovedBy = sh.Number, by, approver
		e, err := appendAudit(tx, AuditEntry{At: at, Kind: AuditZReport, Who: by, Approver: approver, Detail: fmt.Sprintf("Z %d", sh.Z)})
		if err != nil {
			return err
		}
		sh.AuditHead = e.Hash
		buf, err := json.Marshal(sh)
		if err != nil {
			return err
		}
		return tx.Bucket(bShifts).Put(idKey(ID(sh.Z)), buf)
	})
	if err != nil {
		return Shift{}, err
	}
	return sh, nil
}

// ZReports returns the newest n Z reports, newest first; n <= 0: all.
func (s *Store) ZReports(n int) ([]Shift, error) {
	var out []Shift
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bShifts).Cursor()
		for k, v := c.Last(); k != nil && (n <= 0 || len(out) < n); k, v = c.Prev() {
			sh, err := decodeShift(k, v)
			if err != nil {
				return err
			}
			out = append(out, sh)
		}
		return nil
	})
	return out, err
}

// ZReport returns the Z report numbered z, or ErrNotFound.
func (s *Store) ZReport(z int) (Shift, error) {
	var sh Shift
	err := s.view(func(tx *bolt.Tx) error {
		if z <= 0 {
			return fmt.Errorf("store: Z report %d: %w", z, ErrNotFound)
		}
		k := idKey(ID(z))
		v := tx.Bucket(bShifts).Get(k)
		if v == nil {
			return fmt.Errorf("store: Z report %d: %w", z, ErrNotFound)
		}
		var err error
		sh, err = decodeShift(k, v)
		return err
	})
	return sh, err
}

func decodeShift(k, v []byte) (Shift, error) {
	var sh Shift
	if err := json.Unmarshal(v, &sh); err != nil {
		return sh, fmt.Errorf("store: Z report %d: %w", binary.BigEndian.Uint64(k), err)
	}
	return sh, nil
}

// shiftReport reads the shift after the last Z report in tx.
func shiftReport(tx *bolt.Tx, at time.Time) (Shift, error) {
	sh := Shift{Number: 1, Till: string(tx.Bucket(bSettings).Get([]byte(settingTill))), At: at}
	if k, v := tx.Bucket(bShifts).Cursor().Last(); k != nil {
		prev, err := decodeShift(k, v)
		if err != nil {
			return sh, err
		}
		sh.Number, sh.Started, sh.LastID = prev.Z+1, prev.At, prev.LastID
	}
	till := newTally("")
	cashiers := map[string]*tally{}
	c := tx.Bucket(bOperations).Cursor()
	for k, v := c.Seek(idKey(sh.LastID + 1)); k != nil; k, v = c.Next() {
		var op Operation
		if err := decodeOp(v, &op); err != nil {
			return sh, fmt.Errorf("store: operation %d: %w", binary.BigEndian.Uint64(k), err)
		}
		if sh.FirstReceipt == 0 {
			sh.FirstReceipt = op.ID
		}
		sh.LastReceipt, sh.LastID = op.ID, op.ID
		if sh.First.IsZero() || op.Created.Before(sh.First) {
			sh.First = op.Created
		}
		if op.Created.After(sh.Last) {
			sh.Last = op.Created
		}
		sh.Training = sh.Training || op.Training
		till.add(op)
		t := cashiers[op.Cashier]
		if t == nil {
			t = newTally(op.Cashier)
			cashiers[op.Cashier] = t
		}
		t.add(op)
	}
	sh.Total = till.totals()
	for _, t := range cashiers {
		sh.Cashiers = append(sh.Cashiers, t.totals())
	}
	slices.SortFunc(sh.Cashiers, func(a, b ShiftTotals) int { return strings.Compare(a.Cashier, b.Cashier) })
	sh.Long = !sh.First.IsZero() && at.Sub(sh.First) > LongShift
	return sh, nil
}

// tally adds up a shift's operations for the till or one cashier.
type tally struct {
	t     ShiftTotals
	lines map[lineKey]*ShiftLine
}

type lineKey struct {
	provider string
	method   providers.Method
	currency string
}

func newTally(cashier string) *tally {
	return &tally{t: ShiftTotals{Cashier: cashier}, lines: map[lineKey]*ShiftLine{}}
}

func (t *tally) add(op Operation) {
	switch op.State {
	case StateSuccess:
		k := lineKey{op.Provider, op.Method, op.Amount.Currency.Code}
		l := t.lines[k]
		if l == nil {
			zero := providers.New(0, op.Amount.Currency)
			l = &ShiftLine{Provider: op.Provider, Method: op.Method, Paid: zero, Refunded: zero, Net: zero}
			t.lines[k] = l
		}
		if op.Kind == KindRefund {
			l.Refunds++
			l.Refunded = l.Refunded.Add(op.Amount)
			l.Net = l.Net.Sub(op.Amount)
		} else {
			l.Payments++
			l.Paid = l.Paid.Add(op.Amount)
			l.Net = l.Net.Add(op.Amount)
		}
	case StateFailed:
		switch op.Withdrawal() {
		case NoteCancelled:
			t.t.Cancelled++
		case NoteExpired:
			t.t.TimedOut++
		default:
			t.t.Failed++
		}
	case StateRefused:
		t.t.Failed++
	case StateTimeout:
		t.t.TimedOut++
	case StateUnknown:
		t.t.Unknown++
	}
	if op.State.Open() {
		t.t.Open++
	}
	if op.NeedsPerson() {
		t.t.NeedsPerson++
	}
}

func (t *tally) totals() ShiftTotals {
	out := t.t
	for _, l := range t.lines {
		out.Lines = append(out.Lines, *l)
	}
	slices.SortFunc(out.Lines, func(a, b ShiftLine) int {
		return cmp.Or(strings.Compare(a.Provider, b.Provider), strings.Compare(string(a.Method), string(b.Method)),
			strings.Compare(a.Paid.Currency.Code, b.Paid.Currency.Code))
	})
	return out
}

// Withdrawal is why the till withdrew the operation at the provider:
// NoteCancelled (the cashier gave up on it) or NoteExpired (the customer's
// time ran out); "" when it never did. It reads the history, where the
// till notes every withdrawal (Withdrawn, GiveUp), so it holds for
// operations written before reports existed; a withdrawn operation that
// failed is cancelled whatever the provider said last.
func (op Operation) Withdrawal() string {
	for i := len(op.History) - 1; i >= 0; i-- {
		if n := op.History[i].Note; n == NoteCancelled || n == NoteExpired {
			return n
		}
	}
	return ""
}

// ShiftCSVHeader is the columns of a shift report's CSV, as codes.
var ShiftCSVHeader = []string{"cashier", "provider", "method", "currency", "payments", "paid", "refunds", "refunded", "net",
	"failed", "cancelled", "timed_out", "unknown", "open", "needs_person"}

// ShiftCSVFormat is how a shift report's CSV reads: the reader's
// separators and words for providers and methods (as the history's
// export), the header (one per ShiftCSVHeader column; the codes
// otherwise), and the cashier column's words for the whole till and for
// operations taken without a name.
type ShiftCSVFormat struct {
	CSVFormat
	Header          []string
	Till, NoCashier string
}

// WriteShiftCSV writes sh's totals as CSV in format f, as WriteCSV writes
// the history (byte-order mark, plain amounts in major units): for the
// whole till, then each cashier, a row per provider, method and currency
// with its payments, refunds and net, then a row of its counts alone, so
// that no column counts anything twice within one cashier's rows.
func WriteShiftCSV(w io.Writer, sh Shift, f ShiftCSVFormat) error {
	cw, err := f.start(w, ShiftCSVHeader, f.Header)
	if err != nil {
		return err
	}
	record := make([]string, len(ShiftCSVHeader))
	write := func(name string, t ShiftTotals) error {
		for _, l := range t.Lines {
			clear(record)
			record[0], record[1], record[2], record[3] = name, word(f.Labels.Providers, l.Provider), f.method(l.Provider, l.Method), l.Paid.Currency.Code
			record[4], record[5] = strconv.Itoa(l.Payments), f.amount(l.Paid)
			record[6], record[7], record[8] = strconv.Itoa(l.Refunds), f.amount(l.Refunded), f.amount(l.Net)
			if err := cw.Write(record); err != nil {
				return err
			}
		}
		clear(record)
		record[0] = name
		for i, n := range []int{t.Failed, t.Cancelled, t.TimedOut, t.Unknown, t.Open, t.NeedsPerson} {
			record[9+i] = strconv.Itoa(n)
		}
		return cw.Write(record)
	}
	if err := write(cmp.Or(f.Till, "*"), sh.Total); err != nil {
		return err
	}
	for _, c := range sh.Cashiers {
		if err := write(cmp.Or(c.Cashier, f.NoCashier), c); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
