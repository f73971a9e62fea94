package store

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// history fills a store with n operations, 9.7 minutes apart, up to t0:
// both methods, several terminals, all states, refunds of some payments.
func history(t testing.TB, s *Store, n int, seed uint64) {
	t.Helper()
	historyOver(t, s, n, seed, time.Duration(n)*97*time.Minute/10)
}

// historyOver spreads n operations over span before t0, in batches.
func historyOver(t testing.TB, s *Store, n int, seed uint64, span time.Duration) {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, 1))
	var paid []Operation
	const batch = 20000
	for start := 0; start < n; start += batch {
		if err := s.Batch(func(create func(*Operation) error) error {
			return historyBatch(create, rnd, &paid, start, min(start+batch, n), n, span)
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func historyBatch(create func(*Operation) error, rnd *rand.Rand, paid *[]Operation, from, to, n int, span time.Duration) error {
	{
		for i := from; i < to; i++ {
			at := t0.Add(-span / time.Duration(n) * time.Duration(n-i)) // span×n would overflow
			if len(*paid) > 0 && rnd.IntN(10) == 0 {
				p := (*paid)[rnd.IntN(len(*paid))]
				r := NewRefund(p, tenge(1+rnd.Int64N(p.Amount.Minor)), "", at)
				r.Started(providers.Status{Ref: fmt.Sprintf("r%d", i)}, at)
				r.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: p.TransactionID,
					Cheque: &providers.Cheque{TerminalID: p.Cheque.TerminalID}}, at)
				if err := create(&r); err != nil {
					return err
				}
				continue
			}
			op := NewPayment("kaspi", tenge(100+rnd.Int64N(50000)), "", false, at)
			op.Started(providers.Status{Ref: fmt.Sprintf("17950%08d", i)}, at)
			method, number := providers.MethodQR, fmt.Sprintf("5047%05d", i)
			if rnd.IntN(3) == 0 {
				method, number = providers.MethodCard, fmt.Sprintf("3072%08d", i)
			}
			st := providers.StateSuccess
			if rnd.IntN(8) == 0 {
				st = providers.StateFail
			}
			op.ApplyStatus(providers.Status{State: st, Method: method, TransactionID: number,
				Cheque: &providers.Cheque{TerminalID: fmt.Sprintf("3145296%d", rnd.IntN(3))}}, at)
			if err := create(&op); err != nil {
				return err
			}
			if op.State == StateSuccess && len(*paid) < 5000 {
				*paid = append(*paid, op)
			}
		}
		return nil
	}
}

// allRows is every operation's row, newest first, read the slow way: each
// operation by store.Get, its JSON decoded.
func allRows(t testing.TB, s *Store) []Row {
	t.Helper()
	var rows []Row
	for id := ID(1); ; id++ {
		op, err := s.Get(id)
		if errors.Is(err, ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		r := RowOf(op)
		if op.Kind == KindRefund {
			p, err := s.Get(op.PaymentID)
			if err != nil {
				t.Fatal(err)
			}
			r.PaymentNumber = p.TransactionID
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b Row) int { return bytes.Compare(b.key(), a.key()) })
	return rows
}

// want is what q should list, newest first, by the plain reading of each
// filter over every row.
func want(all []Row, q Query) []ID {
	var ids []ID
	for _, r := range all {
		if inPeriod(q, r.Created) && q.matches(r) && (q.Search == "" || r.hasPrefix(q.Search)) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func inPeriod(q Query, at time.Time) bool {
	d := day(at)
	return !d.Before(day(q.From)) && !d.After(day(q.To))
}

// pages reads every page of q, n rows at a time.
func pages(t testing.TB, s *Store, q Query, n int) []ID {
	t.Helper()
	var got []ID
	var after Cursor
	for {
		rows, next, err := s.Page(q, after, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > n || (next != nil && len(rows) != n) {
			t.Fatalf("%+v: a page of %d rows for %d asked, next %x", q, len(rows), n, next)
		}
		for _, r := range rows {
			got = append(got, r.ID)
		}
		if next == nil {
			return got
		}
		after = next
	}
}

// uzqr adds payments in soums from a second provider and QR, so filters
// by provider and totals by currency have something to tell apart.
func uzqr(t *testing.T, s *Store, n int) {
	t.Helper()
	for i := range n {
		at := t0.Add(-time.Duration(i) * 7 * time.Hour)
		op := NewPayment("uzqr", providers.New(int64(10001+i*100), providers.UZS), "", false, at)
		if err := s.Create(&op); err != nil {
			t.Fatal(err)
		}
		op.Started(providers.Status{Ref: fmt.Sprintf("inv-%d", i)}, at)
		op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR,
			TransactionID: fmt.Sprintf("pay-%04d", i), Cheque: &providers.Cheque{TerminalID: "CASH_1"}}, at)
		if err := s.Save(&op); err != nil {
			t.Fatal(err)
		}
	}
}

func month(q Query) Query {
	q.From, q.To = t0.AddDate(0, 0, -29), t0
	return q
}

func TestPagesReturnEveryRowOnceNewestFirst(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 3000, 1)
	uzqr(t, s, 40)
	all := allRows(t, s)
	for _, q := range []Query{
		month(Query{}),
		month(Query{Kind: KindPayment}),
		month(Query{Kind: KindRefund}),
		month(Query{Provider: "uzqr"}),
		month(Query{Terminal: "31452962"}),
		month(Query{States: []State{StateFailed}}),
		month(Query{States: []State{StateFailed, StateSuccess}, Provider: "kaspi"}),
		month(Query{Method: providers.MethodCard}),
		month(Query{Kind: KindPayment, Method: providers.MethodCard, Terminal: "31452961"}),
		month(Query{Kind: KindRefund, Provider: "kaspi", Terminal: "31452960", States: []State{StateSuccess}}),
		{Kind: KindPayment, From: t0.AddDate(0, 0, -3), To: t0.AddDate(0, 0, -3)}, // one day
	} {
		want := want(all, q)
		for _, n := range []int{1, 37, 5000} {
			if got := pages(t, s, q, n); len(want) == 0 || !slices.Equal(got, want) {
				t.Fatalf("%+v by %d: got %d rows, want %d", q, n, len(got), len(want))
			}
		}
	}
	// A filter value with no code (a typo) finds nothing rather than everything.
	for _, q := range []Query{month(Query{Kind: "payments"}), month(Query{States: []State{"paid"}}), month(Query{Method: "cash"})} {
		if rows, next, err := s.Page(q, nil, 10); err != nil || len(rows) != 0 || next != nil {
			t.Fatalf("%+v: %d rows, %v", q, len(rows), err)
		}
	}
	if _, _, err := s.Page(month(Query{}), nil, 0); err == nil {
		t.Fatal("a page of 0 rows")
	}
}

// Scrolling back up: PageNewer from any row gives the rows just above it,
// in the list's order, and PageAt reads a window again from its first row.
func TestPagesReadUpwardsAndInPlace(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 3000, 4)
	uzqr(t, s, 40)
	all := allRows(t, s)
	for _, q := range []Query{
		month(Query{}),
		month(Query{Kind: KindRefund}),
		month(Query{Provider: "uzqr"}),
		month(Query{Search: "5047"}),
		month(Query{Kind: KindPayment, Method: providers.MethodCard, Terminal: "31452961"}),
	} {
		want := want(all, q)
		rows := make(map[ID]Row)
		for _, r := range all {
			rows[r.ID] = r
		}
		for _, n := range []int{1, 37, 5000} {
			// From the oldest row up to the newest, n at a time.
			var got []ID
			var before Cursor
			for {
				page, more, err := s.PageNewer(q, before, n)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > n || (more && len(page) != n) {
					t.Fatalf("%+v: %d rows for %d asked, more %v", q, len(page), n, more)
				}
				ids := make([]ID, len(page))
				for i, r := range page {
					ids[i] = r.ID
				}
				got = append(ids, got...)
				if !more {
					break
				}
				before = CursorAt(page[0])
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%+v upwards by %d: %d rows, want %d", q, n, len(got), len(want))
			}
		}
		// Up from the middle: exactly the rows above it.
		mid := len(want) / 2
		page, more, err := s.PageNewer(q, CursorAt(rows[want[mid]]), 10)
		if err != nil {
			t.Fatal(err)
		}
		above := want[max(mid-10, 0):mid]
		if ids := idsOf(page); !slices.Equal(ids, above) || more != (mid > 10) {
			t.Fatalf("%+v: above row %d got %v (more %v), want %v", q, mid, ids, more, above)
		}
		// In place: from a row, that row included.
		page, _, err = s.PageAt(q, CursorAt(rows[want[mid]]), 5)
		if err != nil {
			t.Fatal(err)
		}
		if ids := idsOf(page); !slices.Equal(ids, want[mid:min(mid+5, len(want))]) {
			t.Fatalf("%+v: at row %d got %v", q, mid, ids)
		}
	}
	if _, _, err := s.PageNewer(month(Query{}), nil, 0); err == nil {
		t.Fatal("a page of 0 rows")
	}
	if _, _, err := s.PageNewer(Query{From: t0.AddDate(0, 0, -40), To: t0}, nil, 10); !errors.Is(err, ErrPeriodTooLong) {
		t.Fatalf("a 41-day period read upwards: %v", err)
	}
}

func idsOf(rows []Row) []ID {
	ids := make([]ID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}

// Sources are exactly the providers and terminals in the period.
func TestSourcesAreThoseOfThePeriod(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 3000, 5)
	uzqr(t, s, 40)
	all := allRows(t, s)
	for _, q := range []Query{month(Query{}), {From: t0, To: t0}, {From: t0.AddDate(0, 0, -200), To: t0.AddDate(0, 0, -190)}} {
		var want []Source
		for _, r := range all {
			if inPeriod(q, r.Created) {
				want = append(want, Source{r.Provider, r.Terminal})
			}
		}
		slices.SortFunc(want, func(a, b Source) int {
			return strings.Compare(a.Provider+"\x00"+a.Terminal, b.Provider+"\x00"+b.Terminal)
		})
		want = slices.Compact(want)
		got, err := s.Sources(q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s–%s: got %v, want %v", q.From.Format("02.01"), q.To.Format("02.01"), got, want)
		}
	}
	if _, err := s.Sources(Query{From: t0.AddDate(0, 0, -35), To: t0}); !errors.Is(err, ErrPeriodTooLong) {
		t.Fatalf("36 days: %v", err)
	}
}

func TestRefundRowsLinkToTheirPayment(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 1500, 6)
	rows, _, err := s.Page(month(Query{Kind: KindRefund}), nil, 1000)
	if err != nil || len(rows) == 0 {
		t.Fatalf("%d refunds, %v", len(rows), err)
	}
	for _, r := range rows {
		p, err := s.Get(r.PaymentID)
		if err != nil || p.Kind != KindPayment || p.Provider != r.Provider || p.TransactionID != r.Number || r.Amount.Minor > p.Amount.Minor {
			t.Fatalf("refund %s links to %+v (%v)", r.Receipt(), p, err)
		}
		// The payment's number finds its refunds on the Refunds tab too.
		found, _, _ := s.Page(month(Query{Kind: KindRefund, Search: p.TransactionID}), nil, 100)
		if !slices.ContainsFunc(found, func(f Row) bool { return f.ID == r.ID }) {
			t.Fatalf("searching %s on the Refunds tab misses refund %s", p.TransactionID, r.Receipt())
		}
	}
}

