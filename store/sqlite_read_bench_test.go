//go:build sqlitebench

// The SQLite side of the history benchmarks, for comparison only:
//
//	go test -tags sqlitebench ./store -run X -bench 'FirstPage|PeriodFilter|Search|Scroll|ExportCSV'
package store

import (
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
)

func init() {
	readStores = append(readStores, struct {
		name string
		open func(b *testing.B, n int) historyReader
	}{"sqlite", openSQLiteReader})
}

// sqliteReadSchema is the history as one would lay it out in SQLite for
// these questions: the rows' fields in one table, the full record (JSON)
// in another so that lists never page through it, the numbers a manager
// searches by in a table of their own (as kassa's numbers index), and an
// index for each way the history reads: by time, by state, by terminal,
// totals covered by one index (and by one more for a terminal's), the
// sources by another. The indexes are made after the bulk load, then
// ANALYZE; the reads go through a memory map, as bbolt's do.
const sqliteReadSchema = `
CREATE TABLE operations (` + sqliteRowFields + `,
	payment_number TEXT NOT NULL,
	fiscal INTEGER NOT NULL,
	fiscal_receipt TEXT,
	fiscal_sign TEXT,
	fiscal_qr TEXT
);
CREATE TABLE operation_data (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE numbers (
	number TEXT NOT NULL,
	id INTEGER NOT NULL,
	created INTEGER NOT NULL,
	PRIMARY KEY (number, id)
) WITHOUT ROWID;
`

const sqliteReadIndexes = `
CREATE INDEX ops_created ON operations(created);
CREATE INDEX ops_state ON operations(state, created);
CREATE INDEX ops_terminal ON operations(terminal, created);
CREATE INDEX ops_totals ON operations(state, currency, created, kind, method, provider, terminal, amount);
CREATE INDEX ops_terminal_totals ON operations(terminal, state, currency, created, kind, method, provider, amount);
CREATE INDEX ops_sources ON operations(provider, terminal, created);
ANALYZE;
`

const sqliteRowColumns = `id, created, kind, state, provider, method, amount, currency, payment_id, terminal, number, ref,
	payment_number, fiscal, fiscal_receipt, fiscal_sign, fiscal_qr`

// sqliteReader answers the history's questions from SQLite, with the
// statements prepared once.
type sqliteReader struct {
	db    *sql.DB
	stmts map[string]*sql.Stmt
}

// sqliteReaders are the SQLite copies of the bench files, by size, built
// once per run like the bench files.
var sqliteReaders = map[int]*sqliteReader{}

