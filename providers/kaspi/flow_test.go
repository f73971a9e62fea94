package kaspi_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
)

func chequeDate(d time.Duration) string { return t0.Add(d).Format("02.01.06 15:04:05") }

func TestQRPaymentSuccess(t *testing.T) {
	for _, beside := range []bool{false, true} {
		name := "inside"
		if beside {
			name = "beside" // the seed's QR sample layout, with two "status" keys
		}
		t.Run(name, func(t *testing.T) {
			r := newRig(t, sim.Options{ChequeBeside: beside})
			r.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 5 * time.Second, Think: 3 * time.Second, Product: "Red"})
			id := r.pay(12500)

			st := r.status(id)
			if st.State != providers.StatePending || st.Detail != "Initialize" || st.Stage != providers.StageStarting {
				t.Fatalf("first status %+v, want wait/Initialize", st.Status)
			}
			st, seen := r.run(id, 100*time.Millisecond)
			want := []string{"Initialize", "WaitUser", "WaitForQrConfirmation", "QrTransactionSuccess"}
			if !slices.Equal(seen, want) {
				t.Fatalf("subStatuses %v, want %v", seen, want)
			}
			if r.elapsed() != 8*time.Second {
				t.Fatalf("success at %v, want 8s (delay 5s + think 3s)", r.elapsed())
			}
			if st.State != providers.StateSuccess || st.Stage != providers.StageDone || st.Method != providers.MethodQR || st.ProcessID != id {
				t.Fatalf("final %+v", st)
			}
			ch := st.Cheque
			if ch == nil {
				t.Fatal("no cheque")
			}
			// Every mandatory field of a QR payment's receipt (seed §4.5).
			for field, v := range map[string]string{
				"storeName": ch.StoreName, "city": ch.City, "address": ch.Address, "status": ch.Status,
				"amount": ch.Amount, "date": ch.Date, "bin": ch.BIN, "terminalId": ch.TerminalID, "orderNumber": ch.OrderNumber,
			} {
				if v == "" {
					t.Errorf("mandatory %s is empty in %+v", field, ch)
				}
			}
			if ch.Amount != "12 500 ₸" || ch.Date != chequeDate(8*time.Second) || ch.Method != providers.MethodQR || ch.Type != "payment" {
				t.Errorf("cheque %+v", ch)
			}
			if ch.Status != "Kaspi Red-пен сатып алу. Мақұлданды" || ch.StoreName != sim.DefaultShop.StoreName {
				t.Errorf("cheque status %q store %q", ch.Status, ch.StoreName)
			}
			if st.TransactionID != ch.OrderNumber {
				t.Errorf("transactionId %q, orderNumber %q", st.TransactionID, ch.OrderNumber)
			}
			if st.Offer == nil || st.Offer.ProductType != "Red" {
				t.Errorf("offer %+v", st.Offer)
			}
			if !json.Valid(st.Raw) || !strings.Contains(string(st.Raw), `"QrTransactionSuccess"`) {
				t.Errorf("raw %s", st.Raw)
			}
			if beside && strings.Count(string(st.Raw), `"status":`) != 2 {
				t.Errorf("beside layout should carry two status keys: %s", st.Raw)
			}
		})
	}
}

