package tracker

import (
	"errors"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
)

// rig is a whole till minus the screen: the tracker, a real data file and
// the Smart POS simulator over loopback HTTP, on a fake clock.
type rig struct {
	t     *testing.T
	clk   *clock.Fake
	sim   *sim.Sim
	store *store.Store
	tr    *Tracker
	path  string
	url   string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	clk := clock.NewFake(t0)
	s := sim.New(sim.Options{Clock: clk, Location: time.UTC, Seed: 1})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "kassa.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, clk: clk, sim: s, store: st, path: path, url: srv.URL}
	r.tr = New(st, providers.MustRegistry(kaspi.New(kaspi.NewClient(srv.URL, nil), kaspi.Options{})), clk)
	t.Cleanup(func() { r.tr.Close(); r.store.Close() })
	return r
}

// settle lets the tracker work until it waits on the clock again.
func (r *rig) settle() {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !r.tr.Quiet() {
		if time.Now().After(deadline) {
			r.t.Fatal("the tracker never came to rest")
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// follow moves the clock from one pause of the tracker to the next until
// the operation no longer holds the till, or stop says so, and returns
// its last state.
func (r *rig) follow(m Machine, stop func(Machine) bool) Machine {
	r.t.Helper()
	id := m.Op.ID
	for i := 0; ; i++ {
		if i > 5000 {
			r.t.Fatalf("no end after 5000 steps; phase %v", m.Phase)
		}
		r.settle()
		if got, ok := r.tr.Get(id); ok {
			m = got
		}
		if !m.Holds() || stop != nil && stop(m) {
			return m
		}
		d, ok := r.clk.Next()
		if !ok {
			r.t.Fatalf("operation %d holds the till but nothing is waited for; phase %v (step %d, waiters %d, quiet %v)", id, m.Phase, i, r.clk.Waiters(), r.tr.Quiet())
		}
		r.clk.Advance(d)
	}
}

func (r *rig) sell(amount int64, stop func(Machine) bool) Machine {
	r.t.Helper()
	m, err := r.tr.Pay("kaspi", providers.New(amount, providers.KZT), "Aigerim", false)
	if err != nil && m.Phase != NotStarted {
		r.t.Fatal(err)
	}
	if m.Phase == NotStarted {
		return m
	}
	return r.follow(m, stop)
}

// stored reads the operation back from the data file: what the screen shows
// must be what was written.
func (r *rig) stored(m Machine) store.Operation {
	r.t.Helper()
	op, err := r.store.Get(m.Op.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	if op.State != m.Op.State {
		r.t.Fatalf("screen shows %s, data file has %s", m.Op.State, op.State)
	}
	return op
}

func TestSaleQRAgainstSimulator(t *testing.T) {
	r := newRig(t)
	r.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 5 * time.Second, Think: 3 * time.Second})
	m := r.sell(12500, nil)
	if m.Phase != Paid {
		t.Fatalf("phase %v err %v", m.Phase, m.Err)
	}
	op := r.stored(m)
	if op.Method != providers.MethodQR || op.TransactionID == "" || op.Cheque == nil || op.Cheque.OrderNumber != op.TransactionID ||
		op.Amount != providers.New(12500, providers.KZT) || op.Ref == "" || len(op.Raw) == 0 || op.Offer == nil {
		t.Fatalf("stored %+v", op)
	}
	if op.OperationID != r.store.Till()+"-000001" {
		t.Fatalf("operation id %q", op.OperationID)
	}
	if op.Finished.Before(t0.Add(8 * time.Second)) {
		t.Errorf("finished at %v", op.Finished)
	}
	var stages []providers.Stage
	for _, e := range op.History {
		if len(stages) == 0 || stages[len(stages)-1] != e.Stage {
			stages = append(stages, e.Stage)
		}
	}
	want := []providers.Stage{"", providers.StageStarting, providers.StageWaitScan, providers.StageWaitConfirm, providers.StageDone}
	if len(stages) != len(want) {
		t.Fatalf("stages %v, want %v", stages, want)
	}
	if _, err := r.store.ByReference("kaspi", op.TransactionID); err != nil {
		t.Fatalf("payment not found by its orderNumber: %v", err)
	}
}

func TestSaleCardAgainstSimulator(t *testing.T) {
	r := newRig(t)
	r.sim.Next(sim.Customer{Does: sim.PayCard, Delay: 3 * time.Second})
	m := r.sell(2000, nil)
	op := r.stored(m)
	if m.Phase != Paid || op.Method != providers.MethodCard || op.Cheque.RRN == "" || op.TransactionID != op.Cheque.RRN ||
		op.Cheque.CardMask == "" || op.Cheque.AuthorizationCode == "" {
		t.Fatalf("phase %v op %+v cheque %+v", m.Phase, op, op.Cheque)
	}
}

func TestSaleDeclineAgainstSimulator(t *testing.T) {
	r := newRig(t)
	r.sim.Next(sim.Customer{Does: sim.Decline, Delay: 3 * time.Second})
	m := r.sell(1500, nil)
	if m.Phase != Declined || r.stored(m).Message == "" {
		t.Fatalf("phase %v message %q", m.Phase, m.Op.Message)
	}
	// The next sale goes through: the POS is free again.
	r.sim.Next(sim.Customer{Does: sim.PayQR, Delay: time.Second})
	m = r.sell(1500, nil)
	if m.Phase != Paid {
		t.Fatalf("sale after a decline: %v", m.Phase)
	}
}

func TestSaleScanTimeoutAgainstSimulator(t *testing.T) {
	r := newRig(t)
	r.sim.Next(sim.Customer{Does: sim.NeverScan})
	m := r.sell(1500, nil)
	// The till and the POS both give up at 180 s; whichever the till sees
	// first, the screen says the customer ran out of time.
	if m.Phase != TimedOut {
		t.Fatalf("phase %v", m.Phase)
	}
	if el := r.clk.Now().Sub(t0); el < 180*time.Second || el > 182*time.Second {
		t.Fatalf("gave up after %v, want 180 s", el)
	}
	r.stored(m)
}

func TestSaleConfirmTimeoutAgainstSimulator(t *testing.T) {
	r := newRig(t)
	r.sim.Next(sim.Customer{Does: sim.ScanNoConfirm, Delay: 150 * time.Second})
	m := r.sell(1500, nil)
	if el := r.clk.Now().Sub(t0); el < 210*time.Second || el > 212*time.Second {
		t.Fatalf("gave up after %v, want 150 s + 60 s", el)
	}
	if _, confirming := m.TimeLeft(m.Now); !confirming || m.Phase != TimedOut {
		t.Fatalf("phase %v, confirm timeout %v", m.Phase, confirming)
	}
}

func TestSaleUnknownAgainstSimulator(t *testing.T) {
	for _, c := range []struct {
		does  sim.Behaviour
		phase Phase
	}{{sim.UnknownThenSuccess, Paid}, {sim.UnknownThenFail, Declined}} {
		t.Run(string(c.does), func(t *testing.T) {
			r := newRig(t)
			r.sim.Next(sim.Customer{Does: c.does, Delay: 3 * time.Second, ResolveAfter: 35 * time.Second})
			var sawUnknown bool
			m := r.sell(1500, func(m Machine) bool {
				sawUnknown = sawUnknown || m.Phase == Resolving
				return false
			})
			if !sawUnknown || m.Phase != c.phase {
				t.Fatalf("saw unknown %v, phase %v", sawUnknown, m.Phase)
			}
			if v := r.sim.ActualizeViolations(); v != 0 {
				t.Fatalf("%d actualize calls closer than 10 s", v)
			}
			if n := r.sim.Requests("/v2/payment"); n != 1 {
				t.Fatalf("%d payment requests, want exactly 1", n)
			}
			r.stored(m)
		})
	}
}

func TestSaleStartFaultsAgainstSimulator(t *testing.T) {
	cases := []struct {
		fault sim.Fault
		phase Phase
		kind  providers.ErrorKind
		state store.State
	}{
		{sim.FaultBusy, NotStarted, providers.ErrBusy, store.StateRefused},
		{sim.FaultBlocked, NotStarted, providers.ErrBlocked, store.StateRefused},
		{sim.FaultBlocked200, NotStarted, providers.ErrBlocked, store.StateRefused},
		{sim.FaultFailed, NotStarted, providers.ErrProvider, store.StateRefused},
		{sim.FaultInternal, NotStarted, providers.ErrProvider, store.StateRefused},
		// Not the POS's own answer: the payment may have started.
		{sim.FaultBadGateway, Check, providers.ErrMalformed, store.StateNeedsCheck},
		{sim.FaultCrash, Check, providers.ErrMalformed, store.StateNeedsCheck},
		{sim.FaultGarbage, Check, providers.ErrMalformed, store.StateNeedsCheck},
		{sim.FaultDrop, Check, providers.ErrDropped, store.StateNeedsCheck},
		{sim.FaultReset, Check, providers.ErrDropped, store.StateNeedsCheck},
	}
	for _, c := range cases {
		t.Run(string(c.fault), func(t *testing.T) {
			r := newRig(t)
			r.sim.Inject("/v2/payment", c.fault)
			m := r.sell(1500, nil)
			if m.Phase != c.phase || providers.KindOf(m.Err) != c.kind || r.stored(m).State != c.state {
				t.Fatalf("phase %v err %v state %v", m.Phase, m.Err, m.Op.State)
			}
			if n := r.sim.Requests("/v2/payment"); n != 1 {
				t.Fatalf("%d payment requests: a payment was repeated", n)
			}
		})
	}
}

func TestSalePollFaultsKeepWaiting(t *testing.T) {
	r := newRig(t)
	r.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 5 * time.Second})
	r.sim.Inject("/v2/status", sim.FaultInternal, sim.FaultGarbage, sim.FaultDrop, sim.FaultBadGateway)
	var worst int
	m := r.sell(1500, func(m Machine) bool {
		worst = max(worst, m.Failing)
		return false
	})
	if m.Phase != Paid || worst == 0 {
		t.Fatalf("phase %v, failing polls seen %d", m.Phase, worst)
	}
}