func openSQLiteReader(b *testing.B, n int) historyReader {
	if r, ok := sqliteReaders[n]; ok {
		return r
	}
	path := benchFile(b, n) // first: it makes benchDir
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(benchDir, fmt.Sprintf("ops-%d.sqlite", n))+"?_journal_mode=WAL&_synchronous=FULL")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: the pragmas hold for every statement
	// Read through a memory map as bbolt does (SQLite caps it at 2 GB).
	for _, pragma := range []string{sqliteReadSchema, "PRAGMA mmap_size = 4294967296"} {
		if _, err := db.Exec(pragma); err != nil {
			b.Fatal(err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	insertOp, err := tx.Prepare("INSERT INTO operations (" + sqliteRowColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		b.Fatal(err)
	}
	insertData, err := tx.Prepare("INSERT INTO operation_data (id, data) VALUES (?, ?)")
	if err != nil {
		b.Fatal(err)
	}
	insertNumber, err := tx.Prepare("INSERT INTO numbers (number, id, created) VALUES (?, ?, ?)")
	if err != nil {
		b.Fatal(err)
	}
	// The rows as kassa keeps them (a refund's payment number included),
	// and each operation's full record.
	var loadErr error
	err = s.EachRow(func(r Row) bool {
		op, err := s.Get(r.ID)
		if err != nil {
			loadErr = err
			return false
		}
		data, err := json.Marshal(op)
		if err != nil {
			loadErr = err
			return false
		}
		var fiscal [3]any
		if op.Fiscal != nil {
			fiscal = [3]any{op.Fiscal.ReceiptID, op.Fiscal.FiscalSign, op.Fiscal.QRCodeURL}
		}
		created := r.Created.UnixNano()
		if _, loadErr = insertOp.Exec(int64(r.ID), created, string(r.Kind), string(r.State), r.Provider, string(r.Method),
			r.Amount.Minor, r.Amount.Currency.Code, int64(r.PaymentID), r.Terminal, r.Number, r.Ref, r.PaymentNumber,
			int(r.Fiscal), fiscal[0], fiscal[1], fiscal[2]); loadErr != nil {
			return false
		}
		if _, loadErr = insertData.Exec(int64(r.ID), data); loadErr != nil {
			return false
		}
		for _, number := range searchNumbers(r) {
			if _, loadErr = insertNumber.Exec(number, int64(r.ID), created); loadErr != nil {
				return false
			}
		}
		return true
	})
	if err != nil || loadErr != nil {
		b.Fatal(err, loadErr)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(sqliteReadIndexes); err != nil {
		b.Fatal(err)
	}
	r := &sqliteReader{db: db, stmts: map[string]*sql.Stmt{}}
	b.Logf("loaded %d operations into SQLite in %v, %d MB", n, time.Since(start).Round(time.Millisecond), sqliteBytes(b, db)>>20)
	sqliteReaders[n] = r
	return r
}

// bytes is the size of SQLite's file, its log checkpointed.
func (r *sqliteReader) bytes(b *testing.B) int64 { return sqliteBytes(b, r.db) }

// stmt is the prepared statement of query.
func (r *sqliteReader) stmt(query string) (*sql.Stmt, error) {
	if s, ok := r.stmts[query]; ok {
		return s, nil
	}
	s, err := r.db.Prepare(query)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, query)
	}
	r.stmts[query] = s
	return s, nil
}

// where is q's period, filters and search as SQL conditions on the
// operations table, and their arguments. A search walks the numbers
// table when the prefix is long enough to narrow it (kassa's rule:
// at most maxIndexWalk entries); a shorter one is tested row by row on
// the period, as kassa does.
func (r *sqliteReader) where(q Query, period *span) (string, []any, error) {
	var conds []string
	var args []any
	// An indexed search reads the period off the numbers it finds: a
	// period on the rows too would have SQLite walk the period instead.
	indexed := false
	if q.Search != "" {
		var err error
		if indexed, err = r.narrow(q.Search, prefixEnd(q.Search)); err != nil {
			return "", nil, err
		}
	}
	if period != nil && !indexed {
		conds, args = append(conds, "created >= ? AND created < ?"), append(args, period.lo, period.hi)
	}
	for _, f := range []struct{ column, value string }{
		{"kind", string(q.Kind)}, {"provider", q.Provider}, {"terminal", q.Terminal}, {"method", string(q.Method)},
	} {
		if f.value != "" {
			conds, args = append(conds, f.column+" = ?"), append(args, f.value)
		}
	}
	if len(q.States) > 0 {
		conds = append(conds, "state IN (?"+strings.Repeat(", ?", len(q.States)-1)+")")
		for _, s := range q.States {
			args = append(args, string(s))
		}
	}
	if q.Search != "" {
		from, to := q.Search, prefixEnd(q.Search)
		if indexed {
			sub := "SELECT id FROM numbers WHERE number >= ? AND number < ?"
			args = append(args, from, to)
			if period != nil {
				sub += " AND created >= ? AND created < ?"
				args = append(args, period.lo, period.hi)
			}
			conds = append(conds, "id IN ("+sub+")")
		} else {
			var alts []string
			for _, column := range []string{"number", "ref", "payment_number", "printf('%06d', id)"} {
				alts = append(alts, column+" >= ? AND "+column+" < ?")
				args = append(args, from, to)
			}
			alts = append(alts, "payment_id != 0 AND printf('%06d', payment_id) >= ? AND printf('%06d', payment_id) < ?")
			args = append(args, from, to)
			conds = append(conds, "("+strings.Join(alts, " OR ")+")")
		}
	}
	if len(conds) == 0 {
		return "1", nil, nil
	}
	return strings.Join(conds, " AND "), args, nil
}

// span is the unix nanoseconds from lo up to hi.
type span struct{ lo, hi int64 }

// periodOf is q's period.
func periodOf(q Query) *span {
	return &span{day(q.From).UnixNano(), day(q.To).AddDate(0, 0, 1).UnixNano()}
}

// narrow reports whether at most maxIndexWalk numbers lie in [from, to).
func (r *sqliteReader) narrow(from, to string) (bool, error) {
	st, err := r.stmt("SELECT count(*) FROM (SELECT 1 FROM numbers WHERE number >= ? AND number < ? LIMIT ?)")
	if err != nil {
		return false, err
	}
	var n int
	err = st.QueryRow(from, to, maxIndexWalk+1).Scan(&n)
	return n <= maxIndexWalk, err
}

// prefixEnd is the smallest string above every string starting with p
// (p itself when none is: a prefix of 0xff bytes).
func prefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return p + "\xff\xff\xff\xff" // no number is that long
}

