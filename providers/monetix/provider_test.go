package monetix_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/monetix"
	"github.com/kassa-till/kassa/providers/monetix/sim"
)

// A sale: acknowledged with no QR; the display_data callback brings the
// QR (receiver, bank, expiry); the final one the receipt's fields; the
// status agrees; the ledger charged once.
func TestSaleSuccess(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	r.sim.Next(sim.Customer{Does: sim.Pay, Delay: 20 * time.Second})
	st := r.start("K1-000001")
	if st.State != providers.StatePending || st.QR != nil || st.Ref != "K1-000001" || st.Stage != providers.StageStarting {
		t.Fatalf("started: %+v", st)
	}
	if st := r.status("K1-000001"); st.State != providers.StatePending || st.QR != nil {
		t.Fatalf("before the QR came: %+v", st)
	}
	r.clk.Advance(time.Second)
	r.flush()
	ev := r.rec.all()
	if len(ev) != 1 {
		t.Fatalf("after the display callback: %d events", len(ev))
	}
	e := ev[0]
	if e.Handle.OperationID != "K1-000001" || e.Handle.Kind != providers.KindPayment || e.Status.State != providers.StatePending {
		t.Fatalf("display event: %+v", e)
	}
	qr := e.Status.QR
	if qr == nil || !strings.HasPrefix(qr.Payload, "https://") || qr.Receiver == "" || qr.Account == "" || qr.Bank == "" {
		t.Fatalf("QR: %+v", qr)
	}
	if want := t0.Add(time.Second + 600*time.Second); !qr.Expires.Equal(want) {
		t.Fatalf("QR expires %v, want %v", qr.Expires, want)
	}
	if st := r.status("K1-000001"); st.QR == nil || st.QR.Payload != qr.Payload || st.Stage != providers.StageWaitScan {
		t.Fatalf("the status forgot the QR the callback brought: %+v", st)
	}
	r.clk.Advance(20 * time.Second)
	r.flush()
	ev = r.rec.all()
	if len(ev) != 2 {
		t.Fatalf("after the final callback: %d events", len(ev))
	}
	fin := ev[1].Status
	if fin.State != providers.StateSuccess || fin.TransactionID != "K1-000001" || fin.QR != nil {
		t.Fatalf("final event: %+v", fin)
	}
	ch := fin.Cheque
	if ch == nil || ch.OrderNumber != "K1-000001" || ch.GateOperation == "" || ch.ProviderPaymentID == "" ||
		ch.HostResponseCode != "0" || ch.Status != "Success" || ch.Date == "" {
		t.Fatalf("cheque: %+v", ch)
	}
	if len(fin.Raw) == 0 {
		t.Fatal("the callback's raw body was not kept")
	}
	st = r.status("K1-000001")
	if st.State != providers.StateSuccess || st.Cheque == nil || st.Cheque.ProviderPaymentID != ch.ProviderPaymentID {
		t.Fatalf("status after the payment: %+v", st)
	}
	led := r.sim.Ledger()
	if len(led) != 1 || led[0].Sales != 1 || led[0].Charged != amount.Minor {
		t.Fatalf("ledger: %+v", led)
	}
}

func TestSaleDecline(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	r.sim.Next(sim.Customer{Does: sim.Decline, Delay: 10 * time.Second})
	r.start("K1-000002")
	r.clk.Advance(10 * time.Second)
	r.flush()
	ev := r.rec.all()
	if len(ev) != 2 {
		t.Fatalf("%d events", len(ev))
	}
	st := ev[1].Status
	if st.State != providers.StateFail || st.Message != "General decline" || st.Detail != "20000" || st.Cheque != nil {
		t.Fatalf("decline event: %+v", st)
	}
	if st := r.status("K1-000002"); st.State != providers.StateFail || st.Message != "General decline" {
		t.Fatalf("decline status: %+v", st)
	}
	if led := r.sim.Ledger(); led[0].Charged != 0 {
		t.Fatalf("a decline charged: %+v", led)
	}
}

// A customer who never scans: the QR's lifetime ends and so does the
// payment, by callback and by status.
func TestQRExpires(t *testing.T) {
	r := newRig(t, sim.Options{LifetimeAsString: true}, monetix.Options{})
	r.sim.Next(sim.Customer{Does: sim.Never})
	r.start("K1-000003")
	r.clk.Advance(time.Second)
	r.flush()
	if ev := r.rec.all(); len(ev) != 1 || ev[0].Status.QR == nil || !ev[0].Status.QR.Expires.Equal(t0.Add(601*time.Second)) {
		t.Fatalf("a lifetime written as a string: %+v", ev)
	}
	r.clk.Advance(598 * time.Second)
	if st := r.status("K1-000003"); st.State != providers.StatePending {
		t.Fatalf("before the lifetime ended: %+v", st)
	}
	r.clk.Advance(time.Second)
	if st := r.status("K1-000003"); st.State != providers.StateFail {
		t.Fatalf("after the lifetime: %+v", st)
	}
	if ev := r.rec.all(); len(ev) != 2 || ev[1].Status.State != providers.StateFail {
		t.Fatalf("no final callback for the expiry: %+v", ev)
	}
}

