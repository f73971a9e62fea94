package tracker

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/providers/monetix"
	"github.com/kassa-till/kassa/store"
)

// A refund at a provider whose refunds are made elsewhere (a Monetix
// project without them) is refused before anything is written or sent,
// whoever asks: the screen, kassa refund, the history.
func TestRefundNotOfferedWritesNothing(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := monetix.New(monetix.Options{URL: "http://127.0.0.1:1", ProjectID: 1, Secret: "k"})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0)
	tr := New(st, providers.MustRegistry(p), clk)
	defer tr.Close()
	paid := store.NewPayment(monetix.Name, providers.New(10000000, providers.UZS), "", false, clk.Now())
	if err := st.Create(&paid); err != nil {
		t.Fatal(err)
	}
	paid.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: paid.Handle().OperationID}, clk.Now())
	if err := st.Save(&paid); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Refund(paid, providers.New(5000000, providers.UZS), ""); !errors.Is(err, ErrRefundsNotOffered) {
		t.Fatalf("%v", err)
	}
	if ops, _ := st.Recent(10); len(ops) != 1 {
		t.Fatalf("%d operations: the refund was written", len(ops))
	}
}

// A refund a manager approved keeps both names to its end, and its audit
// entry, written with it, says the same.
func TestAnApprovedRefundNamesItsApprover(t *testing.T) {
	r := newRig(t)
	r.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
	pay := r.stored(r.sell(1000, nil))
	r.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
	m, err := r.tr.RefundApproved(pay, providers.New(400, providers.KZT), "Aigerim", "Dana")
	if err != nil {
		t.Fatal(err)
	}
	ref := r.stored(r.follow(m, nil))
	if ref.State != store.StateSuccess || ref.Cashier != "Aigerim" || ref.Approver != "Dana" {
		t.Fatalf("%+v", ref)
	}
	page, err := r.store.AuditPage(time.Time{}, time.Time{}, ref.Receipt(), 0, 5)
	if err != nil || len(page) != 1 || page[0].Kind != store.AuditRefund || page[0].Who != "Aigerim" || page[0].Approver != "Dana" {
		t.Fatalf("%+v %v", page, err)
	}
}