func TestTotalsEqualABruteForceSum(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 3000, 2)
	uzqr(t, s, 40)
	all := allRows(t, s)
	for _, q := range []Query{
		month(Query{}),
		month(Query{Method: providers.MethodQR}),
		month(Query{Terminal: "31452960"}),
		month(Query{Kind: KindPayment}),
		month(Query{Provider: "uzqr"}),
		month(Query{Search: "3072"}),
		month(Query{Search: "5"}),
		{From: t0.AddDate(0, 0, -34), To: t0},
	} {
		for _, c := range []providers.Currency{providers.KZT, providers.UZS} {
			want := Totals{Paid: providers.New(0, c), Refunded: providers.New(0, c)}
			both := q
			both.Kind = "" // totals count both kinds on either tab
			for _, r := range all {
				if r.State == StateSuccess && r.Amount.Currency.Code == c.Code && inPeriod(q, r.Created) &&
					both.matches(r) && (q.Search == "" || r.hasPrefix(q.Search)) {
					want.add(r.Kind, 1, r.Amount.Minor)
				}
			}
			got, err := s.Totals(q, c)
			if err != nil || got != want {
				t.Fatalf("%+v in %s: totals %+v, want %+v (%v)", q, c.Code, got, want, err)
			}
			if got.Net() != want.Paid.Sub(want.Refunded) {
				t.Fatal("net")
			}
		}
	}
	if got, _ := s.Totals(month(Query{}), providers.KZT); got.Payments == 0 || got.Refunds == 0 {
		t.Fatalf("the data has no payments or refunds to sum: %+v", got)
	}
	if got, _ := s.Totals(month(Query{States: []State{StateFailed}}), providers.KZT); got.Payments != 0 {
		t.Fatalf("failed payments counted as money: %+v", got)
	}
}