func TestCardPaymentSuccess(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.sim.Next(sim.Customer{Does: sim.PayCard, Delay: 4 * time.Second, Think: 5 * time.Second})
	id := r.pay(1)
	st, seen := r.run(id, 100*time.Millisecond)
	want := []string{"Initialize", "WaitUser", "ProcessingCard", "WaitForPinCode", "ProcessingCard", "CardTransactionSuccess"}
	if !slices.Equal(seen, want) {
		t.Fatalf("subStatuses %v, want %v", seen, want)
	}
	if st.State != providers.StateSuccess || st.Method != providers.MethodCard {
		t.Fatalf("final %+v", st.Status)
	}
	ch := st.Cheque
	for field, v := range map[string]string{
		"storeName": ch.StoreName, "city": ch.City, "address": ch.Address, "status": ch.Status, "amount": ch.Amount,
		"date": ch.Date, "cardMask": ch.CardMask, "icc": ch.ICC, "bin": ch.BIN, "terminalId": ch.TerminalID,
		"rrn": ch.RRN, "authorizationCode": ch.AuthorizationCode, "hostResponseCode": ch.HostResponseCode,
	} {
		if v == "" {
			t.Errorf("mandatory %s is empty in %+v", field, ch)
		}
	}
	if ch.Amount != "1 ₸" || ch.PinEntered != "true" || ch.HostResponseCode != "000" || ch.OrderNumber != "" {
		t.Errorf("cheque %+v", ch)
	}
	if !regexp.MustCompile(`^\d{12}$`).MatchString(ch.RRN) || !regexp.MustCompile(`^\d{6}$`).MatchString(ch.AuthorizationCode) {
		t.Errorf("rrn %q auth %q", ch.RRN, ch.AuthorizationCode)
	}
	if st.TransactionID != ch.RRN {
		t.Errorf("transactionId %q, rrn %q", st.TransactionID, ch.RRN)
	}
}

func TestCardWithoutPIN(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.sim.Next(sim.Customer{Does: sim.PayCard, NoPIN: true})
	st, seen := r.run(r.pay(100), 100*time.Millisecond)
	if slices.Contains(seen, "WaitForPinCode") || st.Cheque.PinEntered != "false" {
		t.Fatalf("seen %v pinEntered %q", seen, st.Cheque.PinEntered)
	}
}

func TestDecline(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.sim.Next(sim.Customer{Does: sim.Decline, Delay: 3 * time.Second})
	st, seen := r.run(r.pay(500), 100*time.Millisecond)
	if !slices.Equal(seen, []string{"Initialize", "WaitUser", "WaitForQrConfirmation", "QrTransactionFailure"}) {
		t.Fatalf("subStatuses %v", seen)
	}
	if st.State != providers.StateFail || st.Stage != providers.StageDone || st.Method != providers.MethodQR || st.Cheque != nil {
		t.Fatalf("final %+v", st.Status)
	}
	if st.Message != "Сатып алымды жою; Сатып алушы сатып алуды жойды" {
		t.Fatalf("message %q", st.Message)
	}
}

func TestNeverScanTimesOutAt180s(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.sim.Next(sim.Customer{Does: sim.NeverScan})
	id := r.pay(500)
	r.advance(180*time.Second - time.Millisecond)
	if st := r.status(id); st.State != providers.StatePending || st.Stage != providers.StageWaitScan {
		t.Fatalf("just before 180 s: %+v", st.Status)
	}
	r.advance(time.Millisecond)
	st := r.status(id)
	if st.State != providers.StateFail || st.Detail != "ProcessCancelled" || st.Stage != providers.StageCancelled || st.Message == "" {
		t.Fatalf("at 180 s: %+v", st.Status)
	}
}

func TestLateCustomerHitsScanTimeout(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 200 * time.Second})
	st, _ := r.run(r.pay(500), time.Second)
	if st.State != providers.StateFail || r.elapsed() != 180*time.Second {
		t.Fatalf("at %v: %+v", r.elapsed(), st.Status)
	}
}

func TestScanNoConfirmTimesOutAfter60s(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.sim.Next(sim.Customer{Does: sim.ScanNoConfirm, Delay: 5 * time.Second})
	id := r.pay(500)
	r.advance(65*time.Second - time.Millisecond)
	st := r.status(id)
	if st.State != providers.StatePending || st.Detail != "WaitForQrConfirmation" || !st.Stage.Confirming() {
		t.Fatalf("just before 60 s of confirming: %+v", st.Status)
	}
	r.advance(time.Millisecond)
	st = r.status(id)
	if st.State != providers.StateFail || st.Detail != "ProcessCancelled" || st.Message != "Сатып алымды жою; Сатып алушы сатып алуды растаған жоқ" {
		t.Fatalf("at 60 s of confirming: %+v", st.Status)
	}
}

