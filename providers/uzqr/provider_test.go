package uzqr_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/uzqr"
	"github.com/kassa-till/kassa/providers/uzqr/sim"
)

func TestProviderInfo(t *testing.T) {
	p, err := uzqr.New(uzqr.Options{URL: "http://192.168.1.20:8080"})
	if err != nil {
		t.Fatal(err)
	}
	info := p.Info()
	want := providers.Info{
		Name:      "uzqr",
		Currency:  providers.UZS,
		QRShownBy: providers.DisplayTill,
		PollEvery: 2 * time.Second,
		// The till's own lifetime for the QR: neither seed gives one.
		ScanTimeout: 3 * time.Minute,
		CallTimeout: 15 * time.Second,
		// The box may hold a status call 2 minutes.
		StatusTimeout:   150 * time.Second,
		MaxIDLength:     20,
		Refunds:         true,
		PartialRefunds:  true,
		RefundsAsync:    true,
		RefundPollEvery: 10 * time.Second,
	}
	if !slices.Equal(info.Methods, []providers.Method{providers.MethodQR}) {
		t.Fatalf("methods %v", info.Methods)
	}
	info.Methods = nil
	if !reflect.DeepEqual(info, want) {
		t.Fatalf("info\n got %+v\nwant %+v", info, want)
	}
	p, err = uzqr.New(uzqr.Options{URL: "https://gw.example.uz", ScanTimeout: 5 * time.Minute, PollEvery: 3 * time.Second,
		RefundPollEvery: time.Minute, CallTimeout: 20 * time.Second, StatusTimeout: 180 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if i := p.Info(); i.ScanTimeout != 5*time.Minute || i.PollEvery != 3*time.Second || i.RefundPollEvery != time.Minute ||
		i.CallTimeout != 20*time.Second || i.StatusTimeout != 180*time.Second {
		t.Fatalf("options not applied: %+v", i)
	}
	for _, ok := range []any{p} {
		if _, can := ok.(providers.Canceller); !can {
			t.Fatal("UzQR cancels invoices, yet the provider is no Canceller")
		}
		if _, can := ok.(providers.ReceiptLinker); !can {
			t.Fatal("the provider is no ReceiptLinker")
		}
		if _, can := ok.(providers.Resolver); can {
			t.Fatal("UzQR has nothing to resolve with, yet the provider is a Resolver")
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []uzqr.Options{
		{},
		{URL: "192.168.1.20:8080"},
		{URL: "ftp://box"},
		{URL: "http://user:pass@box"},
		{URL: "http://box", PollEvery: time.Second},
		{URL: "http://box", StatusTimeout: 2 * time.Minute},
		{URL: "http://box", INN: "12345678"},
		{URL: "http://box", QRName: "CASH 1"},
	} {
		if _, err := uzqr.New(o); err == nil {
			t.Errorf("%+v was taken", o)
		}
	}
}

func TestCheckQRNameAndINN(t *testing.T) {
	for name, ok := range map[string]bool{
		"SHOP": true, "CASH_1": true, "DELIVERY": true, "Dynamic-Island": true, strings.Repeat("A", 30): true,
		"": false, "CASH 1": false, "КАССА": false, strings.Repeat("A", 31): false, "CASH.1": false, "O'ZBEK": false,
	} {
		err := uzqr.CheckQRName(name)
		if (err == nil) != ok || (err != nil && !errors.Is(err, uzqr.ErrQRName)) {
			t.Errorf("CheckQRName(%q) = %v", name, err)
		}
	}
	for inn, ok := range map[string]bool{"305123456": true, "31234567890123": true, "30512345": false, "3051234567": false, "30512345a": false, "": false} {
		err := uzqr.CheckINN(inn)
		if (err == nil) != ok || (err != nil && !errors.Is(err, uzqr.ErrINN)) {
			t.Errorf("CheckINN(%q) = %v", inn, err)
		}
	}
}

func TestProviderRefusesWithoutCalling(t *testing.T) {
	r := newRig(t, sim.Options{}, uzqr.Options{})
	for _, req := range []providers.Request{
		{Kind: providers.KindPayment, OperationID: "K1-1", Amount: providers.New(100, providers.KZT)},
		{Kind: providers.KindPayment, OperationID: "K1-1", Amount: providers.New(100, providers.Currency{Code: "UZS"})},
		{Kind: providers.KindPayment, OperationID: "K1-1", Amount: sum(0)},
		{Kind: providers.KindPayment, OperationID: "K1-1", Amount: sum(-100)},
		{Kind: providers.KindPayment, OperationID: "", Amount: sum(100)},
	} {
		if _, err := r.p.Start(r.ctx, req); providers.KindOf(err) != providers.ErrInvalid || providers.MaybeSent(err) {
			t.Errorf("%+v: %v", req, err)
		}
	}
	// 21 characters: refused before anything is sent; 20 go through.
	if _, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "ABCDEFGHIJKL-00000001", Amount: sum(100)}); providers.KindOf(err) != providers.ErrInvalid || providers.MaybeSent(err) {
		t.Errorf("an id of 21 characters: %v", err)
	}
	for _, req := range []providers.Request{
		{Kind: providers.KindRefund, OperationID: "K1-2", Amount: sum(100)},
		{Kind: providers.KindRefund, OperationID: "K1-2", Amount: sum(100), TransactionID: "100000000001", Method: providers.MethodCard},
		{Kind: providers.KindRefund, OperationID: "K1-2", Amount: providers.New(100, providers.KZT), TransactionID: "100000000001"},
		{Kind: "exchange", OperationID: "K1-2", Amount: sum(100)},
	} {
		if _, err := r.p.Start(r.ctx, req); providers.KindOf(err) != providers.ErrInvalid || providers.MaybeSent(err) {
			t.Errorf("%+v: %v", req, err)
		}
	}
	for _, path := range sim.Paths {
		if n := r.sim.Requests(path); n != 0 {
			t.Fatalf("%d requests reached %s", n, path)
		}
	}
	if _, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "ABCDEFGHIJKL-0000001", Amount: sum(100)}); err != nil {
		t.Fatalf("an id of 20 characters: %v", err)
	}
}