func TestPeriodLimit(t *testing.T) {
	s, _ := openTemp(t)
	q := Query{From: t0.AddDate(0, 0, -34), To: t0}
	if err := q.Validate(); err != nil || q.Days() != 35 {
		t.Fatalf("35 days: %v (%d)", err, q.Days())
	}
	if _, _, err := s.Page(q, nil, 10); err != nil {
		t.Fatalf("35 days: %v", err)
	}
	q.From = q.From.AddDate(0, 0, -1)
	var long *PeriodTooLongError
	if err := q.Validate(); !errors.As(err, &long) || long.Days != 36 || long.Max != MaxPeriod || !errors.Is(err, ErrPeriodTooLong) {
		t.Fatalf("36 days: %v", err)
	}
	if _, _, err := s.Page(q, nil, 10); !errors.Is(err, ErrPeriodTooLong) {
		t.Fatalf("36 days: %v", err)
	}
	if _, err := s.Totals(q, providers.KZT); !errors.Is(err, ErrPeriodTooLong) {
		t.Fatalf("36 days totals: %v", err)
	}
	if _, err := s.WriteCSV(&bytes.Buffer{}, q, CSVFormat{}); !errors.Is(err, ErrPeriodTooLong) {
		t.Fatalf("36 days export: %v", err)
	}
	// Inclusive whole days: the clock time in From and To does not count.
	late := Query{From: time.Date(2026, 3, 1, 23, 59, 0, 0, time.Local), To: time.Date(2026, 4, 4, 0, 1, 0, 0, time.Local)}
	if err := late.Validate(); err != nil || late.Days() != 35 {
		t.Fatalf("1 March to 4 April: %v (%d days)", err, late.Days())
	}
	if err := (Query{From: t0, To: t0.AddDate(0, 0, -1)}).Validate(); !errors.Is(err, ErrPeriodBackwards) {
		t.Fatal("backwards period accepted")
	}
	if err := (Query{To: t0}).Validate(); !errors.Is(err, ErrNoPeriod) {
		t.Fatal("a period without a first day accepted")
	}
}

