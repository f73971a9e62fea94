// Package conformance runs the same cases over every provider against its
// simulator, so each one keeps the contract of providers.Provider the
// tracker relies on: start, poll to an outcome, decline, a customer who
// never pays, cancel (a payment made in the same moment wins), refunds in
// parts and never over the payment, recovery by id from a new instance,
// and start refusals that say nothing happened only when nothing did.
//
// A provider's tests wire it once:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, func(t *testing.T) conformance.Harness { … })
//	}
//
// The harness makes a fresh simulator for each case, on a clock.Fake the
// suite moves: by the provider's PollEvery between status calls, and to
// the simulator's next wake-up whenever a call waits on the clock (a
// status call held open by the provider).
package conformance

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
)

// Customer is what the next customer at the simulator does.
type Customer int

const (
	// Pays a few seconds after the start, well within the scan timeout.
	Pays Customer = iota
	// Declines a few seconds after the start.
	Declines
	// NeverPays: the customer walks away.
	NeverPays
	// PaysAsCancelled pays at the very moment the cashier cancels.
	PaysAsCancelled
)

func (c Customer) String() string {
	return [...]string{"pays", "declines", "never pays", "pays as cancelled"}[c]
}

// RefundEnd is how the next refund ends at the simulator (with whatever
// the customer must do for it, such as scanning a Kaspi refund).
type RefundEnd int

const (
	RefundSucceeds RefundEnd = iota
	RefundFails
)

// Fault is one documented way a start can fail, as the simulator injects
// it into the next start call.
type Fault struct {
	Name   string
	Inject func()
	// Kind and MaybeSent are what the provider's error must say: MaybeSent
	// false only where the contract says nothing was done.
	Kind      providers.ErrorKind
	MaybeSent bool
}

// Harness is one provider wired to a fresh simulator.
type Harness struct {
	// New returns a provider instance with a client of its own on the
	// simulator: each call a new one, as a till after a restart.
	New func() providers.Provider
	// Clock is the simulator's clock.
	Clock *clock.Fake
	// Amount is a payment the provider takes, of at least 3 minor units.
	Amount providers.Money
	// Next scripts the next customer; false when the simulator has no such
	// customer (PaysAsCancelled where the provider cannot cancel).
	Next func(Customer) bool
	// NextRefund scripts how the next refund ends.
	NextRefund func(RefundEnd)
	// StartFaults are the start refusals the contract documents.
	StartFaults []Fault
}

// Run runs every case that applies to the provider, each on a harness
// newHarness makes. A case for a capability the provider lacks (cancel,
// refunds, an id limit) is not run rather than skipped: there is nothing
// to test.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	probe := newHarness(t).New()
	info := probe.Info()
	_, cancels := probe.(providers.Canceller)
	for _, c := range []struct {
		name    string
		applies bool
		run     func(*suite)
	}{
		{"pay", true, (*suite).pay},
		{"decline", true, (*suite).decline},
		{"never pays", true, (*suite).neverPays},
		{"cancel", cancels, (*suite).cancel},
		{"cancel racing a payment", cancels, (*suite).cancelRace},
		{"refund in parts", info.Refunds && info.PartialRefunds, (*suite).refundInParts},
		{"failed refund", info.Refunds, (*suite).failedRefund},
		{"recovery by id", true, (*suite).recovery},
		{"start refusals", true, (*suite).startFaults},
		{"one at a time", true, (*suite).oneAtATime},
		{"operation id too long", info.MaxIDLength > 0, (*suite).longID},
	} {
		if !c.applies {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			s := &suite{t: t, h: h, p: h.New(), ctx: context.Background(), fresh: newHarness}
			s.info = s.p.Info()
			c.run(s)
		})
	}
}

type suite struct {
	t     *testing.T
	h     Harness
	p     providers.Provider
	info  providers.Info
	ctx   context.Context
	ids   int
	fresh func(*testing.T) Harness
}

func (s *suite) next(c Customer) {
	s.t.Helper()
	if !s.h.Next(c) {
		s.t.Fatalf("the simulator has no customer who %s, which this case needs", c)
	}
}

// opID is a fresh operation id, shaped as the till's.
func (s *suite) opID() string {
	s.ids++
	return fmt.Sprintf("CF-%06d", s.ids)
}

func (s *suite) start(req providers.Request) (providers.Status, error) {
	type res struct {
		st  providers.Status
		err error
	}
	r := drive(s.t, s.h.Clock, func() res {
		st, err := s.p.Start(s.ctx, req)
		return res{st, err}
	})
	return r.st, r.err
}

