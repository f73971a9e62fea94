package store

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// MaxPeriod is the longest period the history shows or exports at once, as
// in the UzQR merchant cabinet (seeds 000/001 §7).
const MaxPeriod = 35

// ErrPeriodTooLong is returned for a period of more than MaxPeriod days;
// the error itself is a *PeriodTooLongError saying how long it was.
var ErrPeriodTooLong = fmt.Errorf("store: a period may be at most %d days", MaxPeriod)

// ErrPeriodBackwards is returned when the period ends before it starts.
var ErrPeriodBackwards = errors.New("store: the period ends before it starts")

// ErrNoPeriod is returned when a query lacks its first or last day.
var ErrNoPeriod = errors.New("store: the period needs a first and a last day")

// PeriodTooLongError is a refused period: how many days it covers and the
// most allowed. errors.Is matches it to ErrPeriodTooLong.
type PeriodTooLongError struct{ Days, Max int }

func (e *PeriodTooLongError) Error() string {
	return fmt.Sprintf("store: the period covers %d days; at most %d are allowed", e.Days, e.Max)
}

func (e *PeriodTooLongError) Is(target error) bool { return target == ErrPeriodTooLong }

// Query selects history rows.
//
// The period is whole local days, both ends included: From 2026-11-01 To
// 2026-11-30 is every operation created from 1 November 00:00 up to but not
// including 1 December 00:00 local time; the clock time in From and To is
// ignored. A zero Kind selects both kinds. Search finds rows whose receipt
// number ("000042"), payment number (Kaspi orderNumber or rrn) or provider
// handle (processId) starts with it, exact numbers included; the period and
// the other filters still apply.
type Query struct {
	Kind     Kind
	From, To time.Time
	Provider string
	Terminal string  // Kaspi cheque terminalId; a QR's name for QR providers
	States   []State // any of them; none means every state
	Method   providers.Method
	Search   string
	// Shop and Till choose one shop, or one till of it, in a chain's
	// history (package central). A till's own file is one till's: it
	// answers as if they were not set.
	Shop, Till string
}

// Days is the number of days the period covers.
func (q Query) Days() int {
	from, to := day(q.From), day(q.To)
	return int(to.Sub(from).Hours()/24+0.5) + 1 // +0.5: a DST day is 23 or 25 hours
}

// Validate refuses a period without both ends, one over MaxPeriod days, or
// one that ends first.
func (q Query) Validate() error {
	if q.From.IsZero() || q.To.IsZero() {
		return ErrNoPeriod
	}
	if day(q.To).Before(day(q.From)) {
		return ErrPeriodBackwards
	}
	if d := q.Days(); d > MaxPeriod {
		return &PeriodTooLongError{Days: d, Max: MaxPeriod}
	}
	return nil
}