func TestSearchByPrefixOfAnyNumber(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 5000, 3)
	all := allRows(t, s)
	var target Row
	for _, r := range all {
		if r.Kind == KindPayment && r.Number != "" && inPeriod(month(Query{}), r.Created) {
			target = r
			break
		}
	}
	for _, search := range []string{
		target.Number, target.Number[:len(target.Number)-1], target.Receipt(), target.Ref,
		"5",   // the first digit typed: every QR payment number
		"30",  // card payments
		"004", // receipts 004000–004999 and nothing else
		"0049",
	} {
		q := month(Query{Search: search})
		want := want(all, q)
		if len(want) == 0 || target.hasPrefix(search) && !slices.Contains(want, target.ID) {
			t.Fatalf("search %q: the oracle found %d rows", search, len(want))
		}
		// By the index, by the period, and as a prefix's length decides.
		for _, walk := range []int{1 << 30, 0, maxIndexWalk, 2000} {
			defer func(was int) { maxIndexWalk = was }(maxIndexWalk)
			maxIndexWalk = walk
			for _, n := range []int{50, 100000} {
				if got := pages(t, s, q, n); !slices.Equal(got, want) {
					t.Fatalf("search %q by %d, index walk %d: %d rows, want %d", search, n, walk, len(got), len(want))
				}
			}
		}
	}
	// An exact receipt number finds that one operation.
	rows, next, err := s.Page(month(Query{Search: target.Receipt()}), nil, 10)
	if err != nil || len(rows) != 1 || rows[0].ID != target.ID || next != nil {
		t.Fatalf("receipt %s: %+v %v", target.Receipt(), rows, err)
	}
	// The period still applies to a search.
	if rows, _, _ := s.Page(Query{Search: target.Number, From: t0.AddDate(1, 0, 0), To: t0.AddDate(1, 0, 0)}, nil, 10); len(rows) != 0 {
		t.Fatal("a search found a row outside its period")
	}
}

// Latest finds a number outside the period: the newest row with it.
func TestLatestFindsANumberInAnyPeriod(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 5000, 8)
	all := allRows(t, s)
	old := all[len(all)-10] // weeks before the month below
	q := Query{From: t0, To: t0, Search: old.Receipt()}
	if rows, _, _ := s.Page(q, nil, 10); len(rows) != 0 {
		t.Fatal("the test wants a row outside the period")
	}
	for _, search := range []string{old.Receipt(), old.Number, "0000"} {
		q.Search = search
		want := want(all, Query{From: t0.AddDate(-1, 0, 0), To: t0, Search: search})[0] // newest first
		r, ok, err := s.Latest(q)
		if err != nil || !ok || r.ID != want {
			t.Fatalf("%s: %v %v %v, want %v", search, r.ID, ok, err, want)
		}
	}
	q.Search, q.Kind = "0", KindRefund
	if r, ok, _ := s.Latest(q); !ok || r.Kind != KindRefund {
		t.Fatalf("the newest refund by receipt: %+v", r)
	}
	q.Kind, q.Search = "", "99999999999"
	if _, ok, err := s.Latest(q); ok || err != nil {
		t.Fatalf("a number nobody has: %v %v", ok, err)
	}
}

// An operation's numbers change as it goes on: the indexes must follow,
// and keep nothing that points at it by a number it no longer has.
func TestIndexesFollowChanges(t *testing.T) {
	s, _ := openTemp(t)
	op := NewPayment("kaspi", tenge(500), "", false, t0)
	s.Create(&op)
	op.Started(providers.Status{Ref: "111"}, t0)
	s.Save(&op)
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: "999"}, t0)
	s.Save(&op)
	q := month(Query{Search: "9"})
	if rows, _, _ := s.Page(q, nil, 10); len(rows) != 1 || rows[0].State != StateSuccess {
		t.Fatalf("search after success: %+v", rows)
	}
	tot, _ := s.Totals(month(Query{}), providers.KZT)
	if tot.Payments != 1 || tot.Paid != tenge(500) {
		t.Fatalf("totals count the operation once, as it is now: %+v", tot)
	}
	// The provider corrects the number and the process is restarted.
	op.TransactionID, op.Ref = "777", "222"
	s.Save(&op)
	for _, stale := range []string{"999", "111"} {
		if rows, _, _ := s.Page(month(Query{Search: stale}), nil, 10); len(rows) != 0 {
			t.Fatalf("search %q still finds %+v", stale, rows)
		}
		if _, err := s.ByReference("kaspi", stale); !errors.Is(err, ErrNotFound) {
			t.Fatalf("ByReference(%q) still finds it: %v", stale, err)
		}
	}
	for _, now := range []string{"777", "222"} {
		if got, err := s.ByReference("kaspi", now); err != nil || got.ID != op.ID {
			t.Fatalf("ByReference(%q): %v", now, err)
		}
	}
	// Even a moved creation time leaves nothing behind in the old day.
	op.Created = t0.AddDate(0, 0, -3)
	s.Save(&op)
	if rows, _, _ := s.Page(Query{From: t0, To: t0}, nil, 10); len(rows) != 0 {
		t.Fatalf("the old day still lists %+v", rows)
	}
	if tot, _ := s.Totals(Query{From: t0, To: t0}, providers.KZT); tot.Payments != 0 {
		t.Fatalf("the old day still counts it: %+v", tot)
	}
	if rows, _, _ := s.Page(month(Query{Search: "777"}), nil, 10); len(rows) != 1 || !rows[0].Created.Equal(op.Created) {
		t.Fatalf("moved: %+v", rows)
	}
}

