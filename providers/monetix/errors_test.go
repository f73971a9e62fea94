package monetix_test

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/monetix"
	"github.com/kassa-till/kassa/providers/monetix/sim"
)

// wantKinds is SPEC §4's response codes as the till reads them.
var wantKinds = map[int]providers.ErrorKind{
	100: providers.ErrProvider, 301: providers.ErrProvider, 310: providers.ErrUnsupported,
	314: providers.ErrProvider, 402: providers.ErrBlocked, 501: providers.ErrProvider,
	502: providers.ErrInvalid, 601: providers.ErrRateLimited, 602: providers.ErrNoInternet,
	702: providers.ErrInvalid, 2003: providers.ErrInvalid, 2004: providers.ErrInvalid,
	2442: providers.ErrAuth, 2541: providers.ErrUnsupported, 2642: providers.ErrLimit,
	3024: providers.ErrInvalid, 3041: providers.ErrInvalid, 3060: providers.ErrNotResolvable,
	3061: providers.ErrNotFound, 20000: providers.ErrProvider,
}

var calls = map[string]func(r *rig) error{
	sim.PathSale: func(r *rig) error {
		_, err := r.c.Sale(r.ctx, monetix.SaleRequest{PaymentID: "K1-000001", Amount: amount, CustomerID: "kassa", CustomerIP: "127.0.0.1"})
		return err
	},
	sim.PathStatus: func(r *rig) error { _, err := r.c.Status(r.ctx, "K1-000001"); return err },
	sim.PathRefund: func(r *rig) error { _, err := r.c.Refund(r.ctx, "K1-000001", amount, ""); return err },
}

// Every code on every call: its kind, its code and the Gate's message, a
// refusal (not sent), and Retryable exactly for 314, 601 and 602.
func TestEveryResponseCode(t *testing.T) {
	if len(monetix.Codes()) != len(wantKinds) {
		t.Fatalf("the package maps %d codes, the spec lists %d", len(monetix.Codes()), len(wantKinds))
	}
	for code, kind := range wantKinds {
		if monetix.KindOfCode(code) != kind {
			t.Errorf("%d: %s, want %s", code, monetix.KindOfCode(code), kind)
		}
		for path, call := range calls {
			t.Run(fmt.Sprintf("%d%s", code, path), func(t *testing.T) {
				r := newRig(t, sim.Options{Refunds: true}, monetix.Options{})
				r.sim.Inject(path, sim.Code(code))
				err := call(r)
				pe := wantErr(t, err, kind, false)
				if pe.Code != strconv.Itoa(code) || pe.Text != sim.Messages[code]+": injected" {
					t.Fatalf("code %q text %q", pe.Code, pe.Text)
				}
				retry := code == 314 || code == 601 || code == 602
				if monetix.Retryable(err) != retry {
					t.Fatalf("Retryable %v", monetix.Retryable(err))
				}
			})
		}
	}
	if monetix.KindOfCode(99999) != providers.ErrProvider {
		t.Fatal("an unknown code")
	}
}

// A retryable refusal did nothing: the same sale repeated goes through.
func TestRetryableSaleRepeated(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	r.sim.Inject(sim.PathSale, sim.Code(601))
	_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "K1-000001", Amount: amount})
	if !monetix.Retryable(err) {
		t.Fatalf("%v", err)
	}
	r.start("K1-000001")
	if led := r.sim.Ledger(); len(led) != 1 || led[0].Sales != 1 {
		t.Fatalf("ledger: %+v", led)
	}
}

// With retries on, a retryable refusal is sent again after RetryPause,
// and again, until the Gate takes the sale; one sale is charged.
func TestRetryableSaleRetriedByItself(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{SaleRetries: 2})
	r.sim.Inject(sim.PathSale, sim.Code(601), sim.Code(314))
	done := make(chan error, 1)
	go func() {
		_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "K1-000001", Amount: amount})
		done <- err
	}()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			if n := r.sim.Requests(sim.PathSale); n != 3 {
				t.Fatalf("%d sale requests", n)
			}
			if led := r.sim.Ledger(); len(led) != 1 || led[0].Sales != 1 {
				t.Fatalf("ledger: %+v", led)
			}
			return
		default:
			if d, ok := r.clk.Next(); ok {
				r.clk.Advance(d)
			}
			runtime.Gosched()
		}
	}
}

// Retries run out: the last refusal stands.
func TestRetryableSaleRetriesRunOut(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{SaleRetries: 1})
	r.sim.Inject(sim.PathSale, sim.Code(602), sim.Code(602))
	done := make(chan error, 1)
	go func() {
		_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "K1-000001", Amount: amount})
		done <- err
	}()
	for {
		select {
		case err := <-done:
			if !monetix.Retryable(err) || r.sim.Requests(sim.PathSale) != 2 || !strings.Contains(err.Error(), "sent 2 times") {
				t.Fatalf("%v after %d requests", err, r.sim.Requests(sim.PathSale))
			}
			return
		default:
			if d, ok := r.clk.Next(); ok {
				r.clk.Advance(d)
			}
			runtime.Gosched()
		}
	}
}

// Faults on the way: a redirect is never followed and was not served; a
// 502 without a code, a dropped connection and garbage may all have been
// acted on.
func TestTransportFaults(t *testing.T) {
	for _, c := range []struct {
		fault sim.Fault
		kind  providers.ErrorKind
	}{
		{sim.FaultBadGateway, providers.ErrNoAnswer}, {sim.FaultRedirect, providers.ErrRedirected},
		{sim.FaultDrop, providers.ErrDropped}, {sim.FaultGarbage, providers.ErrMalformed},
	} {
		t.Run(string(c.fault), func(t *testing.T) {
			r := newRig(t, sim.Options{}, monetix.Options{})
			r.sim.Inject(sim.PathSale, c.fault)
			pe := wantErr(t, calls[sim.PathSale](r), c.kind, c.fault != sim.FaultRedirect)
			if c.fault == sim.FaultRedirect && !strings.Contains(pe.Error(), "not followed") {
				t.Fatalf("%v", pe)
			}
			if strings.Contains(pe.Error(), testSecret) {
				t.Fatal("the key in an error")
			}
		})
	}
	r := newRig(t, sim.Options{}, monetix.Options{})
	p, _ := monetix.New(monetix.Options{URL: "http://127.0.0.1:1", ProjectID: 1, Secret: testSecret})
	_, err := p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "K1-1", Amount: amount})
	wantErr(t, err, providers.ErrUnreachable, false)
}

// The Gate's own validation, met without injection: a wrong key is 502,
// a wrong project 2442.
func TestGateValidation(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	c := *r.c
	c.Secret = "wrong"
	_, err := c.Status(r.ctx, "K1-1")
	wantErr(t, err, providers.ErrInvalid, false)
	c = *r.c
	c.ProjectID = 7
	_, err = c.Status(r.ctx, "K1-1")
	wantErr(t, err, providers.ErrAuth, false)
}
