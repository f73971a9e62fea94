package kaspi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
)

var almaty = time.FixedZone("ALMT", 5*3600)

// t0 is when every test's fake clock starts: the seed's first sample.
var t0 = time.Date(2023, 3, 6, 14, 20, 0, 0, almaty)

// rig is a client talking to a sim over loopback HTTP on a fake clock.
type rig struct {
	t   *testing.T
	clk *clock.Fake
	sim *sim.Sim
	srv *httptest.Server
	c   *kaspi.Client
	ctx context.Context
}

func newRig(t *testing.T, opts sim.Options) *rig {
	t.Helper()
	clk := clock.NewFake(t0)
	opts.Clock = clk
	if opts.Location == nil {
		opts.Location = almaty
	}
	s := sim.New(opts)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	c := kaspi.NewClient(srv.URL, srv.Client())
	c.Location = almaty
	return &rig{t: t, clk: clk, sim: s, srv: srv, c: c, ctx: context.Background()}
}

func (r *rig) advance(d time.Duration) { r.clk.Advance(d) }

// elapsed is the fake time since the rig started.
func (r *rig) elapsed() time.Duration { return r.clk.Now().Sub(t0) }

func (r *rig) pay(amount int64) string {
	r.t.Helper()
	ref, err := r.c.Payment(r.ctx, amount, true)
	if err != nil {
		r.t.Fatalf("payment %d: %v", amount, err)
	}
	if ref.ProcessID == "" || ref.Status != "wait" {
		r.t.Fatalf("payment answer %+v", ref)
	}
	return ref.ProcessID
}

func (r *rig) refund(m providers.Method, amount int64, txID string) string {
	r.t.Helper()
	ref, err := r.c.Refund(r.ctx, m, amount, txID, true)
	if err != nil {
		r.t.Fatalf("refund %s %d of %s: %v", m, amount, txID, err)
	}
	return ref.ProcessID
}

func (r *rig) status(id string) kaspi.Status {
	r.t.Helper()
	st, err := r.c.Status(r.ctx, id)
	if err != nil {
		r.t.Fatalf("status %s at %v: %v", id, r.elapsed(), err)
	}
	return st
}

// run polls id every step of fake time until it is no longer pending, as
// the till does, and returns the last status and the distinct subStatuses
// seen in order.
func (r *rig) run(id string, step time.Duration) (kaspi.Status, []string) {
	r.t.Helper()
	var seen []string
	for range 100000 {
		st := r.status(id)
		if len(seen) == 0 || seen[len(seen)-1] != st.Detail {
			seen = append(seen, st.Detail)
		}
		if st.State != providers.StatePending {
			return st, seen
		}
		r.advance(step)
	}
	r.t.Fatalf("process %s never ended", id)
	return kaspi.Status{}, nil
}

// complete runs a payment or refund to its end with one-second polls.
func (r *rig) complete(id string) kaspi.Status {
	r.t.Helper()
	st, _ := r.run(id, time.Second)
	return st
}

// wantErr checks err is a *providers.Error of kind with the given HTTP
// status and code, and MaybeSent as given.
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

// waitFor spins until cond holds, for handing over between the test and
// a request blocked on the fake clock. It waits on goroutines, not time.
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