func TestUnreachablePOS(t *testing.T) {
	r := newRig(t)
	r.tr.Close()
	r.tr = New(r.store, providers.MustRegistry(kaspi.New(kaspi.NewClient("http://127.0.0.1:1", nil), kaspi.Options{})), r.clk)
	m := r.sell(1500, nil)
	if m.Phase != NotStarted || providers.KindOf(m.Err) != providers.ErrUnreachable || r.stored(m).State != store.StateRefused {
		t.Fatalf("phase %v err %v", m.Phase, m.Err)
	}
}

// A till killed after the POS accepted the payment takes it up again on the
// next start and finishes it, without a second /v2/payment.
func TestResumeAfterRestart(t *testing.T) {
	r := newRig(t)
	r.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 10 * time.Second})
	first := r.sell(1500, func(m Machine) bool { return m.Phase == Waiting })
	r.tr.Close()
	r.store.Close()

	st, err := store.Open(r.path)
	if err != nil {
		t.Fatal(err)
	}
	r.store = st
	r.tr = New(st, providers.MustRegistry(kaspi.New(kaspi.NewClient(r.url, nil), kaspi.Options{})), r.clk)
	open, err := st.Unfinished()
	if err != nil || len(open) != 1 || open[0].State != store.StatePending || open[0].Ref == "" {
		t.Fatalf("unfinished after restart: %+v %v", open, err)
	}
	taken, err := r.tr.Resume()
	if err != nil || len(taken) != 1 || taken[0].Op.ID != first.Op.ID {
		t.Fatalf("resumed %+v %v", taken, err)
	}
	m := r.follow(taken[0], nil)
	if m.Phase != Paid || r.sim.Requests("/v2/payment") != 1 {
		t.Fatalf("phase %v, payment requests %d", m.Phase, r.sim.Requests("/v2/payment"))
	}
	if left, _ := st.Unfinished(); len(left) != 0 {
		t.Fatalf("still unfinished: %+v", left)
	}
}