// The till's loop through the Provider interface in both status modes:
// pay, poll, refund part and the rest, link the receipt.
func TestProviderFlow(t *testing.T) {
	for _, longPoll := range []bool{false, true} {
		name := "at once"
		if longPoll {
			name = "long poll"
		}
		t.Run(name, func(t *testing.T) {
			r := newRig(t, sim.Options{LongPoll: longPoll, QRName: "CASH_1", Merchant: sim.DefaultMerchant},
				uzqr.Options{QRName: "CASH_1"})
			r.sim.Next(sim.Customer{Does: sim.Pay, Delay: 10 * time.Second, CardNo: "9860********4321", CardType: "1", Phone: "99897*****01"})
			started := r.pay("K1-000042", 150001)
			if started.State != providers.StatePending || started.Stage != providers.StageWaitScan || started.Ref == "" || started.QR == nil {
				t.Fatalf("started %+v", started)
			}
			// The payload is drawn as the box gave it: an EMVCo payload
			// with a good CRC, the amount, and the invoice id inside.
			inv, _ := r.sim.Invoice(started.Ref)
			if started.QR.Payload != inv.QRText {
				t.Fatal("the QR payload is not qr_text as given")
			}
			if err := sim.CheckQR(started.QR.Payload); err != nil {
				t.Fatal(err)
			}
			if v, _ := sim.Field(started.QR.Payload, "62.01"); v != started.Ref {
				t.Fatalf("invoice id in tag 62: %q, want %q", v, started.Ref)
			}
			if v, _ := sim.Field(started.QR.Payload, "54"); v != "1500.01" {
				t.Fatalf("amount in tag 54: %q", v)
			}

			h := providers.Handle{Kind: providers.KindPayment, OperationID: "K1-000042", Ref: started.Ref}
			paid := r.poll(h)
			if paid.State != providers.StateSuccess || paid.TransactionID != inv.PayID || paid.Method != providers.MethodQR || paid.Ref != started.Ref {
				t.Fatalf("paid %+v", paid)
			}
			want := providers.Cheque{Type: "payment", Method: providers.MethodQR, OrderNumber: inv.PayID, TerminalID: "CASH_1",
				CardMask: "9860********4321", CardType: "1", Phone: "99897*****01"}
			if paid.Cheque == nil || *paid.Cheque != want {
				t.Fatalf("cheque %+v, want %+v", paid.Cheque, want)
			}
			var raw struct {
				Data struct {
					FiscalModule string `json:"fiscal_module"`
				} `json:"data"`
			}
			if err := json.Unmarshal(paid.Raw, &raw); err != nil || raw.Data.FiscalModule != "UZ191211501001" {
				t.Fatalf("raw %s: %v", paid.Raw, err)
			}
			// Long polled, the answer comes at the box's first look after
			// the payment; answered at once, at the first poll after it.
			if took := r.clk.Now().Sub(t0); took < 10*time.Second || took > 12*time.Second {
				t.Fatalf("the payment was seen after %v", took)
			}
			if n := r.sim.FastStatusCalls(); n != 0 {
				t.Fatalf("%d status calls came less than 2 s apart", n)
			}

			refund := func(id string, amount int64) providers.Status {
				t.Helper()
				st, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindRefund, OperationID: id, Amount: sum(amount),
					Payment: h, Method: paid.Method, TransactionID: paid.TransactionID})
				if err != nil {
					t.Fatalf("refund %d: %v", amount, err)
				}
				if st.State != providers.StatePending || st.Stage != providers.StageRefund || st.Ref == "" {
					t.Fatalf("refund started %+v", st)
				}
				return st
			}
			r.sim.NextRefund(sim.RefundScript{Ends: sim.RefundDone, After: 2 * time.Hour}, sim.RefundScript{Ends: sim.RefundFail, After: time.Minute})
			first := refund("K1-000043", 50000)
			second := refund("K1-000044", 100001)
			_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindRefund, OperationID: "K1-000045", Amount: sum(1),
				TransactionID: paid.TransactionID})
			wantErr(t, err, providers.ErrInvalid, 200, "2001", false)
			if st := r.poll(providers.Handle{Kind: providers.KindRefund, Ref: second.Ref}); st.State != providers.StateFail {
				t.Fatalf("second refund %+v", st)
			}
			r.clk.Advance(2 * time.Hour)
			st := r.poll(providers.Handle{Kind: providers.KindRefund, Ref: first.Ref})
			if st.State != providers.StateSuccess || st.Cheque == nil || st.Cheque.Type != "refund" || st.Cheque.TerminalID != "CASH_1" {
				t.Fatalf("first refund %+v", st)
			}
			// The failed one gave its amount back.
			r.sim.NextRefund(sim.RefundScript{Ends: sim.RefundDone})
			if st := r.poll(providers.Handle{Kind: providers.KindRefund, Ref: refund("K1-000046", 100001).Ref}); st.State != providers.StateSuccess {
				t.Fatalf("the rest %+v", st)
			}

			link := "https://ofd.soliq.uz/check?t=UZ191211501001&r=42&c=20260626142010&s=123456789012"
			if err := r.p.LinkReceipt(r.ctx, h, link); err != nil {
				t.Fatal(err)
			}
			if v, _ := r.sim.Invoice(started.Ref); v.ReceiptURL != link {
				t.Fatalf("the box holds %q", v.ReceiptURL)
			}
		})
	}
}

