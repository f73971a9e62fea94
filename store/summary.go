package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// Row is an operation as the history screens and CSV export need it. It is
// kept apart from the full Operation in a compact binary form, so lists,
// filters and exports over a million operations never decode JSON.
type Row struct {
	ID        ID
	Created   time.Time
	Kind      Kind
	State     State
	Provider  string
	Method    providers.Method
	Amount    providers.Money
	PaymentID ID     // for refunds
	Terminal  string // the terminal or QR that took it (Kaspi terminalId)
	Number    string // the payment number: Kaspi orderNumber or rrn
	Ref       string // the provider's handle: Kaspi processId
	// PaymentNumber is, for a refund, its payment's number, so a manager
	// finds the refunds of a payment by the number on its receipt.
	PaymentNumber string
	// Fiscal is how the payment's fiscal receipt stands, where its
	// provider registers one (OCTO).
	Fiscal FiscalMark
	// Shop and Till are where it was made, in a chain's history (package
	// central); empty in a till's own.
	Shop, Till string
}

// Ref names an operation: its receipt number and, in a chain's history,
// the shop and till whose number it is.
type Ref struct {
	Shop, Till string
	ID         ID
}

// At is the Ref of the row.
func (r Row) At() Ref { return Ref{Shop: r.Shop, Till: r.Till, ID: r.ID} }

// FiscalMark is how a payment's fiscal receipt stands, for the history.
type FiscalMark byte

const (
	FiscalNone    FiscalMark = iota // no fiscal receipt is registered by the provider
	FiscalPending                   // paid; the till is asking for the fiscal data
	FiscalMissing                   // paid; the fiscal data never came: "not fiscalized"
	FiscalDone                      // the fiscal receipt is registered
)

// fiscalCodes are the marks as the CSV export writes them, by mark.
var fiscalCodes = []string{FiscalNone: "", FiscalPending: "pending", FiscalMissing: "not_fiscalized", FiscalDone: "done"}

// FiscalMarks is every mark a fiscal receipt can have, FiscalNone apart.
var FiscalMarks = []FiscalMark{FiscalPending, FiscalMissing, FiscalDone}

// Code is the mark as a word of the CSV export: "" (none), "pending",
// "not_fiscalized", "done"; a mark written by a newer kassa is "".
func (f FiscalMark) Code() string { return at(fiscalCodes, byte(f)) }

func fiscalMark(op Operation) FiscalMark {
	switch {
	case !op.FiscalWanted || op.Kind != KindPayment || op.State != StateSuccess:
		return FiscalNone
	case op.Fiscal != nil:
		return FiscalDone
	case op.NotFiscalized():
		return FiscalMissing
	}
	return FiscalPending
}

// Receipt is the row's receipt number.
func (r Row) Receipt() string { return r.ID.Receipt() }

// RowOf is the summary of an operation.
func RowOf(op Operation) Row {
	r := Row{ID: op.ID, Created: op.Created, Kind: op.Kind, State: op.State, Provider: op.Provider,
		Method: op.Method, Amount: op.Amount, PaymentID: op.PaymentID, Number: op.TransactionID, Ref: op.Ref,
		Fiscal: fiscalMark(op)}
	if op.Cheque != nil {
		r.Terminal = op.Cheque.TerminalID
	}
	return r
}

// The binary summary: fixed fields, then length-prefixed strings.
//
//	0  created unix nanos  8
//	8  payment ID          8
//	16 amount minor        8
//	24 kind, state, method, currency: one byte each (codes below)
//	28 provider, terminal, number, ref: 1-byte length + bytes each
//	   payment number (refunds): the same, absent in older files
//	   fiscal mark: one byte, absent in older files (FiscalNone)
const summaryFixed = 28

// The codes are what the file stores: add new values at the end, never
// reorder. A value missing here is stored as 0 and reads back empty.
var (
	kindCodes     = []Kind{"", KindPayment, KindRefund}
	stateCodes    = []State{"", StateCreated, StatePending, StateUnknown, StateSuccess, StateFailed, StateRefused, StateTimeout, StateNeedsCheck}
	methodCodes   = []providers.Method{"", providers.MethodQR, providers.MethodCard}
	currencyCodes = []providers.Currency{{}, providers.KZT, providers.UZS}
)

// AllStates is every state an operation can be in.
var AllStates = slices.Clone(stateCodes[1:])

func codeOf[T comparable](list []T, v T) byte {
	for i, x := range list {
		if x == v {
			return byte(i)
		}
	}
	return 0
}

// currencyCode matches by ISO code alone: a Money decoded from an older
// file may carry a different symbol for the same currency.
func currencyCode(c providers.Currency) byte {
	for i, x := range currencyCodes {
		if x.Code == c.Code {
			return byte(i)
		}
	}
	return 0
}

func at[T any](list []T, i byte) T {
	if int(i) < len(list) {
		return list[i]
	}
	var zero T
	return zero
}