// lifecycle writes ops the way the till does, Create and then a Save per
// change, including numbers that change; it returns each final version.
func lifecycle(t *testing.T, s *Store, n int) []Operation {
	t.Helper()
	var final []Operation
	for i := range n {
		at := t0.Add(-time.Duration(n-i) * 37 * time.Minute)
		var op Operation
		if i%5 == 4 {
			op = NewRefund(final[i-1], tenge(10), "", at)
		} else {
			op = NewPayment("kaspi", tenge(int64(100+i)), "", false, at)
		}
		save := func() {
			t.Helper()
			if err := s.Save(&op); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Create(&op); err != nil {
			t.Fatal(err)
		}
		op.Started(providers.Status{Ref: fmt.Sprintf("p%d", i)}, at)
		save()
		switch i % 4 {
		case 0:
			op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR,
				TransactionID: fmt.Sprintf("50%d", i), Cheque: &providers.Cheque{TerminalID: "T1"}}, at)
		case 1:
			op.ApplyStatus(providers.Status{State: providers.StateUnknown}, at)
			save()
			op.ApplyStatus(providers.Status{State: providers.StateFail}, at)
		case 2:
			op.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: fmt.Sprintf("old%d", i)}, at)
			save()
			op.TransactionID, op.Ref = fmt.Sprintf("30%d", i), fmt.Sprintf("q%d", i)
			op.Cheque = &providers.Cheque{TerminalID: "T2"}
		case 3:
			op.NeedsCheck("lost", at)
			save()
			if err := op.Checked(Check{At: at, Paid: true, Note: "in the POS history"}, fmt.Sprintf("70%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		save()
		final = append(final, op)
	}
	return final
}

// dump is every bucket's keys and values.
func dump(t *testing.T, s *Store) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				m[string(name)+"/"+string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A file bulk-loaded by Batch is the same, byte for byte, as one written
// by the till one Save at a time: no index keeps an entry for a number an
// operation had along the way.
func TestBatchWritesWhatCreateAndSaveWrite(t *testing.T) {
	one, _ := openTemp(t)
	final := lifecycle(t, one, 60)
	bulk, _ := openTemp(t)
	if err := bulk.SetTill(one.Till()); err != nil {
		t.Fatal(err)
	}
	err := bulk.Batch(func(create func(*Operation) error) error {
		for _, op := range final {
			op.ID = 0
			if err := create(&op); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a, b := dump(t, one), dump(t, bulk)
	for _, k := range []string{settingJournalID, settingJournalSeq} { // each file's own journal
		delete(a, "settings/"+k)
		delete(b, "settings/"+k)
	}
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%q: one by one %x, bulk %x", k, v, b[k])
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			t.Errorf("%q only in the bulk file", k)
		}
	}
	q := month(Query{})
	if !slices.Equal(pages(t, one, q, 7), pages(t, bulk, q, 7)) {
		t.Fatal("pages differ")
	}
}

func TestCSVParsesBack(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 3000, 4)
	uzqr(t, s, 40)
	defer func(was int) { csvChunk = was }(csvChunk)
	csvChunk = 100 // several read transactions per export
	all := allRows(t, s)
	byID := map[ID]Row{}
	for _, r := range all {
		byID[r.ID] = r
	}
	formats := []CSVFormat{{}, {Comma: ';', DecimalComma: true}}
	for i, q := range []Query{month(Query{Kind: KindRefund}), month(Query{Kind: KindPayment}), month(Query{Provider: "uzqr"}), month(Query{Search: "5"})} {
		f := formats[i%2]
		var buf bytes.Buffer
		n, err := s.WriteCSV(&buf, q, f)
		if err != nil || n == 0 {
			t.Fatalf("%+v: %d rows, %v", q, n, err)
		}
		if !strings.HasPrefix(buf.String(), "\ufeff") {
			t.Fatal("no BOM")
		}
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
		if f.Comma != 0 {
			cr.Comma = f.Comma
		}
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], CSVHeader) || len(recs) != n+1 {
			t.Fatalf("header %v, %d records for %d rows", recs[0], len(recs), n)
		}
		ids := want(all, q)
		slices.Reverse(ids) // a statement reads oldest first
		if len(ids) != n {
			t.Fatalf("%+v: %d rows, want %d", q, n, len(ids))
		}
		for i, rec := range recs[1:] {
			r := byID[ids[i]]
			orig := ""
			if r.PaymentID != 0 {
				orig = r.PaymentID.Receipt()
			}
			when, err := time.Parse(time.RFC3339, rec[0])
			if err != nil || !when.Equal(r.Created.Truncate(time.Second)) {
				t.Fatalf("time %q for %v", rec[0], r.Created)
			}
			amount := r.Amount.Major()
			if f.DecimalComma {
				amount = strings.Replace(amount, ".", ",", 1)
			}
			wantRec := []string{rec[0], string(r.Kind), amount, r.Amount.Currency.Code, string(r.State),
				r.Provider, r.Terminal, r.Receipt(), r.Number, string(r.Method), orig, "", "", "", ""}
			if !slices.Equal(rec, wantRec) {
				t.Fatalf("record %v, want %v", rec, wantRec)
			}
			if r.Kind == KindRefund && orig == "" {
				t.Fatalf("refund %v without its payment", rec)
			}
		}
	}
	var buf bytes.Buffer
	s.WriteCSV(&buf, month(Query{Provider: "uzqr"}), CSVFormat{})
	if !strings.Contains(buf.String(), ",100.01,UZS,") {
		t.Fatalf("soums not in major units with two decimals:\n%.300s", buf.String())
	}
	buf.Reset()
	s.WriteCSV(&buf, month(Query{Provider: "uzqr"}), CSVFormat{Comma: ';', DecimalComma: true})
	if !strings.Contains(buf.String(), ";100,01;UZS;") {
		t.Fatalf("soums for a Russian spreadsheet:\n%.300s", buf.String())
	}
}