// A repeated final callback is answered 200 each time and delivered each
// time (deliver is idempotent); nothing is charged twice.
func TestRepeatedCallback(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	r.sim.Next(sim.Customer{Does: sim.Pay, Repeat: 2})
	r.start("K1-000004")
	r.clk.Advance(5 * time.Second)
	r.flush()
	var finals int
	for _, e := range r.rec.all() {
		if e.Status.State == providers.StateSuccess {
			finals++
		}
	}
	if finals != 3 {
		t.Fatalf("%d final events, want 3", finals)
	}
	for _, s := range r.sim.Sent() {
		if s.Status != http.StatusOK {
			t.Fatalf("a callback answered %d", s.Status)
		}
	}
	if led := r.sim.Ledger(); len(led) != 1 || led[0].Charged != amount.Minor || led[0].Sales != 1 {
		t.Fatalf("ledger: %+v", led)
	}
}

// A lost final callback: the status request finds the outcome.
func TestLostFinalCallback(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	r.sim.Next(sim.Customer{Does: sim.Pay, LoseFinal: true})
	r.start("K1-000005")
	r.clk.Advance(time.Minute)
	r.flush()
	if ev := r.rec.all(); len(ev) != 1 || ev[0].Status.State != providers.StatePending {
		t.Fatalf("events: %+v", ev)
	}
	if st := r.status("K1-000005"); st.State != providers.StateSuccess || st.TransactionID == "" {
		t.Fatalf("status: %+v", st)
	}
}

// A late callback comes when it comes; the status tells first.
func TestLateCallback(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	r.sim.Next(sim.Customer{Does: sim.Pay, Late: 2 * time.Minute})
	r.start("K1-000006")
	r.clk.Advance(time.Minute)
	if st := r.status("K1-000006"); st.State != providers.StateSuccess {
		t.Fatalf("status: %+v", st)
	}
	if ev := r.rec.all(); len(ev) != 0 {
		t.Fatalf("callbacks before their time: %+v", ev)
	}
	r.clk.Advance(2 * time.Minute)
	r.flush()
	if ev := r.rec.all(); len(ev) != 2 || ev[1].Status.State != providers.StateSuccess {
		t.Fatalf("late callbacks: %+v", ev)
	}
}

// A forged callback (altered, the signature kept) gets 400, reaches
// nothing, and is noted without the key; the genuine ones still land.
func TestForgedCallback(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	r.sim.Next(sim.Customer{Does: sim.Decline, BadSignature: true})
	r.start("K1-000007")
	r.clk.Advance(time.Minute)
	r.flush()
	var forged int
	for _, s := range r.sim.Sent() {
		if s.Forged {
			forged++
			if s.Status != http.StatusBadRequest {
				t.Fatalf("a forged callback answered %d", s.Status)
			}
		}
	}
	if forged != 2 {
		t.Fatalf("%d forged callbacks sent", forged)
	}
	ev := r.rec.all()
	if len(ev) != 2 || ev[1].Status.State != providers.StateFail {
		t.Fatalf("events: %+v", ev)
	}
	for _, e := range ev {
		if strings.Contains(string(e.Status.Raw), "forged") {
			t.Fatal("a forged callback was delivered")
		}
	}
	logged := r.log.String()
	if !strings.Contains(logged, "monetix callback refused") || strings.Contains(logged, testSecret) {
		t.Fatalf("log: %s", logged)
	}
}

// The display_data callback can come before the sale's answer: it is
// delivered all the same, and the start then answers.
func TestCallbackBeforeTheAnswer(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	r.sim.Next(sim.Customer{Does: sim.Pay, BeforeAnswer: true})
	r.start("K1-000008")
	if ev := r.rec.all(); len(ev) != 1 || ev[0].Status.QR == nil || ev[0].Handle.OperationID != "K1-000008" {
		t.Fatalf("events by the time the start returned: %+v", ev)
	}
	if st := r.status("K1-000008"); st.QR == nil {
		t.Fatalf("status: %+v", st)
	}
}

