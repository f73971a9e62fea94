package octo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/octo"
	"github.com/kassa-till/kassa/providers/octo/sim"
)

// A sale in either answer shape: the QR is octo_pay_url with the ttl's
// expiry, the basket is the chosen product for the whole amount, the sum
// is decimal soums, and the payment is followed to success.
func TestPaymentInBothShapes(t *testing.T) {
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			r := newRig(t, sim.Options{Shape: shape}, octo.Options{TTL: 10 * time.Minute})
			r.sim.Next(sim.Customer{Does: sim.Pay, Delay: 20 * time.Second})
			st := r.start("op-1", providers.Sale{Product: bread.Name, Contact: "a@b.uz"})
			if st.State != providers.StatePending || st.Ref == "" || st.QR == nil ||
				st.QR.Payload != r.srv.URL+"/pay/"+st.Ref || !st.QR.Expires.Equal(t0.Add(10*time.Minute)) {
				t.Fatalf("start: %+v %+v", st, st.QR)
			}
			var sent map[string]any
			d := json.NewDecoder(bytes.NewReader(r.sn.last(octo.PathPrepare)))
			d.UseNumber()
			if err := d.Decode(&sent); err != nil {
				t.Fatal(err)
			}
			item := sent["basket"].([]any)[0].(map[string]any)
			if sent["total_sum"] != json.Number("103.33") || sent["auto_capture"] != true || sent["ttl"] != json.Number("10") ||
				sent["init_time"] != "2026-06-26 14:20:00" || sent["shop_transaction_id"] != "op-1" || sent["currency"] != "UZS" ||
				sent["user_data"].(map[string]any)["email"] != "a@b.uz" ||
				item["spic"] != bread.SPIC || item["pinfl"] != bread.PINFL || item["price"] != json.Number("103.33") || item["inn"] != nil {
				t.Fatalf("sent %s", r.sn.last(octo.PathPrepare))
			}
			r.clk.Advance(3 * time.Second)
			if got := r.status("op-1", st.Ref); got.State != providers.StatePending || got.Detail != octo.StatusWaitUserAction ||
				got.QR == nil || got.QR.Payload != st.QR.Payload {
				t.Fatalf("waiting: %+v", got)
			}
			if b := r.sn.last(octo.PathPrepare); strings.Contains(string(b), "total_sum") || !strings.Contains(string(b), `"shop_transaction_id":"op-1"`) {
				t.Fatalf("the status call sent %s", b)
			}
			r.clk.Advance(20 * time.Second)
			got := r.status("op-1", st.Ref)
			if got.State != providers.StateSuccess || got.TransactionID != st.Ref || got.Cheque == nil || got.Cheque.OrderNumber != "op-1" {
				t.Fatalf("paid: %+v", got)
			}
			// Asking again with the same id is the same payment.
			again := r.start("op-1", providers.Sale{Product: bread.Name})
			if again.Ref != st.Ref || again.State != providers.StateSuccess {
				t.Fatalf("again: %+v", again)
			}
			if l := r.sim.Ledger(); len(l) != 1 {
				t.Fatalf("ledger %+v", l)
			}
		})
	}
}