// rows runs query and reads the rows it selects (the sqliteRowColumns),
// with their fiscal receipts.
func (r *sqliteReader) rows(query string, args []any, each func(Row, providers.Fiscal) error) error {
	st, err := r.stmt(query)
	if err != nil {
		return err
	}
	rs, err := st.Query(args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var row Row
		var created, amount int64
		var kind, state, method, currency string
		var fiscal int
		var receipt, sign, qr sql.NullString
		if err := rs.Scan(&row.ID, &created, &kind, &state, &row.Provider, &method, &amount, &currency, &row.PaymentID,
			&row.Terminal, &row.Number, &row.Ref, &row.PaymentNumber, &fiscal, &receipt, &sign, &qr); err != nil {
			return err
		}
		row.Created = time.Unix(0, created)
		row.Kind, row.State, row.Method, row.Fiscal = Kind(kind), State(state), providers.Method(method), FiscalMark(fiscal)
		row.Amount = providers.Money{Minor: amount, Currency: at(currencyCodes, currencyCode(providers.Currency{Code: currency}))}
		if err := each(row, providers.Fiscal{ReceiptID: receipt.String, FiscalSign: sign.String, QRCodeURL: qr.String}); err != nil {
			return err
		}
	}
	return rs.Err()
}

// page reads up to n rows beyond from, either way, as kassa's page does:
// keyset pagination on (created, id).
func (r *sqliteReader) page(q Query, from Cursor, oldestFirst bool, n int) (rows []Row, more bool, err error) {
	if err := q.Validate(); err != nil {
		return nil, false, err
	}
	period := periodOf(q)
	order, beyond := "DESC", "<"
	if oldestFirst {
		order, beyond = "ASC", ">"
	}
	var created, id int64
	if from != nil {
		// The period is cut at the cursor's time: SQLite bounds its index
		// walk by one range on created, not by the row value.
		created, id = int64(binary.BigEndian.Uint64(from)), int64(binary.BigEndian.Uint64(from[8:]))
		if oldestFirst {
			period.lo = max(period.lo, created)
		} else {
			period.hi = min(period.hi, created+1)
		}
	}
	where, args, err := r.where(q, period)
	if err != nil {
		return nil, false, err
	}
	if from != nil {
		where += " AND (created, id) " + beyond + " (?, ?)"
		args = append(args, created, id)
	}
	query := "SELECT " + sqliteRowColumns + " FROM operations WHERE " + where +
		" ORDER BY created " + order + ", id " + order + " LIMIT ?"
	rows = make([]Row, 0, min(n, 256))
	err = r.rows(query, append(args, n+1), func(row Row, _ providers.Fiscal) error {
		if len(rows) == n {
			more = true
		} else {
			rows = append(rows, row)
		}
		return nil
	})
	return rows, more, err
}

func (r *sqliteReader) Page(q Query, after Cursor, n int) ([]Row, Cursor, error) {
	rows, more, err := r.page(q, after, false, n)
	if !more {
		return rows, nil, err
	}
	return rows, CursorAt(rows[len(rows)-1]), err
}

func (r *sqliteReader) PageNewer(q Query, before Cursor, n int) ([]Row, bool, error) {
	rows, more, err := r.page(q, before, true, n)
	slices.Reverse(rows)
	return rows, more, err
}

