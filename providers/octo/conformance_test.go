package octo_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/conformance"
	"github.com/kassa-till/kassa/providers/octo"
	"github.com/kassa-till/kassa/providers/octo/sim"
)

// withoutCancel hides Cancel from the suite: OCTO withdraws only a
// payment held for capture, never one the customer has not paid
// (TestCancel covers what Cancel does), while the suite's cancel cases
// cancel an unpaid one.
type withoutCancel struct{ providers.Provider }

func TestConformance(t *testing.T) {
	conformance.Run(t, harness)
}

func harness(t *testing.T) conformance.Harness {
	clk := clock.NewFake(t0)
	s := sim.New(sim.Options{Clock: clk, ShopID: testShop, Secret: testSecret, Products: registered(fish)})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	var faults []conformance.Fault
	for _, f := range []struct {
		fault     sim.Fault
		kind      providers.ErrorKind
		maybeSent bool
	}{
		{sim.Code(1, "wrong secret"), providers.ErrAuth, false},
		{sim.Code(403, "Fiscal object with merchant ID 242 spic : 1 package code : 2 nds : 1 inn : 3 pinfl : null not contains in system"), providers.ErrInvalid, false},
		{sim.Code(1, "total_sum is not an amount"), providers.ErrInvalid, false},
		{sim.Code(500, "internal error"), providers.ErrProvider, false},
		{sim.FaultBadGateway, providers.ErrNoAnswer, true}, {sim.FaultRedirect, providers.ErrRedirected, false},
		{sim.FaultDrop, providers.ErrDropped, true}, {sim.FaultGarbage, providers.ErrMalformed, true},
	} {
		faults = append(faults, conformance.Fault{Name: string(f.fault), Kind: f.kind, MaybeSent: f.maybeSent,
			Inject: func() { s.Inject(sim.PathPrepare, f.fault) }})
	}
	return conformance.Harness{
		New: func() providers.Provider {
			p, err := octo.New(octo.Options{URL: srv.URL, HTTP: srv.Client(), ShopID: testShop, Secret: testSecret,
				Products: []octo.Product{fish}, Contact: octo.Contact{Phone: "998901234567"}, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			return withoutCancel{p}
		},
		Clock:  clk,
		Amount: sum(20_000_000),
		Next: func(c conformance.Customer) bool {
			switch c {
			case conformance.Pays:
				s.Next(sim.Customer{Does: sim.Pay, Delay: 15 * time.Second})
			case conformance.Declines:
				s.Next(sim.Customer{Does: sim.Decline, Delay: 15 * time.Second})
			case conformance.NeverPays:
				s.Next(sim.Customer{Does: sim.Never})
			default:
				return false
			}
			return true
		},
		NextRefund: func(e conformance.RefundEnd) {
			end := sim.RefundDone
			if e == conformance.RefundFails {
				end = sim.RefundFail
			}
			s.NextRefund(sim.RefundScript{Ends: end, After: 20 * time.Minute})
		},
		StartFaults: faults,
	}
}