func TestOldFilesGetSummaries(t *testing.T) {
	s, path := openTemp(t)
	history(t, s, 50, 5)
	// Forget the summaries, as a file written before them would.
	s.update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bSummary, bNumbers, bDays} {
			tx.DeleteBucket(b)
			tx.CreateBucket(b)
		}
		return nil
	})
	s.Close()
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	rows, _, _ := s2.Page(month(Query{}), nil, 100)
	if len(rows) != 50 {
		t.Fatalf("%d rows after the backfill", len(rows))
	}
}

// A refund with a number of its own is found by its payment's receipt and
// payment numbers too, and a search's totals count it with its payment.
func TestRefundsAreFoundByTheirPaymentsNumbers(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 300, 9)
	p := NewPayment("kaspi", tenge(12500), "", false, t0.Add(-time.Hour))
	s.Create(&p)
	p.Started(providers.Status{Ref: "pp"}, p.Created)
	p.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: "777000111"}, p.Created)
	s.Save(&p)
	r := NewRefund(p, tenge(5000), "", t0.Add(-time.Minute))
	if err := s.CreateRefund(&r); err != nil {
		t.Fatal(err)
	}
	r.Started(providers.Status{Ref: "rr"}, r.Created)
	r.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: "777000999"}, r.Created)
	s.Save(&r)
	all := allRows(t, s)
	for _, search := range []string{"777000111", "7770001", p.Receipt()} {
		q := Query{Kind: KindRefund, From: t0, To: t0, Search: search}
		for _, walk := range []int{maxIndexWalk, 0} { // by the index, and by the period
			defer func(was int) { maxIndexWalk = was }(maxIndexWalk)
			maxIndexWalk = walk
			rows, _, err := s.Page(q, nil, 10)
			if err != nil || len(rows) != 1 || rows[0].ID != r.ID || !slices.Equal(idsOf(rows), want(all, q)) {
				t.Fatalf("refunds by %q (walk %d): %+v %v", search, walk, rows, err)
			}
		}
		tot, err := s.Totals(Query{From: t0, To: t0, Search: search}, providers.KZT)
		if err != nil || tot.Payments != 1 || tot.Refunds != 1 || tot.Net().Minor != 7500 {
			t.Fatalf("totals of %q: %+v %v", search, tot, err)
		}
	}
}

// A file from before refunds carried their payment's numbers: its refunds
// are indexed by them once, when it is opened.
func TestOlderRefundSummariesAreUpgraded(t *testing.T) {
	s, path := openTemp(t)
	p := NewPayment("kaspi", tenge(12500), "", false, t0)
	s.Create(&p)
	p.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: "777000111"}, t0)
	s.Save(&p)
	r := NewRefund(p, tenge(5000), "", t0)
	s.CreateRefund(&r)
	r.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: "777000999"}, t0)
	s.Save(&r)
	// Write the refund's summary and index as the older layout did.
	s.update(func(tx *bolt.Tx) error {
		row := RowOf(r)
		if err := unindexRow(tx, Row{ID: r.ID, Created: r.Created, Kind: KindRefund, State: r.State, Provider: r.Provider,
			Method: r.Method, Amount: r.Amount, PaymentID: r.PaymentID, Number: row.Number, Ref: row.Ref, PaymentNumber: "777000111"}); err != nil {
			return err
		}
		old := encodeRow(row)
		old = old[:len(old)-1] // no payment number at all
		tx.Bucket(bSummary).Put(timeKey(r.Created, r.ID), old)
		idx := tx.Bucket(bNumbers)
		for _, n := range []string{row.Receipt(), row.Number} {
			idx.Put(numberKey(n, r.ID), timeKey(r.Created, r.ID))
		}
		addDay(tx, row, 1)
		return tx.Bucket(bSettings).Delete([]byte("summary_version"))
	})
	q := Query{Kind: KindRefund, From: t0, To: t0, Search: "777000111"}
	if rows, _, _ := s.Page(q, nil, 10); len(rows) != 0 {
		t.Fatal("the older layout should not find the refund by its payment's number")
	}
	s.Close()
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if !s2.NeedsUpgrade() {
		t.Fatal("an older file does not say it needs the upgrade")
	}
	if err := s2.Upgrade(); err != nil || s2.NeedsUpgrade() {
		t.Fatalf("upgrade: %v, still needed %v", err, s2.NeedsUpgrade())
	}
	rows, _, err := s2.Page(q, nil, 10)
	if err != nil || len(rows) != 1 || rows[0].ID != r.ID || rows[0].PaymentNumber != "777000111" {
		t.Fatalf("after the upgrade: %+v %v", rows, err)
	}
	tot, _ := s2.Totals(Query{From: t0, To: t0}, providers.KZT)
	if tot.Refunds != 1 || tot.Refunded.Minor != 5000 {
		t.Fatalf("day totals after the upgrade: %+v", tot)
	}
}