func encodeRow(r Row) []byte {
	b := make([]byte, summaryFixed, summaryFixed+6+len(r.Provider)+len(r.Terminal)+len(r.Number)+len(r.Ref)+len(r.PaymentNumber))
	binary.BigEndian.PutUint64(b[0:], uint64(r.Created.UnixNano()))
	binary.BigEndian.PutUint64(b[8:], uint64(r.PaymentID))
	binary.BigEndian.PutUint64(b[16:], uint64(r.Amount.Minor))
	b[24] = codeOf(kindCodes, r.Kind)
	b[25] = codeOf(stateCodes, r.State)
	b[26] = codeOf(methodCodes, r.Method)
	b[27] = currencyCode(r.Amount.Currency)
	for _, s := range []string{r.Provider, r.Terminal, r.Number, r.Ref, r.PaymentNumber} {
		s = s[:min(len(s), 255)] // putSummary has clipped them already
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	if r.Fiscal != FiscalNone {
		b = append(b, byte(r.Fiscal))
	}
	return b
}

var errBadSummary = errors.New("store: damaged summary")

// summaryView is a summary read in place: the strings are slices of the
// stored bytes, valid only inside the transaction. Filters test it without
// allocating, so a period with few matches costs a cursor walk, not a
// decode per row.
type summaryView struct {
	id                              ID
	b                               []byte
	provider, terminal, number, ref []byte
	paymentNumber                   []byte
	fiscal                          FiscalMark
}

func (s *summaryView) kind() byte   { return s.b[24] }
func (s *summaryView) state() byte  { return s.b[25] }
func (s *summaryView) method() byte { return s.b[26] }

// viewSummary reads the summary b stored under key k.
func viewSummary(k, b []byte) (summaryView, error) {
	if len(k) != 16 || len(b) < summaryFixed {
		return summaryView{}, errBadSummary
	}
	v := summaryView{id: ID(binary.BigEndian.Uint64(k[8:])), b: b}
	rest := b[summaryFixed:]
	for _, field := range []*[]byte{&v.provider, &v.terminal, &v.number, &v.ref} {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return summaryView{}, errBadSummary
		}
		n := int(rest[0])
		*field, rest = rest[1:1+n], rest[1+n:]
	}
	if len(rest) > 0 { // written since refunds carry their payment's number
		if len(rest) < 1+int(rest[0]) {
			return summaryView{}, errBadSummary
		}
		v.paymentNumber, rest = rest[1:1+int(rest[0])], rest[1+int(rest[0]):]
	}
	if len(rest) > 0 {
		v.fiscal = FiscalMark(rest[0])
	}
	return v, nil
}

// hasPrefix reports whether a number a manager may search by starts with p.
func (s *summaryView) hasPrefix(p string) bool {
	if bytes.HasPrefix(s.number, []byte(p)) || bytes.HasPrefix(s.ref, []byte(p)) || bytes.HasPrefix(s.paymentNumber, []byte(p)) {
		return true // before the receipts, which have to be written out first
	}
	var buf [20]byte
	if bytes.HasPrefix(appendReceipt(buf[:0], s.id), []byte(p)) {
		return true
	}
	payment := ID(binary.BigEndian.Uint64(s.b[8:]))
	return payment != 0 && bytes.HasPrefix(appendReceipt(buf[:0], payment), []byte(p))
}

// appendReceipt appends id as ID.Receipt writes it, without fmt.
func appendReceipt(dst []byte, id ID) []byte {
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], uint64(id), 10)
	for range 6 - len(d) {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}

func (s *summaryView) row() Row {
	b := s.b
	return Row{
		ID:        s.id,
		Created:   time.Unix(0, int64(binary.BigEndian.Uint64(b[0:]))),
		PaymentID: ID(binary.BigEndian.Uint64(b[8:])),
		Amount:    providers.Money{Minor: int64(binary.BigEndian.Uint64(b[16:])), Currency: at(currencyCodes, b[27])},
		Kind:      at(kindCodes, b[24]),
		State:     at(stateCodes, b[25]),
		Method:    at(methodCodes, b[26]),
		Provider:  string(s.provider),
		Terminal:  string(s.terminal),
		Number:    string(s.number),
		Ref:       string(s.ref),

		PaymentNumber: string(s.paymentNumber),
		Fiscal:        s.fiscal,
	}
}

// decodeRow reads the summary b stored under key k.
func decodeRow(k, b []byte) (Row, error) {
	v, err := viewSummary(k, b)
	if err != nil {
		return Row{}, err
	}
	return v.row(), nil
}

