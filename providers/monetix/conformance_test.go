package monetix_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/conformance"
	"github.com/kassa-till/kassa/providers/monetix"
	"github.com/kassa-till/kassa/providers/monetix/sim"
)

// The suite polls Status only; the QR reaches it because the sim sends
// due callbacks before it answers a request, to the listener of the
// provider made last, whose Status then carries the QR.
func TestConformance(t *testing.T) {
	conformance.Run(t, harness)
}

func harness(t *testing.T) conformance.Harness {
	clk := clock.NewFake(t0)
	listen := &syncHandler{}
	ls := httptest.NewServer(listen)
	t.Cleanup(ls.Close)
	s := sim.New(sim.Options{Clock: clk, ProjectID: testProject, Secret: testSecret, Refunds: true})
	gate := httptest.NewServer(s.Handler())
	t.Cleanup(gate.Close)
	var faults []conformance.Fault
	for code, kind := range wantKinds {
		faults = append(faults, conformance.Fault{Name: sim.Messages[code], Kind: kind,
			Inject: func() { s.Inject(sim.PathSale, sim.Code(code)) }})
	}
	for _, f := range []struct {
		fault     sim.Fault
		kind      providers.ErrorKind
		maybeSent bool
	}{
		{sim.FaultBadGateway, providers.ErrNoAnswer, true}, {sim.FaultRedirect, providers.ErrRedirected, false},
		{sim.FaultDrop, providers.ErrDropped, true},
	} {
		faults = append(faults, conformance.Fault{Name: string(f.fault), Kind: f.kind, MaybeSent: f.maybeSent,
			Inject: func() { s.Inject(sim.PathSale, f.fault) }})
	}
	faults = append(faults, conformance.Fault{Name: string(sim.FaultGarbage), Kind: providers.ErrMalformed, MaybeSent: true,
		Inject: func() { s.Inject(sim.PathSale, sim.FaultGarbage) }})
	return conformance.Harness{
		New: func() providers.Provider {
			p, err := monetix.New(monetix.Options{URL: gate.URL, HTTP: gate.Client(), ProjectID: testProject,
				Secret: testSecret, CallbackURL: ls.URL + "/cb", Refunds: true, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			listen.set(p.Callbacks(func(context.Context, providers.Event) error { return nil }))
			return p
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
				return false // no cancel at the Gate
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