// startPayment starts a payment of amount and checks the answer.
func (s *suite) startPayment(amount providers.Money) (providers.Handle, providers.Status) {
	s.t.Helper()
	id := s.opID()
	st, err := s.start(providers.Request{Kind: providers.KindPayment, OperationID: id, Amount: amount})
	if err != nil {
		s.t.Fatalf("start a payment of %s: %v", amount, err)
	}
	if st.Ref == "" {
		s.t.Fatalf("started without a ref: %+v", st)
	}
	if st.State.Final() {
		s.t.Fatalf("a payment ended as it started: %+v", st)
	}
	if s.info.QRShownBy == providers.DisplayTerminal && st.QR != nil {
		s.t.Fatalf("the terminal shows the QR, yet the start gives one to draw: %+v", st.QR)
	}
	return providers.Handle{Kind: providers.KindPayment, OperationID: id, Ref: st.Ref}, st
}

func (s *suite) status(p providers.Provider, h providers.Handle) (providers.Status, error) {
	type res struct {
		st  providers.Status
		err error
	}
	r := drive(s.t, s.h.Clock, func() res {
		st, err := p.Status(s.ctx, h)
		return res{st, err}
	})
	return r.st, r.err
}

// pollEvery is the pause between two status calls of h, as the tracker
// keeps it.
func (s *suite) pollEvery(h providers.Handle) time.Duration {
	if h.Kind == providers.KindRefund && s.info.RefundsAsync && s.info.RefundPollEvery > 0 {
		return s.info.RefundPollEvery
	}
	return max(s.info.PollEvery, time.Millisecond)
}

// poll asks p about h until it is final or until, on the simulator's
// clock, the start is more than within from the first call. It returns
// the last status and whether any pending status carried a QR.
func (s *suite) poll(p providers.Provider, h providers.Handle, within time.Duration) (providers.Status, bool) {
	s.t.Helper()
	until := s.h.Clock.Now().Add(within)
	var sawQR bool
	for {
		st, err := s.status(p, h)
		if err != nil {
			s.t.Fatalf("status of %+v at %v: %v", h, s.h.Clock.Now(), err)
		}
		if st.State.Final() || !s.h.Clock.Now().Before(until) {
			return st, sawQR
		}
		sawQR = sawQR || st.QR != nil && st.QR.Payload != ""
		s.h.Clock.Advance(s.pollEvery(h))
	}
}

// limit is how long a customer's time can last at most: both of the
// provider's timeouts, and a minute more.
func (s *suite) limit() time.Duration {
	return s.info.ScanTimeout + s.info.ConfirmTimeout + time.Minute
}

// paid runs a payment of amount to success and returns its handle and
// final status.
func (s *suite) paid(amount providers.Money) (providers.Handle, providers.Status) {
	s.t.Helper()
	s.next(Pays)
	h, started := s.startPayment(amount)
	st, sawQR := s.poll(s.p, h, s.limit())
	if st.State != providers.StateSuccess {
		s.t.Fatalf("the customer paid, the provider says %+v", st)
	}
	if st.TransactionID == "" {
		s.t.Fatalf("a payment succeeded without the number a refund needs: %+v", st)
	}
	if !slices.Contains(s.info.Methods, st.Method) {
		s.t.Fatalf("paid by %q, which is not among the provider's methods %v", st.Method, s.info.Methods)
	}
	if st.Ref != "" && st.Ref != h.Ref {
		s.t.Fatalf("the ref changed from %s to %s", h.Ref, st.Ref)
	}
	sawQR = sawQR || started.QR != nil && started.QR.Payload != ""
	if s.info.QRShownBy == providers.DisplayTill && !sawQR {
		s.t.Fatal("the till draws the QR, yet no QR came before the payment")
	}
	return h, st
}

func (s *suite) pay() { s.paid(s.h.Amount) }

func (s *suite) decline() {
	s.next(Declines)
	h, _ := s.startPayment(s.h.Amount)
	began := s.h.Clock.Now()
	st, _ := s.poll(s.p, h, s.limit())
	if st.State != providers.StateFail {
		s.t.Fatalf("the customer declined, the provider says %+v", st)
	}
	if took := s.h.Clock.Now().Sub(began); s.info.ScanTimeout > 0 && took >= s.info.ScanTimeout {
		s.t.Fatalf("the decline was reported only after %v, at the scan timeout", took)
	}
}

