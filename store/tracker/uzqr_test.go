package tracker

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/uzqr"
	uzsim "github.com/kassa-till/kassa/providers/uzqr/sim"
	"github.com/kassa-till/kassa/store"
)

// uzRig is a till with the UzQR provider on the box simulator, which may
// hold status calls open (long polling).
type uzRig struct {
	t     *testing.T
	clk   *clock.Fake
	sim   *uzsim.Sim
	store *store.Store
	tr    *Tracker
	calls *inFlight
	url   string
}

// inFlight counts the till's requests still wanted: sent, not answered,
// not given up. Given up is read from the request's context, which the
// tracker cancels before it moves on, so the count never lags behind it.
type inFlight struct {
	base http.RoundTripper
	mu   sync.Mutex
	reqs map[*http.Request]bool
}

func (f *inFlight) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.reqs[req] = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.reqs, req)
		f.mu.Unlock()
	}()
	return f.base.RoundTrip(req)
}

func (f *inFlight) live() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for req := range f.reqs {
		if req.Context().Err() == nil {
			n++
		}
	}
	return n
}

func newUzRig(t *testing.T, longPoll bool) *uzRig {
	t.Helper()
	clk := clock.NewFake(t0)
	s := uzsim.New(uzsim.Options{Clock: clk, LongPoll: longPoll})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	calls := &inFlight{base: http.DefaultTransport, reqs: map[*http.Request]bool{}}
	p, err := uzqr.New(uzqr.Options{URL: srv.URL, QRName: "CASH_1", HTTP: &http.Client{Transport: calls}})
	if err != nil {
		t.Fatal(err)
	}
	r := &uzRig{t: t, clk: clk, sim: s, store: st, tr: New(st, providers.MustRegistry(p), clk), calls: calls, url: srv.URL}
	t.Cleanup(func() { r.tr.Close(); r.store.Close() })
	return r
}

// settle waits until nothing changes before the clock moves: the tracker
// is quiet, or each follower still working waits in a status call the box
// holds, and its customer's deadline (which cuts the call) is still to
// come.
// debugUz logs each move of the clock, for a failure to be read.
var debugUz = false

