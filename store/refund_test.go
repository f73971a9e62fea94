package store

import (
	"errors"
	"sync"
	"testing"

	"github.com/kassa-till/kassa/providers"
)

func paidPayment(t *testing.T, s *Store, amount int64) Operation {
	t.Helper()
	pay := NewPayment("kaspi", tenge(amount), "", false, t0)
	if err := s.Create(&pay); err != nil {
		t.Fatal(err)
	}
	pay.Started(providers.Status{Ref: "p"}, t0)
	pay.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodCard, TransactionID: "307208187011"}, t0)
	if err := s.Save(&pay); err != nil {
		t.Fatal(err)
	}
	return pay
}

func TestCreateRefundRefusesMoreThanIsLeft(t *testing.T) {
	s, _ := openTemp(t)
	pay := paidPayment(t, s, 1000)
	r1 := NewRefund(pay, tenge(700), "", t0)
	if err := s.CreateRefund(&r1); err != nil {
		t.Fatal(err)
	}
	if r1.Method != providers.MethodCard || r1.PaymentID != pay.ID {
		t.Fatalf("refund %+v", r1)
	}
	r2 := NewRefund(pay, tenge(301), "", t0)
	var over *OverRefundError
	if err := s.CreateRefund(&r2); !errors.As(err, &over) || over.Left != tenge(300) || !errors.Is(err, ErrOverRefund) {
		t.Fatalf("over-refund: %v", err)
	}
	if r2.ID != 0 {
		t.Fatal("a refused refund was stored")
	}
	r3 := NewRefund(pay, tenge(300), "", t0)
	if err := s.CreateRefund(&r3); err != nil {
		t.Fatalf("refund of exactly what is left: %v", err)
	}
	// A refused refund gives its amount back.
	r3.Refused(&providers.Error{Kind: providers.ErrBusy}, t0)
	s.Save(&r3)
	if left, _ := s.Refundable(pay.ID); left != tenge(300) {
		t.Fatalf("left after a refused refund: %v", left)
	}
	for _, bad := range []int64{0, -5} {
		r := NewRefund(pay, tenge(bad), "", t0)
		if err := s.CreateRefund(&r); err == nil {
			t.Fatalf("refund of %d accepted", bad)
		}
	}
}

func TestCreateRefundOfAnUnpaidPayment(t *testing.T) {
	s, _ := openTemp(t)
	pay := NewPayment("kaspi", tenge(1000), "", false, t0)
	s.Create(&pay)
	r := NewRefund(pay, tenge(1), "", t0)
	if err := s.CreateRefund(&r); !errors.Is(err, ErrNotRefundable) {
		t.Fatalf("refund of an unfinished payment: %v", err)
	}
}

// Ten tills refunding 300 from 1000 at once: exactly three get through.
func TestConcurrentRefundsNeverExceedThePayment(t *testing.T) {
	s, _ := openTemp(t)
	pay := paidPayment(t, s, 1000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := NewRefund(pay, tenge(300), "", t0)
			if s.CreateRefund(&r) == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	left, _ := s.Refundable(pay.ID)
	if ok != 3 || left != tenge(100) {
		t.Fatalf("%d refunds passed, %v left", ok, left)
	}
}
