package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/uzqr"
	uzsim "github.com/kassa-till/kassa/providers/uzqr/sim"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/display"
)

// A UzQR sale as the customer's display hears it over the till's
// socket: idle with the shop's name, the payment waiting with its amount
// and the box's QR, paid, and idle again once the outcome has been shown.
func TestDisplayStreamOfAUzQRSale(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 14, 20, 0, 0, time.UTC))
	box := uzsim.New(uzsim.Options{Clock: clk, QRName: "CASH_1", Seed: 7})
	box.Next(uzsim.Customer{Does: uzsim.Pay, Delay: 4 * time.Second})
	srv := httptest.NewServer(box.Handler())
	t.Cleanup(srv.Close)
	p, err := uzqr.New(uzqr.Options{URL: srv.URL, QRName: "CASH_1"})
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "kassa.db")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	tr := tracker.New(st, providers.MustRegistry(p), clk)
	t.Cleanup(func() { tr.Close(); st.Close() })
	stop, err := serveControl(st, store.DefaultApproval(), nil, display.Handler(tr, "Oʻzbekiston doʻkoni"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)

	stream, err := display.Socket(controlPath(db))(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	lines := make(chan display.State, 64)
	go func() {
		defer close(lines)
		for {
			s, err := stream.Next()
			if err != nil {
				return
			}
			lines <- s
		}
	}()
	// next moves the till's clock a second at a time, whenever the
	// tracker and the stream have nothing more to say, until a line
	// says what is wanted.
	next := func(what string, want func(display.State) bool) display.State {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			select {
			case s, ok := <-lines:
				if !ok {
					t.Fatalf("%s: the stream ended", what)
				}
				if want(s) {
					return s
				}
				continue
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("never said: %s", what)
			}
			if tr.Quiet() && tr.Delivered() && len(lines) == 0 {
				clk.Advance(time.Second)
			}
			time.Sleep(100 * time.Microsecond) // the stream's goroutines, not the clock
		}
	}

	if s := next("idle", func(s display.State) bool { return true }); s.Screen != display.Idle || s.Shop != "Oʻzbekiston doʻkoni" {
		t.Fatalf("first line %+v", s)
	}
	amount := providers.New(15000000, providers.UZS)
	m, err := tr.Pay(uzqr.Name, amount, "", false)
	if err != nil {
		t.Fatal(err)
	}
	s := next("the QR", func(s display.State) bool { return s.Screen == display.Pay && s.QR != "" })
	op, _ := st.Get(m.Op.ID)
	inv, ok := box.Invoice(op.Ref)
	if !ok || s.QR != inv.QRText || s.Amount != amount || s.Provider != uzqr.Name || s.Stage != display.Waiting {
		t.Fatalf("waiting: %+v, the box's QR %q", s, inv.QRText)
	}
	// The box's QR has no expiry of its own; the till's time for it is
	// counted.
	if left, ok := s.Left(); !ok || left <= 0 || left > p.Info().ScanTimeout || !s.Expires.IsZero() {
		t.Fatalf("time left %v %v, expires %v", left, ok, s.Expires)
	}

	s = next("paid", func(s display.State) bool { return s.Screen != display.Pay })
	if s.Screen != display.Paid || s.Amount != amount || s.QR != "" {
		t.Fatalf("after the QR: %+v", s)
	}
	op, _ = st.Get(m.Op.ID)
	s = next("idle again", func(s display.State) bool { return true })
	if s.Screen != display.Idle || clk.Now().Sub(op.Updated) < display.OutcomeFor {
		t.Fatalf("%v after paid: %+v", clk.Now().Sub(op.Updated), s)
	}

	// A till that closes ends the stream; the display then looks again.
	stop()
	for range lines {
	}
	if _, err := os.Stat(controlPath(db)); err == nil {
		t.Fatal("the socket is left behind")
	}
	if _, err := display.Socket(controlPath(db))(context.Background()); err == nil {
		t.Fatal("a closed till answered")
	}
}

// A process of another user is answered 403 whatever it asks, export and
// display alike; the till's own user gets through.
func TestOnlyTheTillsUserGetsIn(t *testing.T) {
	reached := false
	h := onlyOwnUser(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	for _, path := range []string{"/display", "/export"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req = req.WithContext(context.WithValue(req.Context(), peerKey{}, peerVerdict{errOtherUser}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden || reached {
			t.Fatalf("%s: %d, reached %v", path, rec.Code, reached)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/display", nil)
	req = req.WithContext(context.WithValue(req.Context(), peerKey{}, peerVerdict{}))
	h.ServeHTTP(httptest.NewRecorder(), req)
	if !reached {
		t.Fatal("the till's own user was refused")
	}
}