// neverPays: the provider gives up by itself at the customer's deadline,
// or, where the till withdraws it (a Canceller), it is still payable
// until the till does and ends as failed once it has.
func (s *suite) neverPays() {
	s.next(NeverPays)
	h, _ := s.startPayment(s.h.Amount)
	began := s.h.Clock.Now()
	st, _ := s.poll(s.p, h, s.info.ScanTimeout)
	if st.State == providers.StateSuccess {
		s.t.Fatalf("nobody paid, the provider says %+v", st)
	}
	if st.State == providers.StateFail {
		if took := s.h.Clock.Now().Sub(began); s.info.ScanTimeout > 0 && took < s.info.ScanTimeout-s.pollEvery(h) {
			s.t.Fatalf("given up after %v, before the scan timeout of %v", took, s.info.ScanTimeout)
		}
		return
	}
	c, ok := s.p.(providers.Canceller)
	if !ok {
		st, _ = s.poll(s.p, h, s.info.ConfirmTimeout+time.Minute)
		if st.State != providers.StateFail {
			s.t.Fatalf("a provider the till cannot cancel at never gives up on a customer who walked away: %+v", st)
		}
		return
	}
	if err := c.Cancel(s.ctx, h); err != nil {
		s.t.Fatalf("cancel at the deadline: %v", err)
	}
	if st, err := s.status(s.p, h); err != nil || st.State != providers.StateFail {
		s.t.Fatalf("after the cancel: %+v %v", st, err)
	}
}

func (s *suite) cancel() {
	c := s.p.(providers.Canceller)
	s.next(NeverPays)
	h, _ := s.startPayment(s.h.Amount)
	if st, err := s.status(s.p, h); err != nil || st.State.Final() {
		s.t.Fatalf("before the cancel: %+v %v", st, err)
	}
	s.h.Clock.Advance(s.pollEvery(h))
	if err := c.Cancel(s.ctx, h); err != nil {
		s.t.Fatalf("cancel: %v", err)
	}
	st, err := s.status(s.p, h)
	if err != nil || st.State != providers.StateFail {
		s.t.Fatalf("a cancelled payment reads %+v %v, want failed", st, err)
	}
	// Later it stays so: the customer cannot pay it any more.
	s.h.Clock.Advance(s.limit())
	if st, err := s.status(s.p, h); err != nil || st.State != providers.StateFail {
		s.t.Fatalf("a cancelled payment later reads %+v %v", st, err)
	}
}

// cancelRace: the customer's payment reaches the provider as the cancel
// does. The cancel fails with an error that sends the tracker to read the
// status (not one that has it cancel again), and the payment stands.
func (s *suite) cancelRace() {
	c := s.p.(providers.Canceller)
	s.next(PaysAsCancelled)
	h, _ := s.startPayment(s.h.Amount)
	err := c.Cancel(s.ctx, h)
	if err == nil {
		s.t.Fatal("the cancel of a payment made in that moment succeeded")
	}
	switch providers.KindOf(err) {
	case providers.ErrNotResolvable, providers.ErrNotFound, providers.ErrInvalid:
	default:
		s.t.Fatalf("the cancel failed with %v, which makes the till cancel again instead of reading the status", err)
	}
	if st, err := s.status(s.p, h); err != nil || st.State != providers.StateSuccess {
		s.t.Fatalf("the payment lost the race: %+v %v", st, err)
	}
}

func (s *suite) refund(payment providers.Handle, paid providers.Status, minor int64) (providers.Handle, error) {
	s.t.Helper()
	id := s.opID()
	amount := providers.New(minor, s.h.Amount.Currency)
	st, err := s.start(providers.Request{Kind: providers.KindRefund, OperationID: id, Amount: amount,
		Payment: payment, Method: paid.Method, TransactionID: paid.TransactionID})
	if err != nil {
		return providers.Handle{}, err
	}
	if st.Ref == "" {
		s.t.Fatalf("a refund started without a ref: %+v", st)
	}
	return providers.Handle{Kind: providers.KindRefund, OperationID: id, Ref: st.Ref}, nil
}

func (s *suite) refundTo(payment providers.Handle, paid providers.Status, minor int64, end RefundEnd) {
	s.t.Helper()
	s.h.NextRefund(end)
	h, err := s.refund(payment, paid, minor)
	if err != nil {
		s.t.Fatalf("refund %d of %d: %v", minor, s.h.Amount.Minor, err)
	}
	within := s.limit()
	if s.info.RefundsAsync {
		within = 24 * time.Hour
	}
	st, _ := s.poll(s.p, h, within)
	want := providers.StateSuccess
	if end == RefundFails {
		want = providers.StateFail
	}
	if st.State != want {
		s.t.Fatalf("refund %d: %+v, want %s", minor, st, want)
	}
}

