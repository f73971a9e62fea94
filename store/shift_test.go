package store

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
)

// outcome is what shiftOps made of an operation, as a report counts it.
type outcome string

const (
	outPaid      outcome = "paid"
	outFailed    outcome = "failed" // declined or refused
	outCancelled outcome = "cancelled"
	outTimedOut  outcome = "timed_out"
	outUnknown   outcome = "unknown"
	outPending   outcome = "pending"
	outCheck     outcome = "check" // left for a person, not open
)

// counts is what a report should count of a set of operations, by the
// outcome the generator chose for each.
type counts struct {
	failed, cancelled, timedOut, unknown, open, needsPerson int
}

func (c *counts) add(o outcome) {
	switch o {
	case outFailed:
		c.failed++
	case outCancelled:
		c.cancelled++
	case outTimedOut:
		c.timedOut++
	case outUnknown:
		c.unknown++
		c.open++
	case outPending:
		c.open++
	case outCheck:
		c.needsPerson++
	}
}

func countsOf(t ShiftTotals) counts {
	return counts{t.Failed, t.Cancelled, t.TimedOut, t.Unknown, t.Open, t.NeedsPerson}
}

var shiftCashiers = []string{"Айгерім", "Данияр", ""}

// shiftOps writes n operations of every kind a report tells apart, one
// day after another from day at 09:00 up to 21:00 local time: two
// providers and currencies, both methods, three cashiers (one without a
// name), declines, refusals, withdrawals by the cashier and at the
// customer's time, timeouts, unknown outcomes, operations still pending
// and ones left for a person; refunds of payments in paid (any earlier
// shift's too), which it adds to. It returns what it made of each, by
// cashier.
func shiftOps(t *testing.T, s *Store, rnd *rand.Rand, paid *[]Operation, day time.Time, days, n int) map[string]*counts {
	t.Helper()
	by := map[string]*counts{}
	for _, c := range shiftCashiers {
		by[c] = &counts{}
	}
	step := time.Duration(days) * 12 * time.Hour / time.Duration(n)
	err := s.Batch(func(create func(*Operation) error) error {
		for i := range n {
			opened := time.Duration(i) * step
			at := day.AddDate(0, 0, int(opened/(12*time.Hour))).Add(9*time.Hour + opened%(12*time.Hour))
			cashier := shiftCashiers[rnd.IntN(len(shiftCashiers))]
			if len(*paid) > 0 && rnd.IntN(6) == 0 {
				p := (*paid)[rnd.IntN(len(*paid))]
				r := NewRefund(p, providers.New(1+rnd.Int64N(p.Amount.Minor), p.Amount.Currency), cashier, at)
				r.Started(providers.Status{Ref: fmt.Sprintf("r%d-%d", day.Day(), i)}, at)
				o := outPaid
				if rnd.IntN(10) == 0 {
					r.ApplyStatus(providers.Status{State: providers.StateFail}, at)
					o = outFailed
				} else {
					r.ApplyStatus(providers.Status{State: providers.StateSuccess}, at)
				}
				by[cashier].add(o)
				if err := create(&r); err != nil {
					return err
				}
				continue
			}
			provider, amount, method := "kaspi", tenge(100+rnd.Int64N(50000)), providers.MethodQR
			if rnd.IntN(4) == 0 {
				provider, amount = "uzqr", providers.New(100000+rnd.Int64N(9000000), providers.UZS)
			} else if rnd.IntN(3) == 0 {
				method = providers.MethodCard
			}
			op := NewPayment(provider, amount, cashier, false, at)
			o := outPaid
			switch r := rnd.IntN(40); {
			case r == 0:
				op.Refused(&providers.Error{Kind: providers.ErrBusy}, at)
				o = outFailed
			case r == 1:
				op.NeedsCheck(NoteNoAnswer, at)
				o = outCheck
			default:
				op.Started(providers.Status{Ref: fmt.Sprintf("p%d-%d", day.Day(), i)}, at)
				switch r {
				case 2, 3:
					op.ApplyStatus(providers.Status{State: providers.StateFail, Message: "declined"}, at)
					o = outFailed
				case 4:
					op.Withdrawn(NoteCancelled, at)
					o = outCancelled
				case 5:
					// Given up on (the provider could not withdraw it),
					// then ended by the provider: the cashier cancelled it.
					op.GiveUp(NoteCancelled, at)
					op.ApplyStatus(providers.Status{State: providers.StateFail}, at.Add(time.Minute))
					o = outCancelled
				case 6:
					op.Withdrawn(NoteExpired, at)
					o = outTimedOut
				case 7:
					op.TimedOut(at)
					o = outTimedOut
				case 8:
					op.ApplyStatus(providers.Status{State: providers.StateUnknown}, at)
					o = outUnknown
				case 9:
					o = outPending
				default:
					op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: method,
						TransactionID: fmt.Sprintf("t%d-%d", day.Day(), i)}, at)
				}
			}
			by[cashier].add(o)
			if o == outTimedOut && op.State == StateTimeout {
				// The till stopped waiting: still open, and a person's.
				by[cashier].open++
				by[cashier].needsPerson++
			}
			if err := create(&op); err != nil {
				return err
			}
			if op.State == StateSuccess {
				*paid = append(*paid, op)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return by
}

// localDay is a day at midnight local time: the history's days are local.
func localDay(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

// checkAgainstHistory fails unless sh's till totals are what the
// history's totals say for the days from..to, its cashiers add up to the
// till, and its counts are what the generator made.
func checkAgainstHistory(t *testing.T, s *Store, sh Shift, from, to time.Time, made map[string]*counts) {
	t.Helper()
	for _, c := range []providers.Currency{providers.KZT, providers.UZS} {
		h, err := s.Totals(Query{From: from, To: to}, c)
		if err != nil {
			t.Fatal(err)
		}
		got := Totals{Paid: providers.New(0, c), Refunded: providers.New(0, c)}
		for _, l := range sh.Total.Lines {
			if l.Paid.Currency.Code == c.Code {
				got.add(KindPayment, l.Payments, l.Paid.Minor)
				got.add(KindRefund, l.Refunds, l.Refunded.Minor)
				if l.Net != l.Paid.Sub(l.Refunded) {
					t.Errorf("%s/%s: net %v is not %v less %v", l.Provider, l.Method, l.Net, l.Paid, l.Refunded)
				}
			}
		}
		if got != h {
			t.Errorf("%s: the report's till totals %+v, the history's %+v", c.Code, got, h)
		}
		if h.Payments == 0 || h.Refunds == 0 {
			t.Fatalf("%s: nothing to compare: %+v", c.Code, h)
		}
	}
	// The cashiers add up to the till, line by line.
	sum := newTally("")
	var all counts
	for _, ct := range sh.Cashiers {
		for _, l := range ct.Lines {
			k := lineKey{l.Provider, l.Method, l.Paid.Currency.Code}
			if sum.lines[k] == nil {
				zero := providers.New(0, l.Paid.Currency)
				sum.lines[k] = &ShiftLine{Provider: l.Provider, Method: l.Method, Paid: zero, Refunded: zero, Net: zero}
			}
			m := sum.lines[k]
			m.Payments, m.Refunds = m.Payments+l.Payments, m.Refunds+l.Refunds
			m.Paid, m.Refunded, m.Net = m.Paid.Add(l.Paid), m.Refunded.Add(l.Refunded), m.Net.Add(l.Net)
		}
		c := countsOf(ct)
		all.failed += c.failed
		all.cancelled += c.cancelled
		all.timedOut += c.timedOut
		all.unknown += c.unknown
		all.open += c.open
		all.needsPerson += c.needsPerson
		if want := made[ct.Cashier]; want == nil || c != *want {
			t.Errorf("cashier %q: counts %+v, made %+v", ct.Cashier, c, want)
		}
	}
	if got, want := mustJSON(t, sum.totals().Lines), mustJSON(t, sh.Total.Lines); got != want {
		t.Errorf("the cashiers' lines add up to\n%s\nthe till's are\n%s", got, want)
	}
	if all != countsOf(sh.Total) {
		t.Errorf("the cashiers' counts add up to %+v, the till's are %+v", all, countsOf(sh.Total))
	}
	if len(sh.Cashiers) != len(shiftCashiers) {
		t.Errorf("cashiers %d, want %d", len(sh.Cashiers), len(shiftCashiers))
	}
	if sh.Total.Cancelled == 0 || sh.Total.TimedOut == 0 || sh.Total.Unknown == 0 || sh.Total.Failed == 0 || sh.Total.Open == 0 || sh.Total.NeedsPerson == 0 {
		t.Fatalf("the data lacks an outcome to count: %+v", countsOf(sh.Total))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestShiftReportsMatchTheHistory(t *testing.T) {
	s, _ := openTemp(t)
	rnd := rand.New(rand.NewPCG(5, 16))
	var paid []Operation
	d1 := localDay(2026, 11, 2)
	made1 := shiftOps(t, s, rnd, &paid, d1, 3, 1500)

	x1, err := s.XReport(d1.AddDate(0, 0, 2).Add(23 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if x1.Z != 0 || x1.Number != 1 || !x1.Started.IsZero() || x1.FirstReceipt != 1 || x1.LastReceipt != 1500 || x1.LastID != 1500 {
		t.Fatalf("first X: z %d, shift %d, started %v, receipts %d–%d, last id %d", x1.Z, x1.Number, x1.Started, x1.FirstReceipt, x1.LastReceipt, x1.LastID)
	}
	if !x1.First.Equal(d1.Add(9*time.Hour)) || x1.Operations() != 1500 {
		t.Fatalf("first operation at %v, %d operations", x1.First, x1.Operations())
	}
	checkAgainstHistory(t, s, x1, d1, d1.AddDate(0, 0, 2), made1)

	// An X changes nothing: the same report again, and the same file.
	before := dump(t, s)
	again, err := s.XReport(x1.At)
	if err != nil {
		t.Fatal(err)
	}
	if mustJSON(t, again) != mustJSON(t, x1) {
		t.Fatal("a second X differs from the first")
	}
	if after := dump(t, s); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatal("an X report changed the data file")
	}

	zAt := x1.At.Add(10 * time.Minute)
	z1, err := s.CloseShift("Мария", "", zAt)
	if err != nil {
		t.Fatal(err)
	}
	x1.At = zAt
	x1.Z, x1.ClosedBy = 1, "Мария"
	// The Z carries the hash of its own audit entry, the log's head.
	var head AuditEntry
	s.AuditEntries(time.Time{}, time.Time{}, "", func(e AuditEntry) bool { head = e; return true })
	if head.Kind != AuditZReport || head.Who != "Мария" || z1.AuditHead != head.Hash || head.Hash == "" {
		t.Errorf("the Z's audit head %q, the log's last entry %+v", z1.AuditHead, head)
	}
	x1.AuditHead = z1.AuditHead
	if mustJSON(t, z1) != mustJSON(t, x1) {
		t.Fatalf("the Z differs from the X before it:\n%s\n%s", mustJSON(t, z1), mustJSON(t, x1))
	}

	// The next shift starts from zero.
	empty, err := s.XReport(zAt.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if empty.Number != 2 || !empty.Started.Equal(zAt) || empty.Operations() != 0 || empty.LastID != 1500 ||
		len(empty.Total.Lines) != 0 || countsOf(empty.Total) != (counts{}) || len(empty.Cashiers) != 0 || empty.Long {
		t.Fatalf("the X after a Z: %s", mustJSON(t, empty))
	}

	// Two more days; refunds among them of the first shift's payments.
	d4 := d1.AddDate(0, 0, 3)
	made2 := shiftOps(t, s, rnd, &paid, d4, 2, 900)
	x2, err := s.XReport(d4.AddDate(0, 0, 1).Add(22 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if x2.FirstReceipt != 1501 || x2.LastReceipt != 2400 || x2.Number != 2 {
		t.Fatalf("second shift: receipts %d–%d, shift %d", x2.FirstReceipt, x2.LastReceipt, x2.Number)
	}
	checkAgainstHistory(t, s, x2, d4, d4.AddDate(0, 0, 1), made2)
	old := 0
	for id := x2.FirstReceipt; id <= x2.LastReceipt; id++ {
		if op, _ := s.Get(id); op.Kind == KindRefund && op.State == StateSuccess && op.PaymentID <= z1.LastID {
			old++
		}
	}
	if old == 0 {
		t.Fatal("no refund of the first shift's payments to count")
	}

	z2, err := s.CloseShift("", "", x2.At)
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range []Shift{z1, z2} {
		got, err := s.ZReport(z.Z)
		if err != nil {
			t.Fatal(err)
		}
		if mustJSON(t, got) != mustJSON(t, z) {
			t.Fatalf("Z %d reads back\n%s\nwritten\n%s", z.Z, mustJSON(t, got), mustJSON(t, z))
		}
	}
	list, err := s.ZReports(0)
	if err != nil || len(list) != 2 || list[0].Z != 2 || list[1].Z != 1 {
		t.Fatalf("Z reports: %d (%v)", len(list), err)
	}
	if one, _ := s.ZReports(1); len(one) != 1 || one[0].Z != 2 {
		t.Fatalf("the newest Z report: %+v", one)
	}
	if _, err := s.ZReport(3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Z 3: %v", err)
	}
}

// An operation created while the Z is made falls in exactly one shift:
// the Z's, or the next.
func TestZClosesExactlyItsShiftsOperations(t *testing.T) {
	s, _ := openTemp(t)
	const n = 200
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range n {
			op := NewPayment("kaspi", tenge(int64(100+i)), "Данияр", false, t0)
			op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR}, t0)
			if err := s.Create(&op); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var zs []Shift
	for range 5 {
		z, err := s.CloseShift("", "", t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		zs = append(zs, z)
	}
	wg.Wait()
	x, err := s.XReport(t0.Add(2 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var next ID = 1
	var sum int64
	count := 0
	for _, sh := range append(zs, x) {
		if sh.Operations() > 0 && sh.FirstReceipt != next {
			t.Fatalf("shift %d starts at %d, after %d", sh.Number, sh.FirstReceipt, next-1)
		}
		if sh.Operations() > 0 {
			next = sh.LastReceipt + 1
		}
		for _, l := range sh.Total.Lines {
			sum += l.Paid.Minor
			count += l.Payments
		}
	}
	// 100 + 101 + … + 299, each once.
	if count != n || sum != n*100+n*(n-1)/2 {
		t.Fatalf("the shifts hold %d payments of %d in all, want %d of %d", count, sum, n, n*100+n*(n-1)/2)
	}
}

// An operation still open at the Z is counted open there; when it settles
// later it moves into no other shift, and the stored Z stays as it was.
func TestOpenAtZStaysInItsShift(t *testing.T) {
	s, _ := openTemp(t)
	op := NewPayment("kaspi", tenge(5000), "", false, t0)
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	op.Started(providers.Status{Ref: "p1"}, t0)
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	z, err := s.CloseShift("", "", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if z.Total.Open != 1 || len(z.Total.Lines) != 0 {
		t.Fatalf("Z: %s", mustJSON(t, z.Total))
	}
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR}, t0.Add(2*time.Hour))
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	x, err := s.XReport(t0.Add(3 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if x.Operations() != 0 || len(x.Total.Lines) != 0 {
		t.Fatalf("the payment settled after the Z moved into the next shift: %s", mustJSON(t, x))
	}
	if stored, _ := s.ZReport(1); mustJSON(t, stored) != mustJSON(t, z) {
		t.Fatal("the stored Z changed")
	}
}

func TestLongShiftIsFlagged(t *testing.T) {
	s, _ := openTemp(t)
	first := NewPayment("kaspi", tenge(100), "", false, t0)
	if err := s.Create(&first); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		after time.Duration
		long  bool
	}{{time.Hour, false}, {LongShift, false}, {LongShift + time.Second, true}, {3 * LongShift, true}} {
		x, err := s.XReport(t0.Add(c.after))
		if err != nil {
			t.Fatal(err)
		}
		if x.Long != c.long {
			t.Errorf("%v after the first operation: long %v, want %v", c.after, x.Long, c.long)
		}
	}
	// A shift with no operation is never long, however long ago the Z.
	if _, err := s.CloseShift("", "", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if x, _ := s.XReport(t0.Add(10 * LongShift)); x.Long {
		t.Error("an empty shift is flagged long")
	}
}

func TestWithdrawalIsReadFromTheHistory(t *testing.T) {
	for _, c := range []struct {
		name string
		do   func(*Operation)
		want string
	}{
		{"declined", func(op *Operation) { op.ApplyStatus(providers.Status{State: providers.StateFail}, t0) }, ""},
		{"cancelled", func(op *Operation) { op.Withdrawn(NoteCancelled, t0) }, NoteCancelled},
		{"expired", func(op *Operation) { op.Withdrawn(NoteExpired, t0) }, NoteExpired},
		{"given up, then failed with a message", func(op *Operation) {
			op.GiveUp(NoteCancelled, t0)
			op.ApplyStatus(providers.Status{State: providers.StateFail, Message: "closed"}, t0.Add(time.Minute))
		}, NoteCancelled},
	} {
		op := NewPayment("kaspi", tenge(100), "", false, t0)
		op.Started(providers.Status{Ref: "p"}, t0)
		c.do(&op)
		if got := op.Withdrawal(); got != c.want {
			t.Errorf("%s: withdrawal %q, want %q", c.name, got, c.want)
		}
	}
}

func TestTrainingShiftsAreWipedAndMarked(t *testing.T) {
	s, _ := openTemp(t)
	op := NewPayment("kaspi", tenge(100), "", true, t0)
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	z, err := s.CloseShift("", "", t0)
	if err != nil || !z.Training {
		t.Fatalf("a training shift's Z: training %v (%v)", z.Training, err)
	}
	if err := s.Wipe("", "", t0); err != nil {
		t.Fatal(err)
	}
	if zs, err := s.ZReports(0); err != nil || len(zs) != 0 {
		t.Fatalf("after a wipe: %d Z reports (%v)", len(zs), err)
	}
	if x, _ := s.XReport(t0); x.Number != 1 || x.LastID != 0 || x.Training {
		t.Fatalf("after a wipe the X is shift %d after %d, training %v", x.Number, x.LastID, x.Training)
	}
}

func TestSalvageKeepsTheZReports(t *testing.T) {
	s, path := openTemp(t)
	history(t, s, 50, 3)
	z, err := s.CloseShift("Мария", "", t0)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	dst := filepath.Join(t.TempDir(), "salvaged.db")
	rep, err := Salvage(path, dst)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Shifts != 1 || rep.ShiftsDamaged {
		t.Fatalf("salvage copied %d Z reports, damaged %v", rep.Shifts, rep.ShiftsDamaged)
	}
	out, err := Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	got, err := out.ZReport(1)
	if err != nil || mustJSON(t, got) != mustJSON(t, z) {
		t.Fatalf("the salvaged Z: %v\n%s\n%s", err, mustJSON(t, got), mustJSON(t, z))
	}
	if x, _ := out.XReport(t0); x.Operations() != 0 || x.Number != 2 {
		t.Fatalf("the salvaged file's next shift: %d operations, shift %d", x.Operations(), x.Number)
	}
}

func TestShiftCSVParsesBack(t *testing.T) {
	s, _ := openTemp(t)
	rnd := rand.New(rand.NewPCG(9, 9))
	var paid []Operation
	shiftOps(t, s, rnd, &paid, localDay(2026, 11, 2), 1, 300)
	sh, err := s.XReport(localDay(2026, 11, 2).Add(23 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f := ShiftCSVFormat{CSVFormat: CSVFormat{Comma: ';', DecimalComma: true,
		Labels: CSVLabels{Providers: map[string]string{"kaspi": "Kaspi"}, ProviderMethods: map[string]string{"uzqr/qr": "UzQR"}}},
		Till: "ALL", NoCashier: "-"}
	var b strings.Builder
	if err := WriteShiftCSV(&b, sh, f); err != nil {
		t.Fatal(err)
	}
	text, ok := strings.CutPrefix(b.String(), "\ufeff")
	if !ok {
		t.Fatal("no byte-order mark")
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], ShiftCSVHeader) {
		t.Fatalf("header %q", rows[0])
	}
	// Each name's rows give its totals back.
	got := map[string]ShiftTotals{}
	for _, row := range rows[1:] {
		tot := got[row[0]]
		if row[1] == "" {
			n := make([]int, 6)
			for i := range n {
				n[i], _ = strconv.Atoi(row[9+i])
			}
			tot.Failed, tot.Cancelled, tot.TimedOut, tot.Unknown, tot.Open, tot.NeedsPerson = n[0], n[1], n[2], n[3], n[4], n[5]
		} else {
			c, _ := providers.CurrencyByCode(row[3])
			amount := func(s string) providers.Money {
				m, err := providers.ParseMajor(strings.Replace(s, ",", ".", 1), c)
				if err != nil {
					t.Fatalf("%q: %v", s, err)
				}
				return m
			}
			np, _ := strconv.Atoi(row[4])
			nr, _ := strconv.Atoi(row[6])
			tot.Lines = append(tot.Lines, ShiftLine{Provider: row[1], Method: providers.Method(row[2]), Payments: np, Paid: amount(row[5]),
				Refunds: nr, Refunded: amount(row[7]), Net: amount(row[8])})
		}
		got[row[0]] = tot
	}
	named := func(t ShiftTotals) ShiftTotals {
		t.Cashier = ""
		for i := range t.Lines {
			l := &t.Lines[i]
			if l.Provider == "kaspi" {
				l.Provider = "Kaspi"
			}
			if l.Provider == "uzqr" && l.Method == providers.MethodQR {
				l.Method = "UzQR"
			}
		}
		return t
	}
	want := map[string]ShiftTotals{"ALL": named(sh.Total)}
	for _, c := range sh.Cashiers {
		want[cmp.Or(c.Cashier, "-")] = named(c)
	}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Fatalf("the CSV reads back as\n%s\nwant\n%s", g, w)
	}
	if !strings.Contains(text, ",") {
		t.Fatal("no decimal comma in the soums")
	}
}

// A report decodes every operation of its shift: a shift is a day's few
// thousand, but a file never closed is read whole (100,000 operations:
// about a second).
func BenchmarkXReport(b *testing.B) {
	for _, size := range sizes[:2] {
		b.Run(size.name, func(b *testing.B) {
			s := benchStore(b, size.n)
			b.ResetTimer()
			for range b.N {
				if _, err := s.XReport(t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
