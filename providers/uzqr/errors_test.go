package uzqr_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/uzqr"
	"github.com/kassa-till/kassa/providers/uzqr/sim"
)

// wantKinds is SPEC §3's error table as the till reads it.
var wantKinds = map[int]providers.ErrorKind{
	1001: providers.ErrAuth, 1002: providers.ErrBlocked,
	2001: providers.ErrInvalid, 2002: providers.ErrInvalid, 2003: providers.ErrInvalid, 2004: providers.ErrInvalid,
	3001: providers.ErrNotFound, 3002: providers.ErrNotResolvable, 4001: providers.ErrNotFound,
	6001: providers.ErrRateLimited, 9001: providers.ErrProvider, 104: providers.ErrProvider, 105: providers.ErrInvalid,
}

// calls makes each of the six calls with made-up ids.
var calls = map[string]func(r *rig) error{
	sim.PathCreate: func(r *rig) error { _, err := r.c.Create(r.ctx, "K1-000001", sum(10000)); return err },
	sim.PathStatus: func(r *rig) error { _, err := r.c.Status(r.ctx, "INVC134B7FEFED34BC3B470B8"); return err },
	sim.PathCancel: func(r *rig) error { return r.c.Cancel(r.ctx, "INVC134B7FEFED34BC3B470B8") },
	sim.PathRefund: func(r *rig) error { _, err := r.c.Refund(r.ctx, "100000000001", sum(150000)); return err },
	sim.PathRefundStatus: func(r *rig) error {
		_, err := r.c.RefundStatus(r.ctx, "RFND000000000000000000001")
		return err
	},
	sim.PathReceipt: func(r *rig) error {
		return r.c.Receipt(r.ctx, "100000000001", "https://ofd.soliq.uz/check?t=UZ191211501001&r=1")
	},
}

// Every documented code on every call: the kind, the code, the box's
// Russian message as the text, and never "maybe sent": the box answered
// that it did not do it.
func TestEveryErrorCode(t *testing.T) {
	if len(sim.FaultCodes) != len(wantKinds) {
		t.Fatalf("the sim injects %d codes, the spec lists %d", len(sim.FaultCodes), len(wantKinds))
	}
	for fault, code := range sim.FaultCodes {
		for path, call := range calls {
			t.Run(fmt.Sprintf("%d%s", code, path), func(t *testing.T) {
				r := newRig(t, sim.Options{}, uzqr.Options{})
				r.sim.Inject(path, fault)
				pe := wantErr(t, call(r), wantKinds[code], 200, strconv.Itoa(code), false)
				if pe.Text != sim.Messages[code] {
					t.Fatalf("text %q, want the box's %q", pe.Text, sim.Messages[code])
				}
			})
		}
	}
}