// putSummary writes an operation's summary and keeps the search indexes
// and day totals in step with it. prevKey is where the operation's previous
// summary is kept (nil for a new operation): what it counted and indexed is
// undone first, so a Save never leaves a stale number or total behind.
func putSummary(tx *bolt.Tx, op *Operation, prevKey []byte) error {
	row := RowOf(*op)
	if op.Kind == KindRefund && op.PaymentID != 0 {
		if p, err := get(tx, op.PaymentID); err == nil {
			row.PaymentNumber = p.TransactionID
		}
	}
	// Indexed as stored, so what the next Save decodes is what it removes.
	for _, s := range []*string{&row.Provider, &row.Terminal, &row.Number, &row.Ref, &row.PaymentNumber} {
		if len(*s) > 255 {
			*s = (*s)[:255]
		}
	}
	key := timeKey(op.Created, op.ID)
	enc := encodeRow(row)
	sum := tx.Bucket(bSummary)
	var prev *Row
	if prevKey != nil {
		if old := sum.Get(prevKey); old != nil {
			r, err := decodeRow(prevKey, old)
			if err != nil {
				return err
			}
			prev = &r
			if !bytes.Equal(prevKey, key) {
				if err := sum.Delete(prevKey); err != nil {
					return err
				}
			} else if bytes.Equal(old, enc) {
				enc = nil // the same summary: its page need not be written again
			}
		}
	}
	if enc != nil {
		if err := sum.Put(key, enc); err != nil {
			return err
		}
	}
	return reindexRow(tx, prev, row)
}

// reindexRow moves the search numbers and day totals of an operation from
// what its previous row prev counted (nil: none) to what r counts, writing
// only what differs: a save that changes neither leaves their pages alone.
func reindexRow(tx *bolt.Tx, prev *Row, r Row) error {
	idx := tx.Bucket(bNumbers)
	at := timeKey(r.Created, r.ID)[:8]
	numbers := indexedNumbers(r)
	if prev != nil {
		for _, n := range indexedNumbers(*prev) {
			if !slices.Contains(numbers, n) {
				if err := idx.Delete(numberKey(n, prev.ID)); err != nil {
					return err
				}
			}
		}
	}
	// Each entry is read first, not assumed from prev: a file written
	// before an index held some number lacks it, and gets it here.
	for _, n := range numbers {
		if err := putIfChanged(idx, numberKey(n, r.ID), at, true); err != nil {
			return err
		}
	}
	if prev != nil && bytes.Equal(dayKey(*prev), dayKey(r)) && prev.Amount.Minor == r.Amount.Minor {
		return nil
	}
	if prev != nil {
		if err := addDay(tx, *prev, -1); err != nil {
			return err
		}
	}
	return addDay(tx, r, 1)
}

// unindexRow takes away the search numbers and day totals r counted.
func unindexRow(tx *bolt.Tx, r Row) error {
	idx := tx.Bucket(bNumbers)
	for _, n := range indexedNumbers(r) {
		if err := idx.Delete(numberKey(n, r.ID)); err != nil {
			return err
		}
	}
	return addDay(tx, r, -1)
}

// searchNumbers are what a manager may type to find a row: its receipt
// number, payment number and the provider's handle, and a refund's
// payment's receipt and payment numbers.
func searchNumbers(r Row) []string {
	ns := []string{r.Receipt()}
	if r.PaymentID != 0 {
		ns = append(ns, r.PaymentID.Receipt())
	}
	for _, n := range []string{r.Number, r.Ref, r.PaymentNumber} {
		if n != "" && !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	return ns
}

// indexedNumbers are the search numbers the number index holds: all but
// the receipts, which are the operations' own ids, found without an index
// (receiptKeys).
func indexedNumbers(r Row) []string {
	var ns []string
	for _, n := range []string{r.Number, r.Ref, r.PaymentNumber} {
		if n != "" && !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	return ns
}

func numberKey(n string, id ID) []byte {
	return append(append([]byte(n), 0), idKey(id)...)
}

// numberTarget is the summary key a number index entry k → v names. The
// value is the creation time, the id being the key's last 8 bytes; files
// before the compact layout hold the whole summary key.
func numberTarget(k, v []byte) (at [16]byte, ok bool) {
	switch {
	case len(v) == 8 && len(k) >= 8:
		copy(at[:], v)
		copy(at[8:], k[len(k)-8:])
	case len(v) == 16:
		copy(at[:], v)
	default:
		return at, false
	}
	return at, true
}

// Day totals: one entry per local day, kind, state, method, provider,
// terminal and currency, holding a count and a sum. A period's totals read
// at most a few entries per day.
func dayKey(r Row) []byte {
	k := []byte(r.Created.In(time.Local).Format("20060102"))
	k = append(k, 0, codeOf(kindCodes, r.Kind), codeOf(stateCodes, r.State), codeOf(methodCodes, r.Method), currencyCode(r.Amount.Currency))
	k = append(k, r.Provider...)
	k = append(k, 0)
	return append(k, r.Terminal...)
}

func addDay(tx *bolt.Tx, r Row, sign int64) error {
	days := tx.Bucket(bDays)
	k := dayKey(r)
	var count, sum int64
	if v := days.Get(k); len(v) == 16 {
		count, sum = int64(binary.BigEndian.Uint64(v)), int64(binary.BigEndian.Uint64(v[8:]))
	}
	count += sign
	sum += sign * r.Amount.Minor
	if count == 0 {
		return days.Delete(k)
	}
	v := make([]byte, 16)
	binary.BigEndian.PutUint64(v, uint64(count))
	binary.BigEndian.PutUint64(v[8:], uint64(sum))
	return days.Put(k, v)
}
