package store

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
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
				r.Started(providers.Started{Ref: fmt.Sprintf("r%d", i)}, at)
				r.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: p.TransactionID,
					Cheque: &providers.Cheque{TerminalID: p.Cheque.TerminalID}}, at)
				if err := create(&r); err != nil {
					return err
				}
				continue
			}
			op := NewPayment("kaspi", tenge(100+rnd.Int64N(50000)), "", false, at)
			op.Started(providers.Started{Ref: fmt.Sprintf("17950%08d", i)}, at)
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

func allRows(t *testing.T, s *Store) []Row {
	t.Helper()
	ops, err := s.Recent(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for _, op := range ops {
		rows = append(rows, RowOf(op))
	}
	return rows
}

func month(q Query) Query {
	q.From, q.To = t0.AddDate(0, 0, -29), t0
	return q
}

func TestPagesReturnEveryRowOnceNewestFirst(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 3000, 1)
	for _, q := range []Query{
		month(Query{Kind: KindPayment}),
		month(Query{Kind: KindRefund}),
		month(Query{Kind: KindPayment, Method: providers.MethodCard, Terminal: "31452961"}),
		month(Query{Kind: KindPayment, States: []State{StateFailed}}),
	} {
		var want []ID
		lo, hi := q.bounds()
		for _, r := range allRows(t, s) {
			k := r.key()
			if q.matches(r) && bytes.Compare(k, lo) >= 0 && bytes.Compare(k, hi) < 0 {
				want = append(want, r.ID)
			}
		}
		var got []ID
		var after Cursor
		for {
			rows, next, err := s.Page(q, after, 37)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if next == nil {
				break
			}
			after = next
		}
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Fatalf("%+v: got %d rows, want %d", q, len(got), len(want))
		}
	}
}

func TestTotalsEqualABruteForceSum(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 3000, 2)
	for _, q := range []Query{month(Query{}), month(Query{Method: providers.MethodQR}), month(Query{Terminal: "31452960"}), month(Query{Kind: KindPayment})} {
		want := Totals{Paid: tenge(0), Refunded: tenge(0)}
		lo, hi := q.bounds()
		both := q
		both.Kind = "" // totals count both kinds on either tab
		for _, r := range allRows(t, s) {
			k := r.key()
			if r.State == StateSuccess && both.matches(r) && bytes.Compare(k, lo) >= 0 && bytes.Compare(k, hi) < 0 {
				want.add(r.Kind, 1, r.Amount.Minor)
			}
		}
		got, err := s.Totals(q, providers.KZT)
		if err != nil || got != want || want.Payments == 0 || want.Refunds == 0 {
			t.Fatalf("%+v: totals %+v, want %+v (%v)", q, got, want, err)
		}
		if got.Net() != want.Paid.Sub(want.Refunded) {
			t.Fatal("net")
		}
	}
}

func TestPeriodLimit(t *testing.T) {
	s, _ := openTemp(t)
	q := Query{From: t0.AddDate(0, 0, -34), To: t0}
	if err := q.Validate(); err != nil || q.Days() != 35 {
		t.Fatalf("35 days: %v (%d)", err, q.Days())
	}
	q.From = q.From.AddDate(0, 0, -1)
	if _, _, err := s.Page(q, nil, 10); !errors.Is(err, ErrPeriodTooLong) {
		t.Fatalf("36 days: %v", err)
	}
	if _, err := s.WriteCSV(&bytes.Buffer{}, q); !errors.Is(err, ErrPeriodTooLong) {
		t.Fatalf("36 days export: %v", err)
	}
	if err := (Query{From: t0, To: t0.AddDate(0, 0, -1)}).Validate(); !errors.Is(err, ErrPeriodBackwards) {
		t.Fatal("backwards period accepted")
	}
}

func TestSearchByPrefixOfAnyNumber(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 2000, 3)
	rows := allRows(t, s)
	target := rows[len(rows)/3]
	for target.Number == "" || target.Created.Before(t0.AddDate(0, 0, -29)) {
		rows = rows[1:]
		target = rows[len(rows)/3]
	}
	for _, search := range []string{target.Number, target.Number[:len(target.Number)-1], target.Receipt(), target.Ref} {
		q := month(Query{Search: search})
		got, _, err := s.Page(q, nil, 50)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range got {
			found = found || r.ID == target.ID
			if !r.hasPrefix(search) {
				t.Fatalf("search %q returned %+v", search, r)
			}
		}
		if !found {
			t.Fatalf("search %q did not find receipt %s", search, target.Receipt())
		}
	}
}

// An operation's numbers change as it goes on: the index must follow.
func TestIndexesFollowChanges(t *testing.T) {
	s, _ := openTemp(t)
	op := NewPayment("kaspi", tenge(500), "", false, t0)
	s.Create(&op)
	op.Started(providers.Started{Ref: "111"}, t0)
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
}

func TestCSVParsesBack(t *testing.T) {
	s, _ := openTemp(t)
	history(t, s, 500, 4)
	var buf bytes.Buffer
	q := month(Query{Kind: KindRefund})
	n, err := s.WriteCSV(&buf, q)
	if err != nil || n == 0 {
		t.Fatalf("%d rows, %v", n, err)
	}
	if !strings.HasPrefix(buf.String(), "\ufeff") {
		t.Fatal("no BOM")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], CSVHeader) || len(recs) != n+1 {
		t.Fatalf("header %v, %d records for %d rows", recs[0], len(recs), n)
	}
	for _, r := range recs[1:] {
		if r[1] != "refund" || r[10] == "" || r[3] != "KZT" || strings.ContainsAny(r[2], " .") {
			t.Fatalf("record %v", r)
		}
		if _, err := time.Parse(time.RFC3339, r[0]); err != nil {
			t.Fatalf("time %q", r[0])
		}
	}
}

func TestOldFilesGetSummaries(t *testing.T) {
	s, path := openTemp(t)
	history(t, s, 50, 5)
	// Forget the summaries, as a file written before them would.
	s.db.Update(func(tx *bolt.Tx) error {
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