func (r *rig) refund(payment store.Operation, amount int64) Machine {
	r.t.Helper()
	m, err := r.tr.Refund(payment, providers.New(amount, providers.KZT), "Aigerim")
	if m.Phase == NotStarted {
		return m
	}
	if err != nil {
		r.t.Fatal(err)
	}
	return r.follow(m, nil)
}

func TestPartialRefundsAgainstSimulator(t *testing.T) {
	for _, method := range []sim.Behaviour{sim.PayQR, sim.PayCard} {
		t.Run(string(method), func(t *testing.T) {
			r := newRig(t)
			r.sim.Next(sim.Customer{Does: method, Delay: 2 * time.Second})
			pay := r.stored(r.sell(1000, nil))

			r.sim.Next(sim.Customer{Does: method, Delay: 2 * time.Second})
			m := r.refund(pay, 300)
			ref := r.stored(m)
			if m.Phase != Paid || ref.Kind != store.KindRefund || ref.PaymentID != pay.ID || ref.Method != pay.Method ||
				ref.Cheque == nil || ref.Cheque.Type != "refund" {
				t.Fatalf("refund: phase %v err %v op %+v", m.Phase, m.Err, ref)
			}

			// More than is left: refused by the till, the POS never asked.
			before := r.sim.Requests("/v2/refund")
			m = r.refund(pay, 800)
			if m.Phase != NotStarted || r.sim.Requests("/v2/refund") != before {
				t.Fatalf("over-refund: phase %v, refund requests %d → %d", m.Phase, before, r.sim.Requests("/v2/refund"))
			}
			var over *store.OverRefundError
			if !errors.As(m.Err, &over) || over.Left.Minor != 700 {
				t.Fatalf("over-refund error %v", m.Err)
			}

			r.sim.Next(sim.Customer{Does: method, Delay: 2 * time.Second})
			if m = r.refund(pay, 700); m.Phase != Paid {
				t.Fatalf("refund of the rest: %v %v", m.Phase, m.Err)
			}
			if left, _ := r.store.Refundable(pay.ID); left.Minor != 0 {
				t.Fatalf("left %v", left)
			}
		})
	}
}

