package uzqr_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/uzqr"
	"github.com/kassa-till/kassa/providers/uzqr/sim"
)

var tashkent = time.FixedZone("UZT", 5*3600)

// t0 is when every test's fake clock starts.
var t0 = time.Date(2026, 6, 26, 14, 20, 0, 0, tashkent)

// The merchant's credentials in tests that want them. The key is made up;
// tests look for it in every text the package writes.
const (
	testINN = "305123456"
	testKey = "uzqr-live-4f1c9a77e2b04d6d"
)

// rig is a provider talking to a sim over loopback HTTP on a fake clock.
type rig struct {
	t   *testing.T
	clk *clock.Fake
	sim *sim.Sim
	srv *httptest.Server
	p   *uzqr.Provider
	c   *uzqr.Client
	ctx context.Context
}

func newRig(t *testing.T, so sim.Options, po uzqr.Options) *rig {
	t.Helper()
	clk := clock.NewFake(t0)
	so.Clock = clk
	s := sim.New(so)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	po.URL = srv.URL
	if po.HTTP == nil {
		po.HTTP = srv.Client()
	}
	p, err := uzqr.New(po)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, clk: clk, sim: s, srv: srv, p: p, c: p.Client(), ctx: context.Background()}
}

func sum(tiyin int64) providers.Money { return providers.New(tiyin, providers.UZS) }

// drive runs call and moves the fake clock to the sim's next wake-up
// whenever the call waits on it (a status call held by the box), until
// the call returns. It waits on goroutines, not time.
func drive[T any](t *testing.T, clk *clock.Fake, call func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- call() }()
	for range 10000 {
		var v T
		var ok bool
		waitFor(t, "an answer or a wait on the clock", func() bool {
			select {
			case v, ok = <-done:
				return true
			default:
				return clk.Waiters() > 0
			}
		})
		if ok {
			return v
		}
		d, _ := clk.Next()
		clk.Advance(d)
	}
	t.Fatal("the call never returned")
	var zero T
	return zero
}

func (r *rig) pay(ext string, amount int64) providers.Status {
	r.t.Helper()
	st, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: ext, Amount: sum(amount)})
	if err != nil {
		r.t.Fatalf("pay %s: %v", ext, err)
	}
	return st
}

// poll asks the status every PollEvery until it is final.
func (r *rig) poll(h providers.Handle) providers.Status {
	r.t.Helper()
	for range 10000 {
		type res struct {
			st  providers.Status
			err error
		}
		got := drive(r.t, r.clk, func() res {
			st, err := r.p.Status(r.ctx, h)
			return res{st, err}
		})
		if got.err != nil {
			r.t.Fatalf("status %+v: %v", h, got.err)
		}
		if got.st.State.Final() {
			return got.st
		}
		r.clk.Advance(r.p.Info().PollEvery)
	}
	r.t.Fatalf("%+v never ended", h)
	return providers.Status{}
}

// wantErr checks err is a *providers.Error of kind with the given code
// and MaybeSent as given.
func wantErr(t *testing.T, err error, kind providers.ErrorKind, httpStatus int, code string, maybeSent bool) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want *providers.Error of kind %s", err, err, kind)
	}
	if pe.Kind != kind || pe.HTTPStatus != httpStatus || pe.Code != code {
		t.Fatalf("error %v: kind %s HTTP %d code %q, want %s HTTP %d code %q", err, pe.Kind, pe.HTTPStatus, pe.Code, kind, httpStatus, code)
	}
	if got := providers.MaybeSent(err); got != maybeSent {
		t.Fatalf("MaybeSent(%v) = %v, want %v", err, got, maybeSent)
	}
	return pe
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// okToAll answers every status call with a paid invoice of the id asked.
type okToAll struct{}

func (okToAll) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = w.Write([]byte(`{"data":{"invoice_id":"` + r.URL.Query().Get("invoice_id") + `","status":2,"pay_id":"1"},"error":null,"is_success":true}`))
}