// Every status OCTO names, in both shapes, from a stand-in that answers
// it (the sim never spells waiting_user_action).
func TestEveryStatus(t *testing.T) {
	want := map[string]providers.State{
		octo.StatusCreated: providers.StatePending, octo.StatusWaitUserAction: providers.StatePending,
		octo.StatusWaitingUserAction: providers.StatePending, octo.StatusWaitingForCapture: providers.StatePending,
		octo.StatusSucceeded: providers.StateSuccess, octo.StatusRefunded: providers.StateSuccess,
		octo.StatusCanceled: providers.StateFail, octo.StatusFailed: providers.StateFail,
	}
	if len(want) != len(octo.PaymentStatuses) {
		t.Fatal("a status without a state")
	}
	for _, flat := range []bool{false, true} {
		for status, state := range want {
			fields := fmt.Sprintf(`"shop_transaction_id":"op-1","octo_payment_UUID":"u-1","status":%q,"octo_pay_url":"https://pay.octo.uz/u-1"`, status)
			body := `{"error":0,"errMessage":null,"data":{` + fields + `}}`
			if flat {
				body = `{"error":0,"errorMessage":null,` + fields + `}`
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) }))
			p, err := octo.New(octo.Options{URL: srv.URL, ShopID: testShop, Secret: testSecret})
			if err != nil {
				t.Fatal(err)
			}
			st, err := p.Status(t.Context(), providers.Handle{Kind: providers.KindPayment, OperationID: "op-1", Ref: "u-1"})
			srv.Close()
			if err != nil || st.State != state || st.Detail != status {
				t.Fatalf("%s (flat %v): %+v %v", status, flat, st, err)
			}
			if state == providers.StatePending && (st.QR == nil || st.QR.Payload != "https://pay.octo.uz/u-1") {
				t.Fatalf("%s: no QR: %+v", status, st)
			}
			if state == providers.StateSuccess && st.TransactionID != "u-1" {
				t.Fatalf("%s: %+v", status, st)
			}
		}
	}
}

func TestDeclinedAndWalkedAway(t *testing.T) {
	r := newRig(t, sim.Options{}, octo.Options{})
	r.sim.Next(sim.Customer{Does: sim.Decline, Delay: 5 * time.Second}, sim.Customer{Does: sim.Never})
	a := r.start("op-a", providers.Sale{})
	b := r.start("op-b", providers.Sale{})
	r.clk.Advance(6 * time.Second)
	if st := r.status("op-a", a.Ref); st.State != providers.StateFail || st.Detail != octo.StatusFailed {
		t.Fatalf("declined: %+v", st)
	}
	if st := r.status("op-b", b.Ref); st.State != providers.StatePending {
		t.Fatalf("before the ttl: %+v", st)
	}
	r.clk.Advance(octo.DefaultTTL)
	if st := r.status("op-b", b.Ref); st.State != providers.StateFail || st.Detail != octo.StatusCanceled {
		t.Fatalf("after the ttl: %+v", st)
	}
}

// The 403 of seed 002 reaches the cashier whole, in either shape (the
// flat one carries errorMessage only), and nothing was started.
func TestUnregisteredProduct(t *testing.T) {
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			r := newRig(t, sim.Options{Shape: shape, Products: registered(bread)}, octo.Options{})
			_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "op-1", Amount: amount, Sale: providers.Sale{Product: fish.Name}})
			pe := wantErr(t, err, providers.ErrInvalid, false)
			const seed = "Fiscal object with merchant ID 242 spic : 00305001001000000 package code : 1425207 nds : 1 inn : 123456 pinfl : null not contains in system"
			if pe.Code != "403" || pe.Text != seed {
				t.Fatalf("code %s text %q", pe.Code, pe.Text)
			}
			if len(r.sim.Ledger()) != 0 {
				t.Fatal("a refused payment was made")
			}
		})
	}
}

func TestWrongSecretOnEveryCall(t *testing.T) {
	r := newRig(t, sim.Options{}, octo.Options{})
	uuid := r.paid("op-1")
	r.opts.Secret = "not-the-secret"
	p := r.fresh()
	c := p.Client()
	_, err := p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "op-2", Amount: amount})
	wantErr(t, err, providers.ErrAuth, false)
	_, err = c.Status(r.ctx, "op-1")
	wantErr(t, err, providers.ErrAuth, false)
	_, err = c.SetAccept(r.ctx, uuid, false)
	wantErr(t, err, providers.ErrAuth, false)
	_, err = c.Refund(r.ctx, "rf-1", uuid, sum(100))
	if pe := wantErr(t, err, providers.ErrAuth, false); pe.Code != "2" {
		t.Fatalf("refund: %v", err)
	}
	_, err = c.FiscalData(r.ctx, uuid)
	if pe := wantErr(t, err, providers.ErrAuth, false); pe.Code != "1" || pe.Text != "wrong secret" {
		t.Fatalf("fiscal-data: %v", err)
	}
	if err := p.Check(r.ctx); providers.KindOf(err) != providers.ErrAuth {
		t.Fatalf("check with a wrong secret: %v", err)
	}
	if err := r.p.Check(r.ctx); err != nil {
		t.Fatalf("check: %v", err)
	}
	if s := fmt.Sprintf("%v %+v %s", c, c, c.String()); strings.Contains(s, "not-the-secret") {
		t.Fatalf("the client shows its secret: %s", s)
	}
}

