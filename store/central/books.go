package central

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// Books are the chain's history as the till's history screen reads its
// own data file (the methods of *store.Store, an operation named by its
// store.Ref): every till's operations, newest first, a page at a time.
// They only read: refunds and everything else that acts on an operation
// are made at the till that took it.
type Books struct {
	cfg *pgx.ConnConfig
	// Timeout bounds each question but an export; a database that does
	// not answer within it is reported, not waited for.
	Timeout time.Duration
	// ShopWord and TillWord head the export's first two columns, in the
	// reader's language.
	ShopWord, TillWord string

	// mu: one connection, one question at a time; a lost connection is
	// opened again at the next question.
	mu   sync.Mutex
	conn *pgx.Conn
}

// ErrNotFound: no operation of that shop, till and number.
var ErrNotFound = errors.New("central: no such operation")

// OpenBooks connects to the central database cfg names.
func OpenBooks(ctx context.Context, cfg *pgx.ConnConfig) (*Books, error) {
	cfg = cfg.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	// Planned for each period and cursor: a prepared statement's generic
	// plan cannot tell that a page of 50 newest rows is an index walk, and
	// sorts the period's million rows instead.
	cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	b := &Books{cfg: cfg, Timeout: 15 * time.Second, ShopWord: "shop", TillWord: "till"}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	b.conn = conn
	return b, nil
}

// Close closes the connection.
func (b *Books) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn == nil {
		return nil
	}
	err := b.conn.Close(context.Background())
	b.conn = nil
	return err
}

// do runs fn on the connection, opening it again where it was lost.
func (b *Books) do(fn func(ctx context.Context, conn *pgx.Conn) error) error {
	return b.doWithin(b.Timeout, fn)
}

func (b *Books) doWithin(d time.Duration, fn func(ctx context.Context, conn *pgx.Conn) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if b.conn != nil && b.conn.IsClosed() {
		b.conn = nil
	}
	if b.conn == nil {
		conn, err := pgx.ConnectConfig(ctx, b.cfg)
		if err != nil {
			return err
		}
		b.conn = conn
	}
	err := fn(ctx, b.conn)
	if err != nil && (b.conn.IsClosed() || ctx.Err() != nil) {
		// A question cut off leaves the connection in no known state.
		b.conn.Close(context.Background())
		b.conn = nil
	}
	return err
}

// rowColumns are what a history row reads; scanRow reads them.
const rowColumns = `shop, till, id, created, kind, state, provider, method, amount, currency,
	coalesce(payment_id, 0), terminal, payment_number, ref, refund_of_number, fiscal_state`

func scanRow(rows pgx.Rows) (store.Row, error) {
	var r store.Row
	var id, paymentID int64
	var kind, state, method, currency, fiscalState string
	if err := rows.Scan(&r.Shop, &r.Till, &id, &r.Created, &kind, &state, &r.Provider, &method, &r.Amount.Minor, &currency,
		&paymentID, &r.Terminal, &r.Number, &r.Ref, &r.PaymentNumber, &fiscalState); err != nil {
		return r, err
	}
	r.ID, r.PaymentID = store.ID(id), store.ID(paymentID)
	r.Kind, r.State, r.Method = store.Kind(kind), store.State(state), providers.Method(method)
	r.Amount.Currency = currencyOf(currency)
	r.Fiscal = fiscalMark(fiscalState)
	return r, nil
}

// CursorAt is the cursor of row r: its place in the order of the list,
// newest first by creation, then shop, till and number.
func (b *Books) CursorAt(r store.Row) store.Cursor {
	c := binary.BigEndian.AppendUint64(nil, uint64(r.Created.UnixMicro()))
	c = binary.BigEndian.AppendUint64(c, uint64(r.ID))
	return append(append(append(c, r.Shop...), 0), r.Till...)
}

// at reads a cursor back: PostgreSQL keeps microseconds, so a row read
// from it has a cursor that finds it again.
func at(c store.Cursor) (created time.Time, id int64, shop, till string, err error) {
	if len(c) < 17 {
		return created, 0, "", "", fmt.Errorf("central: a cursor of %d bytes", len(c))
	}
	created = time.UnixMicro(int64(binary.BigEndian.Uint64(c)))
	id = int64(binary.BigEndian.Uint64(c[8:]))
	shop, till, ok := strings.Cut(string(c[16:]), "\x00")
	if !ok {
		return created, 0, "", "", errors.New("central: a cursor without its till")
	}
	return created, id, shop, till, nil
}

