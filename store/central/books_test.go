package central

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/central/centraltest"
)

// chain is three tills, two of them in one shop and two of one name in
// two shops, each with a day of trade sent to the database, and the
// chain's books over it.
type chain struct {
	books *Books
	tills map[[2]string]*store.Store
}

func sellChain(t *testing.T) chain {
	t.Helper()
	cfg := testDB(t)
	c := chain{tills: map[[2]string]*store.Store{}}
	for i, where := range [][2]string{{"Chilanzar", "T1"}, {"Chilanzar", "T2"}, {"Yunusabad", "T1"}} {
		st := openTill(t, where[1])
		sellDay(t, st, 120, uint64(i+1))
		pushAll(t, newPusher(t, st, cfg, where[0]))
		c.tills[where] = st
	}
	b, err := OpenBooks(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	c.books = b
	return c
}

// own is every row the tills q selects hold, as their own files have
// them, filed under their shop and till, newest first as the chain's
// history orders them.
func (c chain) own(t *testing.T, q store.Query) []store.Row {
	t.Helper()
	var all []store.Row
	for where, st := range c.tills {
		if q.Shop != "" && q.Shop != where[0] || q.Till != "" && q.Till != where[1] {
			continue
		}
		var cur store.Cursor
		for {
			rows, next, err := st.Page(q, cur, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				r.Shop, r.Till = where[0], where[1]
				r.Created = r.Created.Truncate(time.Microsecond) // what PostgreSQL keeps
				all = append(all, r)
			}
			if next == nil {
				break
			}
			cur = next
		}
	}
	slices.SortFunc(all, func(a, b store.Row) int { return newestFirst(a, b) })
	return all
}

func newestFirst(a, b store.Row) int {
	if c := b.Created.Compare(a.Created); c != 0 {
		return c
	}
	if c := strings.Compare(b.Shop, a.Shop); c != 0 {
		return c
	}
	if c := strings.Compare(b.Till, a.Till); c != 0 {
		return c
	}
	return int(b.ID) - int(a.ID)
}

// pages reads the chain's list of q a page of n at a time, as the
// screen scrolls it down.
func (c chain) pages(t *testing.T, q store.Query, n int) []store.Row {
	t.Helper()
	var all []store.Row
	var cur store.Cursor
	for {
		rows, next, err := c.books.Page(q, cur, n)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rows...)
		if next == nil {
			return all
		}
		cur = next
	}
}

func sameRows(t *testing.T, what string, got, want []store.Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, the tills hold %d", what, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		g.Created, w.Created = g.Created.UTC(), w.Created.UTC()
		g.Amount.Currency, w.Amount.Currency = providers.Currency{Code: g.Amount.Currency.Code}, providers.Currency{Code: w.Amount.Currency.Code}
		if g != w {
			t.Fatalf("%s: row %d is\n%+v\nthe till's is\n%+v", what, i, g, w)
		}
	}
}

func TestTheChainsHistoryIsEveryTillsOwn(t *testing.T) {
	c := sellChain(t)
	q := store.Query{Kind: store.KindPayment, From: day, To: day}
	for _, f := range []store.Query{
		q,
		{Kind: store.KindRefund, From: day, To: day},
		{Kind: store.KindPayment, From: day, To: day, Shop: "Chilanzar"},
		{Kind: store.KindPayment, From: day, To: day, Shop: "Yunusabad", Till: "T1"},
		{Kind: store.KindPayment, From: day, To: day, Provider: "uzqr"},
		{Kind: store.KindPayment, From: day, To: day, States: []store.State{store.StateFailed, store.StateRefused}},
		{From: day, To: day, Search: "N2000"},
	} {
		want := c.own(t, f)
		if len(want) == 0 {
			t.Fatalf("%+v: the tills hold nothing to compare", f)
		}
		// A page of 7 crosses from one till's rows to another's many times.
		sameRows(t, "pages of "+describe(f), c.pages(t, f, 7), want)
	}

	// Scrolling back up from the oldest row reads the same list.
	want := c.own(t, q)
	var up []store.Row
	var cur store.Cursor
	for {
		rows, more, err := c.books.PageNewer(q, cur, 9)
		if err != nil {
			t.Fatal(err)
		}
		up = append(rows, up...)
		if !more {
			break
		}
		cur = c.books.CursorAt(rows[0])
	}
	sameRows(t, "pages upwards", up, want)

	// A window read again in place starts at its first row.
	at, _, err := c.books.PageAt(q, c.books.CursorAt(want[40]), 5)
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, "the window again", at, want[40:45])
}

func describe(q store.Query) string {
	return strings.Join(slices.DeleteFunc([]string{string(q.Kind), q.Shop, q.Till, q.Provider, q.Search}, func(s string) bool { return s == "" }), " ")
}

