package uzqr_test

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/conformance"
	"github.com/kassa-till/kassa/providers/uzqr"
	"github.com/kassa-till/kassa/providers/uzqr/sim"
)

func TestConformance(t *testing.T) {
	for _, longPoll := range []bool{false, true} {
		t.Run(fmt.Sprintf("long poll %v", longPoll), func(t *testing.T) {
			conformance.Run(t, func(t *testing.T) conformance.Harness { return harness(t, longPoll) })
		})
	}
}

func harness(t *testing.T, longPoll bool) conformance.Harness {
	clk := clock.NewFake(t0)
	s := sim.New(sim.Options{Clock: clk, LongPoll: longPoll, INN: testINN, APIKey: testKey})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	var faults []conformance.Fault
	for _, f := range sim.Faults {
		f := f
		cf := conformance.Fault{Name: string(f), Inject: func() { s.Inject(sim.PathCreate, f) }}
		switch f {
		case sim.FaultBadGateway:
			cf.Kind, cf.MaybeSent = providers.ErrNoAnswer, true
		case sim.FaultDrop:
			cf.Kind, cf.MaybeSent = providers.ErrDropped, true
		case sim.FaultRedirect:
			cf.Kind = providers.ErrRedirected
		case sim.FaultGarbage, sim.FaultForeign:
			cf.Kind, cf.MaybeSent = providers.ErrMalformed, true
		default:
			cf.Kind = wantKinds[sim.FaultCodes[f]]
		}
		faults = append(faults, cf)
	}
	return conformance.Harness{
		New: func() providers.Provider {
			p, err := uzqr.New(uzqr.Options{URL: srv.URL, HTTP: srv.Client(), INN: testINN, APIKey: testKey})
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
		Clock:  clk,
		Amount: providers.New(150000, providers.UZS),
		Next: func(c conformance.Customer) bool {
			does := map[conformance.Customer]sim.Behaviour{
				conformance.Pays: sim.Pay, conformance.Declines: sim.Decline, conformance.NeverPays: sim.Never,
				conformance.PaysAsCancelled: sim.PayOnCancel,
			}[c]
			s.Next(sim.Customer{Does: does, Delay: 5 * time.Second})
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
