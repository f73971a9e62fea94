package central

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// Query selects operations over the chain: a period of whole days, each
// till's own local days (the same rule as store.Query: at most
// store.MaxPeriod days), and
// optionally one shop, one till, one kind, and a search by receipt,
// payment number or provider handle (prefix).
type Query struct {
	From, To   time.Time
	Shop, Till string
	Kind       store.Kind
	Search     string
}

// Validate applies the till's own period rule.
func (q Query) Validate() error { return store.Query{From: q.From, To: q.To}.Validate() }

// where is q as a WHERE clause over operations and its arguments.
func (q Query) where() (string, []any) {
	conds := []string{"day >= $1::date", "day <= $2::date"}
	args := []any{q.From.Format(time.DateOnly), q.To.Format(time.DateOnly)}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if q.Shop != "" {
		add("shop = $%d", q.Shop)
	}
	if q.Till != "" {
		add("till = $%d", q.Till)
	}
	if q.Kind != "" {
		add("kind = $%d", string(q.Kind))
	}
	if q.Search != "" {
		// Every text that starts with the prefix sorts, byte by byte, from
		// it up to it followed by the highest character.
		args = append(args, q.Search, q.Search+"\U0010FFFF")
		lo, hi := len(args)-1, len(args)
		var ors []string
		for _, col := range []string{"receipt", "payment_number", "ref", "refund_of_number"} {
			ors = append(ors, fmt.Sprintf("(%s ~>=~ $%d AND %s ~<~ $%d)", col, lo, col, hi))
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	return strings.Join(conds, " AND "), args
}

// Row is an operation of the chain's history: the till's own row with the
// shop and till it was made at.
type Row struct {
	Shop, Till string
	store.Row
	Fiscal providers.Fiscal
}

// Rows calls fn with every operation q selects, oldest first, until fn
// returns false.
func Rows(ctx context.Context, conn *pgx.Conn, q Query, fn func(Row) bool) error {
	if err := q.Validate(); err != nil {
		return err
	}
	where, args := q.where()
	rows, err := conn.Query(ctx, `SELECT shop, till, id, created, kind, state, provider, method, amount, currency,
		coalesce(payment_id, 0), terminal, payment_number, ref, refund_of_number, fiscal_state, fiscal
		FROM operations WHERE `+where+` ORDER BY created, shop, till, id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r Row
		var id, paymentID int64
		var kind, state, method, currency, fiscalState string
		var fiscal []byte
		if err := rows.Scan(&r.Shop, &r.Till, &id, &r.Created, &kind, &state, &r.Provider, &method, &r.Amount.Minor, &currency,
			&paymentID, &r.Terminal, &r.Number, &r.Ref, &r.PaymentNumber, &fiscalState, &fiscal); err != nil {
			return err
		}
		r.ID, r.PaymentID = store.ID(id), store.ID(paymentID)
		r.Kind, r.State, r.Method = store.Kind(kind), store.State(state), providers.Method(method)
		r.Amount.Currency = currencyOf(currency)
		r.Row.Fiscal = fiscalMark(fiscalState)
		if fiscal != nil {
			if err := json.Unmarshal(fiscal, &r.Fiscal); err != nil {
				return err
			}
		}
		if !fn(r) {
			return nil
		}
	}
	return rows.Err()
}

// currencyOf is the till's currency of that code; one it does not know
// keeps its code with no minor digits.
func currencyOf(code string) providers.Currency {
	if c, ok := providers.CurrencyByCode(code); ok {
		return c
	}
	return providers.Currency{Code: code}
}

func fiscalMark(code string) store.FiscalMark {
	for _, m := range store.FiscalMarks {
		if m.Code() == code {
			return m
		}
	}
	return store.FiscalNone
}

// Total is what one till took through one provider in one currency over
// a period: its successful payments and refunds.
type Total struct {
	Shop, Till, Provider string
	store.Totals
}

// Totals sums q's successful payments and refunds (whatever q.Kind says)
// per shop, till, provider and currency, in that order. Without a search
// it reads the day totals.
func Totals(ctx context.Context, conn *pgx.Conn, q Query) ([]Total, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	q.Kind = ""
	where, args := q.where()
	count, from := "count(*)", "operations"
	if q.Search == "" {
		count, from = "sum(count)", "day_totals"
	} else {
		where += " AND state = 'success'"
	}
	rows, err := conn.Query(ctx, `SELECT shop, till, provider, currency,
		coalesce(`+count+` FILTER (WHERE kind = 'payment'), 0), coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0),
		coalesce(`+count+` FILTER (WHERE kind = 'refund'), 0), coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0)
		FROM `+from+` WHERE `+where+`
		GROUP BY shop, till, provider, currency HAVING `+count+` > 0 ORDER BY shop, till, provider, currency`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Total
	for rows.Next() {
		var t Total
		var currency string
		if err := rows.Scan(&t.Shop, &t.Till, &t.Provider, &currency, &t.Payments, &t.Paid.Minor, &t.Refunds, &t.Refunded.Minor); err != nil {
			return nil, err
		}
		t.Paid.Currency = currencyOf(currency)
		t.Refunded.Currency = t.Paid.Currency
		list = append(list, t)
	}
	return list, rows.Err()
}

// CSVHeader is the chain's export's first row, as codes: the shop and the
// till, then the till's own export's columns (store.CSVHeader).
var CSVHeader = append([]string{"shop", "till"}, store.CSVHeader...)

// WriteCSV writes q's operations as the till's own export does (format f,
// see store.WriteCSV), each row after its shop and till; shop and till are
// the words of the header's first two columns in the reader's language. It
// returns the number of rows written after the header.
func WriteCSV(ctx context.Context, conn *pgx.Conn, w io.Writer, q Query, f store.CSVFormat, shop, till string) (int, error) {
	if err := q.Validate(); err != nil {
		return 0, err
	}
	var labels []string
	if len(f.Labels.Header) == len(store.CSVHeader) {
		labels = append([]string{shop, till}, f.Labels.Header...)
	}
	cw, err := f.Start(w, CSVHeader, labels)
	if err != nil {
		return 0, err
	}
	written := 0
	var werr error
	err = Rows(ctx, conn, q, func(r Row) bool {
		werr = cw.Write(append([]string{r.Shop, r.Till}, f.Record(r.Row, r.Fiscal)...))
		written++
		return werr == nil
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

// Till is where a till stands with the server: the last change of its
// applied (Position) and when it last reached the server.
type Till struct {
	Shop, Till string
	Position   int64
	Seen       time.Time
}

// Tills lists the tills that ever reached the server, by shop and till,
// only shop's (or that till's) when given.
func Tills(ctx context.Context, conn *pgx.Conn, shop, till string) ([]Till, error) {
	rows, err := conn.Query(ctx, `SELECT shop, till, position, seen FROM tills
		WHERE ($1 = '' OR shop = $1) AND ($2 = '' OR till = $2) ORDER BY shop, till`, shop, till)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Till, error) {
		var t Till
		err := r.Scan(&t.Shop, &t.Till, &t.Position, &t.Seen)
		return t, err
	})
}