// The codes the sim answers by its own rules, reached through the client
// the way a till reaches them.
func TestCodesFromTheBoxsRules(t *testing.T) {
	type tc struct {
		name string
		so   sim.Options
		po   uzqr.Options
		call func(r *rig) error
		code int
	}
	paid := func(r *rig) (providers.Status, string) {
		r.sim.Next(sim.Customer{Does: sim.Pay})
		st := r.pay("K1-000001", 100000)
		pay, err := r.c.Status(r.ctx, st.Ref)
		if err != nil || pay.State != uzqr.InvoicePaid {
			r.t.Fatalf("the payment: %+v %v", pay, err)
		}
		return st, pay.PayID
	}
	for _, c := range []tc{
		{"wrong key", sim.Options{INN: testINN, APIKey: testKey}, uzqr.Options{INN: testINN, APIKey: "uzqr-live-other"},
			func(r *rig) error { _, err := r.c.Create(r.ctx, "K1-1", sum(100)); return err }, 1001},
		{"no key", sim.Options{INN: testINN, APIKey: testKey}, uzqr.Options{},
			func(r *rig) error { _, err := r.c.Status(r.ctx, "INVC1"); return err }, 1001},
		{"blocked QR", sim.Options{}, uzqr.Options{},
			func(r *rig) error { r.sim.Block(); _, err := r.c.Create(r.ctx, "K1-1", sum(100)); return err }, 1002},
		{"zero amount", sim.Options{}, uzqr.Options{},
			func(r *rig) error { _, err := r.c.Create(r.ctx, "K1-1", sum(0)); return err }, 2002},
		{"external_id of 21", sim.Options{}, uzqr.Options{},
			func(r *rig) error { _, err := r.c.Create(r.ctx, "K1-000000000000000001", sum(100)); return err }, 2003},
		{"external_id again, other amount", sim.Options{}, uzqr.Options{},
			func(r *rig) error {
				r.pay("K1-1", 100)
				_, err := r.c.Create(r.ctx, "K1-1", sum(200))
				return err
			}, 2003},
		{"unknown invoice", sim.Options{}, uzqr.Options{},
			func(r *rig) error { _, err := r.c.Status(r.ctx, "INVC1"); return err }, 3001},
		{"cancel unknown", sim.Options{}, uzqr.Options{},
			func(r *rig) error { return r.c.Cancel(r.ctx, "INVC1") }, 3001},
		{"cancel paid", sim.Options{}, uzqr.Options{},
			func(r *rig) error { st, _ := paid(r); return r.c.Cancel(r.ctx, st.Ref) }, 3002},
		{"refund unknown payment", sim.Options{}, uzqr.Options{},
			func(r *rig) error { _, err := r.c.Refund(r.ctx, "100000000001", sum(100)); return err }, 4001},
		{"refund of an unpaid invoice's pay_id", sim.Options{Default: sim.Customer{Does: sim.Never}}, uzqr.Options{},
			func(r *rig) error {
				st := r.pay("K1-1", 100)
				inv, _ := r.sim.Invoice(st.Ref)
				_, err := r.c.Refund(r.ctx, inv.PayID, sum(100))
				return err
			}, 4001},
		{"over-refund", sim.Options{}, uzqr.Options{},
			func(r *rig) error { _, payID := paid(r); _, err := r.c.Refund(r.ctx, payID, sum(100001)); return err }, 2001},
		{"unknown refund", sim.Options{}, uzqr.Options{},
			func(r *rig) error { _, err := r.c.RefundStatus(r.ctx, "RFND1"); return err }, 4001},
		{"receipt without a link", sim.Options{}, uzqr.Options{},
			func(r *rig) error { _, payID := paid(r); return r.c.Receipt(r.ctx, payID, "") }, 105},
		{"receipt of another fiscal module", sim.Options{}, uzqr.Options{},
			func(r *rig) error {
				_, payID := paid(r)
				return r.c.Receipt(r.ctx, payID, "https://ofd.soliq.uz/check?t=UZ170703100597&r=7")
			}, 2004},
		{"receipt of an unknown payment", sim.Options{}, uzqr.Options{},
			func(r *rig) error { return r.c.Receipt(r.ctx, "100000000001", "https://ofd.soliq.uz/check?r=7") }, 4001},
		{"status too often", sim.Options{RateLimit: 2 * time.Second, Default: sim.Customer{Does: sim.Never}}, uzqr.Options{},
			func(r *rig) error {
				st := r.pay("K1-1", 100)
				if _, err := r.c.Status(r.ctx, st.Ref); err != nil {
					return err
				}
				r.clk.Advance(time.Second)
				_, err := r.c.Status(r.ctx, st.Ref)
				return err
			}, 6001},
		{"box not configured", sim.Options{NotConfigured: true}, uzqr.Options{},
			func(r *rig) error { _, err := r.c.Create(r.ctx, "K1-1", sum(100)); return err }, 104},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, c.so, c.po)
			pe := wantErr(t, c.call(r), wantKinds[c.code], 200, strconv.Itoa(c.code), false)
			if !strings.HasPrefix(pe.Text, sim.Messages[c.code]) {
				t.Fatalf("text %q, want the box's %q", pe.Text, sim.Messages[c.code])
			}
		})
	}
}

// Whatever is not an answer of the contract is a fault on the way, and it
// may have been carried out; but a redirect, which says the request was
// not served where it went, and is never followed.
func TestTransportFaults(t *testing.T) {
	for _, tc := range []struct {
		fault      sim.Fault
		kind       providers.ErrorKind
		httpStatus int
		maybeSent  bool
	}{
		{sim.FaultBadGateway, providers.ErrNoAnswer, 502, true},
		{sim.FaultRedirect, providers.ErrRedirected, 302, false},
		{sim.FaultGarbage, providers.ErrMalformed, 200, true},
		{sim.FaultForeign, providers.ErrMalformed, 200, true},
		{sim.FaultDrop, providers.ErrDropped, 0, true},
	} {
		for _, path := range []string{sim.PathCreate, sim.PathStatus, sim.PathRefund} {
			t.Run(string(tc.fault)+path, func(t *testing.T) {
				r := newRig(t, sim.Options{}, uzqr.Options{})
				r.sim.Inject(path, tc.fault)
				wantErr(t, calls[path](r), tc.kind, tc.httpStatus, "", tc.maybeSent)
			})
		}
	}
}