// page reads up to n rows of q beyond c (at it too, with include), the
// newer ones when newer, in the order walked, and whether more are left.
func (b *Books) page(q Query, c store.Cursor, newer, include bool, n int) ([]store.Row, bool, error) {
	if n <= 0 {
		return nil, false, fmt.Errorf("central: a page of %d rows", n)
	}
	if err := q.Validate(); err != nil {
		return nil, false, err
	}
	cond, args := clause(q, "operations", true)
	order := "DESC"
	if newer {
		order = "ASC"
	}
	if c != nil {
		created, id, shop, till, err := at(c)
		if err != nil {
			return nil, false, err
		}
		op := map[[2]bool]string{{false, false}: "<", {false, true}: "<=", {true, false}: ">", {true, true}: ">="}[[2]bool{newer, include}]
		args = append(args, created, shop, till, id)
		k := len(args)
		cond += fmt.Sprintf(" AND (created, shop, till, id) %s ($%d, $%d, $%d, $%d)", op, k-3, k-2, k-1, k)
	}
	args = append(args, n+1)
	var out []store.Row
	err := b.do(func(ctx context.Context, conn *pgx.Conn) error {
		out = out[:0]
		rows, err := conn.Query(ctx, `SELECT `+rowColumns+` FROM operations WHERE `+cond+
			fmt.Sprintf(` ORDER BY created %[1]s, shop %[1]s, till %[1]s, id %[1]s LIMIT $%d`, order, len(args)), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRow(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, false, err
	}
	if len(out) > n {
		return out[:n], true, nil
	}
	return out, false, nil
}

// Page returns up to n rows older than after, newest first, and the
// cursor of the next page (nil when there is none), as store.Store.Page.
func (b *Books) Page(q Query, after store.Cursor, n int) ([]store.Row, store.Cursor, error) {
	return b.pageFrom(q, after, false, n)
}

// PageAt is Page starting at the row at, included.
func (b *Books) PageAt(q Query, at store.Cursor, n int) ([]store.Row, store.Cursor, error) {
	return b.pageFrom(q, at, true, n)
}

func (b *Books) pageFrom(q Query, c store.Cursor, include bool, n int) ([]store.Row, store.Cursor, error) {
	rows, more, err := b.page(q, c, false, include, n)
	if err != nil || !more {
		return rows, nil, err
	}
	return rows, b.CursorAt(rows[len(rows)-1]), nil
}

// PageNewer returns up to n rows newer than before, newest first, and
// whether newer ones are left; a nil before starts from the oldest row.
func (b *Books) PageNewer(q Query, before store.Cursor, n int) ([]store.Row, bool, error) {
	rows, more, err := b.page(q, before, true, false, n)
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows, more, err
}

// Latest is the newest row of any day that q's search and filters find;
// ok is false without a search, as store.Store.Latest.
func (b *Books) Latest(q Query) (r store.Row, ok bool, err error) {
	if q.Search == "" {
		return r, false, nil
	}
	cond, args := clause(q, "operations", false)
	err = b.do(func(ctx context.Context, conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `SELECT `+rowColumns+` FROM operations WHERE `+cond+
			` ORDER BY created DESC, shop DESC, till DESC, id DESC LIMIT 1`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			r, err = scanRow(rows)
			ok = err == nil
			return err
		}
		return rows.Err()
	})
	return r, ok, err
}

// TotalsBy is Totals: q's successful payments and refunds per shop,
// till, provider and currency.
func (b *Books) TotalsBy(q Query) (list []Total, err error) {
	err = b.do(func(ctx context.Context, conn *pgx.Conn) error {
		list, err = Totals(ctx, conn, q)
		return err
	})
	return list, err
}

// Totals sums q's successful payments and refunds in currency c over
// every till q selects, as store.Store.Totals does over one.
func (b *Books) Totals(q Query, c providers.Currency) (store.Totals, error) {
	t := store.Totals{Paid: providers.New(0, c), Refunded: providers.New(0, c)}
	list, err := b.TotalsBy(q)
	for _, one := range list {
		if one.Paid.Currency.Code == c.Code {
			t.Payments += one.Payments
			t.Refunds += one.Refunds
			t.Paid.Minor += one.Paid.Minor
			t.Refunded.Minor += one.Refunded.Minor
		}
	}
	return t, err
}

// Sources lists the providers and terminals with operations in q's
// period and shop or till, sorted.
func (b *Books) Sources(q Query) ([]store.Source, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	cond, args := clause(Query{From: q.From, To: q.To, Shop: q.Shop, Till: q.Till}, "day_terminals", true)
	var out []store.Source
	err := b.do(func(ctx context.Context, conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `SELECT DISTINCT provider, terminal FROM day_terminals WHERE `+cond+` ORDER BY provider, terminal`, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Source, error) {
			var s store.Source
			return s, r.Scan(&s.Provider, &s.Terminal)
		})
		return err
	})
	return out, err
}

// operationColumns are what an operation's detail reads of it: what the
// server keeps (see upsertOperation).
const operationColumns = `id, operation_id, kind, provider, method, state, amount, currency, created, updated,
	finished, payment_number, ref, coalesce(payment_id, 0), refund_of_number, cashier, approver, note, late, fiscal, checked`