func day(t time.Time) time.Time {
	y, m, d := t.In(time.Local).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

// bounds are the summary keys of the period: from its first nanosecond to
// the end of its last day, half-open.
func (q Query) bounds() (lo, hi []byte) {
	return timeKey(day(q.From), 0), timeKey(day(q.To).AddDate(0, 0, 1), 0)
}

// matches is the plain reading of the filters, for rows already decoded.
func (q Query) matches(r Row) bool {
	return (q.Kind == "" || r.Kind == q.Kind) &&
		(q.Provider == "" || r.Provider == q.Provider) &&
		(q.Terminal == "" || r.Terminal == q.Terminal) &&
		(q.Method == "" || r.Method == q.Method) &&
		(len(q.States) == 0 || slices.Contains(q.States, r.State))
}

// filter is a Query compiled to the summary's codes: sets of accepted
// kind, state and method codes, so a row is tested in place.
type filter struct {
	kinds, states, methods uint64 // bit i set: code i accepted
	provider, terminal     string
	search                 string
}

func (q Query) filter() filter {
	f := filter{kinds: ^uint64(0), states: ^uint64(0), methods: ^uint64(0),
		provider: q.Provider, terminal: q.Terminal, search: q.Search}
	// A value with no code (a typo) accepts nothing rather than everything.
	if q.Kind != "" {
		f.kinds = codeBit(kindCodes, q.Kind)
	}
	if q.Method != "" {
		f.methods = codeBit(methodCodes, q.Method)
	}
	if len(q.States) > 0 {
		f.states = 0
		for _, s := range q.States {
			f.states |= codeBit(stateCodes, s)
		}
	}
	return f
}

func codeBit[T comparable](list []T, v T) uint64 {
	if i := slices.Index(list, v); i > 0 {
		return 1 << i
	}
	return 0
}

func (f *filter) codes(kind, state, method byte, provider, terminal []byte) bool {
	// A shift past 63 gives 0: an unknown code matches nothing.
	return f.kinds&(1<<kind) != 0 && f.states&(1<<state) != 0 && f.methods&(1<<method) != 0 &&
		(f.provider == "" || string(provider) == f.provider) &&
		(f.terminal == "" || string(terminal) == f.terminal)
}

func (f *filter) match(s *summaryView) bool {
	return f.codes(s.kind(), s.state(), s.method(), s.provider, s.terminal) &&
		(f.search == "" || s.hasPrefix(f.search))
}

// maxIndexWalk is how many number-index entries a search reads before it
// decides the prefix is too short for the index (the first digit typed
// matches most of the file) and filters the period by time instead: about
// a millisecond either way. Both ways give the same rows in the same order.
var maxIndexWalk = 20000

// minIndexPrefix is the shortest prefix a page asks the index about: one
// character narrows the numbers to a tenth at best (every receipt starts
// "0"), so filtering the period finds a page of them sooner than the index
// could say it holds too many.
const minIndexPrefix = 2

// walk calls fn with the summary key and value of every row q selects,
// newest first (or oldest first), strictly beyond from (a key already
// passed; nil: from the period's edge), until fn returns false. The
// slices are valid only inside tx.
func (s *Store) walk(tx *bolt.Tx, q Query, from []byte, oldestFirst bool, fn func(k, v []byte) (bool, error)) error {
	f := q.filter()
	lo, hi := q.bounds()
	beyond := func(k []byte) bool {
		if from == nil {
			return true
		}
		if oldestFirst {
			return bytes.Compare(k, from) > 0
		}
		return bytes.Compare(k, from) < 0
	}
	visit := func(k, v []byte) (more, matched bool, err error) {
		s, err := viewSummary(k, v)
		if err != nil {
			return false, false, err
		}
		if !f.match(&s) {
			return true, false, nil
		}
		more, err = fn(k, v)
		return more, true, err
	}
	sum := tx.Bucket(bSummary)
	if len(q.Search) >= minIndexPrefix {
		if keys, ok := s.searchIndex(tx, q.Search, lo, hi); ok {
			c := sum.Cursor() // one cursor for all: a Get makes a cursor each time
			for i := range keys {
				if !oldestFirst {
					i = len(keys) - 1 - i
				}
				k := keys[i][:]
				if !beyond(k) {
					continue
				}
				found, v := c.Seek(k)
				if !bytes.Equal(found, k) {
					continue // an index entry without its summary: nothing to show
				}
				if more, _, err := visit(k, v); err != nil || !more {
					return err
				}
			}
			return nil
		}
	}
	// The period, row by row, skipping the days the day totals say hold
	// no row for the filter: a filter that matches nothing, or a terminal
	// that sold on two days of the 35, reads the day totals, not every
	// summary of the period.
	quiet := quietDays{f: &f, days: tx.Bucket(bDays).Cursor(), known: map[string]bool{}}
	misses := 0
	var dayLo, dayHi []byte // the day last asked about, as summary keys
	skip := func(k []byte) (to []byte) {
		if misses++; misses < quietAfter || (dayLo != nil && bytes.Compare(k, dayLo) >= 0 && bytes.Compare(k, dayHi) < 0) {
			return nil
		}
		d := day(time.Unix(0, int64(binary.BigEndian.Uint64(k))))
		dayLo, dayHi = timeKey(d, 0), timeKey(d.AddDate(0, 0, 1), 0)
		if !quiet.quiet(d) {
			return nil
		}
		if oldestFirst {
			return dayHi
		}
		return dayLo
	}
	c := sum.Cursor()
	if oldestFirst {
		start := lo
		if from != nil && bytes.Compare(from, lo) > 0 {
			start = from
		}
		for k, v := c.Seek(start); k != nil && bytes.Compare(k, hi) < 0; {
			if !beyond(k) {
				k, v = c.Next()
				continue
			}
			if more, matched, err := visit(k, v); err != nil || !more {
				return err
			} else if matched {
				misses = 0
			} else if to := skip(k); to != nil {
				k, v = c.Seek(to)
				continue
			}
			k, v = c.Next()
		}
		return nil
	}
	end := hi
	if from != nil && bytes.Compare(from, hi) < 0 {
		end = from
	}
	k, v := c.Seek(end)
	if k == nil {
		k, v = c.Last()
	}
	for ; k != nil && bytes.Compare(k, lo) >= 0; k, v = c.Prev() {
		if bytes.Compare(k, end) >= 0 {
			continue
		}
		if more, matched, err := visit(k, v); err != nil || !more {
			return err
		} else if matched {
			misses = 0
		} else if to := skip(k); to != nil {
			c.Seek(to) // the day's first row: Prev goes on from the day before
		}
	}
	return nil
}

// quietAfter is how many rows in a row a walk passes over before it asks
// the day totals whether the rest of the day holds any match: a filter
// that matches often never asks, so the first page costs what it did.
const quietAfter = 256

// quietDays tells, from the day totals, the local days on which no row
// can match a filter. A day is quiet only when the days either side of it
// are too: a row's local day is the one it was counted under unless the
// zone's rules changed since (Kazakhstan's did in 2024), by a day at most.
type quietDays struct {
	f     *filter
	days  *bolt.Cursor
	known map[string]bool // "20060102": some total of the day matches
}

func (d *quietDays) quiet(t time.Time) bool {
	return !d.matches(t.AddDate(0, 0, -1)) && !d.matches(t) && !d.matches(t.AddDate(0, 0, 1))
}

func (d *quietDays) matches(t time.Time) bool {
	date := t.Format("20060102")
	if m, ok := d.known[date]; ok {
		return m
	}
	m := false
	for k, v := d.days.Seek([]byte(date)); k != nil && len(k) >= 13 && string(k[:8]) == date; k, v = d.days.Next() {
		provider, terminal, _ := bytes.Cut(k[13:], []byte{0})
		if len(v) == 16 && d.f.codes(k[9], k[10], k[11], provider, terminal) {
			m = true
			break
		}
	}
	d.known[date] = m
	return m
}

// searchIndex is searchIndex of the file as tx sees it, remembered for
// the next question about the same search: the history screen asks for a
// page and then its totals, and both walk the same index entries. A write
// commits a new transaction id, which a remembered answer must match.
func (s *Store) searchIndex(tx *bolt.Tx, prefix string, lo, hi []byte) (keys [][16]byte, ok bool) {
	m := &s.searched
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.txid == tx.ID() && m.prefix == prefix && bytes.Equal(m.lo, lo) && bytes.Equal(m.hi, hi) {
		return m.keys, m.ok
	}
	keys, ok = searchIndex(tx, prefix, s.last(), lo, hi)
	m.txid, m.prefix, m.lo, m.hi, m.keys, m.ok = tx.ID(), prefix, bytes.Clone(lo), bytes.Clone(hi), keys, ok
	return keys, ok
}

// searchMemo is the last search's index answer (Store.searchIndex); its
// keys are shared, and never changed once found.
type searchMemo struct {
	mu     sync.Mutex
	txid   int
	prefix string
	lo, hi []byte
	keys   [][16]byte
	ok     bool
}

// searchIndex returns the summary keys in [lo, hi) of the rows with a
// number starting with prefix, oldest first, each once; ok is false when
// the prefix matches more than maxIndexWalk index entries.
func searchIndex(tx *bolt.Tx, prefix string, last ID, lo, hi []byte) (keys [][16]byte, ok bool) {
	p := []byte(prefix)
	c := tx.Bucket(bNumbers).Cursor()
	walked := 0
	// Keys as arrays: a short prefix walks thousands of entries, and an
	// allocation for each would double the walk.
	keys = make([][16]byte, 0, 64)
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if walked++; walked > maxIndexWalk {
			return nil, false
		}
		if at, ok := numberTarget(k, v); ok && bytes.Compare(at[:], lo) >= 0 && bytes.Compare(at[:], hi) < 0 {
			keys = append(keys, at)
		}
	}
	receipts, ok := receiptKeys(tx, prefix, last, lo, hi, maxIndexWalk-walked)
	if !ok {
		return nil, false
	}
	keys = append(keys, receipts...)
	// One row can match by several numbers (its receipt and its payment
	// number both starting "00…").
	slices.SortFunc(keys, func(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(keys), true
}

// receiptKeys returns the summary keys in [lo, hi) of the operations whose
// receipt number, or whose payment's, starts with prefix; ok is false when
// more than budget operations would be read. A receipt is the id written
// in six digits or more, so a prefix is a range of ids for each width.
func receiptKeys(tx *bolt.Tx, prefix string, last ID, lo, hi []byte, budget int) (keys [][16]byte, ok bool) {
	p, err := strconv.ParseUint(prefix, 10, 64)
	if err != nil || len(prefix) > 18 {
		return nil, true // not digits, or longer than any receipt
	}
	type span struct{ from, to uint64 }
	var spans []span
	for width, low, pow := 6, uint64(0), uint64(1_000_000); low <= uint64(last) && width <= 18; width, low, pow = width+1, pow, pow*10 {
		if len(prefix) > width {
			continue
		}
		scale := uint64(1)
		for range width - len(prefix) {
			scale *= 10
		}
		from, to := max(p*scale, low, 1), min((p+1)*scale-1, pow-1, uint64(last))
		if from > to {
			continue
		}
		if budget -= int(to - from + 1); budget < 0 {
			return nil, false
		}
		spans = append(spans, span{from, to})
	}
	if len(spans) == 0 {
		return nil, true // a payment number longer than any receipt yet: no bucket to open
	}
	c := tx.Bucket(bOperations).Cursor()
	add := func(k, v []byte) {
		if at, ok := recordCreated(v); ok {
			var key [16]byte
			binary.BigEndian.PutUint64(key[:], uint64(at.UnixNano()))
			copy(key[8:], k)
			if bytes.Compare(key[:], lo) >= 0 && bytes.Compare(key[:], hi) < 0 {
				keys = append(keys, key)
			}
		}
	}
	refunds := tx.Bucket(bRefunds).Cursor()
	for _, s := range spans {
		for k, v := c.Seek(idKey(ID(s.from))); k != nil && binary.BigEndian.Uint64(k) <= s.to; k, v = c.Next() {
			add(k, v)
		}
		// The refunds of those payments: a refund is found by its
		// payment's receipt too.
		var found []uint64
		for k, _ := refunds.Seek(idKey(ID(s.from))); len(k) == 16 && binary.BigEndian.Uint64(k) <= s.to; k, _ = refunds.Next() {
			found = append(found, binary.BigEndian.Uint64(k[8:]))
		}
		if budget -= len(found); budget < 0 {
			return nil, false
		}
		for _, id := range found {
			if k, v := c.Seek(idKey(ID(id))); k != nil && binary.BigEndian.Uint64(k) == id {
				add(k, v)
			}
		}
	}
	return keys, true
}

// Latest returns the newest row of any period that q's search and filters
// select, for telling a manager where a number is when the period shown
// has none; ok is false when there is none, or when the search is too
// short for the index to answer quickly. q's period is not used.
func (s *Store) Latest(q Query) (r Row, ok bool, err error) {
	if q.Search == "" {
		return Row{}, false, nil
	}
	f := q.filter()
	err = s.view(func(tx *bolt.Tx) error {
		// Every time: from the empty key to one above any 16-byte key.
		keys, indexed := s.searchIndex(tx, q.Search, nil, bytes.Repeat([]byte{0xff}, 17))
		if !indexed {
			return nil
		}
		sum := tx.Bucket(bSummary)
		for i := len(keys) - 1; i >= 0; i-- { // newest first
			b := sum.Get(keys[i][:])
			if b == nil {
				continue
			}
			view, err := viewSummary(keys[i][:], b)
			if err != nil {
				return err
			}
			if f.match(&view) {
				r, ok = view.row(), true
				return nil
			}
		}
		return nil
	})
	return r, ok, err
}

// Cursor marks where a page ended; the zero Cursor is the newest row.
type Cursor []byte

// Page returns up to n rows older than after, newest first, and the cursor
// of the next page (nil when there is none). It reads only the rows it
// passes, so scrolling a month costs a page at a time.
func (s *Store) Page(q Query, after Cursor, n int) ([]Row, Cursor, error) {
	rows, more, err := s.page(q, after, false, n)
	if !more {
		return rows, nil, err
	}
	return rows, CursorAt(rows[len(rows)-1]), err
}

// page reads up to n rows beyond from, either way, in the order walked,
// and whether more are left beyond them.
func (s *Store) page(q Query, from Cursor, oldestFirst bool, n int) (rows []Row, more bool, err error) {
	if n <= 0 {
		return nil, false, fmt.Errorf("store: a page of %d rows", n)
	}
	if err := q.Validate(); err != nil {
		return nil, false, err
	}
	rows = make([]Row, 0, min(n, 256))
	err = s.view(func(tx *bolt.Tx) error {
		return s.walk(tx, q, from, oldestFirst, func(k, v []byte) (bool, error) {
			if len(rows) == n {
				more = true
				return false, nil
			}
			r, err := decodeRow(k, v)
			if err != nil {
				return false, err
			}
			rows = append(rows, r)
			return true, nil
		})
	})
	return rows, more, err
}

func (r Row) key() []byte { return timeKey(r.Created, r.ID) }

// Totals are the count and sum of successful payments and refunds in a period.
type Totals struct {
	Payments, Refunds int
	Paid, Refunded    providers.Money
}

// Net is what the period took: payments less refunds.
func (t Totals) Net() providers.Money { return t.Paid.Sub(t.Refunded) }

// Totals sums the successful payments and refunds in currency c that the
// query's period and filters select: money that moved, so a States filter
// naming no success gives zero. Both kinds are summed whatever q.Kind
// says, so either tab shows the net. Without a search it reads the day
// totals (a few dozen entries a day); with one, the rows the search finds.
func (s *Store) Totals(q Query, c providers.Currency) (Totals, error) {
	q.Kind = ""
	t := Totals{Paid: providers.New(0, c), Refunded: providers.New(0, c)}
	if err := q.Validate(); err != nil {
		return t, err
	}
	want := currencyCode(c)
	f := q.filter()
	f.states &= 1 << codeOf(stateCodes, StateSuccess)
	err := s.view(func(tx *bolt.Tx) error {
		if q.Search != "" {
			return s.walk(tx, q, nil, false, func(k, v []byte) (bool, error) {
				// walk has checked the summary's layout and the filters.
				if v[25] == codeOf(stateCodes, StateSuccess) && v[27] == want {
					t.add(at(kindCodes, v[24]), 1, int64(binary.BigEndian.Uint64(v[16:])))
				}
				return true, nil
			})
		}
		eachDayTotal(tx, q, func(k, provider, terminal, v []byte) {
			if len(v) == 16 && k[12] == want && f.codes(k[9], k[10], k[11], provider, terminal) {
				t.add(at(kindCodes, k[9]), int(binary.BigEndian.Uint64(v)), int64(binary.BigEndian.Uint64(v[8:])))
			}
		})
		return nil
	})
	return t, err
}

// eachDayTotal calls fn with every day total of q's period: its key
// (day(8) 0 kind state method currency provider 0 terminal), the key's
// provider and terminal, and its value (count, sum).
func eachDayTotal(tx *bolt.Tx, q Query, fn func(k, provider, terminal, v []byte)) {
	cur := tx.Bucket(bDays).Cursor()
	from, to := day(q.From).Format("20060102"), day(q.To).Format("20060102")
	for k, v := cur.Seek([]byte(from)); k != nil && len(k) >= 8 && string(k[:8]) <= to; k, v = cur.Next() {
		if len(k) >= 13 {
			provider, terminal, _ := bytes.Cut(k[13:], []byte{0})
			fn(k, provider, terminal, v)
		}
	}
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

// CSVHeader is the first row of an export, as codes: CSVLabels give it
// in the reader's words.
var CSVHeader = []string{"time", "kind", "amount", "currency", "status", "provider", "terminal", "receipt", "payment_number", "method", "original_receipt",
	"fiscal_state", "fiscal_receipt", "fiscal_sign", "fiscal_qr"}

// csvChunk is how many rows an export reads per read transaction: the
// writer (a slow disk, a pipe) is never waited on with the file held open
// for reading, which would keep a growing file from being remapped.
var csvChunk = 8192

// CSVFormat is what a spreadsheet in the reader's language expects of a
// CSV file: Excel splits fields by the system's list separator and reads
// numbers by its decimal mark, so a Russian or Uzbek one opens
// "12500;100,01" in columns and "12500,100.01" in one.
type CSVFormat struct {
	Comma        rune // between fields; 0 is ','
	DecimalComma bool // "100,01" rather than "100.01"
	Labels       CSVLabels
}

// CSVLabels are the words of the reader's language for the header and the
// values that are codes in the data file. A header of the wrong length, a
// nil map or a value missing from it is written as the code.
type CSVLabels struct {
	Header  []string // one per CSVHeader column
	Kinds   map[Kind]string
	States  map[State]string
	Methods map[providers.Method]string
	// ProviderMethods names a method as one provider calls it ("uzqr/qr":
	// UzQR), keyed provider + "/" + method; Methods otherwise.
	ProviderMethods map[string]string
	Providers       map[string]string
	// Fiscal names how a payment's fiscal receipt stands (FiscalMark.Code
	// otherwise); FiscalNone is always written empty.
	Fiscal map[FiscalMark]string
}

// word is the label of code in words, or the code.
func word[K ~string](words map[K]string, code K) string {
	if w, ok := words[code]; ok {
		return w
	}
	return string(code)
}

// WriteCSV writes the rows q selects, oldest first like a statement, as
// CSV in format f: UTF-8 with a byte-order mark, without which Excel reads
// the file as the system code page and garbles Cyrillic; a header row;
// amounts in major units as plain numbers ("12500", "100.01"); times in
// ISO 8601 with the local offset; the refund's payment's receipt number in
// the eleventh column; then, for a payment whose provider registers its
// fiscal receipt, how it stands and, once registered, its receipt id,
// fiscal sign and QR link. Only those rows' operations are read beyond
// their summaries. It returns the number of rows written after the header.
func (s *Store) WriteCSV(w io.Writer, q Query, f CSVFormat) (int, error) {
	if err := q.Validate(); err != nil {
		return 0, err
	}
	cw, err := f.start(w, CSVHeader, f.Labels.Header)
	if err != nil {
		return 0, err
	}
	written := 0
	record := make([]string, len(CSVHeader))
	chunk := make([]Row, 0, csvChunk)
	// fiscal holds the fiscal receipts of the chunk's registered ones.
	fiscal := map[ID]providers.Fiscal{}
	var from []byte
	for {
		chunk = chunk[:0]
		clear(fiscal)
		err := s.view(func(tx *bolt.Tx) error {
			var last []byte
			err := s.walk(tx, q, from, true, func(k, v []byte) (bool, error) {
				r, err := decodeRow(k, v)
				if err != nil {
					return false, err
				}
				if r.Fiscal == FiscalDone {
					if fiscal[r.ID], err = fiscalOf(tx, r.ID); err != nil {
						return false, err
					}
				}
				chunk, last = append(chunk, r), k
				return len(chunk) < csvChunk, nil
			})
			from = bytes.Clone(last)
			return err
		})
		if err != nil {
			return written, err
		}
		for _, r := range chunk {
			csvRecord(record, r, fiscal[r.ID], f)
			if err := cw.Write(record); err != nil {
				return written, err
			}
			written++
		}
		if len(chunk) < csvChunk {
			break
		}
	}
	cw.Flush()
	return written, cw.Error()
}

// start writes the byte-order mark and the header (labels, where there
// is one for each of the codes) and returns the writer of the rows.
func (f CSVFormat) start(w io.Writer, codes, labels []string) (*csv.Writer, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	if f.Comma != 0 {
		cw.Comma = f.Comma
	}
	header := codes
	if len(labels) == len(codes) {
		header = labels
	}
	return cw, cw.Write(header)
}

// amount is m as a plain number in major units, with the reader's
// decimal mark.
func (f CSVFormat) amount(m providers.Money) string {
	if f.DecimalComma {
		return strings.Replace(m.Major(), ".", ",", 1)
	}
	return m.Major()
}

// method names method as provider calls it, else in the reader's words.
func (f CSVFormat) method(provider string, method providers.Method) string {
	if w, ok := f.Labels.ProviderMethods[provider+"/"+string(method)]; ok {
		return w
	}
	return word(f.Labels.Methods, method)
}

// fiscalOf reads only the fiscal receipt of operation id: the rest of
// its record is skipped, not built.
func fiscalOf(tx *bolt.Tx, id ID) (providers.Fiscal, error) {
	var op struct {
		Fiscal *providers.Fiscal `json:"fiscal"`
	}
	v := tx.Bucket(bOperations).Get(idKey(id))
	if v == nil {
		return providers.Fiscal{}, fmt.Errorf("store: operation %d: %w", id, ErrNotFound)
	}
	js, err := recordJSON(v)
	if err == nil {
		err = json.Unmarshal(js, &op)
	}
	if err != nil {
		return providers.Fiscal{}, fmt.Errorf("store: operation %d: %w", id, err)
	}
	if op.Fiscal == nil {
		return providers.Fiscal{}, nil
	}
	return *op.Fiscal, nil
}

func csvRecord(record []string, r Row, fiscal providers.Fiscal, f CSVFormat) {
	record[0] = r.Created.In(time.Local).Format(time.RFC3339)
	record[1] = word(f.Labels.Kinds, r.Kind)
	record[2] = f.amount(r.Amount)
	record[3] = r.Amount.Currency.Code
	record[4] = word(f.Labels.States, r.State)
	record[5] = word(f.Labels.Providers, r.Provider)
	record[6] = r.Terminal
	record[7] = r.Receipt()
	record[8] = r.Number
	record[9] = f.method(r.Provider, r.Method)
	record[10] = ""
	if r.PaymentID != 0 {
		record[10] = r.PaymentID.Receipt()
	}
	record[11] = r.Fiscal.Code()
	if w, ok := f.Labels.Fiscal[r.Fiscal]; ok && r.Fiscal != FiscalNone {
		record[11] = w
	}
	record[12], record[13], record[14] = fiscal.ReceiptID, fiscal.FiscalSign, fiscal.QRCodeURL
}

// hasPrefix reports whether any number a manager may search r by starts with p.
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

// CursorAt is the cursor of row r: Page after it starts at the next older
// row, PageNewer before it at the next newer one.
func CursorAt(r Row) Cursor { return Cursor(r.key()) }

// PageAt is Page starting at the row at (included), for reading a window
// of the list again in place: a row's cursor never changes, so what was on
// the screen comes back with its current state.
func (s *Store) PageAt(q Query, at Cursor, n int) ([]Row, Cursor, error) {
	if at == nil {
		return s.Page(q, nil, n)
	}
	// The smallest key above at: the walk's exclusive bound then lets at in.
	return s.Page(q, append(bytes.Clone(at), 0), n)
}

// PageNewer returns up to n rows newer than before, newest first, and
// whether rows newer still are left; a nil before starts from the oldest
// row. It is Page read upwards: a screen scrolling back up asks for what
// it let go of, instead of keeping everything it has passed.
func (s *Store) PageNewer(q Query, before Cursor, n int) ([]Row, bool, error) {
	rows, more, err := s.page(q, before, true, n)
	slices.Reverse(rows)
	return rows, more, err
}

// Source is one provider's terminal or QR that took operations.
type Source struct{ Provider, Terminal string }

// Sources lists the providers and terminals with operations in q's
// period, sorted; only the period of q counts. It reads the day totals, a
// few dozen entries a day, so a filter can offer them without a scan.
// Operations the provider never confirmed have no terminal: they show as
// a Source with an empty Terminal.
func (s *Store) Sources(q Query) ([]Source, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	var out []Source
	// Each source once as it comes: a 35-day period has a thousand day
	// totals and a handful of sources.
	seen := map[string]bool{}
	err := s.view(func(tx *bolt.Tx) error {
		eachDayTotal(tx, q, func(k, provider, terminal, _ []byte) {
			if !seen[string(k[13:])] {
				seen[string(k[13:])] = true
				out = append(out, Source{Provider: string(provider), Terminal: string(terminal)})
			}
		})
		return nil
	})
	slices.SortFunc(out, func(a, b Source) int {
		if c := strings.Compare(a.Provider, b.Provider); c != 0 {
			return c
		}
		return strings.Compare(a.Terminal, b.Terminal)
	})
	return slices.Compact(out), err
}