func (r *uzRig) settle() {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if r.tr.Quiet() || r.held() {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatal("the tracker never came to rest")
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func (r *uzRig) held() bool {
	r.tr.mu.Lock()
	busy := r.tr.busy
	due := false
	now := r.clk.Now()
	for _, f := range r.tr.follows {
		if left, _ := f.m.TimeLeft(now); f.m.CanCancel && f.m.Phase == Waiting && f.m.HasDeadline() && left <= 0 {
			due = true
		}
	}
	r.tr.mu.Unlock()
	live := r.calls.live()
	return busy > 0 && !due && busy == live && live == r.sim.Holding()
}

// follow moves the clock to the next thing waited for until stop says so
// (nil: until the operation no longer holds the till).
func (r *uzRig) follow(id store.ID, stop func(Machine) bool) Machine {
	r.t.Helper()
	if stop == nil {
		stop = func(m Machine) bool { return !m.Holds() }
	}
	for range 20000 {
		r.settle()
		m, _ := r.tr.Get(id)
		if stop(m) {
			return m
		}
		d, ok := r.clk.Next()
		if !ok {
			r.t.Fatalf("operation %d holds the till but nothing is waited for; phase %v", id, m.Phase)
		}
		if debugUz {
			r.t.Logf("%s phase %v failing %d: advance %v", r.clk.Now().Format("15:04:05"), m.Phase, m.Failing, d)
		}
		r.clk.Advance(d)
	}
	r.t.Fatal("no end after 20000 steps")
	return Machine{}
}

func (r *uzRig) sell(amount int64) Machine {
	r.t.Helper()
	m, err := r.tr.Pay("uzqr", providers.New(amount, providers.UZS), "Dilnoza", false)
	if err != nil {
		r.t.Fatal(err)
	}
	return m
}

func (r *uzRig) stored(id store.ID) store.Operation {
	r.t.Helper()
	op, err := r.store.Get(id)
	if err != nil {
		r.t.Fatal(err)
	}
	return op
}

// A UzQR sale through the tracker, with the box answering status calls at
// once or holding them: paid, never paid (the till cancels the invoice at
// the QR's lifetime), cancelled by the cashier, paid as the cashier
// cancels, and a refund that takes hours followed in the background.
func TestUzQRThroughTheTracker(t *testing.T) {
	for _, longPoll := range []bool{false, true} {
		name := "at once"
		if longPoll {
			name = "long poll"
		}
		t.Run(name, func(t *testing.T) {
			r := newUzRig(t, longPoll)

			r.sim.Next(uzsim.Customer{Does: uzsim.Pay, Delay: 10 * time.Second})
			m := r.follow(r.sell(150000).Op.ID, nil)
			op := r.stored(m.Op.ID)
			inv, _ := r.sim.Invoice(op.Ref)
			if m.Phase != Paid || op.State != store.StateSuccess || op.TransactionID != inv.PayID || op.QR == nil ||
				op.QR.Payload != inv.QRText || op.Cheque == nil || op.Cheque.TerminalID != "CASH_1" || inv.ExternalID != op.OperationID {
				t.Fatalf("paid: phase %v, op %+v, invoice %+v", m.Phase, op, inv)
			}
			if took := op.Finished.Sub(t0); took < 10*time.Second || took > 13*time.Second {
				t.Fatalf("the payment was recorded %v after the start", took)
			}

			// Nobody pays: at the QR's lifetime the till cancels the invoice
			// on the box, so it cannot be paid later.
			r.sim.Next(uzsim.Customer{Does: uzsim.Never})
			start := r.clk.Now()
			m = r.follow(r.sell(5000).Op.ID, nil)
			op = r.stored(m.Op.ID)
			if m.Phase != TimedOut || op.State != store.StateFailed {
				t.Fatalf("never paid: phase %v state %v err %v", m.Phase, op.State, m.Err)
			}
			if inv, _ := r.sim.Invoice(op.Ref); inv.Status != 3 || r.sim.Requests(uzsim.PathCancel) != 1 {
				t.Fatalf("the invoice at the box: %+v, %d cancels", inv, r.sim.Requests(uzsim.PathCancel))
			}
			// The box learns of the cancel at its next look upstream (every
			// 3 s), and the till asks no sooner than every 2 s.
			if took := op.Finished.Sub(start); took < 3*time.Minute || took > 3*time.Minute+12*time.Second {
				t.Fatalf("given up %v after the start, want the 3 min lifetime; %+v", took, op.History)
			}

			// The cashier cancels; then a customer pays just as the cashier
			// cancels, and the payment stands.
			for _, does := range []uzsim.Behaviour{uzsim.Never, uzsim.PayOnCancel} {
				r.sim.Next(uzsim.Customer{Does: does})
				id := r.sell(5000).Op.ID
				r.follow(id, func(m Machine) bool { return r.clk.Now().Sub(m.Op.Created) >= 20*time.Second })
				if err := r.tr.Cancel(id); err != nil {
					t.Fatal(err)
				}
				waitUntil(t, func() bool { return r.sim.Holding() == 0 }) // the cut call's hold ends
				m = r.follow(id, nil)
				want := Cancelled
				if does == uzsim.PayOnCancel {
					want = Paid
				}
				if m.Phase != want {
					t.Fatalf("%s: phase %v err %v, want %v", does, m.Phase, m.Err, want)
				}
			}

			// A refund the box takes hours over: the till is free at once,
			// and follows it in the background until it is done.
			payment := r.stored(r.follow(func() store.ID {
				r.sim.Next(uzsim.Customer{Does: uzsim.Pay, Delay: 5 * time.Second})
				return r.sell(20000).Op.ID
			}(), nil).Op.ID)
			r.sim.NextRefund(uzsim.RefundScript{Ends: uzsim.RefundDone, After: 3 * time.Hour})
			m, err := r.tr.Refund(payment, providers.New(7500, providers.UZS), "Dilnoza")
			if err != nil {
				t.Fatal(err)
			}
			id := m.Op.ID
			m = r.follow(id, nil)
			if !m.Background || m.Phase != Waiting {
				t.Fatalf("the refund holds the till: phase %v background %v", m.Phase, m.Background)
			}
			m = r.follow(id, func(m Machine) bool { return m.Phase.Final() })
			if ref := r.stored(id); m.Phase != Paid || ref.State != store.StateSuccess || ref.Finished.Sub(ref.Created) < 3*time.Hour {
				t.Fatalf("refund: phase %v, op %+v", m.Phase, ref)
			}
			if left, _ := r.store.Refundable(payment.ID); left.Minor != 12500 {
				t.Fatalf("left %v", left)
			}
		})
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// A refund the box took is followed across a restart of the till to its
// end, done or failed; a failed one gives its amount back to what is left
// of the payment.
func TestUzQRRefundAcrossARestart(t *testing.T) {
	for _, ends := range []uzsim.RefundEnd{uzsim.RefundDone, uzsim.RefundFail} {
		t.Run(string(ends), func(t *testing.T) {
			r := newUzRig(t, false)
			r.sim.Next(uzsim.Customer{Does: uzsim.Pay, Delay: 5 * time.Second})
			payment := r.stored(r.follow(r.sell(20000).Op.ID, nil).Op.ID)
			r.sim.NextRefund(uzsim.RefundScript{Ends: ends, After: 2 * time.Hour})
			m, err := r.tr.Refund(payment, providers.New(7500, providers.UZS), "Dilnoza")
			if err != nil {
				t.Fatal(err)
			}
			id := m.Op.ID
			r.follow(id, nil)
			// The till stops; the refund goes on at the box.
			r.tr.Close()
			r.clk.Advance(3 * time.Hour)
			p, err := uzqr.New(uzqr.Options{URL: r.url, QRName: "CASH_1", HTTP: &http.Client{Transport: r.calls}})
			if err != nil {
				t.Fatal(err)
			}
			r.tr = New(r.store, providers.MustRegistry(p), r.clk)
			taken, err := r.tr.Resume()
			if err != nil || len(taken) != 1 || taken[0].Op.ID != id {
				t.Fatalf("resumed %+v %v", taken, err)
			}
			m = r.follow(id, func(m Machine) bool { return m.Phase.Final() })
			ref := r.stored(id)
			left, _ := r.store.Refundable(payment.ID)
			switch ends {
			case uzsim.RefundDone:
				if m.Phase != Paid || ref.State != store.StateSuccess || left.Minor != 12500 {
					t.Fatalf("done: phase %v state %v left %v", m.Phase, ref.State, left)
				}
			case uzsim.RefundFail:
				if m.Phase != Declined || ref.State != store.StateFailed || left.Minor != 20000 {
					t.Fatalf("failed: phase %v state %v left %v", m.Phase, ref.State, left)
				}
			}
			if n := r.sim.Requests(uzsim.PathRefund); n != 1 {
				t.Fatalf("%d refunds sent", n)
			}
		})
	}
}

// A callback's event goes through the operation's follower, is written
// before Deliver returns, and changes nothing when repeated; one about an
// operation the till gave up on lands as a payment that arrived late.
func TestDeliverAnEvent(t *testing.T) {
	r := newUzRig(t, false)
	r.sim.Next(uzsim.Customer{Does: uzsim.Never})
	m := r.sell(30000)
	r.follow(m.Op.ID, func(m Machine) bool { return m.Phase == Waiting })
	paid := providers.Event{Handle: providers.Handle{OperationID: m.Op.OperationID},
		Status: providers.Status{State: providers.StateSuccess, TransactionID: "PAY-1", Method: providers.MethodQR}}
	ctx := context.Background()
	if err := r.tr.Deliver(ctx, "uzqr", paid); err != nil {
		t.Fatal(err)
	}
	if op := r.stored(m.Op.ID); op.State != store.StateSuccess || op.TransactionID != "PAY-1" {
		t.Fatalf("after the event: %+v", op)
	}
	r.settle()
	if got, _ := r.tr.Get(m.Op.ID); got.Phase != Paid {
		t.Fatalf("phase %v", got.Phase)
	}
	before := r.stored(m.Op.ID)
	if err := r.tr.Deliver(ctx, "uzqr", paid); err != nil {
		t.Fatal(err)
	}
	if after := r.stored(m.Op.ID); len(after.History) != len(before.History) || after.NeedsPerson() {
		t.Fatalf("a repeat changed the books: %d → %d events", len(before.History), len(after.History))
	}

	// Given up on by the cashier, then paid after all: kept, for a person.
	r.sim.Next(uzsim.Customer{Does: uzsim.Never})
	m = r.sell(40000)
	r.follow(m.Op.ID, func(m Machine) bool { return m.Phase == Waiting })
	if err := r.tr.Cancel(m.Op.ID); err != nil {
		t.Fatal(err)
	}
	r.follow(m.Op.ID, nil)
	late := providers.Event{Handle: providers.Handle{OperationID: m.Op.OperationID},
		Status: providers.Status{State: providers.StateSuccess, TransactionID: "PAY-2"}}
	if err := r.tr.Deliver(ctx, "uzqr", late); err != nil {
		t.Fatal(err)
	}
	op := r.stored(m.Op.ID)
	if op.State != store.StateSuccess || op.Late.IsZero() || !op.NeedsPerson() {
		t.Fatalf("a payment that arrived late: %+v", op)
	}
	if err := op.Checked(store.Check{At: t0, Paid: false, Note: "not in the cabinet"}, ""); !errors.Is(err, store.ErrLatePaid) {
		t.Fatalf("a late payment marked not paid: %v", err)
	}

	if err := r.tr.Deliver(ctx, "uzqr", providers.Event{Handle: providers.Handle{OperationID: "OTHER-000001"}}); !errors.Is(err, ErrUnknownOperation) {
		t.Fatalf("another till's event: %v", err)
	}
	if err := r.tr.Deliver(ctx, "uzqr", providers.Event{Handle: providers.Handle{OperationID: r.store.Till() + "-000099"}}); !errors.Is(err, ErrUnknownOperation) {
		t.Fatalf("an event for no operation: %v", err)
	}
}

// A callback's news does not wait behind a status call the gateway holds
// open (UzQR holds one up to 2 minutes; a Gate may hold its answer until
// its callback is taken): the call is cut short and the event lands now.
func TestDeliverCutsAHeldStatusCallShort(t *testing.T) {
	r := newUzRig(t, true)
	r.sim.Next(uzsim.Customer{Does: uzsim.Never})
	m := r.sell(30000)
	r.follow(m.Op.ID, func(m Machine) bool { return m.Phase == Waiting && r.sim.Holding() > 0 })
	paid := providers.Event{Handle: providers.Handle{OperationID: m.Op.OperationID},
		Status: providers.Status{State: providers.StateSuccess, TransactionID: "PAY-9", Method: providers.MethodQR}}
	// The fake clock stands still: the held call would never end by itself.
	done := make(chan error, 1)
	go func() { done <- r.tr.Deliver(context.Background(), "uzqr", paid) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second): // a guard against a hang, not a measure
		t.Fatal("Deliver waits behind the held status call")
	}
	if op := r.stored(m.Op.ID); op.State != store.StateSuccess || op.TransactionID != "PAY-9" {
		t.Fatalf("after the event: %+v", op)
	}
	waitUntil(t, func() bool { return r.calls.live() == 0 })
}