func TestFiscalDataLateThenReady(t *testing.T) {
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			r := newRig(t, sim.Options{Shape: shape, FiscalLate: true}, octo.Options{})
			uuid := r.paid("op-1")
			_, err := r.p.FiscalData(r.ctx, uuid)
			wantErr(t, err, providers.ErrNotFound, false)
			if !errors.Is(err, octo.ErrFiscalNotReady) {
				t.Fatalf("not ready: %v", err)
			}
			if err := r.sim.ReleaseFiscal(uuid); err != nil {
				t.Fatal(err)
			}
			f, err := r.p.FiscalData(r.ctx, uuid)
			if err != nil {
				t.Fatal(err)
			}
			fb := f.Fiscal()
			if fb.TerminalID == "" || fb.ReceiptID == "" || len(fb.DateTime) != 14 || fb.FiscalSign == "" ||
				!strings.HasPrefix(fb.QRCodeURL, "https://ofd.soliq.uz/epi?t="+fb.TerminalID) || f.Phone != "998901234567" {
				t.Fatalf("fiscal data %+v", f)
			}
			_, err = r.p.FiscalData(r.ctx, "no-such-uuid")
			if providers.KindOf(err) == providers.ErrNotFound || errors.Is(err, octo.ErrFiscalNotReady) {
				t.Fatalf("an unknown payment reads as not ready: %v", err)
			}
		})
	}
}

