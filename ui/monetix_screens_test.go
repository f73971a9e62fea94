package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/monetix"
	mxsim "github.com/kassa-till/kassa/providers/monetix/sim"
	"github.com/kassa-till/kassa/store"
)

// mxTill is a Click QR till in a test terminal: the Monetix Gate
// simulator on a fake clock, and the till's callback listener on loopback.
type mxTill struct {
	*till
	mx *mxsim.Sim
}

func newMxTill(t *testing.T, width, height int, lang string, customer mxsim.Customer) *mxTill {
	t.Helper()
	clk := clock.NewFake(t0)
	s := mxsim.New(mxsim.Options{Clock: clk, ProjectID: 77, Secret: "s3cret"})
	s.Next(customer)
	gate := httptest.NewServer(s.Handler())
	t.Cleanup(gate.Close)
	// The listener comes first: its address goes into every sale.
	var handler atomic.Pointer[http.Handler]
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}))
	t.Cleanup(listener.Close)
	p, err := monetix.New(monetix.Options{URL: gate.URL, ProjectID: 77, Secret: monetix.Secret("s3cret"),
		CallbackURL: listener.URL + "/kassa/monetix", Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	c := uzShop(t, clk, lang, p)
	tr := c.Tracker
	h := p.Callbacks(func(ctx context.Context, e providers.Event) error { return tr.Deliver(ctx, monetix.Name, e) })
	handler.Store(&h)
	tm := teatest.NewTestModel(t, New(c), teatest.WithInitialTermSize(width, height))
	return &mxTill{till: &till{t: t, tm: tm, clk: clk, store: c.Store, tr: tr, cat: c.Cat}, mx: s}
}

// The QR comes by callback after the sale: the screen waits for it, then
// draws it so that it scans back to the callback's qr_data; the final
// callback brings the receipt with Monetix's and Click's ids.
func TestScreenClickQRComesByCallback(t *testing.T) {
	k := newMxTill(t, 100, 30, "en", mxsim.Customer{Does: mxsim.Pay, Delay: 30 * time.Second})
	k.pay("150000")
	for range 6 { // the status poll, every 5 s, carries the Gate's callbacks along
		k.second()
	}
	op, _ := k.store.Get(1)
	if op.QR == nil || !strings.HasPrefix(op.QR.Payload, "https://") {
		t.Fatalf("stored QR %+v", op.QR)
	}
	s := k.screen()
	if got := shownQR(t, s); got != op.QR.Payload {
		t.Fatalf("the screen's QR says %q, the callback's is %q", got, op.QR.Payload)
	}
	if !strings.Contains(s, k.cat.T("sale.qr_scan_monetix")) {
		t.Fatalf("%s", s)
	}
}

func TestScreenClickPaidByCallback(t *testing.T) {
	k := newMxTill(t, 100, 30, "en", mxsim.Customer{Does: mxsim.Pay, Delay: 8 * time.Second})
	k.pay("150000")
	for range 12 {
		k.second()
	}
	k.waitTitle("150 000.00 soʻm paid")
	op, _ := k.store.Get(1)
	if op.State != store.StateSuccess || op.Cheque == nil || op.Cheque.GateOperation == "" || op.Cheque.ProviderPaymentID == "" {
		t.Fatalf("%+v", op)
	}
	s := k.screen()
	for _, want := range []string{"Monetix operation", op.Cheque.GateOperation, "Click payment", op.Cheque.ProviderPaymentID, "KASSA1-000001"} {
		if !strings.Contains(s, want) {
			t.Errorf("the receipt lacks %q:\n%s", want, s)
		}
	}
}

// No QR callback (the listener cannot be reached from the internet, say):
// after a few seconds the screen says so and what to check, instead of
// waiting in silence.
func TestScreenClickQRThatNeverComesIsSaid(t *testing.T) {
	k := newMxTill(t, 100, 30, "en", mxsim.Customer{Does: mxsim.Never, LoseDisplay: true})
	k.pay("150000")
	for range 25 {
		k.second()
	}
	s := flatten(k.screen())
	if !strings.Contains(s, "Click has not sent the QR yet (0:2") || !strings.Contains(s, "--monetix-callback-url") {
		t.Fatalf("%s", s)
	}
}
