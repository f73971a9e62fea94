package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	mxsim "github.com/kassa-till/kassa/providers/monetix/sim"
	octosim "github.com/kassa-till/kassa/providers/octo/sim"
	uzsim "github.com/kassa-till/kassa/providers/uzqr/sim"
	"github.com/kassa-till/kassa/store"
)

// Speeds are the clock speeds training offers: 20 shows the 180 s scan
// timeout in 9 s.
var speeds = []int{1, 5, 20}

// kaspiTrainer steers training mode's simulated Smart POS.
type kaspiTrainer struct {
	sim   *sim.Sim
	clock *clock.Scaled
	store *store.Store
	delay time.Duration
}

// Fault behaviours make the POS refuse the next payment instead of
// scripting a customer.
var faultBehaviours = map[string]sim.Fault{"busy": sim.FaultBusy, "expired": sim.FaultExpired}

func (t *kaspiTrainer) Behaviours() []string {
	return append(customerNames(), "busy", "expired")
}

func (t *kaspiTrainer) Next(behaviour string) error {
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
func (t *kaspiTrainer) RealisticDay() {
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

func (t *kaspiTrainer) Speed() int { return t.clock.Speed() }

func (t *kaspiTrainer) SetSpeed(s int) { t.clock.SetSpeed(s) }

func (t *kaspiTrainer) Wipe(by, approver string) error {
	return t.store.Wipe(by, approver, t.clock.Now())
}

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

// uzTrainer steers training mode's simulated UzQR box: what the next
// customer does and how the next refund ends.
type uzTrainer struct {
	sim *uzsim.Sim
	// mx is the Monetix Gate of Click QR, beside the UzQR box.
	mx *mxsim.Sim
	// ox is OCTO, beside them.
	ox    *octosim.Sim
	clock *clock.Scaled
	store *store.Store
	delay time.Duration
}

// The Uzbek demo's behaviours, by their names on the trainer's panel: a
// customer's, then a refund's.
var (
	uzCustomers = map[string]uzsim.Behaviour{
		"uz-pay": uzsim.Pay, "uz-decline": uzsim.Decline, "uz-never": uzsim.Never, "uz-pay-on-cancel": uzsim.PayOnCancel,
	}
	uzRefunds = map[string]uzsim.RefundScript{
		"uz-refund-done":  {Ends: uzsim.RefundDone, After: 5 * time.Second},
		"uz-refund-later": {Ends: uzsim.RefundDone, After: 20 * time.Minute},
		"uz-refund-fail":  {Ends: uzsim.RefundFail, After: 30 * time.Second},
	}
	uzBehaviourOrder = []string{"uz-pay", "uz-decline", "uz-never", "uz-pay-on-cancel", "uz-refund-done", "uz-refund-later", "uz-refund-fail"}

	// The next Click QR customer, and what goes wrong with their callbacks.
	clickCustomers = map[string]mxsim.Customer{
		"click-pay": {Does: mxsim.Pay}, "click-decline": {Does: mxsim.Decline}, "click-never": {Does: mxsim.Never},
		"click-no-qr":      {Does: mxsim.Never, LoseDisplay: true},
		"click-lost-final": {Does: mxsim.Pay, LoseFinal: true},
		"click-repeated":   {Does: mxsim.Pay, Repeat: 2},
		"click-forged":     {Does: mxsim.Decline, BadSignature: true},
		"click-late":       {Does: mxsim.Pay, Late: 30 * time.Second},
	}
	clickBehaviourOrder = []string{"click-pay", "click-decline", "click-never", "click-no-qr", "click-lost-final", "click-repeated", "click-forged", "click-late"}

	// The next OCTO customer: pays, declines, walks away, or pays a
	// payment OCTO then holds for capture (the till cancels it on Esc).
	octoCustomers = map[string]octosim.Behaviour{
		"octo-pay": octosim.Pay, "octo-decline": octosim.Decline, "octo-never": octosim.Never, "octo-hold": octosim.Hold,
	}
	octoBehaviourOrder = []string{"octo-pay", "octo-decline", "octo-never", "octo-hold"}
)

func (t *uzTrainer) Behaviours() []string {
	b := slices.Clone(uzBehaviourOrder)
	if t.mx != nil {
		b = append(b, clickBehaviourOrder...)
	}
	if t.ox != nil {
		b = append(b, octoBehaviourOrder...)
	}
	return b
}

func (t *uzTrainer) Next(behaviour string) error {
	if b, ok := octoCustomers[behaviour]; ok && t.ox != nil {
		t.ox.Next(octosim.Customer{Does: b, Delay: t.delay})
		return nil
	}
	if c, ok := clickCustomers[behaviour]; ok && t.mx != nil {
		c.Delay = t.delay
		t.mx.Next(c)
		return nil
	}
	if r, ok := uzRefunds[behaviour]; ok {
		t.sim.NextRefund(r)
		return nil
	}
	b, ok := uzCustomers[behaviour]
	if !ok {
		return fmt.Errorf("demo customer %q: use one of %s", behaviour, strings.Join(t.Behaviours(), ", "))
	}
	t.sim.Next(uzsim.Customer{Does: b, Delay: t.delay})
	return nil
}

// RealisticDay queues a day's customers: most pay, a few decline or walk
// away.
func (t *uzTrainer) RealisticDay() {
	weighted := []struct {
		b uzsim.Behaviour
		w int
	}{{uzsim.Pay, 85}, {uzsim.Decline, 8}, {uzsim.Never, 5}, {uzsim.PayOnCancel, 2}}
	for range 40 {
		n := rand.IntN(100)
		for _, c := range weighted {
			if n < c.w {
				t.sim.Next(uzsim.Customer{Does: c.b, Delay: time.Duration(3+rand.IntN(12)) * time.Second})
				break
			}
			n -= c.w
		}
		if t.mx != nil {
			does := mxsim.Pay
			if n := rand.IntN(100); n < 8 {
				does = mxsim.Decline
			} else if n < 13 {
				does = mxsim.Never
			}
			t.mx.Next(mxsim.Customer{Does: does, Delay: time.Duration(3+rand.IntN(12)) * time.Second})
		}
		if t.ox != nil {
			does := octosim.Pay
			if n := rand.IntN(100); n < 8 {
				does = octosim.Decline
			} else if n < 13 {
				does = octosim.Never
			}
			t.ox.Next(octosim.Customer{Does: does, Delay: time.Duration(3+rand.IntN(12)) * time.Second})
		}
	}
}

func (t *uzTrainer) Speed() int { return t.clock.Speed() }

func (t *uzTrainer) SetSpeed(s int) { t.clock.SetSpeed(s) }

func (t *uzTrainer) Wipe(by, approver string) error {
	return t.store.Wipe(by, approver, t.clock.Now())
}