func (r *sqliteReader) Totals(q Query, c providers.Currency) (Totals, error) {
	q.Kind = ""
	t := Totals{Paid: providers.New(0, c), Refunded: providers.New(0, c)}
	if err := q.Validate(); err != nil {
		return t, err
	}
	where, args, err := r.where(q, periodOf(q))
	if err != nil {
		return t, err
	}
	st, err := r.stmt("SELECT kind, count(*), sum(amount) FROM operations WHERE state = ? AND currency = ? AND " + where + " GROUP BY kind")
	if err != nil {
		return t, err
	}
	rs, err := st.Query(append([]any{string(StateSuccess), c.Code}, args...)...)
	if err != nil {
		return t, err
	}
	defer rs.Close()
	for rs.Next() {
		var kind string
		var count int
		var sum int64
		if err := rs.Scan(&kind, &count, &sum); err != nil {
			return t, err
		}
		t.add(Kind(kind), count, sum)
	}
	return t, rs.Err()
}

// Sources walks the few distinct providers and terminals by seeking
// past each in ops_sources (a seek by provider, then by terminal: SQLite
// walks a row-value bound on the first column only), and keeps those with
// a row in the period: a DISTINCT over the period would read every row.
func (r *sqliteReader) Sources(q Query) ([]Source, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	var stmts [4]*sql.Stmt
	for i, query := range []string{
		"SELECT provider, terminal FROM operations ORDER BY provider, terminal LIMIT 1",
		"SELECT provider, terminal FROM operations WHERE provider = ? AND terminal > ? ORDER BY terminal LIMIT 1",
		"SELECT provider, terminal FROM operations WHERE provider > ? ORDER BY provider, terminal LIMIT 1",
		"SELECT EXISTS (SELECT 1 FROM operations WHERE provider = ? AND terminal = ? AND created >= ? AND created < ?)",
	} {
		var err error
		if stmts[i], err = r.stmt(query); err != nil {
			return nil, err
		}
	}
	first, nextTerminal, nextProvider, inPeriod := stmts[0], stmts[1], stmts[2], stmts[3]
	period := periodOf(q)
	var out []Source
	var s Source
	err := first.QueryRow().Scan(&s.Provider, &s.Terminal)
	for err == nil {
		var found bool
		if err := inPeriod.QueryRow(s.Provider, s.Terminal, period.lo, period.hi).Scan(&found); err != nil {
			return nil, err
		}
		if found {
			out = append(out, s)
		}
		if err = nextTerminal.QueryRow(s.Provider, s.Terminal).Scan(&s.Provider, &s.Terminal); err == sql.ErrNoRows {
			err = nextProvider.QueryRow(s.Provider).Scan(&s.Provider, &s.Terminal)
		}
	}
	if err != sql.ErrNoRows {
		return nil, err
	}
	return out, nil
}

func (r *sqliteReader) Latest(q Query) (row Row, ok bool, err error) {
	if q.Search == "" {
		return Row{}, false, nil
	}
	if indexed, err := r.narrow(q.Search, prefixEnd(q.Search)); err != nil || !indexed {
		return Row{}, false, err
	}
	where, args, err := r.where(q, nil)
	if err != nil {
		return Row{}, false, err
	}
	err = r.rows("SELECT "+sqliteRowColumns+" FROM operations WHERE "+where+" ORDER BY created DESC, id DESC LIMIT 1", args,
		func(found Row, _ providers.Fiscal) error {
			row, ok = found, true
			return nil
		})
	return row, ok, err
}

// WriteCSV writes what kassa's WriteCSV writes, in the same format.
func (r *sqliteReader) WriteCSV(w io.Writer, q Query, f CSVFormat) (int, error) {
	if err := q.Validate(); err != nil {
		return 0, err
	}
	cw, err := f.start(w, CSVHeader, f.Labels.Header)
	if err != nil {
		return 0, err
	}
	where, args, err := r.where(q, periodOf(q))
	if err != nil {
		return 0, err
	}
	written := 0
	record := make([]string, len(CSVHeader))
	err = r.rows("SELECT "+sqliteRowColumns+" FROM operations WHERE "+where+" ORDER BY created, id", args,
		func(row Row, fiscal providers.Fiscal) error {
			csvRecord(record, row, fiscal, f)
			written++
			return cw.Write(record)
		})
	if err != nil {
		return written, err
	}
	cw.Flush()
	return written, cw.Error()
}