// A create whose answer was lost still made the invoice: that is why it
// is "maybe sent". Asking again with the same external_id finds it.
func TestLostCreateAnswer(t *testing.T) {
	r := newRig(t, sim.Options{}, uzqr.Options{})
	r.sim.Inject(sim.PathCreate, sim.FaultDrop)
	_, err := r.c.Create(r.ctx, "K1-000001", sum(10000))
	wantErr(t, err, providers.ErrDropped, 0, "", true)
	inv, err := r.c.Create(r.ctx, "K1-000001", sum(10000))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := r.sim.Invoice(inv.ID); !ok || v.ExternalID != "K1-000001" || r.sim.Requests(sim.PathCreate) != 2 {
		t.Fatalf("invoice %+v, %d creates", v, r.sim.Requests(sim.PathCreate))
	}
	if st, _ := r.sim.Invoice(inv.ID); st.QRText != inv.QRText {
		t.Fatal("the second answer's qr_text is not the invoice's")
	}
}

// A box that is not there: nothing was sent.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p, err := uzqr.New(uzqr.Options{URL: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Start(context.Background(), providers.Request{Kind: providers.KindPayment, OperationID: "K1-1", Amount: sum(100)})
	wantErr(t, err, providers.ErrUnreachable, 0, "", false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = p.Client().Create(ctx, "K1-1", sum(100))
	wantErr(t, err, providers.ErrUnreachable, 0, "", false)
}

// Answers that look like the envelope but cannot be believed.
func TestMalformedAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		kind             providers.ErrorKind
		code             string
	}{
		{"no is_success", sim.PathStatus, `{"data":{"invoice_id":"I","status":2}}`, providers.ErrMalformed, ""},
		{"not an object", sim.PathStatus, `[1]`, providers.ErrMalformed, ""},
		{"html", sim.PathStatus, `<html>ok</html>`, providers.ErrMalformed, ""},
		{"success with an error", sim.PathStatus, `{"data":null,"error":{"code":3001,"message":"x"},"is_success":true}`, providers.ErrMalformed, ""},
		{"another invoice", sim.PathStatus, `{"data":{"invoice_id":"J","status":2},"error":null,"is_success":true}`, providers.ErrMalformed, ""},
		{"status 7", sim.PathStatus, `{"data":{"invoice_id":"I","status":7},"error":null,"is_success":true}`, providers.ErrMalformed, ""},
		{"no data", sim.PathStatus, `{"data":null,"error":null,"is_success":true}`, providers.ErrMalformed, ""},
		{"in progress and not a success", sim.PathStatus, `{"data":{"invoice_id":"I","status":1},"error":null,"is_success":false}`, providers.ErrMalformed, ""},
		{"code not a number", sim.PathStatus, `{"data":null,"error":{"code":"x","message":"m"},"is_success":false}`, providers.ErrMalformed, ""},
		{"an undocumented code", sim.PathStatus, `{"data":null,"error":{"code":7777,"message":"Что-то"},"is_success":false}`, providers.ErrProvider, "7777"},
		{"a code as a string", sim.PathStatus, `{"data":null,"error":{"code":"3001","message":"Инвойс не найден"},"is_success":false}`, providers.ErrNotFound, "3001"},
		{"create without qr_text", sim.PathCreate, `{"data":{"invoice_id":"I"},"error":null,"is_success":true}`, providers.ErrMalformed, ""},
		{"create not a success", sim.PathCreate, `{"data":null,"error":null,"is_success":false}`, providers.ErrMalformed, ""},
		{"refund without refund_id", sim.PathRefund, `{"data":{"status":1},"error":null,"is_success":true}`, providers.ErrMalformed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := uzqr.NewClient(srv.URL, nil)
			var err error
			switch tc.path {
			case sim.PathStatus:
				_, err = c.Status(context.Background(), "I")
			case sim.PathCreate:
				_, err = c.Create(context.Background(), "K1-1", sum(100))
			case sim.PathRefund:
				_, err = c.Refund(context.Background(), "P", sum(100))
			}
			wantErr(t, err, tc.kind, 200, tc.code, tc.kind == providers.ErrMalformed)
		})
	}
	// Statuses and ids read as strings or numbers alike.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"data":{"invoice_id":"I","status":"2","pay_id":4200000001,"card_type":2},"error":null,"is_success":true}`))
	}))
	defer srv.Close()
	pay, err := uzqr.NewClient(srv.URL, nil).Status(context.Background(), "I")
	if err != nil || pay.State != uzqr.InvoicePaid || pay.PayID != "4200000001" || pay.CardType != "2" {
		t.Fatalf("%+v %v", pay, err)
	}
}

