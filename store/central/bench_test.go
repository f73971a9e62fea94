package central

import (
	"context"
	"flag"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/central/centraltest"
)

// -central.big runs the chain's benchmarks over ten million operations (a
// chain's year: 5 shops, 12 tills), not one million. Making them takes
// a few minutes and some 4 GB.
var bigChain = flag.Bool("central.big", false, "benchmark the central queries over 1e7 operations, not 1e6")

// chainDB is a database with n made-up operations spread over a year
// before day, made by the server itself.
func chainDB(b *testing.B, n int) (*pgx.Conn, *pgx.ConnConfig) {
	b.Helper()
	cfg := centraltest.DB(b)
	conn := centraltest.Connect(b, cfg)
	ctx := context.Background()
	if _, err := Migrate(ctx, conn); err != nil {
		b.Fatal(err)
	}
	start := day.AddDate(-1, 0, 0)
	// Operation i is made at till i%12 of shop i%5, i seconds of the year
	// apart in order; one in ten is a refund, one in twenty failed.
	// Row by row, the triggers would take most of the time: the day totals
	// and terminals are made once after.
	if _, err := conn.Exec(ctx, `ALTER TABLE operations DISABLE TRIGGER USER`); err != nil {
		b.Fatal(err)
	}
	_, err := conn.Exec(ctx, `INSERT INTO operations (shop, till, id, operation_id, kind, provider, method, state,
		amount, currency, created, day, updated, receipt, payment_number, ref, version)
		SELECT 'shop' || (i % 5), 'T' || (i % 12), i, 'T' || (i % 12) || '-' || lpad(i::text, 6, '0'),
			CASE WHEN i % 10 = 0 THEN 'refund' ELSE 'payment' END,
			(ARRAY['kaspi', 'uzqr', 'octo'])[1 + i % 3], 'qr',
			CASE WHEN i % 20 = 7 THEN 'failed' ELSE 'success' END,
			100 + (i * 7919) % 90000, 'KZT', t, t::date, t, lpad(i::text, 6, '0'), 'N' || i, 'P' || i, 1
		FROM generate_series(1, $1::bigint) AS i,
			LATERAL (SELECT $2::timestamptz + (i * (365 * 86400.0 / $1)) * interval '1 second' AS t) AS c`, n, start)
	if err != nil {
		b.Fatal(err)
	}
	_, err = conn.Exec(ctx, `INSERT INTO day_terminals (day, shop, till, provider, terminal)
		SELECT DISTINCT day, shop, till, provider, terminal FROM operations`)
	if err != nil {
		b.Fatal(err)
	}
	_, err = conn.Exec(ctx, `INSERT INTO day_totals (day, shop, till, provider, currency, kind, count, amount)
		SELECT day, shop, till, provider, currency, kind, count(*), sum(amount) FROM operations WHERE state = 'success'
		GROUP BY day, shop, till, provider, currency, kind`)
	if err != nil {
		b.Fatal(err)
	}
	for _, sql := range []string{`ALTER TABLE operations ENABLE TRIGGER USER`, `VACUUM ANALYZE operations`, `VACUUM ANALYZE day_totals`} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	return conn, cfg
}

func BenchmarkChain(b *testing.B) {
	n := 1_000_000
	if *bigChain {
		n = 10_000_000
	}
	conn, cfg := chainDB(b, n)
	ctx := context.Background()
	period := Query{From: day.AddDate(0, 0, -store.MaxPeriod+1), To: day}
	oneTill := period
	oneTill.Shop, oneTill.Till = "shop3", "T7"
	search := period
	search.Search = fmt.Sprint("N", n-1234)
	size := fmt.Sprintf("%.0e", float64(n))
	b.Run("totals_35_days_chain_"+size, func(b *testing.B) {
		for b.Loop() {
			if _, err := Totals(ctx, conn, period); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("totals_35_days_one_till_"+size, func(b *testing.B) {
		for b.Loop() {
			if _, err := Totals(ctx, conn, oneTill); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rows_35_days_one_till_"+size, func(b *testing.B) {
		for b.Loop() {
			rows := 0
			if err := Rows(ctx, conn, oneTill, func(Row) bool { rows++; return true }); err != nil || rows == 0 {
				b.Fatal(rows, err)
			}
		}
	})
	b.Run("search_number_35_days_chain_"+size, func(b *testing.B) {
		for b.Loop() {
			found := 0
			if err := Rows(ctx, conn, search, func(Row) bool { found++; return true }); err != nil || found == 0 {
				b.Fatal(found, err)
			}
		}
	})
	// What the history screen asks (kassa history --central): the first
	// page of the chain and of one till, the page after a scroll of a
	// thousand rows, the period's terminals, and a number anywhere.
	books, err := OpenBooks(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer books.Close()
	period.Kind, oneTill.Kind = store.KindPayment, store.KindPayment
	b.Run("screen_first_page_chain_"+size, func(b *testing.B) {
		for b.Loop() {
			if rows, _, err := books.Page(period, nil, 50); err != nil || len(rows) != 50 {
				b.Fatal(len(rows), err)
			}
		}
	})
	b.Run("screen_first_page_one_till_"+size, func(b *testing.B) {
		for b.Loop() {
			if rows, _, err := books.Page(oneTill, nil, 50); err != nil || len(rows) != 50 {
				b.Fatal(len(rows), err)
			}
		}
	})
	deep, _, err := books.Page(period, nil, 1000)
	if err != nil || len(deep) != 1000 {
		b.Fatal(len(deep), err)
	}
	after := books.CursorAt(deep[999])
	b.Run("screen_page_after_1000_rows_chain_"+size, func(b *testing.B) {
		for b.Loop() {
			if rows, _, err := books.Page(period, after, 50); err != nil || len(rows) != 50 {
				b.Fatal(len(rows), err)
			}
		}
	})
	b.Run("screen_totals_chain_"+size, func(b *testing.B) {
		for b.Loop() {
			if _, err := books.Totals(period, providers.KZT); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("screen_terminals_35_days_chain_"+size, func(b *testing.B) {
		for b.Loop() {
			if _, err := books.Sources(period); err != nil {
				b.Fatal(err)
			}
		}
	})
	anywhere := Query{Kind: store.KindPayment, Search: search.Search}
	b.Run("screen_search_any_day_chain_"+size, func(b *testing.B) {
		for b.Loop() {
			if _, ok, err := books.Latest(anywhere); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
}
