package octo_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/octo"
	"github.com/kassa-till/kassa/providers/octo/sim"
)

var t0 = time.Date(2026, 6, 26, 14, 20, 0, 0, time.FixedZone("UZT", 5*3600))

// The shop's credentials in tests; tests look for them in every text the
// package writes.
const (
	testShop      = 10000
	testSecret    = "2d45df74-bb95-47cf-a616-8d6dcee2e10d"
	testNotifyKey = "uk-5b0e7a1c39"
)

var fish = octo.Product{Name: "Tuzlangan baliq", SPIC: "00305001001000000", PackageCode: "1425207", NDS: 1, INN: "123456"}
var bread = octo.Product{Name: "Non", SPIC: "01901001001000000", PackageCode: "1500001", NDS: 0, PINFL: "123451246"}

func registered(ps ...octo.Product) []sim.Product {
	var out []sim.Product
	for _, p := range ps {
		out = append(out, sim.Product{SPIC: p.SPIC, PackageCode: p.PackageCode, NDS: p.NDS, INN: p.INN, PINFL: p.PINFL})
	}
	return out
}

// sniffer keeps every request body the client sends.
type sniffer struct {
	next http.RoundTripper
	mu   sync.Mutex
	sent map[string][][]byte // by path
}

func (s *sniffer) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	s.mu.Lock()
	s.sent[r.URL.Path] = append(s.sent[r.URL.Path], b)
	s.mu.Unlock()
	return s.next.RoundTrip(r)
}

func (s *sniffer) last(path string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.sent[path]
	if len(l) == 0 {
		return nil
	}
	return l[len(l)-1]
}

type recorder struct {
	mu     sync.Mutex
	events []providers.Event
}

func (r *recorder) deliver(_ context.Context, e providers.Event) error {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	return nil
}

func (r *recorder) all() []providers.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]providers.Event(nil), r.events...)
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// rig is a provider talking to a sim over loopback HTTP on a fake clock.
type rig struct {
	t    *testing.T
	clk  *clock.Fake
	sim  *sim.Sim
	srv  *httptest.Server
	p    *octo.Provider
	sn   *sniffer
	rec  *recorder
	log  *bytes.Buffer
	opts octo.Options
	ctx  context.Context
}

func newRig(t *testing.T, so sim.Options, po octo.Options) *rig {
	t.Helper()
	clk := clock.NewFake(t0)
	r := &rig{t: t, clk: clk, rec: &recorder{}, log: &bytes.Buffer{}, ctx: context.Background()}
	so.Clock, so.ShopID, so.Secret, so.NotifyKey = clk, testShop, testSecret, testNotifyKey
	if so.Products == nil {
		so.Products = registered(fish, bread)
	}
	r.sim = sim.New(so)
	r.srv = httptest.NewServer(r.sim.Handler())
	t.Cleanup(r.srv.Close)
	r.sn = &sniffer{next: r.srv.Client().Transport, sent: map[string][][]byte{}}
	po.URL, po.HTTP, po.Clock = r.srv.URL, &http.Client{Transport: r.sn}, clk
	po.ShopID, po.Secret, po.NotifyKey = testShop, testSecret, testNotifyKey
	if po.Products == nil {
		po.Products = []octo.Product{fish, bread}
	}
	if po.Contact == (octo.Contact{}) {
		po.Contact = octo.Contact{Phone: "998901234567"}
	}
	po.Log = slog.New(slog.NewTextHandler(&lockedWriter{w: r.log}, nil))
	r.opts = po
	r.p = r.fresh()
	return r
}

// fresh is another Provider on the same sim, as after a restart.
func (r *rig) fresh() *octo.Provider {
	p, err := octo.New(r.opts)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

func sum(tiyin int64) providers.Money { return providers.New(tiyin, providers.UZS) }

var amount = sum(10_333) // 103.33 UZS

func (r *rig) start(id string, sale providers.Sale) providers.Status {
	r.t.Helper()
	st, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: id, Amount: amount, Sale: sale})
	if err != nil {
		r.t.Fatalf("start %s: %v", id, err)
	}
	return st
}

func (r *rig) status(id, ref string) providers.Status {
	r.t.Helper()
	st, err := r.p.Status(r.ctx, providers.Handle{Kind: providers.KindPayment, OperationID: id, Ref: ref})
	if err != nil {
		r.t.Fatalf("status %s: %v", id, err)
	}
	return st
}

// paid runs a payment to success and returns its UUID.
func (r *rig) paid(id string) string {
	r.t.Helper()
	r.sim.Next(sim.Customer{Does: sim.Pay, Delay: 5 * time.Second})
	st := r.start(id, providers.Sale{})
	r.clk.Advance(6 * time.Second)
	if got := r.status(id, st.Ref); got.State != providers.StateSuccess {
		r.t.Fatalf("paid: %+v", got)
	}
	return st.Ref
}

func wantErr(t *testing.T, err error, kind providers.ErrorKind, maybeSent bool) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want a *providers.Error", err, err)
	}
	if pe.Kind != kind || providers.MaybeSent(err) != maybeSent {
		t.Fatalf("%v: kind %s, MaybeSent %v; want %s, %v", err, pe.Kind, providers.MaybeSent(err), kind, maybeSent)
	}
	if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), testNotifyKey) {
		t.Fatalf("the error carries a secret: %v", err)
	}
	return pe
}

var shapes = []sim.Shape{sim.ShapeData, sim.ShapeFlat}