// The header and the coded values in the reader's words, where the
// format gives them; a value it has no word for stays a code.
func TestCSVInTheReadersWords(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 200, 9)
	header := []string{"Время", "Вид", "Сумма", "Валюта", "Статус", "Провайдер", "Терминал/QR", "Чек", "Номер платежа", "Способ", "По чеку",
		"Фискальный статус", "Фискальный чек", "Фискальный признак", "QR фискального чека"}
	f := CSVFormat{Comma: ';', DecimalComma: true, Labels: CSVLabels{
		Header:    header,
		Kinds:     map[Kind]string{KindPayment: "Оплата", KindRefund: "Возврат"},
		States:    map[State]string{StateSuccess: "выполнена"},
		Methods:   map[providers.Method]string{providers.MethodQR: "Kaspi QR", providers.MethodCard: "Карта"},
		Providers: map[string]string{"kaspi": "Kaspi Smart POS"},
	}}
	var buf bytes.Buffer
	n, err := s.WriteCSV(&buf, month(Query{}), f)
	if err != nil || n == 0 {
		t.Fatalf("%d rows, %v", n, err)
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], header) {
		t.Fatalf("header %q", recs[0])
	}
	seen := map[string]bool{}
	for _, rec := range recs[1:] {
		for _, v := range []string{rec[1], rec[4], rec[5], rec[9]} {
			seen[v] = true
		}
	}
	for _, w := range []string{"Оплата", "Возврат", "выполнена", "Kaspi Smart POS", "Kaspi QR", "Карта"} {
		if !seen[w] {
			t.Errorf("no %q in the file", w)
		}
	}
	for _, code := range []string{"payment", "refund", "success", "kaspi", "qr", "card"} {
		if seen[code] {
			t.Errorf("the code %q is written for a reader who has a word for it", code)
		}
	}
	if !seen[string(StateFailed)] {
		t.Error("a state with no word is not written as its code")
	}
}

// A method is named as its provider calls it: a UzQR payment by QR is
// "UzQR", not "Kaspi QR"; soums keep their tiyin.
func TestCSVNamesTheProvidersMethod(t *testing.T) {
	s, _ := openTemp(t)
	op := NewPayment("uzqr", providers.New(1500050, providers.UZS), "", false, t0)
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	op.Started(providers.Status{Ref: "INVC1"}, t0)
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: "271828182845"}, t0)
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	f := CSVFormat{Comma: ';', DecimalComma: true, Labels: CSVLabels{
		Methods:         map[providers.Method]string{providers.MethodQR: "Kaspi QR"},
		ProviderMethods: map[string]string{"uzqr/qr": "UzQR"},
	}}
	var buf bytes.Buffer
	if _, err := s.WriteCSV(&buf, month(Query{}), f); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, ";UzQR;") || strings.Contains(out, "Kaspi QR") || !strings.Contains(out, "15000,50") {
		t.Fatalf("%s", out)
	}
}

// octoPaid writes a paid OCTO payment at, its fiscal receipt as the
// tracker leaves it: registered (fiscal), still asked for, or given up on.
func octoPaid(t *testing.T, s *Store, at time.Time, fiscal *providers.Fiscal, missing bool) Operation {
	t.Helper()
	op := NewPayment("octo", providers.New(1_500_000, providers.UZS), "Dilnoza", false, at)
	op.FiscalWanted = true
	op.Sale = &providers.Sale{Product: "Non", Contact: "+998901234567"}
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	op.Started(providers.Status{Ref: fmt.Sprintf("uuid-%d", op.ID)}, at)
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: fmt.Sprintf("uuid-%d", op.ID), Fiscal: fiscal}, at.Add(time.Minute))
	if missing {
		op.FiscalMissing = at.Add(11 * time.Minute)
	}
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	return op
}

// The fiscal columns: how the receipt stands in the reader's words, and a
// registered one's receipt id, sign and QR link; a payment of a provider
// that registers none, and a refund, leave them empty.
func TestCSVFiscalColumns(t *testing.T) {
	s, _ := openTemp(t)
	f := &providers.Fiscal{TerminalID: "EZ000000000001", ReceiptID: "4821", DateTime: "20261123101500", FiscalSign: "384729104857",
		QRCodeURL: "https://ofd.soliq.uz/check?t=EZ000000000001&r=4821&c=20261123101500&s=384729104857"}
	done := octoPaid(t, s, t0, f, false)
	octoPaid(t, s, t0.Add(time.Minute), nil, false)
	octoPaid(t, s, t0.Add(2*time.Minute), nil, true)
	kaspi := NewPayment("kaspi", providers.New(500, providers.KZT), "", false, t0.Add(3*time.Minute))
	s.Create(&kaspi)
	kaspi.Started(providers.Status{Ref: "p"}, kaspi.Created)
	kaspi.ApplyStatus(providers.Status{State: providers.StateSuccess}, kaspi.Created)
	s.Save(&kaspi)
	r := NewRefund(done, providers.New(500_000, providers.UZS), "Dilnoza", t0.Add(4*time.Minute))
	if err := s.CreateRefund(&r); err != nil {
		t.Fatal(err)
	}
	labels := CSVLabels{Fiscal: map[FiscalMark]string{FiscalPending: "ожидается", FiscalMissing: "не фискализирован"}}
	var buf bytes.Buffer
	if _, err := s.WriteCSV(&buf, month(Query{}), CSVFormat{Labels: labels}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"done", "4821", "384729104857", f.QRCodeURL}, // no word for it: the code
		{"ожидается", "", "", ""},
		{"не фискализирован", "", "", ""},
		{"", "", "", ""},
		{"", "", "", ""},
	}
	if len(recs) != len(want)+1 || !slices.Equal(recs[0][11:], []string{"fiscal_state", "fiscal_receipt", "fiscal_sign", "fiscal_qr"}) {
		t.Fatalf("%d records, header %q", len(recs), recs[0])
	}
	for i, w := range want {
		if got := recs[i+1][11:]; !slices.Equal(got, w) {
			t.Errorf("row %d (%s): %q, want %q", i+1, recs[i+1][5], got, w)
		}
	}
}

