package sim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/uzqr/sim"
)

var tashkent = time.FixedZone("UZT", 5*3600)

var t0 = time.Date(2026, 6, 26, 14, 20, 0, 0, tashkent)

type env struct {
	t   *testing.T
	clk *clock.Fake
	sim *sim.Sim
	url string
}

func newEnv(t *testing.T, opts sim.Options) *env {
	t.Helper()
	clk := clock.NewFake(t0)
	opts.Clock = clk
	s := sim.New(opts)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, clk: clk, sim: s, url: srv.URL}
}

func (e *env) do(method, path, body string, header ...string) (int, string) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func (e *env) post(path, body string) string {
	e.t.Helper()
	code, b := e.do(http.MethodPost, path, body)
	if code != 200 {
		e.t.Fatalf("POST %s: HTTP %d %s", path, code, b)
	}
	return b
}

func (e *env) get(path string) string {
	e.t.Helper()
	code, b := e.do(http.MethodGet, path, "")
	if code != 200 {
		e.t.Fatalf("GET %s: HTTP %d %s", path, code, b)
	}
	return b
}

func want(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// createInvoice makes an invoice and returns its id and qr_text.
func (e *env) createInvoice(ext, amount string) (string, string) {
	e.t.Helper()
	var env struct {
		Data struct {
			InvoiceID string `json:"invoice_id"`
			QRText    string `json:"qr_text"`
		} `json:"data"`
		IsSuccess bool `json:"is_success"`
	}
	b := e.post(sim.PathCreate, `{"external_id":"`+ext+`","amount":"`+amount+`"}`)
	if err := json.Unmarshal([]byte(b), &env); err != nil || !env.IsSuccess {
		e.t.Fatalf("create: %s (%v)", b, err)
	}
	return env.Data.InvoiceID, env.Data.QRText
}

func TestWireShapes(t *testing.T) {
	e := newEnv(t, sim.Options{})
	e.sim.Next(sim.Customer{Does: sim.Pay, Delay: 4 * time.Second})
	id, qr := e.createInvoice("K1-000001", "1500")
	if !strings.HasPrefix(id, "INVC") || len(id) != len("INVC134B7FEFED34BC3B470B8") {
		t.Fatalf("invoice id %q is not shaped like the box's", id)
	}
	want(t, "in progress", e.get(sim.PathStatus+"?invoice_id="+id),
		`{"data":{"invoice_id":"`+id+`","status":1},"error":null,"is_success":true}`)
	e.clk.Advance(4 * time.Second)
	paid := e.get(sim.PathStatus + "?invoice_id=" + id)
	var v struct {
		Data struct {
			PayID string `json:"pay_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(paid), &v); err != nil || len(v.Data.PayID) != 12 {
		t.Fatalf("paid: %s", paid)
	}
	want(t, "paid", paid, `{"data":{"invoice_id":"`+id+`","status":2,"pay_id":"`+v.Data.PayID+
		`","payer_phone":"99890*****67","card_type":"2","card_no":"8600********1234","fiscal_module":"UZ191211501001"},"error":null,"is_success":true}`)
	if got, _ := sim.Field(qr, "54"); got != "1500.00" {
		t.Fatalf("qr_text amount %q", got)
	}

	want(t, "cancel of a paid invoice", e.post(sim.PathCancel, `{"invoice_id":"`+id+`"}`),
		`{"data":null,"error":{"code":3002,"message":"Инвойс уже оплачен","data":null},"is_success":false}`)

	body := e.post(sim.PathRefund, `{"pay_id":"`+v.Data.PayID+`","amount":"500.50"}`)
	var r struct {
		Data struct {
			RefundID string `json:"refund_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil || !strings.HasPrefix(r.Data.RefundID, "RFND") {
		t.Fatalf("refund: %s", body)
	}
	want(t, "refund accepted", body, `{"data":{"refund_id":"`+r.Data.RefundID+`","status":1},"error":null,"is_success":true}`)
	want(t, "refund pending", e.get(sim.PathRefundStatus+"?refund_id="+r.Data.RefundID),
		`{"data":{"refund_id":"`+r.Data.RefundID+`","status":1},"error":null,"is_success":true}`)
	e.clk.Advance(5 * time.Second) // the default refund takes 5 s
	want(t, "refund done", e.get(sim.PathRefundStatus+"?refund_id="+r.Data.RefundID),
		`{"data":{"refund_id":"`+r.Data.RefundID+`","status":2},"error":null,"is_success":true}`)
	want(t, "over-refund", e.post(sim.PathRefund, `{"pay_id":"`+v.Data.PayID+`","amount":"1000"}`),
		`{"data":null,"error":{"code":2001,"message":"Неверные параметры запроса: сумма возврата больше остатка платежа 999.50","data":null},"is_success":false}`)

	want(t, "receipt", e.post(sim.PathReceipt, `{"pay_id":"`+v.Data.PayID+`","fiscal_receipt_url":"https://ofd.soliq.uz/check?t=UZ191211501001&r=42&c=20260626142004&s=123456789012"}`),
		`{"data":{},"error":null,"is_success":true}`)
	if inv, _ := e.sim.Invoice(id); !strings.Contains(inv.ReceiptURL, "r=42") || inv.Refunded != 50050 {
		t.Fatalf("the sim holds %+v", inv)
	}
}

func TestDeclineExpiryAndCancel(t *testing.T) {
	e := newEnv(t, sim.Options{InvoiceLifetime: time.Minute})
	e.sim.Next(sim.Customer{Does: sim.Decline, Delay: 3 * time.Second}, sim.Customer{Does: sim.Never},
		sim.Customer{Does: sim.Never}, sim.Customer{Does: sim.PayOnCancel})
	declined, _ := e.createInvoice("K1-1", "10")
	expiring, _ := e.createInvoice("K1-2", "10")
	cancelled, _ := e.createInvoice("K1-3", "10")
	racing, _ := e.createInvoice("K1-4", "10")
	e.clk.Advance(3 * time.Second)
	want(t, "declined", e.get(sim.PathStatus+"?invoice_id="+declined),
		`{"data":{"invoice_id":"`+declined+`","status":3},"error":null,"is_success":false}`)

	want(t, "cancel", e.post(sim.PathCancel, `{"invoice_id":"`+cancelled+`"}`), `{"data":{},"error":null,"is_success":true}`)
	want(t, "cancelled", e.get(sim.PathStatus+"?invoice_id="+cancelled),
		`{"data":{"invoice_id":"`+cancelled+`","status":3},"error":null,"is_success":false}`)
	want(t, "cancel again", e.post(sim.PathCancel, `{"invoice_id":"`+cancelled+`"}`), `{"data":{},"error":null,"is_success":true}`)

	// The customer's payment reaches UzQR as the cashier cancels: the
	// cancel is refused and the invoice is paid.
	want(t, "cancel racing a payment", e.post(sim.PathCancel, `{"invoice_id":"`+racing+`"}`),
		`{"data":null,"error":{"code":3002,"message":"Инвойс уже оплачен","data":null},"is_success":false}`)
	if inv, _ := e.sim.Invoice(racing); inv.Status != 2 || inv.PayID == "" {
		t.Fatalf("after the race: %+v", inv)
	}

	e.clk.Advance(56 * time.Second)
	if inv, _ := e.sim.Invoice(expiring); inv.Status != 1 {
		t.Fatalf("before its lifetime: %+v", inv)
	}
	e.clk.Advance(time.Second)
	want(t, "expired", e.get(sim.PathStatus+"?invoice_id="+expiring),
		`{"data":{"invoice_id":"`+expiring+`","status":3},"error":null,"is_success":false}`)
	want(t, "unknown", e.post(sim.PathCancel, `{"invoice_id":"INVC0"}`),
		`{"data":null,"error":{"code":3001,"message":"Инвойс не найден","data":null},"is_success":false}`)
}

// The same external_id is the same invoice; with another amount it is refused.
func TestExternalIDIsTheIdempotencyKey(t *testing.T) {
	e := newEnv(t, sim.Options{})
	id, qr := e.createInvoice("K1-000007", "99.9")
	id2, qr2 := e.createInvoice("K1-000007", "99.90")
	if id2 != id || qr2 != qr {
		t.Fatalf("a repeated create made another invoice: %s %s", id, id2)
	}
	want(t, "other amount", e.post(sim.PathCreate, `{"external_id":"K1-000007","amount":"100"}`),
		`{"data":null,"error":{"code":2003,"message":"Неверный external_id: уже использован для другого платежа","data":null},"is_success":false}`)
	if n := e.sim.Requests(sim.PathCreate); n != 3 {
		t.Fatalf("%d creates counted, want 3", n)
	}
}

func TestValidation(t *testing.T) {
	e := newEnv(t, sim.Options{})
	for _, tc := range []struct {
		path, body string
		code       int
	}{
		{sim.PathCreate, `{"amount":"1"}`, 105},
		{sim.PathCreate, `{"external_id":"","amount":"1"}`, 105},
		{sim.PathCreate, `{"external_id":"K1-1"}`, 105},
		{sim.PathCreate, `{"external_id":"K1-000000000000000001","amount":"1"}`, 2003}, // 21 characters
		{sim.PathCreate, `{"external_id":"K1 1","amount":"1"}`, 2003},
		{sim.PathCreate, `{"external_id":7,"amount":"1"}`, 2003},
		{sim.PathCreate, `{"external_id":"K1-1","amount":100}`, 2002},
		{sim.PathCreate, `{"external_id":"K1-1","amount":"1,50"}`, 2002},
		{sim.PathCreate, `{"external_id":"K1-1","amount":"1.505"}`, 2002},
		{sim.PathCreate, `{"external_id":"K1-1","amount":"0.00"}`, 2002},
		{sim.PathCreate, `{"external_id":"K1-1","amount":"-5"}`, 2002},
		{sim.PathCreate, `[1,2]`, 2001},
		{sim.PathCreate, `not json`, 2001},
		{sim.PathCancel, `{}`, 105},
		{sim.PathRefund, `{"pay_id":"1","amount":"1"}`, 4001},
		{sim.PathRefund, `{"amount":"1"}`, 105},
		{sim.PathReceipt, `{"pay_id":"1"}`, 105},
		{sim.PathReceipt, `{"pay_id":"1","fiscal_receipt_url":"https://ofd.soliq.uz/check"}`, 4001},
	} {
		_, body := e.do(http.MethodPost, tc.path, tc.body)
		var env struct {
			Error *struct {
				Code int `json:"code"`
			} `json:"error"`
			IsSuccess bool `json:"is_success"`
		}
		if err := json.Unmarshal([]byte(body), &env); err != nil || env.Error == nil || env.Error.Code != tc.code || env.IsSuccess {
			t.Errorf("POST %s %s: %s, want code %d", tc.path, tc.body, body, tc.code)
		}
	}
	for _, path := range []string{sim.PathStatus, sim.PathRefundStatus} {
		if _, body := e.do(http.MethodGet, path, ""); !strings.Contains(body, `"code":105`) {
			t.Errorf("GET %s without its id: %s", path, body)
		}
	}
	if code, _ := e.do(http.MethodGet, sim.PathCreate, ""); code != http.StatusMethodNotAllowed {
		t.Errorf("GET create: HTTP %d", code)
	}
	if code, _ := e.do(http.MethodGet, "/payment/one_qr/nothing", ""); code != http.StatusNotFound {
		t.Errorf("unknown path: HTTP %d", code)
	}
}

func TestReceiptChecksTheFiscalModule(t *testing.T) {
	e := newEnv(t, sim.Options{Default: sim.Customer{Does: sim.Pay}})
	id, _ := e.createInvoice("K1-1", "1")
	inv, _ := e.sim.Invoice(id)
	want(t, "other module", e.post(sim.PathReceipt, `{"pay_id":"`+inv.PayID+`","fiscal_receipt_url":"https://ofd.soliq.uz/check?t=UZ000000000001"}`),
		`{"data":null,"error":{"code":2004,"message":"Неверный фискальный модуль: UZ000000000001","data":null},"is_success":false}`)
	want(t, "not a link", e.post(sim.PathReceipt, `{"pay_id":"`+inv.PayID+`","fiscal_receipt_url":"ofd.soliq.uz"}`),
		`{"data":null,"error":{"code":2001,"message":"Неверные параметры запроса: fiscal_receipt_url","data":null},"is_success":false}`)
}

func TestAuthBlockAndNotConfigured(t *testing.T) {
	e := newEnv(t, sim.Options{INN: "123456789", APIKey: "k-secret"})
	for _, h := range [][]string{nil, {"X-Inn", "123456789"}, {"X-Inn", "123456789", "X-Api-Key", "wrong"}, {"X-Api-Key", "k-secret"}} {
		if _, body := e.do(http.MethodGet, sim.PathStatus+"?invoice_id=X", "", h...); body != `{"data":null,"error":{"code":1001,"message":"Неверный ИНН или API-ключ","data":null},"is_success":false}` {
			t.Fatalf("headers %v: %s", h, body)
		}
	}
	good := []string{"X-Inn", "123456789", "X-Api-Key", "k-secret"}
	if _, body := e.do(http.MethodGet, sim.PathStatus+"?invoice_id=X", "", good...); !strings.Contains(body, `"code":3001`) {
		t.Fatalf("good headers: %s", body)
	}
	_, body := e.do(http.MethodPost, sim.PathCreate, `{"external_id":"A","amount":"1"}`, good...)
	var c struct {
		Data struct {
			InvoiceID string `json:"invoice_id"`
		} `json:"data"`
	}
	_ = json.Unmarshal([]byte(body), &c)

	e.sim.Block()
	if _, body := e.do(http.MethodPost, sim.PathCreate, `{"external_id":"B","amount":"1"}`, good...); !strings.Contains(body, `"code":1002`) {
		t.Fatalf("create on a blocked QR: %s", body)
	}
	if _, body := e.do(http.MethodGet, sim.PathStatus+"?invoice_id="+c.Data.InvoiceID, "", good...); !strings.Contains(body, `"code":3001`) {
		t.Fatalf("an unpaid invoice is removed by the block: %s", body)
	}
	if err := e.sim.Unblock(""); err == nil {
		t.Fatal("unblocked without a reason")
	}
	if err := e.sim.Unblock(strings.Repeat("я", 121)); err == nil {
		t.Fatal("unblocked with a reason of 121 characters")
	}
	if err := e.sim.Unblock("касса заменена"); err != nil {
		t.Fatal(err)
	}
	if _, body := e.do(http.MethodPost, sim.PathCreate, `{"external_id":"B","amount":"1"}`, good...); !strings.Contains(body, `"is_success":true`) {
		t.Fatalf("create after unblocking: %s", body)
	}

	nc := newEnv(t, sim.Options{NotConfigured: true})
	if _, body := nc.do(http.MethodPost, sim.PathCreate, `{"external_id":"A","amount":"1"}`); !strings.Contains(body, `"code":104`) {
		t.Fatalf("not configured: %s", body)
	}
}

// A long-polled status call is held until the invoice is final, looked
// at every 3 s on the sim's clock, or answered with status 1 after 2 min.
func TestLongPoll(t *testing.T) {
	e := newEnv(t, sim.Options{LongPoll: true})
	e.sim.Next(sim.Customer{Does: sim.Pay, Delay: 10 * time.Second}, sim.Customer{Does: sim.Never})
	paying, _ := e.createInvoice("K1-1", "1")
	never, _ := e.createInvoice("K1-2", "1")

	held := func(id string) <-chan string {
		ch := make(chan string, 1)
		go func() { ch <- e.get(sim.PathStatus + "?invoice_id=" + id) }()
		return ch
	}
	// next waits until the call answers or waits on the clock again.
	next := func(ch <-chan string) (string, bool) {
		var body string
		waitFor(t, "an answer or a wait on the clock", func() bool {
			select {
			case body = <-ch:
				return true
			default:
				return e.clk.Waiters() > 0
			}
		})
		return body, body != ""
	}
	ch := held(paying)
	looks := 0
	for {
		if body, ok := next(ch); ok {
			if !strings.Contains(body, `"status":2`) || looks != 4 {
				t.Fatalf("after %d looks: %s", looks, body)
			}
			break
		}
		if d, _ := e.clk.Next(); d != 3*time.Second {
			t.Fatalf("the box looks upstream after %v, want 3s", d)
		}
		waitFor(t, "the hold to be counted", func() bool { return e.sim.Holding() == 1 })
		e.clk.Advance(3 * time.Second)
		looks++
	}

	start := e.clk.Now()
	ch = held(never)
	for {
		if body, ok := next(ch); ok {
			if !strings.Contains(body, `"status":1`) || e.clk.Now().Sub(start) != 2*time.Minute {
				t.Fatalf("held for %v: %s", e.clk.Now().Sub(start), body)
			}
			break
		}
		d, _ := e.clk.Next()
		e.clk.Advance(d)
	}
	// A final invoice is answered at once, and so is every call once the
	// mode is switched off.
	if body := e.get(sim.PathStatus + "?invoice_id=" + paying); !strings.Contains(body, `"status":2`) {
		t.Fatal(body)
	}
	e.sim.SetLongPoll(false)
	if body := e.get(sim.PathStatus + "?invoice_id=" + never); !strings.Contains(body, `"status":1`) {
		t.Fatal(body)
	}
	if n := e.clk.Waiters(); n != 0 || e.sim.Holding() != 0 {
		t.Fatalf("%d timers and %d holds left behind", n, e.sim.Holding())
	}
}

// A client that gives up on a held call leaves no timer behind.
func TestLongPollClientGoesAway(t *testing.T) {
	e := newEnv(t, sim.Options{LongPoll: true, Default: sim.Customer{Does: sim.Never}})
	id, _ := e.createInvoice("K1-1", "1")
	req, _ := http.NewRequest(http.MethodGet, e.url+sim.PathStatus+"?invoice_id="+id, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitFor(t, "the call to be held", func() bool { return e.clk.Waiters() > 0 })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the cancelled call answered")
	}
	waitFor(t, "the hold to end", func() bool { return e.clk.Waiters() == 0 })
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, sim.Options{RateLimit: 2 * time.Second, Default: sim.Customer{Does: sim.Never}})
	id, _ := e.createInvoice("K1-1", "1")
	e.get(sim.PathStatus + "?invoice_id=" + id)
	e.clk.Advance(1999 * time.Millisecond)
	want(t, "too soon", e.get(sim.PathStatus+"?invoice_id="+id),
		`{"data":null,"error":{"code":6001,"message":"Превышен лимит запросов, повторите позже","data":null},"is_success":false}`)
	e.clk.Advance(2 * time.Second)
	if body := e.get(sim.PathStatus + "?invoice_id=" + id); !strings.Contains(body, `"status":1`) {
		t.Fatal(body)
	}
	if n := e.sim.FastStatusCalls(); n != 1 {
		t.Fatalf("%d fast calls counted, want 1", n)
	}
}

func TestRefundsFailAndGiveTheirAmountBack(t *testing.T) {
	e := newEnv(t, sim.Options{Default: sim.Customer{Does: sim.Pay}})
	id, _ := e.createInvoice("K1-1", "100")
	inv, _ := e.sim.Invoice(id)
	e.sim.NextRefund(sim.RefundScript{Ends: sim.RefundFail, After: time.Hour}, sim.RefundScript{Ends: sim.RefundDone})
	first := e.post(sim.PathRefund, `{"pay_id":"`+inv.PayID+`","amount":"100"}`)
	var r struct {
		Data struct {
			RefundID string `json:"refund_id"`
		} `json:"data"`
	}
	_ = json.Unmarshal([]byte(first), &r)
	// Pending, it holds the whole payment.
	if body := e.post(sim.PathRefund, `{"pay_id":"`+inv.PayID+`","amount":"0.01"}`); !strings.Contains(body, `"code":2001`) {
		t.Fatalf("refund while the whole payment is pending: %s", body)
	}
	e.clk.Advance(time.Hour)
	want(t, "failed", e.get(sim.PathRefundStatus+"?refund_id="+r.Data.RefundID),
		`{"data":{"refund_id":"`+r.Data.RefundID+`","status":3},"error":null,"is_success":false}`)
	if body := e.post(sim.PathRefund, `{"pay_id":"`+inv.PayID+`","amount":"100.00"}`); !strings.Contains(body, `"is_success":true`) {
		t.Fatalf("refund after the failed one: %s", body)
	}
	if body := e.get(sim.PathRefundStatus + "?refund_id=RFND0"); !strings.Contains(body, `"code":4001`) {
		t.Fatalf("unknown refund: %s", body)
	}
}

func TestPreloadedPayments(t *testing.T) {
	e := newEnv(t, sim.Options{Payments: []sim.Payment{{PayID: "100000000042", Amount: 10000, Refunded: 2500}}})
	if body := e.post(sim.PathRefund, `{"pay_id":"100000000042","amount":"75.01"}`); !strings.Contains(body, `"code":2001`) {
		t.Fatalf("over what is left: %s", body)
	}
	if body := e.post(sim.PathRefund, `{"pay_id":"100000000042","amount":"75"}`); !strings.Contains(body, `"is_success":true`) {
		t.Fatalf("what is left: %s", body)
	}
}

func TestInjectedFaults(t *testing.T) {
	e := newEnv(t, sim.Options{RedirectTo: "http://example.invalid/next"})
	for f, code := range sim.FaultCodes {
		e.sim.Inject(sim.PathCreate, f)
		_, body := e.do(http.MethodPost, sim.PathCreate, `{"external_id":"X","amount":"1"}`)
		want(t, string(f), body, `{"data":null,"error":{"code":`+strconv.Itoa(code)+`,"message":"`+sim.Messages[code]+`","data":null},"is_success":false}`)
	}
	e.sim.Inject(sim.PathStatus, sim.FaultBadGateway, sim.FaultRedirect, sim.FaultForeign)
	if code, body := e.do(http.MethodGet, sim.PathStatus+"?invoice_id=X", ""); code != 502 || body != "502 Bad Gateway\n" {
		t.Fatalf("badgateway: %d %q", code, body)
	}
	req, _ := http.NewRequest(http.MethodGet, e.url+sim.PathStatus+"?invoice_id=X", nil)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || resp.StatusCode != 302 || resp.Header.Get("Location") != "http://example.invalid/next" {
		t.Fatalf("redirect: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, body := e.do(http.MethodGet, sim.PathStatus+"?invoice_id=X", ""); body != `{"status":"ok","result":{}}` {
		t.Fatalf("foreign: %s", body)
	}
	// Spoilers do the call: a dropped create still made the invoice.
	e.sim.Inject(sim.PathCreate, sim.FaultDrop)
	req, _ = http.NewRequest(http.MethodPost, e.url+sim.PathCreate, strings.NewReader(`{"external_id":"D","amount":"1"}`))
	if _, err := http.DefaultTransport.RoundTrip(req); err == nil {
		t.Fatal("drop answered")
	}
	id, _ := e.createInvoice("D", "1")
	if _, ok := e.sim.Invoice(id); !ok || e.sim.Requests(sim.PathCreate) != len(sim.FaultCodes)+2 {
		t.Fatalf("the dropped create made no invoice, or requests were not counted (%d)", e.sim.Requests(sim.PathCreate))
	}
}

func TestControlSurface(t *testing.T) {
	e := newEnv(t, sim.Options{})
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/sim/next?customer=decline&delay=2.5&card=9860********0001&card_type=1&phone=99893*****11", 200},
		{"/sim/default?customer=never", 200},
		{"/sim/refund?ends=fail&after=2h", 200},
		{"/sim/refund-default?ends=done&after=0", 200},
		{"/sim/fault?path=" + sim.PathCreate + "&fault=6001", 200},
		{"/sim/fault?path=" + sim.PathStatus + "&fault=drop", 200},
		{"/sim/mode?long_poll=true", 200},
		{"/sim/block", 200},
		{"/sim/unblock?reason=ok", 200},
		{"/sim/next?customer=sing", 400},
		{"/sim/next?delay=-1", 400},
		{"/sim/refund?ends=maybe", 400},
		{"/sim/fault?path=/v2/payment&fault=drop", 400},
		{"/sim/fault?path=" + sim.PathCreate + "&fault=7777", 400},
		{"/sim/mode?long_poll=perhaps", 400},
		{"/sim/unblock", 400},
		{"/sim/pay?invoice_id=INVC0", 400},
		{"/sim/nothing", 404},
	} {
		if code, body := e.do(http.MethodGet, tc.path, ""); code != tc.code {
			t.Errorf("%s: HTTP %d %s, want %d", tc.path, code, body, tc.code)
		}
	}
	var st struct {
		LongPoll bool `json:"long_poll"`
		Queue    []struct {
			Does  string `json:"customer"`
			Delay string `json:"delay"`
			Card  string `json:"card"`
		} `json:"queue"`
		Default struct {
			Does string `json:"customer"`
		} `json:"default"`
		RefundQueue []struct {
			Ends  string `json:"ends"`
			After string `json:"after"`
		} `json:"refund_queue"`
		Faults map[string][]string `json:"faults"`
	}
	if err := json.Unmarshal([]byte(e.get("/sim/state")), &st); err != nil {
		t.Fatal(err)
	}
	if !st.LongPoll || len(st.Queue) != 1 || st.Queue[0].Does != "decline" || st.Queue[0].Delay != "2.5s" ||
		st.Queue[0].Card != "9860********0001" || st.Default.Does != "never" ||
		len(st.RefundQueue) != 1 || st.RefundQueue[0].After != "2h0m0s" ||
		st.Faults[sim.PathCreate][0] != string(sim.FaultRateLimit) || st.Faults[sim.PathStatus][0] != string(sim.FaultDrop) {
		t.Fatalf("state %+v", st)
	}

	// /sim/pay settles an invoice nobody is scripted to pay.
	e.sim.SetLongPoll(false)
	e.sim.Next(sim.Customer{Does: sim.Never})
	id, _ := e.createInvoiceAfterFault("K1-9", "5")
	e.get("/sim/pay?invoice_id=" + id)
	if inv, _ := e.sim.Invoice(id); inv.Status != 2 {
		t.Fatalf("after /sim/pay: %+v", inv)
	}
	if code, _ := e.do(http.MethodGet, "/sim/decline?invoice_id="+id, ""); code != 400 {
		t.Fatal("a paid invoice was declined")
	}
}

// createInvoiceAfterFault takes the 6001 queued on create, then creates.
func (e *env) createInvoiceAfterFault(ext, amount string) (string, string) {
	e.t.Helper()
	if _, body := e.do(http.MethodPost, sim.PathCreate, `{"external_id":"`+ext+`","amount":"`+amount+`"}`); !strings.Contains(body, `"code":6001`) {
		e.t.Fatalf("the queued fault: %s", body)
	}
	return e.createInvoice(ext, amount)
}

func TestQRText(t *testing.T) {
	if got := sim.CRC16([]byte("123456789")); got != 0x29B1 {
		t.Fatalf("CRC-16/CCITT-FALSE check value %04X, want 29B1", got)
	}
	for _, tc := range []struct {
		opts     sim.Options
		min, max int
		label    string
	}{
		{sim.Options{}, 200, 250, ""},
		{sim.Options{QRName: "CASH_1"}, 200, 250, "CASH_1"},
		{sim.Options{ShortQR: true, QRName: "CASH_1"}, 100, 160, ""},
	} {
		e := newEnv(t, tc.opts)
		id, qr := e.createInvoice("K1-1", "123456.78")
		if err := sim.CheckQR(qr); err != nil {
			t.Fatalf("%s: %v", qr, err)
		}
		if len(qr) < tc.min || len(qr) > tc.max {
			t.Fatalf("qr_text of %d characters, want %d to %d: %s", len(qr), tc.min, tc.max, qr)
		}
		for path, v := range map[string]string{"00": "01", "01": "12", "53": "860", "54": "123456.78", "58": "UZ", "62.01": id, "26.01": sim.DefaultMerchant.QRID} {
			if got, ok := sim.Field(qr, path); !ok || got != v {
				t.Errorf("%s: tag %s = %q, want %q", qr, path, got, v)
			}
		}
		if got, _ := sim.Field(qr, "62.07"); got != tc.label {
			t.Errorf("terminal label %q, want %q", got, tc.label)
		}
	}
	// CheckQR catches a changed character and a wrong length.
	e := newEnv(t, sim.Options{})
	_, qr := e.createInvoice("K1-1", "1")
	if err := sim.CheckQR(strings.Replace(qr, "5802UZ", "5802KZ", 1)); err == nil {
		t.Fatal("a changed country passed the CRC")
	}
	if err := sim.CheckQR(strings.Replace(qr, "5802UZ", "5803UZ", 1)); err == nil {
		t.Fatal("a wrong length passed")
	}
}

// waitFor spins until cond holds, for handing over between the test and a
// request blocked on the fake clock. It waits on goroutines, not time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// On training's scaled clock the customer's delay and the invoice's
// lifetime pass faster; stamps stay wall time.
func TestScaledClock(t *testing.T) {
	wall := clock.NewFake(t0)
	s := sim.New(sim.Options{Clock: clock.NewScaledOn(wall, 20), InvoiceLifetime: time.Minute})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, clk: wall, sim: s, url: srv.URL}
	s.Next(sim.Customer{Does: sim.Pay, Delay: 10 * time.Second}, sim.Customer{Does: sim.Never})
	paying, _ := e.createInvoice("K1-1", "1")
	never, _ := e.createInvoice("K1-2", "1")
	wall.Advance(499 * time.Millisecond)
	if inv, _ := s.Invoice(paying); inv.Status != 1 {
		t.Fatalf("paid before 10 s of the clock's time: %+v", inv)
	}
	wall.Advance(time.Millisecond)
	if inv, _ := s.Invoice(paying); inv.Status != 2 {
		t.Fatalf("not paid after 10 s of the clock's time: %+v", inv)
	}
	wall.Advance(2500 * time.Millisecond) // 3 s of wall: a minute of the clock's
	if inv, _ := s.Invoice(never); inv.Status != 3 {
		t.Fatalf("not expired after its lifetime: %+v", inv)
	}
}
