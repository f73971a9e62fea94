package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
)

// Speeds are the clock speeds training offers: 20 shows the 180 s scan
// timeout in 9 s.
var speeds = []int{1, 5, 20}

// trainer steers training mode's simulated Smart POS.
type trainer struct {
	sim   *sim.Sim
	clock *clock.Scaled
	store *store.Store
	delay time.Duration
}

// Fault behaviours make the POS refuse the next payment instead of
// scripting a customer.
var faultBehaviours = map[string]sim.Fault{"busy": sim.FaultBusy, "expired": sim.FaultExpired}

func (t *trainer) Behaviours() []string {
	return append(customerNames(), "busy", "expired")
}

func (t *trainer) Next(behaviour string) error {
	if f, ok := faultBehaviours[behaviour]; ok {
		t.sim.Inject("/v2/payment", f)
		return nil
	}
	b, err := parseCustomer(behaviour)
	if err != nil {
		return err
	}
	t.sim.Next(sim.Customer{Does: b, Delay: t.delay})
	return nil
}

// RealisticDay queues a day's worth of customers: most pay by QR, some by
// card, a few decline, walk away or leave the POS unsure.
func (t *trainer) RealisticDay() {
	weighted := []struct {
		b sim.Behaviour
		w int
	}{{sim.PayQR, 60}, {sim.PayCard, 22}, {sim.Decline, 7}, {sim.NeverScan, 3}, {sim.ScanNoConfirm, 3}, {sim.UnknownThenSuccess, 3}, {sim.UnknownThenFail, 2}}
	for range 40 {
		n := rand.IntN(100)
		for _, c := range weighted {
			if n < c.w {
				t.sim.Next(sim.Customer{Does: c.b, Delay: time.Duration(2+rand.IntN(9)) * time.Second})
				break
			}
			n -= c.w
		}
	}
}

func (t *trainer) Speed() int { return t.clock.Speed() }

func (t *trainer) SetSpeed(s int) { t.clock.SetSpeed(s) }

func (t *trainer) Wipe() error { return t.store.Wipe() }

func validSpeed(s int) error {
	for _, v := range speeds {
		if v == s {
			return nil
		}
	}
	return fmt.Errorf("speed %d: use 1, 5 or 20", s)
}

// books is what the demo's POS did in earlier runs, as the training file
// has it: the payments it took, with what their refunds returned (or may
// have), and every number it gave. The till's books are the truth: the POS
// keeps no ledger of its own to drift from them.
func books(st *store.Store, provider string) (payments []sim.Payment, used []string, err error) {
	paid := map[store.ID]int{} // payment ID → index in payments
	refunded := map[store.ID]int64{}
	err = st.EachRow(func(r store.Row) bool {
		if r.Provider != provider {
			return true
		}
		for _, n := range []string{r.Number, r.Ref} {
			if n != "" {
				used = append(used, n)
			}
		}
		switch {
		case r.Kind == store.KindPayment && r.State == store.StateSuccess && r.Number != "" && r.Method != "":
			paid[r.ID] = len(payments)
			payments = append(payments, sim.Payment{Method: r.Method, TransactionID: r.Number, Amount: r.Amount.Minor})
		case r.Kind == store.KindRefund && r.State.Holds():
			refunded[r.PaymentID] += r.Amount.Minor
		}
		return true
	})
	for id, sum := range refunded {
		if i, ok := paid[id]; ok {
			payments[i].Refunded = sum
		}
	}
	return payments, used, err
}