// A card refund whose outcome the POS lost cannot be actualized: the till
// leaves it for a person, its amount still reserved, instead of asking
// for ever.
func TestCardRefundTheProviderCannotResolve(t *testing.T) {
	r := newRig(t)
	r.sim.Next(sim.Customer{Does: sim.PayCard, Delay: 2 * time.Second})
	pay := r.stored(r.sell(1000, nil))
	r.sim.Next(sim.Customer{Does: sim.UnknownThenSuccess, Delay: 2 * time.Second})
	m := r.refund(pay, 300)
	ref := r.stored(m)
	if m.Phase != Check || ref.State != store.StateNeedsCheck || !ref.NeedsPerson() {
		t.Fatalf("phase %v err %v op %+v", m.Phase, m.Err, ref)
	}
	if left, _ := r.store.Refundable(pay.ID); left.Minor != 700 {
		t.Fatalf("left %v", left)
	}
	if n := r.sim.Requests("/v2/actualize"); n != 1 {
		t.Fatalf("%d actualize calls", n)
	}
}

// The Smart POS runs one operation at a time: while one holds the till, a
// second is refused before the POS hears of it. Once a person hands the
// first over to the operations to check, the till may try again.
func TestOneAtATimePerProvider(t *testing.T) {
	r := newRig(t)
	r.sim.Next(sim.Customer{Does: sim.UnknownThenSuccess, Delay: 2 * time.Second, ResolveAfter: time.Hour})
	first := r.sell(1500, func(m Machine) bool { return m.Phase == Resolving })
	_, err := r.tr.Pay("kaspi", providers.New(700, providers.KZT), "Aigerim", false)
	var busy *BusyError
	if !errors.As(err, &busy) || busy.Op.ID != first.Op.ID || r.sim.Requests("/v2/payment") != 1 {
		t.Fatalf("second payment while the first is unknown: %v (%d requests)", err, r.sim.Requests("/v2/payment"))
	}
	if err := r.tr.HandOver(first.Op.ID); err != nil {
		t.Fatal(err)
	}
	r.settle()
	handed, _ := r.tr.Get(first.Op.ID)
	stored := r.stored(handed)
	if handed.Holds() || !stored.NeedsPerson() || !stored.State.Open() {
		t.Fatalf("handed over: holds %v, needs a person %v, open %v", handed.Holds(), stored.NeedsPerson(), stored.State.Open())
	}
	ops, _ := r.store.NeedingPerson(10)
	if len(ops) != 1 || ops[0].ID != first.Op.ID {
		t.Fatalf("operations to check: %+v", ops)
	}
	// Whether the POS can take another is its to say.
	if _, err := r.tr.Pay("kaspi", providers.New(700, providers.KZT), "Aigerim", false); err != nil {
		t.Fatalf("a payment after the first was handed over: %v", err)
	}
	r.settle()
	if n := r.sim.Requests("/v2/payment"); n != 2 {
		t.Fatalf("%d payment requests, want 2", n)
	}
}