// A redirect is never followed, so the key never reaches another host,
// even with an http.Client that would follow it: a box on HTTPS that
// redirects every call to plain HTTP elsewhere gets each call refused as
// redirected, and the other host hears no request at all.
func TestNoRedirectFollowed(t *testing.T) {
	var mu sync.Mutex
	var stolen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		stolen = append(stolen, r.Method+" "+r.URL.Path+" key="+r.Header.Get("X-Api-Key"))
		mu.Unlock()
		_, _ = w.Write([]byte(`{"data":{"invoice_id":"I","qr_text":"Q","status":1},"error":null,"is_success":true}`))
	}))
	defer other.Close()
	box := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer box.Close()
	p, err := uzqr.New(uzqr.Options{URL: box.URL, INN: testINN, APIKey: testKey, HTTP: box.Client()}) // box.Client() follows redirects
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, p: p, c: p.Client(), ctx: context.Background()}
	for _, call := range calls {
		wantErr(t, call(r), providers.ErrRedirected, http.StatusTemporaryRedirect, "", false)
	}
	// The provider's start is refused, not left for a person.
	_, err = p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "K1-000001", Amount: sum(10000)})
	wantErr(t, err, providers.ErrRedirected, http.StatusTemporaryRedirect, "", false)
	mu.Lock()
	defer mu.Unlock()
	if len(stolen) != 0 {
		t.Fatalf("the other host got %v", stolen)
	}
}

// The key never shows: not in an error of any call or fault, not in the
// client or options printed with any verb, not in a log line.
func TestSecretNeverShown(t *testing.T) {
	r := newRig(t, sim.Options{INN: testINN, APIKey: testKey}, uzqr.Options{INN: testINN, APIKey: testKey, QRName: "CASH_1"})
	var texts []string
	for _, f := range sim.Faults {
		for path, call := range calls {
			r.sim.Inject(path, f)
			if err := call(r); err != nil {
				texts = append(texts, err.Error(), fmt.Sprintf("%+v %#v", err, err))
				for e := err; e != nil; e = errors.Unwrap(e) {
					texts = append(texts, e.Error())
				}
			}
		}
	}
	bad := uzqr.NewClient(r.srv.URL, nil)
	bad.APIKey = testKey + "x"
	_, err := bad.Status(r.ctx, "I")
	texts = append(texts, err.Error())

	opts := uzqr.Options{URL: r.srv.URL, APIKey: testKey}
	key := uzqr.Secret(testKey)
	texts = append(texts,
		fmt.Sprintf("%v|%+v|%#v|%s", r.c, r.c, r.c, r.c),
		fmt.Sprintf("%v|%+v|%#v", opts, opts, opts),
		fmt.Sprintf("%v|%s|%q|%x|%X|%#v|%d", key, key, key, key, key, key, key),
		key.String())
	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&logs, nil), slog.NewTextHandler(&logs, nil)} {
		slog.New(h).Info("config", "key", key, "options", opts)
	}
	texts = append(texts, logs.String())
	enc, err := json.Marshal(opts)
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, string(enc))
	// Decoding keeps the value: a config read in has its key.
	var read struct{ APIKey uzqr.Secret }
	if err := json.Unmarshal([]byte(`{"APIKey":"`+testKey+`"}`), &read); err != nil || string(read.APIKey) != testKey {
		t.Fatalf("decoded %v %v", read, err)
	}
	for _, s := range texts {
		if strings.Contains(s, testKey) {
			t.Fatalf("the key shows in %q", s)
		}
	}
	if !strings.Contains(fmt.Sprint(key), "hidden") || uzqr.Secret("").String() != "" {
		t.Fatal("a set key should read [hidden], an unset one nothing")
	}
	if len(texts) < 100 {
		t.Fatalf("only %d texts looked at", len(texts))
	}
}

