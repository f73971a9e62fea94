package store

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// MaxPeriod is the longest period the history shows or exports at once, as
// in the UzQR merchant cabinet (seeds 000/001 §7).
const MaxPeriod = 35

// ErrPeriodTooLong is returned for a period of more than MaxPeriod days.
var ErrPeriodTooLong = fmt.Errorf("store: a period may be at most %d days", MaxPeriod)

// ErrPeriodBackwards is returned when the period ends before it starts.
var ErrPeriodBackwards = errors.New("store: the period ends before it starts")

// Query selects history rows: one kind, a period of whole local days, and
// optional filters. Search finds rows whose receipt number, payment number
// or provider handle starts with it; the period still applies.
type Query struct {
	Kind     Kind
	From, To time.Time // days, inclusive, in the local time zone
	Provider string
	Terminal string
	States   []State
	Method   providers.Method
	Search   string
}

// Days is the number of days the period covers.
func (q Query) Days() int {
	from, to := day(q.From), day(q.To)
	return int(to.Sub(from).Hours()/24+0.5) + 1
}

// Validate refuses a period over MaxPeriod days or one that ends first.
func (q Query) Validate() error {
	if day(q.To).Before(day(q.From)) {
		return ErrPeriodBackwards
	}
	if q.Days() > MaxPeriod {
		return ErrPeriodTooLong
	}
	return nil
}

func day(t time.Time) time.Time {
	y, m, d := t.In(time.Local).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

// bounds are the summary keys of the period: from its first nanosecond to
// the end of its last day.
func (q Query) bounds() (lo, hi []byte) {
	return timeKey(day(q.From), 0), timeKey(day(q.To).AddDate(0, 0, 1), 0)
}

func (q Query) matches(r Row) bool {
	return (q.Kind == "" || r.Kind == q.Kind) &&
		(q.Provider == "" || r.Provider == q.Provider) &&
		(q.Terminal == "" || r.Terminal == q.Terminal) &&
		(q.Method == "" || r.Method == q.Method) &&
		(len(q.States) == 0 || slices.Contains(q.States, r.State))
}

// Cursor marks where a page ended; the zero Cursor is the newest row.
type Cursor []byte

// Page returns up to n rows older than after, newest first, and the cursor
// of the next page (nil at the end). It reads only the rows it passes.
func (s *Store) Page(q Query, after Cursor, n int) ([]Row, Cursor, error) {
	if err := q.Validate(); err != nil {
		return nil, nil, err
	}
	var rows []Row
	var next Cursor
	err := s.db.View(func(tx *bolt.Tx) error {
		if q.Search != "" {
			var err error
			rows, next, err = searchPage(tx, q, after, n)
			return err
		}
		lo, hi := q.bounds()
		if after != nil && bytes.Compare(after, hi) < 0 {
			hi = after
		}
		c := tx.Bucket(bSummary).Cursor()
		k, v := c.Seek(hi)
		if k == nil {
			k, v = c.Last()
		}
		for ; k != nil && bytes.Compare(k, lo) >= 0; k, v = c.Prev() {
			if bytes.Compare(k, hi) >= 0 {
				continue
			}
			r, err := decodeRow(ID(binary.BigEndian.Uint64(k[8:])), v)
			if err != nil {
				return err
			}
			if !q.matches(r) {
				continue
			}
			if len(rows) == n {
				next = Cursor(slices.Clone(rows[n-1].key()))
				return nil
			}
			rows = append(rows, r)
		}
		return nil
	})
	return rows, next, err
}

func (r Row) key() []byte { return timeKey(r.Created, r.ID) }

// searchPage walks the number index from the typed prefix. Matches are few
// (a receipt or payment number is nearly unique), so they are sorted
// newest first in memory.
func searchPage(tx *bolt.Tx, q Query, after Cursor, n int) ([]Row, Cursor, error) {
	lo, hi := q.bounds()
	seen := map[ID]bool{}
	var all []Row
	c := tx.Bucket(bNumbers).Cursor()
	prefix := []byte(q.Search)
	sum := tx.Bucket(bSummary)
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if bytes.Compare(v, lo) < 0 || bytes.Compare(v, hi) >= 0 || (after != nil && bytes.Compare(v, after) >= 0) {
			continue
		}
		id := ID(binary.BigEndian.Uint64(v[8:]))
		if seen[id] {
			continue
		}
		seen[id] = true
		r, err := decodeRow(id, sum.Get(v))
		if err != nil {
			return nil, nil, err
		}
		if q.matches(r) {
			all = append(all, r)
		}
		if len(all) > 10*n+1000 {
			break // a prefix this short matches too much to list
		}
	}
	slices.SortFunc(all, func(a, b Row) int { return bytes.Compare(b.key(), a.key()) })
	if len(all) > n {
		return all[:n], Cursor(all[n-1].key()), nil
	}
	return all, nil, nil
}