// An operation handed over is still followed: when the provider learns
// the outcome, it settles by itself and leaves the operations to check.
func TestHandedOverSettlesByItself(t *testing.T) {
	r := newRig(t)
	// The POS learns the outcome within the QR's lifetime of 3 minutes.
	r.sim.Next(sim.Customer{Does: sim.UnknownThenSuccess, Delay: 2 * time.Second, ResolveAfter: 150 * time.Second})
	first := r.sell(1500, func(m Machine) bool { return m.Phase == Resolving })
	if err := r.tr.HandOver(first.Op.ID); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		r.settle()
		if m, _ := r.tr.Get(first.Op.ID); !m.Phase.Busy() {
			break
		}
		d, ok := r.clk.Next()
		if !ok {
			m, _ := r.tr.Get(first.Op.ID)
			t.Fatalf("a handed-over operation is no longer followed: %v %v", m.Phase, m.Err)
		}
		r.clk.Advance(d)
	}
	m, _ := r.tr.Get(first.Op.ID)
	op := r.stored(m)
	if m.Phase != Paid || op.NeedsPerson() || op.State != store.StateSuccess {
		t.Fatalf("phase %v state %v needs a person %v", m.Phase, op.State, op.NeedsPerson())
	}
	if v := r.sim.ActualizeViolations(); v != 0 {
		t.Fatalf("%d actualize calls closer than 10 s", v)
	}
	if n := r.sim.Requests("/v2/actualize"); n > 16 {
		t.Fatalf("%d actualize calls in 150 s: a handed-over operation is asked about too often", n)
	}
}

// A person's verdict on a followed operation goes through its follower,
// which stops: nothing the provider says later overwrites it.
func TestSettleAFollowedOperation(t *testing.T) {
	r := newRig(t)
	r.sim.Next(sim.Customer{Does: sim.UnknownThenSuccess, Delay: 2 * time.Second, ResolveAfter: time.Hour})
	first := r.sell(1500, func(m Machine) bool { return m.Phase == Resolving })
	if err := r.tr.HandOver(first.Op.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.tr.Settle(first.Op.ID, store.Check{At: r.clk.Now(), Paid: false}, ""); !errors.Is(err, store.ErrNoteRequired) {
		t.Fatalf("a verdict without a note: %v", err)
	}
	op, err := r.tr.Settle(first.Op.ID, store.Check{At: r.clk.Now(), Paid: false, Note: "not in the POS history"}, "")
	if err != nil || op.State != store.StateFailed || op.Check == nil {
		t.Fatalf("settled %+v %v", op, err)
	}
	r.settle()
	if _, followed := r.tr.Get(first.Op.ID); followed {
		if m, _ := r.tr.Get(first.Op.ID); m.Phase.Busy() {
			t.Fatal("still followed after a person settled it")
		}
	}
	r.clk.Advance(2 * time.Hour)
	r.settle()
	if op, _ := r.store.Get(first.Op.ID); op.State != store.StateFailed {
		t.Fatalf("state after the provider would have answered: %v", op.State)
	}
}