// refundInParts: a part, then the rest, then one minor unit more, which
// the provider refuses (and says it did nothing).
func (s *suite) refundInParts() {
	payment, paid := s.paid(s.h.Amount)
	part := s.h.Amount.Minor / 3
	s.refundTo(payment, paid, part, RefundSucceeds)
	s.refundTo(payment, paid, s.h.Amount.Minor-part, RefundSucceeds)
	s.h.NextRefund(RefundSucceeds)
	_, err := s.refund(payment, paid, 1)
	if err == nil {
		s.t.Fatal("a refund over what is left of the payment was taken")
	}
	if providers.MaybeSent(err) {
		s.t.Fatalf("the over-refund's refusal says it may have been carried out: %v", err)
	}
}

// failedRefund: a refund that failed gives its amount back.
func (s *suite) failedRefund() {
	payment, paid := s.paid(s.h.Amount)
	s.refundTo(payment, paid, s.h.Amount.Minor, RefundFails)
	s.refundTo(payment, paid, s.h.Amount.Minor, RefundSucceeds)
}

// recovery: a new instance, as after a restart, follows an operation an
// earlier one started, by its handle.
func (s *suite) recovery() {
	s.next(Pays)
	h, _ := s.startPayment(s.h.Amount)
	st, _ := s.poll(s.h.New(), h, s.limit())
	if st.State != providers.StateSuccess || st.TransactionID == "" {
		s.t.Fatalf("a new instance reads %+v", st)
	}
}

// startFaults: each documented refusal, on a fresh simulator of its own,
// since one that may have been carried out leaves the simulator busy.
func (s *suite) startFaults() {
	if len(s.h.StartFaults) == 0 {
		s.t.Fatal("the harness lists no start faults")
	}
	for i, f := range s.h.StartFaults {
		s.t.Run(f.Name, func(t *testing.T) {
			h := s.fresh(t)
			sub := &suite{t: t, h: h, p: h.New(), ctx: s.ctx, fresh: s.fresh}
			sub.info = sub.p.Info()
			f := h.StartFaults[i]
			f.Inject()
			_, err := sub.start(providers.Request{Kind: providers.KindPayment, OperationID: sub.opID(), Amount: h.Amount})
			if err == nil {
				t.Fatal("the start succeeded")
			}
			if providers.KindOf(err) != f.Kind || providers.MaybeSent(err) != f.MaybeSent {
				t.Fatalf("%v (kind %s, MaybeSent %v), want %s, MaybeSent %v",
					err, providers.KindOf(err), providers.MaybeSent(err), f.Kind, f.MaybeSent)
			}
			if !f.MaybeSent {
				// The refusal was for one call and did nothing: the next
				// start works.
				sub.next(Pays)
				sub.startPayment(h.Amount)
			}
		})
	}
}

func (s *suite) oneAtATime() {
	s.next(NeverPays)
	s.startPayment(s.h.Amount)
	s.next(Pays)
	id := s.opID()
	_, err := s.start(providers.Request{Kind: providers.KindPayment, OperationID: id, Amount: s.h.Amount})
	if s.info.OneAtATime {
		if providers.KindOf(err) != providers.ErrBusy || providers.MaybeSent(err) {
			s.t.Fatalf("a second operation while one runs: %v, want busy, not sent", err)
		}
		return
	}
	if err != nil {
		s.t.Fatalf("a second payment while one waits: %v", err)
	}
}

func (s *suite) longID() {
	id := fmt.Sprintf("%0*d", s.info.MaxIDLength+1, 1)
	_, err := s.start(providers.Request{Kind: providers.KindPayment, OperationID: id, Amount: s.h.Amount})
	if providers.KindOf(err) != providers.ErrInvalid || providers.MaybeSent(err) {
		s.t.Fatalf("an id of %d characters: %v, want invalid, not sent", len(id), err)
	}
}

// drive runs call and moves the clock to the next wake-up whenever the
// call waits on it, until the call returns. It waits on goroutines, not
// time.
func drive[T any](t *testing.T, clk *clock.Fake, call func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- call() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case v := <-done:
			return v
		default:
		}
		if clk.Waiters() > 0 {
			d, _ := clk.Next()
			clk.Advance(d)
			continue
		}
		if time.Now().After(deadline) {
			t.Fatal("a provider call neither returned nor waited on the clock")
		}
		time.Sleep(100 * time.Microsecond)
	}
}