func TestProviderDeclineAndCancel(t *testing.T) {
	r := newRig(t, sim.Options{}, uzqr.Options{})
	r.sim.Next(sim.Customer{Does: sim.Decline, Delay: 4 * time.Second}, sim.Customer{Does: sim.Never}, sim.Customer{Does: sim.PayOnCancel})
	declined := r.pay("K1-1", 100)
	if st := r.poll(providers.Handle{Kind: providers.KindPayment, Ref: declined.Ref}); st.State != providers.StateFail || st.Stage != providers.StageDone {
		t.Fatalf("declined %+v", st)
	}

	never := r.pay("K1-2", 100)
	h := providers.Handle{Kind: providers.KindPayment, OperationID: "K1-2", Ref: never.Ref}
	if err := r.p.Cancel(r.ctx, h); err != nil {
		t.Fatal(err)
	}
	if st, err := r.p.Status(r.ctx, h); err != nil || st.State != providers.StateFail {
		t.Fatalf("cancelled %+v %v", st, err)
	}
	if err := r.p.Cancel(r.ctx, h); err != nil {
		t.Fatalf("a second cancel: %v", err)
	}

	// Paid as the cashier cancels: the cancel is refused as already paid
	// (the tracker then reads the status), and the payment stands.
	racing := r.pay("K1-3", 100)
	h = providers.Handle{Kind: providers.KindPayment, OperationID: "K1-3", Ref: racing.Ref}
	wantErr(t, r.p.Cancel(r.ctx, h), providers.ErrNotResolvable, 200, "3002", false)
	if st, err := r.p.Status(r.ctx, h); err != nil || st.State != providers.StateSuccess {
		t.Fatalf("after the race %+v %v", st, err)
	}
	if err := r.p.Cancel(r.ctx, providers.Handle{Kind: providers.KindRefund, Ref: "RFND1"}); providers.KindOf(err) != providers.ErrUnsupported {
		t.Fatalf("cancel a refund: %v", err)
	}
}