// A callback the till could not store is answered 500 and sent again
// until it is stored.
func TestCallbackRetriedUntilStored(t *testing.T) {
	r := newRig(t, sim.Options{RetryEvery: 5 * time.Second}, monetix.Options{})
	r.rec.setFail(errors.New("store closed"))
	r.start("K1-000009")
	r.clk.Advance(time.Minute)
	r.flush()
	if r.sim.Pending() != 2 {
		t.Fatalf("%d callbacks pending", r.sim.Pending())
	}
	for _, s := range r.sim.Sent() {
		if s.Status != http.StatusInternalServerError {
			t.Fatalf("answered %d while not stored", s.Status)
		}
	}
	r.rec.setFail(nil)
	r.clk.Advance(4 * time.Second)
	r.flush()
	if len(r.rec.all()) != 0 {
		t.Fatal("sent again sooner than RetryEvery")
	}
	r.clk.Advance(time.Second)
	r.flush()
	if ev := r.rec.all(); len(ev) != 2 || ev[1].Status.State != providers.StateSuccess || r.sim.Pending() != 0 {
		t.Fatalf("after the retry: %+v, %d pending", ev, r.sim.Pending())
	}
}

// A callback reaches a new Provider (as after a restart) just the same:
// the listener holds no state of its own that the callback needs.
func TestCallbackAfterRestart(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	r.start("K1-000010")
	p2, err := monetix.New(monetix.Options{URL: r.c.BaseURL, ProjectID: testProject, Secret: testSecret, Clock: r.clk})
	if err != nil {
		t.Fatal(err)
	}
	rec2 := &recorder{}
	// The first till is gone; the new one listens at the same address.
	r.handler.set(p2.Callbacks(rec2.deliver))
	r.clk.Advance(time.Minute)
	r.flush()
	if ev := rec2.all(); len(ev) != 2 || ev[1].Status.State != providers.StateSuccess {
		t.Fatalf("the new till's events: %+v", ev)
	}
	if len(r.rec.all()) != 0 {
		t.Fatal("the old till was called")
	}
}

func TestAmountLimitsRefusedBeforeSending(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	info := r.p.Info()
	if info.MinAmount != sum(5_000_000) || info.MaxAmount != sum(2_000_000_000) || info.MaxIDLength != monetix.MaxPaymentID {
		t.Fatalf("info: %+v", info)
	}
	for _, m := range []int64{4_999_999, 2_000_000_001} {
		_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "K1-1", Amount: sum(m)})
		pe := wantErr(t, err, providers.ErrLimit, false)
		if !strings.Contains(pe.Error(), "50 000.00") {
			t.Fatalf("the refusal does not say the limits: %v", pe)
		}
	}
	for _, m := range []int64{5_000_000, 2_000_000_000} {
		if _, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "K1-" + providers.New(m, providers.UZS).Major(), Amount: sum(m)}); err != nil {
			t.Fatalf("%d: %v", m, err)
		}
	}
	if n := r.sim.Requests(sim.PathSale); n != 2 {
		t.Fatalf("%d sales sent, want the 2 within the limits", n)
	}
	_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: strings.Repeat("x", 256), Amount: amount})
	wantErr(t, err, providers.ErrInvalid, false)
	_, err = r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "K1-2", Amount: providers.New(100, providers.KZT)})
	wantErr(t, err, providers.ErrInvalid, false)
}

// The same payment_id again (a start whose answer was lost, repeated):
// the Gate says 3041, and the provider answers with the payment it has.
// With another amount it is a refusal.
func TestDuplicatePaymentID(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	r.start("K1-000011")
	st := r.start("K1-000011")
	if st.State != providers.StatePending || st.Ref != "K1-000011" {
		t.Fatalf("the repeat: %+v", st)
	}
	_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "K1-000011", Amount: sum(30_000_000)})
	if pe := wantErr(t, err, providers.ErrInvalid, false); pe.Code != "3041" {
		t.Fatalf("code %s", pe.Code)
	}
	if led := r.sim.Ledger(); len(led) != 1 || led[0].Sales != 1 {
		t.Fatalf("ledger: %+v", led)
	}
}