// The chain's totals are the sum of the tills' own, for the chain, a
// shop, a till, and under the screen's filters.
func TestTheChainsTotalsAreTheSumOfTheTills(t *testing.T) {
	c := sellChain(t)
	for _, q := range []store.Query{
		{From: day, To: day},
		{From: day, To: day, Shop: "Chilanzar"},
		{From: day, To: day, Shop: "Chilanzar", Till: "T2"},
		{From: day, To: day, Provider: "octo"},
		{From: day, To: day, Method: providers.MethodQR},
		{From: day, To: day, States: []store.State{store.StateSuccess}},
		{From: day, To: day, States: []store.State{store.StateFailed}},
		{From: day, To: day, Search: "N1"},
	} {
		want := store.Totals{Paid: providers.New(0, providers.KZT), Refunded: providers.New(0, providers.KZT)}
		for where, st := range c.tills {
			if q.Shop != "" && q.Shop != where[0] || q.Till != "" && q.Till != where[1] {
				continue
			}
			own, err := st.Totals(q, providers.KZT)
			if err != nil {
				t.Fatal(err)
			}
			want.Payments, want.Refunds = want.Payments+own.Payments, want.Refunds+own.Refunds
			want.Paid, want.Refunded = want.Paid.Add(own.Paid), want.Refunded.Add(own.Refunded)
		}
		got, err := c.books.Totals(q, providers.KZT)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s %v: the chain's totals %+v, the tills' %+v", describe(q), q.States, got, want)
		}
	}
	// Per till and provider, as the screen's totals by till show them.
	list, err := c.books.TotalsBy(store.Query{From: day, To: day})
	if err != nil {
		t.Fatal(err)
	}
	for _, one := range list {
		own, err := c.tills[[2]string{one.Shop, one.Till}].Totals(store.Query{From: day, To: day, Provider: one.Provider}, providers.KZT)
		if err != nil {
			t.Fatal(err)
		}
		if one.Totals != own {
			t.Errorf("%s %s %s: %+v, the till's own %+v", one.Shop, one.Till, one.Provider, one.Totals, own)
		}
	}
}

// The detail of an operation, its refunds and what is left to refund are
// the till's own; a receipt number is found in the till it is of.
func TestTheChainsDetailIsTheTillsOwn(t *testing.T) {
	c := sellChain(t)
	st := c.tills[[2]string{"Chilanzar", "T2"}]
	refunds := c.own(t, store.Query{Kind: store.KindRefund, From: day, To: day, Shop: "Chilanzar", Till: "T2"})
	if len(refunds) == 0 {
		t.Fatal("the till made no refunds")
	}
	pay := store.Ref{Shop: "Chilanzar", Till: "T2", ID: refunds[0].PaymentID}
	got, err := c.books.Get(pay)
	if err != nil {
		t.Fatal(err)
	}
	own, err := st.Get(pay.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.TransactionID != own.TransactionID || got.Amount.Minor != own.Amount.Minor || got.State != own.State || got.Ref != own.Ref {
		t.Errorf("the chain's payment %+v, the till's %+v", got, own)
	}
	rs, err := c.books.Refunds(pay)
	if err != nil {
		t.Fatal(err)
	}
	ownRs, _ := st.Refunds(pay.ID)
	if len(rs) != len(ownRs) || len(rs) == 0 || rs[0].ID != ownRs[0].ID {
		t.Errorf("refunds %v, the till's %v", rs, ownRs)
	}
	left, err := c.books.Refundable(pay)
	if err != nil {
		t.Fatal(err)
	}
	ownLeft, _ := st.Refundable(pay.ID)
	if left.Minor != ownLeft.Minor {
		t.Errorf("left to refund %d, the till says %d", left.Minor, ownLeft.Minor)
	}
	// The same receipt number at the till of the same name in another
	// shop is another payment.
	other, err := c.books.Get(store.Ref{Shop: "Yunusabad", Till: "T2", ID: pay.ID})
	if err == nil {
		t.Errorf("a till that does not exist has payment %+v", other)
	}

	// A number searched for outside the period shown is found in its day.
	r, ok, err := c.books.Latest(store.Query{Kind: store.KindPayment, From: day.AddDate(0, 0, 5), To: day.AddDate(0, 0, 5), Search: own.TransactionID})
	if err != nil || !ok || r.Shop != "Chilanzar" || r.Till != "T2" || r.ID != pay.ID {
		t.Errorf("Latest(%s) = %+v, %v, %v", own.TransactionID, r, ok, err)
	}
	// The period's providers and terminals.
	sources, err := c.books.Sources(store.Query{From: day, To: day})
	if err != nil || len(sources) != 3 {
		t.Errorf("sources %v, %v: want the three providers", sources, err)
	}
	tills, err := c.books.Tills()
	if err != nil || len(tills) != 3 {
		t.Errorf("tills %v, %v", tills, err)
	}
	// Refused as the till refuses it: over 35 days.
	if _, _, err := c.books.Page(store.Query{From: day, To: day.AddDate(0, 0, store.MaxPeriod)}, nil, 10); err == nil {
		t.Error("a period of 36 days was read")
	}
}

// A database made before the chain's history (migration 0001 only, with
// tills' operations in it) is brought up to it by kassa central init: the
// terminals already there are listed, and new ones follow.
func TestTheChainsHistoryMigratesADatabaseInUse(t *testing.T) {
	cfg := centraltest.DB(t)
	conn := connect(t, cfg)
	ctx := context.Background()
	list, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	if done, err := apply(ctx, conn, list[0]); err != nil || !done {
		t.Fatalf("0001: %v, %v", done, err)
	}
	st := openTill(t, "T1")
	sellDay(t, st, 30, 7)
	pushAll(t, newPusher(t, st, cfg, "Chilanzar"))
	applied, err := Migrate(ctx, conn)
	if err != nil || len(applied) != len(list)-1 {
		t.Fatalf("Migrate applied %v, %v", applied, err)
	}
	b, err := OpenBooks(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	want, err := st.Sources(store.Query{From: day, To: day})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Sources(store.Query{From: day, To: day})
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("the terminals after the migration: %v, %v; the till's %v", got, err, want)
	}
	// Sold after it: the trigger lists the new day's terminals.
	later := openTill(t, "T2")
	sellDay(t, later, 10, 8)
	pushAll(t, newPusher(t, later, cfg, "Chilanzar"))
	if got, err := b.Sources(store.Query{From: day, To: day, Till: "T2"}); err != nil || len(got) == 0 {
		t.Fatalf("the new till's terminals: %v, %v", got, err)
	}
}
