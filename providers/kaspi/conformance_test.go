package kaspi_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/conformance"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Harness {
		clk := clock.NewFake(t0)
		s := sim.New(sim.Options{Clock: clk, Location: almaty})
		srv := httptest.NewServer(s.Handler())
		t.Cleanup(srv.Close)
		fault := func(name string, f sim.Fault, kind providers.ErrorKind, maybeSent bool) conformance.Fault {
			return conformance.Fault{Name: name, Inject: func() { s.Inject("/v2/payment", f) }, Kind: kind, MaybeSent: maybeSent}
		}
		return conformance.Harness{
			New: func() providers.Provider {
				c := kaspi.NewClient(srv.URL, srv.Client())
				c.Location = almaty
				return kaspi.New(c, kaspi.Options{})
			},
			Clock:  clk,
			Amount: providers.New(3000, providers.KZT),
			Next: func(c conformance.Customer) bool {
				does := map[conformance.Customer]sim.Behaviour{
					conformance.Pays: sim.PayQR, conformance.Declines: sim.Decline, conformance.NeverPays: sim.NeverScan,
				}[c]
				if does == "" {
					return false // the POS has no cancel call to race
				}
				s.Next(sim.Customer{Does: does, Delay: 3 * time.Second})
				return true
			},
			// A QR refund is confirmed by the customer scanning on the POS.
			NextRefund: func(e conformance.RefundEnd) {
				does := sim.PayQR
				if e == conformance.RefundFails {
					does = sim.Decline
				}
				s.Next(sim.Customer{Does: does, Delay: 3 * time.Second})
			},
			StartFaults: []conformance.Fault{
				fault("500 internal error", sim.FaultInternal, providers.ErrProvider, false),
				fault("106 blocked (HTTP 400)", sim.FaultBlocked, providers.ErrBlocked, false),
				fault("106 blocked", sim.FaultBlocked200, providers.ErrBlocked, false),
				fault("107 busy", sim.FaultBusy, providers.ErrBusy, false),
				fault("108 failed", sim.FaultFailed, providers.ErrProvider, false),
				fault("401 authorization failed", sim.FaultAuth, providers.ErrAuth, false),
				fault("403 session expired", sim.FaultExpired, providers.ErrExpired, false),
				fault("502 from a proxy", sim.FaultBadGateway, providers.ErrMalformed, true),
				fault("HTML 500", sim.FaultCrash, providers.ErrMalformed, true),
				fault("garbage", sim.FaultGarbage, providers.ErrMalformed, true),
				fault("dropped", sim.FaultDrop, providers.ErrDropped, true),
				fault("reset", sim.FaultReset, providers.ErrDropped, true),
			},
		}
	})
}
