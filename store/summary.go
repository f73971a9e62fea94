package store

import (
	"encoding/binary"
	"errors"
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
}

// Receipt is the row's receipt number.
func (r Row) Receipt() string { return r.ID.Receipt() }

// RowOf is the summary of an operation.
func RowOf(op Operation) Row {
	r := Row{ID: op.ID, Created: op.Created, Kind: op.Kind, State: op.State, Provider: op.Provider,
		Method: op.Method, Amount: op.Amount, PaymentID: op.PaymentID, Number: op.TransactionID, Ref: op.Ref}
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
const summaryFixed = 28

var (
	kindCodes     = []Kind{"", KindPayment, KindRefund}
	stateCodes    = []State{"", StateCreated, StatePending, StateUnknown, StateSuccess, StateFailed, StateRefused, StateTimeout, StateNeedsCheck}
	methodCodes   = []providers.Method{"", providers.MethodQR, providers.MethodCard}
	currencyCodes = []providers.Currency{{}, providers.KZT, providers.UZS}
)

func codeOf[T comparable](list []T, v T) byte {
	for i, x := range list {
		if x == v {
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
	b := make([]byte, summaryFixed, summaryFixed+4+len(r.Provider)+len(r.Terminal)+len(r.Number)+len(r.Ref))
	binary.BigEndian.PutUint64(b[0:], uint64(r.Created.UnixNano()))
	binary.BigEndian.PutUint64(b[8:], uint64(r.PaymentID))
	binary.BigEndian.PutUint64(b[16:], uint64(r.Amount.Minor))
	b[24] = codeOf(kindCodes, r.Kind)
	b[25] = codeOf(stateCodes, r.State)
	b[26] = codeOf(methodCodes, r.Method)
	b[27] = codeOf(currencyCodes, r.Amount.Currency)
	for _, s := range []string{r.Provider, r.Terminal, r.Number, r.Ref} {
		if len(s) > 255 {
			s = s[:255]
		}
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	return b
}

var errBadSummary = errors.New("store: damaged summary")

// decodeRow reads a summary; id comes from its key.
func decodeRow(id ID, b []byte) (Row, error) {
	if len(b) < summaryFixed {
		return Row{}, errBadSummary
	}
	r := Row{
		ID:        id,
		Created:   time.Unix(0, int64(binary.BigEndian.Uint64(b[0:]))),
		PaymentID: ID(binary.BigEndian.Uint64(b[8:])),
		Kind:      at(kindCodes, b[24]),
		State:     at(stateCodes, b[25]),
		Method:    at(methodCodes, b[26]),
	}
	r.Amount = providers.Money{Minor: int64(binary.BigEndian.Uint64(b[16:])), Currency: at(currencyCodes, b[27])}
	rest := b[summaryFixed:]
	var strs [4]string
	for i := range strs {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return Row{}, errBadSummary
		}
		n := int(rest[0])
		strs[i], rest = string(rest[1:1+n]), rest[1+n:]
	}
	r.Provider, r.Terminal, r.Number, r.Ref = strs[0], strs[1], strs[2], strs[3]
	return r, nil
}

// putSummary writes an operation's summary and keeps the search indexes
// and day totals in step with it, undoing what the previous summary said.
func putSummary(tx *bolt.Tx, op *Operation) error {
	row := RowOf(*op)
	key := timeKey(op.Created, op.ID)
	sum := tx.Bucket(bSummary)
	if old := sum.Get(key); old != nil {
		prev, err := decodeRow(op.ID, old)
		if err != nil {
			return err
		}
		if err := unindexRow(tx, prev); err != nil {
			return err
		}
	}
	if err := sum.Put(key, encodeRow(row)); err != nil {
		return err
	}
	return indexRow(tx, row)
}

func indexRow(tx *bolt.Tx, r Row) error {
	idx := tx.Bucket(bNumbers)
	for _, n := range searchNumbers(r) {
		if err := idx.Put(numberKey(n, r.ID), timeKey(r.Created, r.ID)); err != nil {
			return err
		}
	}
	return addDay(tx, r, 1)
}

func unindexRow(tx *bolt.Tx, r Row) error {
	idx := tx.Bucket(bNumbers)
	for _, n := range searchNumbers(r) {
		if err := idx.Delete(numberKey(n, r.ID)); err != nil {
			return err
		}
	}
	return addDay(tx, r, -1)
}

// searchNumbers are what a manager may type to find a row: its receipt
// number, payment number and the provider's handle.
func searchNumbers(r Row) []string {
	ns := []string{r.Receipt()}
	if r.Number != "" {
		ns = append(ns, r.Number)
	}
	if r.Ref != "" && r.Ref != r.Number {
		ns = append(ns, r.Ref)
	}
	return ns
}

func numberKey(n string, id ID) []byte {
	return append(append([]byte(n), 0), idKey(id)...)
}

// Day totals: one entry per local day, kind, state, method, provider,
// terminal and currency, holding a count and a sum. A period's totals read
// at most a few entries per day.
func dayKey(r Row) []byte {
	k := []byte(r.Created.In(time.Local).Format("20060102"))
	k = append(k, 0, codeOf(kindCodes, r.Kind), codeOf(stateCodes, r.State), codeOf(methodCodes, r.Method), codeOf(currencyCodes, r.Amount.Currency))
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