// Totals are the count and sum of payments and of refunds in a period.
type Totals struct {
	Payments, Refunds int
	Paid, Refunded    providers.Money
}

// Net is what the period took: payments less refunds.
func (t Totals) Net() providers.Money { return t.Paid.Sub(t.Refunded) }

// Totals sums the period's successful payments and refunds matching the
// filters, in currency c, from the day totals: a few entries a day. Both
// kinds are summed whatever q.Kind says, so either tab shows the net.
func (s *Store) Totals(q Query, c providers.Currency) (Totals, error) {
	q.Kind = ""
	t := Totals{Paid: providers.New(0, c), Refunded: providers.New(0, c)}
	if err := q.Validate(); err != nil {
		return t, err
	}
	if q.Search != "" {
		return s.searchTotals(q, c)
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bDays).Cursor()
		from, to := day(q.From).Format("20060102"), day(q.To).Format("20060102")
		for k, v := cur.Seek([]byte(from)); k != nil && string(k[:8]) <= to; k, v = cur.Next() {
			// k: day(8) 0 kind state method currency provider 0 terminal
			if len(k) < 13 || len(v) != 16 {
				continue
			}
			provider, terminal, _ := bytes.Cut(k[13:], []byte{0})
			r := Row{Kind: at(kindCodes, k[9]), State: at(stateCodes, k[10]), Method: at(methodCodes, k[11]),
				Provider: string(provider), Terminal: string(terminal)}
			if at(currencyCodes, k[12]).Code != c.Code || r.State != StateSuccess || !q.matches(r) {
				continue
			}
			count, sum := int(binary.BigEndian.Uint64(v)), int64(binary.BigEndian.Uint64(v[8:]))
			t.add(r.Kind, count, sum)
		}
		return nil
	})
	return t, err
}

func (t *Totals) add(k Kind, count int, sum int64) {
	if k == KindRefund {
		t.Refunds += count
		t.Refunded.Minor += sum
	} else {
		t.Payments += count
		t.Paid.Minor += sum
	}
}

func (s *Store) searchTotals(q Query, c providers.Currency) (Totals, error) {
	t := Totals{Paid: providers.New(0, c), Refunded: providers.New(0, c)}
	var after Cursor
	for {
		rows, next, err := s.Page(q, after, 500)
		if err != nil {
			return t, err
		}
		for _, r := range rows {
			if r.State == StateSuccess && r.Amount.Currency.Code == c.Code {
				t.add(r.Kind, 1, r.Amount.Minor)
			}
		}
		if next == nil {
			return t, nil
		}
		after = next
	}
}

// CSVHeader is the first row of an export.
var CSVHeader = []string{"time", "kind", "amount", "currency", "status", "provider", "terminal", "receipt", "payment_number", "method", "original_receipt"}

// WriteCSV writes the period's rows, oldest first, as CSV: UTF-8 with a
// byte-order mark so spreadsheets show Cyrillic right, a header row,
// amounts in major units as plain numbers, times in ISO 8601.
func (s *Store) WriteCSV(w io.Writer, q Query) (int, error) {
	if err := q.Validate(); err != nil {
		return 0, err
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return 0, err
	}
	rows := 0
	record := make([]string, len(CSVHeader))
	err := s.db.View(func(tx *bolt.Tx) error {
		lo, hi := q.bounds()
		c := tx.Bucket(bSummary).Cursor()
		for k, v := c.Seek(lo); k != nil && bytes.Compare(k, hi) < 0; k, v = c.Next() {
			r, err := decodeRow(ID(binary.BigEndian.Uint64(k[8:])), v)
			if err != nil {
				return err
			}
			if !q.matches(r) || (q.Search != "" && !r.hasPrefix(q.Search)) {
				continue
			}
			record[0] = r.Created.In(time.Local).Format(time.RFC3339)
			record[1] = string(r.Kind)
			record[2] = r.Amount.Major()
			record[3] = r.Amount.Currency.Code
			record[4] = string(r.State)
			record[5] = r.Provider
			record[6] = r.Terminal
			record[7] = r.Receipt()
			record[8] = r.Number
			record[9] = string(r.Method)
			record[10] = ""
			if r.PaymentID != 0 {
				record[10] = r.PaymentID.Receipt()
			}
			if err := cw.Write(record); err != nil {
				return err
			}
			rows++
		}
		return nil
	})
	if err != nil {
		return rows, err
	}
	cw.Flush()
	return rows, cw.Error()
}

func (r Row) hasPrefix(p string) bool {
	for _, n := range searchNumbers(r) {
		if len(n) >= len(p) && n[:len(p)] == p {
			return true
		}
	}
	return false
}

// ParseDay reads a YYYY-MM-DD date in the local time zone.
func ParseDay(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return t, fmt.Errorf("%q is not a date: write it as YYYY-MM-DD", s)
	}
	return t, nil
}