// The export reads an operation's record only for a registered fiscal
// receipt: every other row is written from its summary alone.
func TestCSVReadsOnlyTheFiscalReceiptsRecords(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 300, 3)
	octoPaid(t, s, t0, nil, true)
	damage := func(pick func(Operation) bool) {
		t.Helper()
		err := s.update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bOperations)
			var keys [][]byte
			b.ForEach(func(k, v []byte) error {
				var op Operation
				if decodeOp(v, &op) == nil && pick(op) {
					keys = append(keys, bytes.Clone(k))
				}
				return nil
			})
			for _, k := range keys {
				if err := b.Put(k, []byte("{damaged")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	damage(func(Operation) bool { return true })
	n, err := s.WriteCSV(io.Discard, month(Query{}), CSVFormat{})
	if err != nil || n != 301 {
		t.Fatalf("without a registered fiscal receipt: %d rows, %v", n, err)
	}
	f := &providers.Fiscal{ReceiptID: "1"}
	done := octoPaid(t, s, t0.Add(time.Minute), f, false)
	damage(func(op Operation) bool { return op.ID == done.ID })
	if _, err := s.WriteCSV(io.Discard, month(Query{}), CSVFormat{}); err == nil {
		t.Fatal("a registered fiscal receipt's record was not read")
	}
}

// A filter that matches on a few days only skips the others by their day
// totals, in both directions, and finds every row still when the zone's
// rules have moved a row's local day since it was counted.
func TestQuietDaysAreSkippedAndNothingElse(t *testing.T) {
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	time.Local = time.FixedZone("+05", 5*3600)
	s, path := openTemp(t)
	history(t, s, 3000, 6)
	// Late in the evening on two days, amid some 150 rows a day.
	for i, back := range []int{20, 20, 5} {
		d := day(t0.AddDate(0, 0, -back))
		at := d.Add(23*time.Hour + time.Duration(10*i)*time.Minute)
		op := NewPayment("octo", providers.New(int64(100000+i), providers.UZS), "", false, at)
		op.Started(providers.Status{Ref: fmt.Sprintf("octo-%d", i)}, at)
		op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodCard,
			TransactionID: fmt.Sprintf("77%04d", i), Cheque: &providers.Cheque{TerminalID: "OCTO_1"}}, at)
		if err := s.Create(&op); err != nil {
			t.Fatal(err)
		}
	}
	queries := []Query{
		month(Query{Provider: "octo"}),
		month(Query{Terminal: "OCTO_1", Kind: KindPayment}),
		month(Query{Terminal: "no such terminal"}),
		month(Query{Provider: "octo", States: []State{StateFailed}}),
	}
	check := func(zone string) {
		all := allRows(t, s)
		for _, q := range queries {
			want := want(all, q)
			if got := pages(t, s, q, 2); !slices.Equal(got, want) {
				t.Fatalf("%s, %+v: got %v, want %v", zone, q, got, want)
			}
			var up []ID
			var before Cursor
			for {
				page, more, err := s.PageNewer(q, before, 2)
				if err != nil {
					t.Fatal(err)
				}
				up = append(idsOf(page), up...)
				if !more {
					break
				}
				before = CursorAt(page[0])
			}
			if !slices.Equal(up, want) {
				t.Fatalf("%s, %+v upwards: got %v, want %v", zone, q, up, want)
			}
		}
	}
	check("the zone they were counted in")
	if got := pages(t, s, queries[0], 10); len(got) != 3 {
		t.Fatalf("octo's payments: %v", got)
	}
	// Five hours east, 23:00 is the next day's 04:00: the day totals still
	// count it on the day before. The zone changes with the file closed:
	// its journal's applier reads it.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	time.Local = time.FixedZone("+10", 10*3600)
	var err error
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	check("five hours east")
}

// A search asked again after a write sees the write: the index's answer
// remembered for the page's totals is the file's of that moment only.
func TestASearchAgainSeesWhatWasWritten(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 300, 7)
	q := month(Query{Search: "50470"})
	before, _, err := s.Page(q, nil, 500)
	if err != nil || len(before) == 0 {
		t.Fatal(err, len(before))
	}
	totalsBefore, err := s.Totals(q, providers.KZT)
	if err != nil {
		t.Fatal(err)
	}
	op := NewPayment("kaspi", tenge(700), "", false, t0)
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	op.Started(providers.Status{Ref: "17950999"}, t0)
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: "504709999"}, t0)
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	after, _, err := s.Page(q, nil, 500)
	if err != nil || len(after) != len(before)+1 || after[0].ID != op.ID {
		t.Fatalf("after a matching payment: %d rows (before %d), %v", len(after), len(before), err)
	}
	totals, err := s.Totals(q, providers.KZT)
	if err != nil || totals.Payments != totalsBefore.Payments+1 || totals.Paid != totalsBefore.Paid.Add(tenge(700)) {
		t.Fatalf("totals %+v, before the payment %+v, %v", totals, totalsBefore, err)
	}
}
