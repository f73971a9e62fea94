package monetix_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/monetix"
	"github.com/kassa-till/kassa/providers/monetix/sim"
)

var t0 = time.Date(2026, 6, 26, 14, 20, 0, 0, time.FixedZone("UZT", 5*3600))

// The project's credentials in tests; tests look for the key in every
// text the package writes.
const (
	testProject = 4242
	testSecret  = "mx-secret-7d1e0c5b9a"
)

// recorder is the till's side of deliver: it keeps every event, and
// fails while told to.
type recorder struct {
	mu     sync.Mutex
	events []providers.Event
	fail   error
}

func (r *recorder) deliver(_ context.Context, e providers.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.events = append(r.events, e)
	return nil
}

func (r *recorder) all() []providers.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]providers.Event(nil), r.events...)
}

func (r *recorder) setFail(err error) {
	r.mu.Lock()
	r.fail = err
	r.mu.Unlock()
}

// rig is a provider and its listener talking to a sim over loopback HTTP
// on a fake clock.
type rig struct {
	t        *testing.T
	clk      *clock.Fake
	sim      *sim.Sim
	p        *monetix.Provider
	c        *monetix.Client
	rec      *recorder
	log      *bytes.Buffer
	listener *httptest.Server
	handler  *syncHandler
	ctx      context.Context
}

func newRig(t *testing.T, so sim.Options, po monetix.Options) *rig {
	t.Helper()
	clk := clock.NewFake(t0)
	r := &rig{t: t, clk: clk, rec: &recorder{}, log: &bytes.Buffer{}, ctx: context.Background()}
	so.Clock, so.ProjectID, so.Secret = clk, testProject, testSecret
	r.sim = sim.New(so)
	gate := httptest.NewServer(r.sim.Handler())
	t.Cleanup(gate.Close)
	r.handler = &syncHandler{}
	r.listener = httptest.NewServer(r.handler)
	t.Cleanup(r.listener.Close)
	po.URL, po.HTTP, po.Clock = gate.URL, gate.Client(), clk
	po.ProjectID, po.Secret = testProject, testSecret
	po.CallbackURL = r.listener.URL + "/kassa/monetix"
	po.Log = slog.New(slog.NewTextHandler(&lockedWriter{w: r.log}, nil))
	p, err := monetix.New(po)
	if err != nil {
		t.Fatal(err)
	}
	r.handler.set(p.Callbacks(r.rec.deliver))
	r.p, r.c = p, p.Client()
	return r
}

func sum(tiyin int64) providers.Money { return providers.New(tiyin, providers.UZS) }

// amount is 200,000.00 UZS, inside Click's limits.
var amount = sum(20_000_000)

func (r *rig) start(id string) providers.Status {
	r.t.Helper()
	st, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: id, Amount: amount})
	if err != nil {
		r.t.Fatalf("start %s: %v", id, err)
	}
	return st
}

func (r *rig) status(id string) providers.Status {
	r.t.Helper()
	st, err := r.p.Status(r.ctx, providers.Handle{Kind: providers.KindPayment, OperationID: id, Ref: id})
	if err != nil {
		r.t.Fatalf("status %s: %v", id, err)
	}
	return st
}

// flush lets the sim send what is due at the clock's time.
func (r *rig) flush() { r.sim.Flush(r.ctx) }

func wantErr(t *testing.T, err error, kind providers.ErrorKind, maybeSent bool) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want a *providers.Error", err, err)
	}
	if pe.Kind != kind || providers.MaybeSent(err) != maybeSent {
		t.Fatalf("%v: kind %s, MaybeSent %v; want %s, %v", err, pe.Kind, providers.MaybeSent(err), kind, maybeSent)
	}
	return pe
}