func TestLinkReceiptRefusals(t *testing.T) {
	r := newRig(t, sim.Options{Default: sim.Customer{Does: sim.Never}}, uzqr.Options{})
	st := r.pay("K1-1", 100)
	h := providers.Handle{Kind: providers.KindPayment, Ref: st.Ref}
	for _, link := range []string{"", "ofd.soliq.uz/check?r=1", "javascript:alert(1)"} {
		if err := r.p.LinkReceipt(r.ctx, h, link); providers.KindOf(err) != providers.ErrInvalid {
			t.Errorf("link %q: %v", link, err)
		}
	}
	if n := r.sim.Requests(sim.PathStatus); n != 0 {
		t.Fatalf("%d status calls for links refused at the till", n)
	}
	if err := r.p.LinkReceipt(r.ctx, h, "https://ofd.soliq.uz/check?r=1"); providers.KindOf(err) != providers.ErrInvalid {
		t.Fatalf("link for an unpaid invoice: %v", err)
	}
	if n := r.sim.Requests(sim.PathReceipt); n != 0 {
		t.Fatalf("%d receipt calls for an unpaid invoice", n)
	}
	err := r.p.LinkReceipt(r.ctx, providers.Handle{Kind: providers.KindPayment, Ref: "INVC1"}, "https://ofd.soliq.uz/check?r=1")
	wantErr(t, err, providers.ErrNotFound, 200, "3001", false)
}

func TestCheck(t *testing.T) {
	good := newRig(t, sim.Options{INN: testINN, APIKey: testKey, LongPoll: true}, uzqr.Options{INN: testINN, APIKey: testKey})
	if err := good.p.Check(good.ctx); err != nil {
		t.Fatalf("a good key: %v", err)
	}
	bad := newRig(t, sim.Options{INN: testINN, APIKey: testKey}, uzqr.Options{INN: testINN, APIKey: "uzqr-live-old"})
	wantErr(t, bad.p.Check(bad.ctx), providers.ErrAuth, 200, "1001", false)
	nc := newRig(t, sim.Options{NotConfigured: true}, uzqr.Options{})
	wantErr(t, nc.p.Check(nc.ctx), providers.ErrProvider, 200, "104", false)
	// Something that says yes to every invoice does not speak the contract.
	odd := newRig(t, sim.Options{}, uzqr.Options{})
	odd.srv.Config.Handler = okToAll{}
	if err := odd.p.Check(odd.ctx); providers.KindOf(err) != providers.ErrMalformed {
		t.Fatalf("a box that knows every invoice: %v", err)
	}
}

// Recovery by id: a new provider, as after a restart, asks about an
// invoice an earlier one created.
func TestStatusFromANewProvider(t *testing.T) {
	r := newRig(t, sim.Options{}, uzqr.Options{})
	r.sim.Next(sim.Customer{Does: sim.Pay, Delay: time.Minute})
	st := r.pay("K1-7", 100)
	p2, err := uzqr.New(uzqr.Options{URL: r.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(time.Minute)
	got, err := p2.Status(r.ctx, providers.Handle{Kind: providers.KindPayment, OperationID: "K1-7", Ref: st.Ref})
	if err != nil || got.State != providers.StateSuccess {
		t.Fatalf("%+v %v", got, err)
	}
}