func TestRefunds(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	r.start("K1-000012")
	r.clk.Advance(time.Minute)
	_, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindRefund, OperationID: "K1-000013", Amount: amount,
		Payment: providers.Handle{Kind: providers.KindPayment, OperationID: "K1-000012"}, TransactionID: "K1-000012"})
	wantErr(t, err, providers.ErrUnsupported, false)
	if !errors.Is(err, monetix.ErrRefundsInDashboard) || r.p.Info().Refunds {
		t.Fatalf("refunds off: %v", err)
	}
	if r.sim.Requests(sim.PathRefund) != 0 {
		t.Fatal("a refund was sent")
	}

	r = newRig(t, sim.Options{Refunds: true}, monetix.Options{Refunds: true})
	r.start("K1-000012")
	r.clk.Advance(time.Minute)
	r.flush()
	r.sim.NextRefund(sim.RefundScript{Ends: sim.RefundDone, After: time.Minute})
	st, err := r.p.Start(r.ctx, providers.Request{Kind: providers.KindRefund, OperationID: "K1-000013", Amount: sum(5_000_000),
		Payment: providers.Handle{Kind: providers.KindPayment, OperationID: "K1-000012"}, TransactionID: "K1-000012"})
	if err != nil || st.State != providers.StatePending || !strings.HasPrefix(st.Ref, "K1-000012#") {
		t.Fatalf("refund: %+v %v", st, err)
	}
	h := providers.Handle{Kind: providers.KindRefund, OperationID: "K1-000013", Ref: st.Ref}
	if st, err := r.p.Status(r.ctx, h); err != nil || st.State != providers.StatePending {
		t.Fatalf("refund status: %+v %v", st, err)
	}
	r.clk.Advance(time.Minute)
	r.flush()
	ev := r.rec.all()
	last := ev[len(ev)-1]
	if last.Handle.Kind != providers.KindRefund || last.Handle.Ref != st.Ref || last.Status.State != providers.StateSuccess {
		t.Fatalf("refund callback: %+v", last)
	}
	if st, err := r.p.Status(r.ctx, h); err != nil || st.State != providers.StateSuccess || st.Cheque == nil {
		t.Fatalf("refund status: %+v %v", st, err)
	}
	// The payment, partly refunded, still reads as paid.
	if st := r.status("K1-000012"); st.State != providers.StateSuccess {
		t.Fatalf("payment after a refund: %+v", st)
	}
	if led := r.sim.Ledger(); led[0].Refunded != 5_000_000 {
		t.Fatalf("ledger: %+v", led)
	}
}

func TestListenerRefusals(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	url := r.listener.URL + "/kassa/monetix"
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
	post := func(body string) int {
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post(strings.Repeat(" ", monetix.MaxCallbackBody+1) + "{}"); c != http.StatusRequestEntityTooLarge {
		t.Fatalf("an oversized body: %d", c)
	}
	if c := post(`{"payment":{"id":"K1-1","status":"success"}}`); c != http.StatusBadRequest {
		t.Fatalf("unsigned: %d", c)
	}
	if c := post(`not json`); c != http.StatusBadRequest {
		t.Fatalf("not JSON: %d", c)
	}
	other := signedJSON(t, testSecret, `{"project_id":1,"payment":{"id":"K1-1","status":"success"}}`)
	if c := post(string(other)); c != http.StatusBadRequest {
		t.Fatalf("another project's: %d", c)
	}
	good := signedJSON(t, testSecret, `{"project_id":4242,"payment":{"id":"K1-1","status":"success"},"operation":{"type":"sale","status":"success","code":"0"}}`)
	if c := post(string(good)); c != http.StatusOK {
		t.Fatalf("a good one: %d", c)
	}
	if ev := r.rec.all(); len(ev) != 1 {
		t.Fatalf("%d delivered, want only the good one", len(ev))
	}
	if strings.Contains(r.log.String(), testSecret) {
		t.Fatal("the key was logged")
	}
}

func TestCheck(t *testing.T) {
	r := newRig(t, sim.Options{}, monetix.Options{})
	if err := r.p.Check(r.ctx); err != nil {
		t.Fatal(err)
	}
	bad, err := monetix.New(monetix.Options{URL: r.c.BaseURL, ProjectID: testProject, Secret: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, bad.Check(r.ctx), providers.ErrAuth, false)
	other, _ := monetix.New(monetix.Options{URL: r.c.BaseURL, ProjectID: 1, Secret: testSecret})
	wantErr(t, other.Check(r.ctx), providers.ErrAuth, false)
}

func TestOptions(t *testing.T) {
	for _, o := range []monetix.Options{
		{ProjectID: 1},
		{Secret: "k"},
		{ProjectID: 1, Secret: "k", URL: "ftp://x"},
		{ProjectID: 1, Secret: "k", PollEvery: time.Second},
		{ProjectID: 1, Secret: "k", CallbackURL: "/kassa"},
	} {
		if _, err := monetix.New(o); err == nil {
			t.Errorf("%+v taken", o)
		} else if strings.Contains(err.Error(), "k\"") {
			t.Errorf("the key in %v", err)
		}
	}
	p, err := monetix.New(monetix.Options{ProjectID: 1, Secret: testSecret})
	if err != nil || p.Client().BaseURL != monetix.DefaultURL || p.Info().PollEvery != 5*time.Second {
		t.Fatalf("defaults: %v", err)
	}
	if s := p.Client().String(); strings.Contains(s, testSecret) {
		t.Fatal(s)
	}
}