func scanOperation(rows pgx.Rows) (store.Operation, error) {
	var op store.Operation
	var id, paymentID int64
	var kind, method, state, currency string
	var finished, late *time.Time
	var fiscal, checked []byte
	if err := rows.Scan(&id, &op.OperationID, &kind, &op.Provider, &method, &state, &op.Amount.Minor, &currency,
		&op.Created, &op.Updated, &finished, &op.TransactionID, &op.Ref, &paymentID, &op.PaymentNumber,
		&op.Cashier, &op.Approver, &op.Note, &late, &fiscal, &checked); err != nil {
		return op, err
	}
	op.ID, op.PaymentID = store.ID(id), store.ID(paymentID)
	op.Kind, op.Method, op.State = store.Kind(kind), providers.Method(method), store.State(state)
	op.Amount.Currency = currencyOf(currency)
	if finished != nil {
		op.Finished = *finished
	}
	if late != nil {
		op.Late = *late
	}
	if fiscal != nil {
		op.Fiscal = new(providers.Fiscal)
		if err := json.Unmarshal(fiscal, op.Fiscal); err != nil {
			return op, err
		}
	}
	if checked != nil {
		op.Check = new(store.Check)
		if err := json.Unmarshal(checked, op.Check); err != nil {
			return op, err
		}
	}
	return op, nil
}

func (b *Books) operations(query string, args ...any) ([]store.Operation, error) {
	var out []store.Operation
	err := b.do(func(ctx context.Context, conn *pgx.Conn) error {
		out = out[:0]
		rows, err := conn.Query(ctx, `SELECT `+operationColumns+` FROM operations WHERE `+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			op, err := scanOperation(rows)
			if err != nil {
				return err
			}
			out = append(out, op)
		}
		return rows.Err()
	})
	return out, err
}

// Get returns the operation at names, as the server has it.
func (b *Books) Get(at store.Ref) (store.Operation, error) {
	ops, err := b.operations(`shop = $1 AND till = $2 AND id = $3`, at.Shop, at.Till, int64(at.ID))
	if err != nil {
		return store.Operation{}, err
	}
	if len(ops) == 0 {
		return store.Operation{}, fmt.Errorf("%w: %s %s %s", ErrNotFound, at.Shop, at.Till, at.ID.Receipt())
	}
	return ops[0], nil
}

// Refunds returns the refunds of a payment, oldest first.
func (b *Books) Refunds(payment store.Ref) ([]store.Operation, error) {
	return b.operations(`shop = $1 AND till = $2 AND payment_id = $3 AND kind = 'refund' ORDER BY created, id`,
		payment.Shop, payment.Till, int64(payment.ID))
}

// Refundable is how much of a payment is not refunded yet, as the till
// counts it: a refund whose outcome is not known counts against it.
func (b *Books) Refundable(payment store.Ref) (providers.Money, error) {
	p, err := b.Get(payment)
	if err != nil {
		return providers.Money{}, err
	}
	if p.Kind != store.KindPayment || p.State != store.StateSuccess {
		return providers.New(0, p.Amount.Currency), store.ErrNotRefundable
	}
	refunds, err := b.Refunds(payment)
	left := p.Amount
	for _, r := range refunds {
		if r.State.Holds() {
			left = left.Sub(r.Amount)
		}
	}
	return left, err
}

// WriteCSV writes q's operations as the till's export does, each after
// its shop and till (the package's WriteCSV, with the header's words for
// them from f's labels where it has them).
func (b *Books) WriteCSV(w io.Writer, q Query, f store.CSVFormat) (n int, err error) {
	// A year's export takes longer than a page: bounded, but not by the
	// page's timeout.
	err = b.doWithin(30*time.Minute, func(ctx context.Context, conn *pgx.Conn) error {
		n, err = WriteCSV(ctx, conn, w, q, f, b.ShopWord, b.TillWord)
		return err
	})
	return n, err
}

// Tills lists every till that ever reached the server, by shop and till.
func (b *Books) Tills() (list []Till, err error) {
	err = b.do(func(ctx context.Context, conn *pgx.Conn) error {
		list, err = Tills(ctx, conn, "", "")
		return err
	})
	return list, err
}

// Currency is the currency most of the chain's successful operations
// are in; ok is false while there are none.
func (b *Books) Currency() (c providers.Currency, ok bool, err error) {
	err = b.do(func(ctx context.Context, conn *pgx.Conn) error {
		var code string
		err := conn.QueryRow(ctx, `SELECT currency FROM day_totals GROUP BY currency ORDER BY sum(count) DESC LIMIT 1`).Scan(&code)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		c, ok = currencyOf(code), err == nil
		return err
	})
	return c, ok, err
}

// Name is the database as a person names it: host and database, never a
// password.
func (b *Books) Name() string { return b.cfg.Host + "/" + b.cfg.Database }