func TestUnknownThenActualize(t *testing.T) {
	for _, tc := range []struct {
		does  sim.Behaviour
		state providers.State
		sub   string
	}{
		{sim.UnknownThenSuccess, providers.StateSuccess, "QrTransactionSuccess"},
		{sim.UnknownThenFail, providers.StateFail, "QrTransactionFailure"},
	} {
		t.Run(string(tc.does), func(t *testing.T) {
			r := newRig(t, sim.Options{})
			r.sim.Next(sim.Customer{Does: tc.does, Delay: 2 * time.Second, Think: 2 * time.Second, ResolveAfter: 15 * time.Second})
			id := r.pay(700)
			st, seen := r.run(id, 100*time.Millisecond)
			if st.State != providers.StateUnknown || st.Detail != "ProcessCancelled" || st.Message != "Операция жойылды" || r.elapsed() != 4*time.Second {
				t.Fatalf("at %v: %+v (seen %v)", r.elapsed(), st.Status, seen)
			}
			// The outcome is learned 15 s after the process went unknown (at 19 s).
			for _, at := range []time.Duration{4 * time.Second, 14 * time.Second} {
				r.clk.Set(t0.Add(at))
				a, err := r.c.Actualize(r.ctx, id)
				if err != nil || a.State != providers.StateUnknown {
					t.Fatalf("actualize at %v: %+v, %v", at, a.Status, err)
				}
			}
			r.advance(10 * time.Second)
			a, err := r.c.Actualize(r.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if a.State != tc.state || a.Detail != tc.sub {
				t.Fatalf("actualize at 24 s: %+v", a.Status)
			}
			if tc.state == providers.StateSuccess {
				if a.Cheque == nil || a.Cheque.OrderNumber == "" || a.TransactionID != a.Cheque.OrderNumber || a.Cheque.Date != chequeDate(19*time.Second) {
					t.Fatalf("settled cheque %+v", a.Cheque)
				}
			} else if a.Message == "" {
				t.Fatal("settled fail without a message")
			}
			// /v2/status reports the settled outcome from now on.
			if st := r.status(id); st.State != tc.state {
				t.Fatalf("status after actualize: %+v", st.Status)
			}
			if n := r.sim.ActualizeViolations(); n != 0 {
				t.Fatalf("%d violations with 10 s spacing", n)
			}
			// Now final: actualize refuses (103), and a call 1 s later is a violation.
			r.advance(time.Second)
			_, err = r.c.Actualize(r.ctx, id)
			wantErr(t, err, providers.ErrNotResolvable, 200, "103", false)
			if n := r.sim.ActualizeViolations(); n != 1 {
				t.Fatalf("violations %d, want 1", n)
			}
		})
	}
}

func TestUnknownPastQRLifetimeFails(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.sim.Next(sim.Customer{Does: sim.UnknownThenSuccess, ResolveAfter: 10 * time.Minute})
	id := r.pay(700)
	r.advance(170 * time.Second)
	if a, err := r.c.Actualize(r.ctx, id); err != nil || a.State != providers.StateUnknown {
		t.Fatalf("inside the QR lifetime: %+v, %v", a.Status, err)
	}
	r.advance(10 * time.Second)
	a, err := r.c.Actualize(r.ctx, id)
	if err != nil || a.State != providers.StateFail || a.Detail != "ProcessCancelled" {
		t.Fatalf("past the QR lifetime: %+v, %v", a.Status, err)
	}
}

func TestUnknownDoesNotBlock(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.sim.Next(sim.Customer{Does: sim.UnknownThenFail})
	r.complete(r.pay(100))
	r.pay(200) // the POS has left the unknown process
}

func TestActualizeOnFinalIs103(t *testing.T) {
	r := newRig(t, sim.Options{})
	id := r.pay(100)
	r.complete(id)
	_, err := r.c.Actualize(r.ctx, id)
	pe := wantErr(t, err, providers.ErrNotResolvable, 200, "103", false)
	if pe.Text != "This transaction is unable to actualize" {
		t.Fatalf("text %q", pe.Text)
	}
	// A running process is not unknown either.
	id = r.pay(100)
	_, err = r.c.Actualize(r.ctx, id)
	wantErr(t, err, providers.ErrNotResolvable, 200, "103", false)
}

func TestProcessNotFound(t *testing.T) {
	r := newRig(t, sim.Options{})
	_, err := r.c.Status(r.ctx, "1678090708423")
	pe := wantErr(t, err, providers.ErrNotFound, 200, "101", false)
	if pe.Text != "Process not found" {
		t.Fatalf("text %q", pe.Text)
	}
	_, err = r.c.Actualize(r.ctx, "1678090708423")
	wantErr(t, err, providers.ErrNotFound, 200, "101", false)
}

func TestOneOperationAtATime(t *testing.T) {
	r := newRig(t, sim.Options{})
	id := r.pay(100)
	_, err := r.c.Payment(r.ctx, 200, true)
	pe := wantErr(t, err, providers.ErrBusy, 200, "107", false)
	if pe.Text != "Could not register transaction. Last operation was not completed." {
		t.Fatalf("text %q", pe.Text)
	}
	_, err = r.c.Refund(r.ctx, providers.MethodQR, 1, "504711333", true)
	wantErr(t, err, providers.ErrBusy, 200, "107", false)
	r.complete(id)
	r.pay(200)
}

func TestPartialRefundsDownToZero(t *testing.T) {
	r := newRig(t, sim.Options{})
	pay := r.complete(r.pay(1000))
	tx := pay.TransactionID

	_, err := r.c.Refund(r.ctx, providers.MethodQR, 1001, tx, true)
	wantErr(t, err, providers.ErrInvalid, 400, "999", false)

	// A refund the customer declines does not use up the payment.
	r.sim.Next(sim.Customer{Does: sim.Decline})
	if st := r.complete(r.refund(providers.MethodQR, 1000, tx)); st.State != providers.StateFail {
		t.Fatalf("declined refund: %+v", st.Status)
	}

	left := int64(1000)
	for _, amount := range []int64{300, 300, 400} {
		id := r.refund(providers.MethodQR, amount, tx)
		st, seen := r.run(id, 100*time.Millisecond)
		if !slices.Equal(seen, []string{"Initialize", "WaitUser", "WaitForQrConfirmation", "ProcessRefund", "QrTransactionSuccess"}) {
			t.Fatalf("refund subStatuses %v", seen)
		}
		if st.State != providers.StateSuccess || st.Cheque == nil {
			t.Fatalf("refund %d: %+v", amount, st.Status)
		}
		ch := st.Cheque
		if ch.Type != "refund" || ch.Method != providers.MethodQR || ch.Status != "Қайтару сәтті жасалды" ||
			ch.Amount != "- "+providers.New(amount, providers.KZT).Grouped()+" ₸" || ch.OrderNumber == "" || ch.OrderNumber == tx ||
			st.TransactionID != ch.OrderNumber || ch.StoreName == "" || ch.BIN == "" || ch.TerminalID == "" || ch.Date == "" {
			t.Fatalf("refund cheque %+v", ch)
		}
		left -= amount
		if left > 0 {
			_, err := r.c.Refund(r.ctx, providers.MethodQR, left+1, tx, true)
			pe := wantErr(t, err, providers.ErrInvalid, 400, "999", false)
			if !strings.HasPrefix(pe.Text, "Param unvalidated: amount.") {
				t.Fatalf("over-refund text %q", pe.Text)
			}
		}
	}
	_, err = r.c.Refund(r.ctx, providers.MethodQR, 1, tx, true)
	wantErr(t, err, providers.ErrInvalid, 400, "999", false)
}

func TestCardRefund(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.sim.Next(sim.Customer{Does: sim.PayCard})
	pay := r.complete(r.pay(2000))
	rrn := pay.Cheque.RRN

	// The same reference by the other method is no payment the POS knows.
	_, err := r.c.Refund(r.ctx, providers.MethodQR, 100, rrn, true)
	wantErr(t, err, providers.ErrProvider, 200, "108", false)
	_, err = r.c.Refund(r.ctx, providers.MethodCard, 100, "999999999999", true)
	wantErr(t, err, providers.ErrProvider, 200, "108", false)

	st, seen := r.run(r.refund(providers.MethodCard, 500, rrn), 100*time.Millisecond)
	if !slices.Equal(seen, []string{"Initialize", "WaitUser", "ProcessingCard", "ProcessRefund", "CardTransactionSuccess"}) {
		t.Fatalf("card refund subStatuses %v", seen)
	}
	ch := st.Cheque
	if st.State != providers.StateSuccess || ch.Type != "refund" || ch.Method != providers.MethodCard || ch.RRN != rrn ||
		st.TransactionID != rrn || ch.Amount != "- 500 ₸" || ch.CardMask == "" || ch.AuthorizationCode == "" {
		t.Fatalf("card refund %+v cheque %+v", st.Status, ch)
	}
	if ch.ICC != "" || ch.HostResponseCode != "" {
		t.Fatalf("card refund carries icc %q hostResponseCode %q", ch.ICC, ch.HostResponseCode)
	}
	_, err = r.c.Refund(r.ctx, providers.MethodCard, 1501, rrn, true)
	wantErr(t, err, providers.ErrInvalid, 400, "999", false)
}

func TestUnknownCardRefundCannotBeActualized(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.sim.Next(sim.Customer{Does: sim.PayCard}, sim.Customer{Does: sim.UnknownThenSuccess})
	pay := r.complete(r.pay(2000))
	id := r.refund(providers.MethodCard, 2000, pay.TransactionID)
	if st := r.complete(id); st.State != providers.StateUnknown {
		t.Fatalf("refund %+v", st.Status)
	}
	_, err := r.c.Actualize(r.ctx, id)
	wantErr(t, err, providers.ErrNotResolvable, 200, "102", false)
	// It may have gone through, so it still counts against the payment.
	_, err = r.c.Refund(r.ctx, providers.MethodCard, 1, pay.TransactionID, true)
	wantErr(t, err, providers.ErrInvalid, 400, "999", false)
}

func TestProcessesKeptFor24h(t *testing.T) {
	r := newRig(t, sim.Options{})
	id := r.pay(1000)
	pay := r.complete(id)
	r.clk.Set(t0.Add(24*time.Hour - time.Second))
	if st := r.status(id); st.State != providers.StateSuccess {
		t.Fatalf("a day less a second: %+v", st.Status)
	}
	r.advance(time.Second)
	_, err := r.c.Status(r.ctx, id)
	wantErr(t, err, providers.ErrNotFound, 200, "101", false)
	// The payment itself can still be refunded.
	if st := r.complete(r.refund(providers.MethodQR, 1000, pay.TransactionID)); st.State != providers.StateSuccess {
		t.Fatalf("refund after a day: %+v", st.Status)
	}
}

func TestInitializeComesFirstAndBriefly(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 0})
	id := r.pay(1)
	r.advance(500 * time.Millisecond)
	if st := r.status(id); st.Detail != "Initialize" {
		t.Fatalf("at 0.5 s: %s", st.Detail)
	}
	r.advance(500 * time.Millisecond)
	if st := r.status(id); st.Detail == "Initialize" {
		t.Fatal("still Initialize after 1 s")
	}
}
