package central

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// Query selects operations over the chain: store.Query, whose Shop and
// Till choose one shop, or one till of it. A period is whole days, each
// till's own local days, at most store.MaxPeriod of them; a search finds
// the receipt, payment number, provider handle or a refund's payment
// number that starts with it.
type Query = store.Query

// clause is q as a WHERE clause over table (operations; day_totals for a
// query of no search, terminal, method or status; day_terminals for one
// of a period, shop and till only) and its arguments; with period false
// it leaves the period out.
func clause(q Query, table string, period bool) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if period {
		add("day >= $%d::date", q.From.Format(time.DateOnly))
		add("day <= $%d::date", q.To.Format(time.DateOnly))
	}
	if period && table == "operations" {
		// A till's local day is within a day of UTC's: a range of created
		// that the index on created reads, around the exact days.
		add("created >= $%d", q.From.AddDate(0, 0, -1))
		add("created < $%d", q.To.AddDate(0, 0, 2))
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
	if q.Provider != "" {
		add("provider = $%d", q.Provider)
	}
	if q.Terminal != "" {
		add("terminal = $%d", q.Terminal)
	}
	if q.Method != "" {
		add("method = $%d", string(q.Method))
	}
	if len(q.States) > 0 {
		states := make([]string, len(q.States))
		for i, s := range q.States {
			states[i] = string(s)
		}
		add("state = ANY($%d)", states)
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
	if len(conds) == 0 {
		return "true", nil
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
	cond, args := clause(q, "operations", true)
	rows, err := conn.Query(ctx, `SELECT shop, till, id, created, kind, state, provider, method, amount, currency,
		coalesce(payment_id, 0), terminal, payment_number, ref, refund_of_number, fiscal_state, fiscal
		FROM operations WHERE `+cond+` ORDER BY created, shop, till, id`, args...)
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
// per shop, till, provider and currency, in that order: money that moved,
// so a status filter naming no success gives none. Without a search, a
// terminal or a method it reads the day totals.
func Totals(ctx context.Context, conn *pgx.Conn, q Query) ([]Total, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if len(q.States) > 0 && !slices.Contains(q.States, store.StateSuccess) {
		return nil, nil
	}
	q.Kind, q.States = "", nil
	count, from := "count(*)", "operations"
	if q.Search == "" && q.Terminal == "" && q.Method == "" {
		count, from = "sum(count)", "day_totals"
	}
	cond, args := clause(q, from, true)
	if from == "operations" {
		cond += " AND state = 'success'"
	}
	rows, err := conn.Query(ctx, `SELECT shop, till, provider, currency,
		coalesce(`+count+` FILTER (WHERE kind = 'payment'), 0), coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0),
		coalesce(`+count+` FILTER (WHERE kind = 'refund'), 0), coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0)
		FROM `+from+` WHERE `+cond+`
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

// SilentAfter is how long a till may go without reaching the server
// before the chain's history and totals say so.
const SilentAfter = 24 * time.Hour

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