// Fiscal data read from seed 002's own answer.
func TestFiscalDataSeedAnswer(t *testing.T) {
	const seed = `{"error":0,"errMessage":"","data":{"phone":"998781290011","code":0,"message":"accepted","terminalID":"EZ000000000102","receiptId":2121,"dateTime":"20220929013159","fiscalSign":"420808230750","qrCodeURL":"https://ofd.soliq.uz/epi?t=EZ000000000102&r=2121&c=20220929013159&s=420808230750"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(seed)) }))
	defer srv.Close()
	c := &octo.Client{BaseURL: srv.URL, ShopID: testShop, Secret: testSecret}
	f, err := c.FiscalData(t.Context(), "1145df74-bb95-47cf-a616-8d6dcee2e222")
	want := providers.Fiscal{TerminalID: "EZ000000000102", ReceiptID: "2121", DateTime: "20220929013159", FiscalSign: "420808230750",
		QRCodeURL: "https://ofd.soliq.uz/epi?t=EZ000000000102&r=2121&c=20220929013159&s=420808230750"}
	if err != nil || *f.Fiscal() != want || f.Code != "0" || f.Message != "accepted" {
		t.Fatalf("%+v %v", f, err)
	}
}

func refundReq(id, uuid string, minor int64) providers.Request {
	return providers.Request{Kind: providers.KindRefund, OperationID: id, Amount: sum(minor),
		Payment: providers.Handle{Kind: providers.KindPayment, OperationID: "op-1", Ref: uuid}, TransactionID: uuid}
}

func TestRefunds(t *testing.T) {
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			r := newRig(t, sim.Options{Shape: shape}, octo.Options{})
			uuid := r.paid("op-1")
			r.sim.NextRefund(sim.RefundScript{Ends: sim.RefundDone, After: time.Minute}, sim.RefundScript{Ends: sim.RefundFail, After: time.Minute},
				sim.RefundScript{Ends: sim.RefundDone})
			a, err := r.p.Start(r.ctx, refundReq("rf-1", uuid, 3_000))
			if err != nil || a.State != providers.StatePending || a.Detail != octo.RefundPending {
				t.Fatalf("refund: %+v %v", a, err)
			}
			if b := r.sn.last(octo.PathRefund); !strings.Contains(string(b), `"amount":30.00`) || !strings.Contains(string(b), `"shop_refund_id":"rf-1"`) {
				t.Fatalf("sent %s", b)
			}
			b, err := r.p.Start(r.ctx, refundReq("rf-2", uuid, 5_000))
			if err != nil {
				t.Fatal(err)
			}
			// 3,000 and 5,000 of 10,333 are taken while they run.
			_, err = r.p.Start(r.ctx, refundReq("rf-3", uuid, 2_334))
			if pe := wantErr(t, err, providers.ErrLimit, false); pe.Code != "3" {
				t.Fatalf("over what is left: %v", err)
			}
			r.clk.Advance(time.Minute)
			ha := providers.Handle{Kind: providers.KindRefund, OperationID: "rf-1", Ref: a.Ref}
			hb := providers.Handle{Kind: providers.KindRefund, OperationID: "rf-2", Ref: b.Ref}
			if st, err := r.p.Status(r.ctx, ha); err != nil || st.State != providers.StateSuccess || st.Cheque == nil || st.Cheque.OrderNumber == "" {
				t.Fatalf("first refund: %+v %v", st, err)
			}
			if st, err := r.p.Status(r.ctx, hb); err != nil || st.State != providers.StateFail || st.Detail != octo.RefundError {
				t.Fatalf("second refund: %+v %v", st, err)
			}
			// The failed one gave its amount back: the rest can go.
			c, err := r.p.Start(r.ctx, refundReq("rf-3", uuid, 7_333))
			if err != nil || c.State != providers.StateSuccess {
				t.Fatalf("the rest: %+v %v", c, err)
			}
			e := r.sim.Ledger()[0]
			if e.Refunded != 10_333 || e.Status != octo.StatusRefunded || len(e.Refunds) != 3 {
				t.Fatalf("ledger %+v", e)
			}
			if st := r.status("op-1", uuid); st.State != providers.StateSuccess || st.Detail != octo.StatusRefunded {
				t.Fatalf("a refunded payment: %+v", st)
			}
		})
	}
}

func TestRefundOverTenMillionRefusedBeforeSending(t *testing.T) {
	r := newRig(t, sim.Options{}, octo.Options{})
	uuid := r.paid("op-1")
	before := r.sim.Requests(octo.PathRefund)
	_, err := r.p.Start(r.ctx, refundReq("rf-1", uuid, octo.MaxRefund+1))
	wantErr(t, err, providers.ErrLimit, false)
	if !errors.Is(err, octo.ErrRefundTooLarge) || r.sim.Requests(octo.PathRefund) != before {
		t.Fatalf("%v; %d requests", err, r.sim.Requests(octo.PathRefund)-before)
	}
	// Exactly 10,000,000.00 goes (and is refused by OCTO for this payment).
	_, err = r.p.Start(r.ctx, refundReq("rf-1", uuid, octo.MaxRefund))
	if pe := wantErr(t, err, providers.ErrLimit, false); pe.Code != "3" {
		t.Fatalf("%v", err)
	}
}

func TestRefundErrorCodes(t *testing.T) {
	r := newRig(t, sim.Options{}, octo.Options{})
	uuid := r.paid("op-1")
	for code, kind := range map[int]providers.ErrorKind{1: providers.ErrInvalid, 2: providers.ErrAuth, 3: providers.ErrLimit} {
		r.sim.Inject(octo.PathRefund, sim.Code(code, "injected"))
		_, err := r.p.Start(r.ctx, refundReq("rf-1", uuid, 100))
		if pe := wantErr(t, err, kind, false); pe.Code != fmt.Sprint(code) || pe.Text != "injected" {
			t.Fatalf("code %d: %v", code, err)
		}
	}
}

func TestTransportFaults(t *testing.T) {
	for _, f := range []struct {
		fault     sim.Fault
		kind      providers.ErrorKind
		maybeSent bool
	}{
		{sim.FaultBadGateway, providers.ErrNoAnswer, true}, {sim.FaultRedirect, providers.ErrRedirected, false},
		{sim.FaultDrop, providers.ErrDropped, true}, {sim.FaultGarbage, providers.ErrMalformed, true},
	} {
		t.Run(string(f.fault), func(t *testing.T) {
			r := newRig(t, sim.Options{}, octo.Options{})
			r.sim.Inject(octo.PathPrepare, f.fault)
			_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "op-1", Amount: amount})
			wantErr(t, err, f.kind, f.maybeSent)
			// Asking again with the same shop_transaction_id is safe: one payment.
			st := r.start("op-1", providers.Sale{})
			if st.Ref == "" || len(r.sim.Ledger()) != 1 {
				t.Fatalf("again: %+v, ledger %+v", st, r.sim.Ledger())
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		r := newRig(t, sim.Options{}, octo.Options{})
		r.srv.Close()
		_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "op-1", Amount: amount})
		wantErr(t, err, providers.ErrUnreachable, false)
	})
}

func TestCancel(t *testing.T) {
	r := newRig(t, sim.Options{}, octo.Options{})
	r.sim.Next(sim.Customer{Does: sim.Hold, Delay: 5 * time.Second}, sim.Customer{Does: sim.Never})
	held := r.start("op-held", providers.Sale{})
	open := r.start("op-open", providers.Sale{})
	r.clk.Advance(6 * time.Second)
	hh := providers.Handle{Kind: providers.KindPayment, OperationID: "op-held", Ref: held.Ref}
	if st := r.status("op-held", held.Ref); st.State != providers.StatePending || st.Stage != providers.StageWaitConfirm {
		t.Fatalf("held: %+v", st)
	}
	if err := r.p.Cancel(r.ctx, hh); err != nil {
		t.Fatalf("cancel a held payment: %v", err)
	}
	if b := r.sn.last(octo.PathSetAccept); !strings.Contains(string(b), `"accept_status":"cancel"`) {
		t.Fatalf("sent %s", b)
	}
	if st := r.status("op-held", held.Ref); st.State != providers.StateFail {
		t.Fatalf("after the cancel: %+v", st)
	}
	if err := r.p.Cancel(r.ctx, hh); err != nil {
		t.Fatalf("cancel again: %v", err)
	}
	err := r.p.Cancel(r.ctx, providers.Handle{Kind: providers.KindPayment, OperationID: "op-open", Ref: open.Ref})
	wantErr(t, err, providers.ErrNotResolvable, false)
	uuid := r.paid("op-paid")
	err = r.p.Cancel(r.ctx, providers.Handle{Kind: providers.KindPayment, OperationID: "op-paid", Ref: uuid})
	wantErr(t, err, providers.ErrNotResolvable, false)
}

// The cashier gives up as the customer pays: the cancel is refused and
// the status says the payment stands, to keep or refund.
func TestGiveUpAsTheCustomerPays(t *testing.T) {
	r := newRig(t, sim.Options{}, octo.Options{})
	r.sim.Next(sim.Customer{Does: sim.Never})
	st := r.start("op-1", providers.Sale{})
	if err := r.sim.PayNow(st.Ref); err != nil {
		t.Fatal(err)
	}
	h := providers.Handle{Kind: providers.KindPayment, OperationID: "op-1", Ref: st.Ref}
	wantErr(t, r.p.Cancel(r.ctx, h), providers.ErrNotResolvable, false)
	if got := r.status("op-1", st.Ref); got.State != providers.StateSuccess {
		t.Fatalf("the late payment: %+v", got)
	}
}

func TestPayPage(t *testing.T) {
	r := newRig(t, sim.Options{}, octo.Options{})
	r.sim.Next(sim.Customer{Does: sim.Never})
	st := r.start("op-1", providers.Sale{})
	resp, err := r.srv.Client().PostForm(st.QR.Payload, map[string][]string{"do": {"pay"}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%v %v", resp, err)
	}
	resp.Body.Close()
	if got := r.status("op-1", st.Ref); got.State != providers.StateSuccess {
		t.Fatalf("after the pay page: %+v", got)
	}
}

func TestOptionsRefused(t *testing.T) {
	base := octo.Options{ShopID: testShop, Secret: testSecret}
	for name, o := range map[string]func(*octo.Options){
		"no shop":       func(o *octo.Options) { o.ShopID = 0 },
		"no secret":     func(o *octo.Options) { o.Secret = "" },
		"fast polls":    func(o *octo.Options) { o.PollEvery = time.Second },
		"product field": func(o *octo.Options) { o.Products = []octo.Product{{Name: "Non", SPIC: "1", INN: "2"}} },
		"inn and pinfl": func(o *octo.Options) { p := fish; p.PINFL = "1"; o.Products = []octo.Product{p} },
		"user in URL":   func(o *octo.Options) { o.URL = "https://u:p@secure.octo.uz" },
	} {
		opts := base
		o(&opts)
		if _, err := octo.New(opts); err == nil {
			t.Errorf("%s: taken", name)
		}
	}
	_, err := octo.New(octo.Options{ShopID: 1, Secret: "s", Products: []octo.Product{{Name: "Non", SPIC: "1", INN: "2"}}})
	if err == nil || !strings.Contains(err.Error(), `"Non"`) || !strings.Contains(err.Error(), "package_code") {
		t.Fatalf("the refusal does not name the product and field: %v", err)
	}
}

// Seed 002's 403 answer as written, whatever HTTP status it comes with;
// errMessage wins over the deprecated errorMessage when both differ.
func TestSeed403Answer(t *testing.T) {
	const seed = `{"error":403,"errMessage":"Fiscal object with merchant ID 242 spic : 00305001001000000 package code : 1425207 nds : 1 inn : 123456 pinfl : null not contains in system","data":null,"errorMessage":"old words","apiMessageForDevelopers":"…"}`
	for _, status := range []int{http.StatusOK, http.StatusForbidden} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(seed))
		}))
		p, err := octo.New(octo.Options{URL: srv.URL, ShopID: testShop, Secret: testSecret, Products: []octo.Product{fish},
			Contact: octo.Contact{Phone: "998901234567"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Start(t.Context(), providers.Request{Kind: providers.KindPayment, OperationID: "op-1", Amount: amount})
		srv.Close()
		pe := wantErr(t, err, providers.ErrInvalid, false)
		if pe.Code != "403" || !strings.HasPrefix(pe.Text, "Fiscal object with merchant ID 242") || !strings.HasSuffix(pe.Text, "not contains in system") {
			t.Fatalf("HTTP %d: %+v", status, pe)
		}
	}
}

func TestProductOutOfRangeNotSent(t *testing.T) {
	r := newRig(t, sim.Options{}, octo.Options{})
	for _, sale := range []providers.Sale{{Product: "Sut"}, {Contact: "+99890123456"}, {Contact: "998 90 123 45 67"}, {Contact: "a@b"}} {
		_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "op-1", Amount: amount, Sale: sale})
		wantErr(t, err, providers.ErrInvalid, false)
	}
	if r.sim.Requests(octo.PathPrepare) != 0 {
		t.Fatal("sent")
	}
}

// A shop without products sends no basket: OCTO uses its first active
// product (seed 002).
func TestNoProductsNoBasket(t *testing.T) {
	r := newRig(t, sim.Options{}, octo.Options{Products: []octo.Product{}})
	r.start("op-1", providers.Sale{})
	if b := r.sn.last(octo.PathPrepare); strings.Contains(string(b), "basket") {
		t.Fatalf("sent %s", b)
	}
}

// Given up on after it was sent (the caller's deadline, or CallTimeout):
// no answer, maybe carried out. The stand-in holds the request until the
// till lets go, so nothing here waits on time.
func TestGivenUpAfterSending(t *testing.T) {
	got := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		// Read to the end: only then does the server see the till hang up.
		_, _ = io.Copy(io.Discard, r.Body)
		close(got)
		<-r.Context().Done()
	}))
	defer srv.Close()
	p, err := octo.New(octo.Options{URL: srv.URL, ShopID: testShop, Secret: testSecret, Contact: octo.Contact{Phone: "998901234567"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-got; cancel() }()
	_, err = p.Start(ctx, providers.Request{Kind: providers.KindPayment, OperationID: "op-1", Amount: amount})
	wantErr(t, err, providers.ErrNoAnswer, true)
}