// Status calls get StatusTimeout, the others CallTimeout: a held status
// call outlives a call timeout that would have cut it.
func TestStatusCallsOutliveTheCallTimeout(t *testing.T) {
	r := newRig(t, sim.Options{LongPoll: true, Default: sim.Customer{Does: sim.Never}},
		uzqr.Options{CallTimeout: 200 * time.Millisecond})
	st := r.pay("K1-1", 100)
	type res struct {
		pay uzqr.Payment
		err error
	}
	done := make(chan res, 1)
	go func() { p, err := r.c.Status(r.ctx, st.Ref); done <- res{p, err} }()
	waitFor(t, "the box to hold the call", func() bool { return r.clk.Waiters() > 0 })
	// Wall time, which the HTTP timeouts run on: the call timeout passes.
	time.Sleep(400 * time.Millisecond)
	got := drive(t, r.clk, func() res { return <-done })
	if got.err != nil || got.pay.State != uzqr.InvoiceInProgress {
		t.Fatalf("held status: %+v %v", got.pay, got.err)
	}
}

// What goes on the wire, call by call: method, path, query, headers and
// body exactly as the contract has them.
func TestRequestsOnTheWire(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%s %s inn=%s key=%s ct=%s %s", r.Method, r.URL.RequestURI(),
			r.Header.Get("X-Inn"), r.Header.Get("X-Api-Key"), r.Header.Get("Content-Type"), b))
		mu.Unlock()
		data := map[string]string{
			sim.PathCreate:       `{"invoice_id":"I","qr_text":"Q"}`,
			sim.PathStatus:       `{"invoice_id":"INVC1","status":1}`,
			sim.PathRefund:       `{"refund_id":"R","status":1}`,
			sim.PathRefundStatus: `{"refund_id":"RFND1","status":1}`,
		}[r.URL.Path]
		if data == "" {
			data = "{}"
		}
		_, _ = w.Write([]byte(`{"data":` + data + `,"error":null,"is_success":true}`))
	}))
	defer srv.Close()
	c := uzqr.NewClient(srv.URL+"/", nil)
	c.INN, c.APIKey = testINN, testKey
	ctx := context.Background()
	for _, err := range []error{
		func() error { _, err := c.Create(ctx, "K1-000042", sum(10001)); return err }(),
		func() error { _, err := c.Create(ctx, "K1-000043", sum(150000)); return err }(),
		func() error { _, err := c.Create(ctx, "K1-000044", sum(5)); return err }(),
		func() error { _, err := c.Status(ctx, "INVC1"); return err }(),
		c.Cancel(ctx, "INVC1"),
		func() error { _, err := c.Refund(ctx, "4200000001", sum(150000)); return err }(),
		func() error { _, err := c.RefundStatus(ctx, "RFND1"); return err }(),
		c.Receipt(ctx, "4200000001", "https://ofd.soliq.uz/check?t=UZ191211501001&r=42"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	const h = "inn=" + testINN + " key=" + testKey
	want := []string{
		`POST /payment/one_qr/create ` + h + ` ct=application/json; charset=utf-8 {"external_id":"K1-000042","amount":"100.01"}`,
		`POST /payment/one_qr/create ` + h + ` ct=application/json; charset=utf-8 {"external_id":"K1-000043","amount":"1500.00"}`,
		`POST /payment/one_qr/create ` + h + ` ct=application/json; charset=utf-8 {"external_id":"K1-000044","amount":"0.05"}`,
		`GET /payment/one_qr/status?invoice_id=INVC1 ` + h + ` ct= `,
		`POST /payment/one_qr/cancel ` + h + ` ct=application/json; charset=utf-8 {"invoice_id":"INVC1"}`,
		`POST /payment/one_qr/refund ` + h + ` ct=application/json; charset=utf-8 {"pay_id":"4200000001","amount":"1500.00"}`,
		`GET /payment/one_qr/refund/status?refund_id=RFND1 ` + h + ` ct= `,
		`POST /payment/one_qr/receipt ` + h + ` ct=application/json; charset=utf-8 {"pay_id":"4200000001","fiscal_receipt_url":"https://ofd.soliq.uz/check?t=UZ191211501001\u0026r=42"}`,
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Fatalf("on the wire:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
	// Without credentials configured, no such headers at all.
	seen = nil
	mu.Unlock()
	if _, err := uzqr.NewClient(srv.URL, nil).Status(ctx, "INVC1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(seen) != 1 || !strings.Contains(seen[0], "inn= key= ") {
		t.Fatalf("without credentials: %v", seen)
	}
}
