package uzqr_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/uzqr"
	"github.com/kassa-till/kassa/providers/uzqr/sim"
)

var bg = context.Background()

// fixedAnswer is a transport that answers every request with one body,
// without a network, so a fuzz run decodes thousands of answers a second.
type fixedAnswer struct {
	status int
	body   []byte
}

func (a fixedAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: a.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(a.body)), Request: r}, nil
}

// handlerTransport serves requests with h in process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, r)
	return w.Result(), nil
}

// FuzzAnswers gives every call's decoder the same answer: each returns a
// *providers.Error the till can act on, or a value it can rely on.
func FuzzAnswers(f *testing.F) {
	for _, s := range []string{
		`{"data":{"invoice_id":"INVC134B7FEFED34BC3B470B8","qr_text":"000201010212"},"error":null,"is_success":true}`,
		`{"data":{"invoice_id":"INVC1","status":1},"error":null,"is_success":true}`,
		`{"data":{"invoice_id":"INVC1","status":2,"pay_id":"4200000001","payer_phone":"99890***4567","card_type":"2","card_no":"8600********1234","fiscal_module":"UZ191211501001"},"error":null,"is_success":true}`,
		`{"data":{"invoice_id":"INVC1","status":3},"error":null,"is_success":false}`,
		`{"data":{"invoice_id":"I","status":"2","pay_id":4200000001,"card_type":2},"error":null,"is_success":true}`,
		`{"data":{"refund_id":"RFND1","status":1},"error":null,"is_success":true}`,
		`{"data":{"refund_id":"RFND1","status":3},"error":null,"is_success":false}`,
		`{"data":{},"error":null,"is_success":true}`,
		`{"data":null,"error":{"code":3001,"message":"Инвойс не найден","data":null},"is_success":false}`,
		`{"data":null,"error":{"code":"3001","message":"Инвойс не найден"},"is_success":false}`,
		`{"data":null,"error":{"code":7777,"message":"Что-то"},"is_success":false}`,
		`{"data":null,"error":{"code":"x","message":"m"},"is_success":false}`,
		`{"data":null,"error":{"code":3001,"message":"x"},"is_success":true}`,
		`{"data":{"invoice_id":"J","status":2},"error":null,"is_success":true}`,
		`{"data":{"invoice_id":"I","status":1},"error":null,"is_success":false}`,
		`{"data":{"invoice_id":"I","status":2}}`,
		`{"data":null,"error":null,"is_success":true}`,
		`<html>502</html>`, ``,
	} {
		f.Add(200, []byte(s))
	}
	f.Add(500, []byte(`{"data":null,"error":{"code":9001,"message":"Ошибка"},"is_success":false}`))
	f.Add(302, []byte(``))

	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = 100 + int(uint(status)%500)
		c := uzqr.NewClient("http://box.test:8090", &http.Client{Transport: fixedAnswer{status, body}})

		check := func(call string, err error) bool {
			t.Helper()
			if err == nil {
				if status != http.StatusOK {
					t.Fatalf("%s: HTTP %d believed as an answer", call, status)
				}
				return true
			}
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Kind == "" {
				t.Fatalf("%s: error %v (%T) is not a *providers.Error with a kind", call, err, err)
			}
			// A redirect is refused as such: the box never redirects, so
			// what answered is not the box and served nothing.
			if status/100 == 3 {
				if pe.Kind != providers.ErrRedirected {
					t.Fatalf("%s: HTTP %d read as %s", call, status, pe.Kind)
				}
				return false
			}
			// Otherwise only the box's own refusal, with its code, proves
			// it did nothing; anything else on the way may hide a payment.
			if pe.Code == "" && !providers.MaybeSent(err) {
				t.Fatalf("%s: an answer without a refusal counts as refused: %v", call, err)
			}
			if status != http.StatusOK && pe.Kind != providers.ErrNoAnswer {
				t.Fatalf("%s: HTTP %d read as %s", call, status, pe.Kind)
			}
			return false
		}

		inv, err := c.Create(bg, "kassa-1", sum(150000))
		if check("create", err) && (inv.ID == "" || inv.QRText == "") {
			t.Fatalf("invoice without id or QR: %+v", inv)
		}
		p, err := c.Status(bg, "INVC1")
		if check("status", err) {
			if p.InvoiceID != "INVC1" || p.State < uzqr.InvoiceInProgress || p.State > uzqr.InvoiceDeclined {
				t.Fatalf("status %+v", p)
			}
			if !bytes.Equal(p.Raw, body) {
				t.Fatalf("raw %q is not the answer %q", p.Raw, body)
			}
		}
		check("cancel", c.Cancel(bg, "INVC1"))
		r, err := c.Refund(bg, "4200000001", sum(100))
		if check("refund", err) && (r.ID == "" || r.State < uzqr.RefundPending || r.State > uzqr.RefundFailed) {
			t.Fatalf("refund %+v", r)
		}
		r, err = c.RefundStatus(bg, "RFND1")
		if check("refund status", err) && (r.ID != "RFND1" || r.State < uzqr.RefundPending || r.State > uzqr.RefundFailed) {
			t.Fatalf("refund status %+v", r)
		}
		check("receipt", c.Receipt(bg, "4200000001", "https://ofd.soliq.uz/check?t=UZ191211501001"))
	})
}

// FuzzSimRoundTrip creates, pays and refunds an invoice at the simulator
// with the fuzzer's id and amounts: the amount the wire carries is the one
// the QR shows, the same external id gives the same invoice, and a refund
// over what is left is refused before any money moves.
func FuzzSimRoundTrip(f *testing.F) {
	f.Add("kassa-000001", int64(150000), int64(5000))
	f.Add("A-1", int64(1), int64(1))
	f.Add("12345678901234567890", int64(10001), int64(10001))
	f.Add("has space", int64(99), int64(1))
	f.Add("кассa_1", int64(123456789012), int64(7))

	f.Fuzz(func(t *testing.T, ext string, amount, back int64) {
		if !utf8.ValidString(ext) {
			return // JSON carries text; the till's ids are its own ASCII
		}
		amount = 1 + int64(uint64(amount)%100_000_000_000) // up to a thousand million soums
		back = 1 + int64(uint64(back)%uint64(amount))
		s := sim.New(sim.Options{Clock: clock.NewFake(t0)})
		c := uzqr.NewClient("http://box.test:8090", &http.Client{Transport: handlerTransport{s.Handler()}})

		inv, err := c.Create(bg, ext, sum(amount))
		if !validExternalID(ext) {
			if providers.KindOf(err) != providers.ErrInvalid {
				t.Fatalf("external id %q: %+v, %v", ext, inv, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("create %q of %d: %v", ext, amount, err)
		}
		if err := sim.CheckQR(inv.QRText); err != nil {
			t.Fatalf("qr_text %q: %v", inv.QRText, err)
		}
		tlvs, _ := sim.ParseTLV(inv.QRText)
		shown := ""
		for _, d := range tlvs {
			if d.Tag == "54" {
				shown = d.Value
			}
		}
		if shown != sum(amount).Major() {
			t.Fatalf("QR shows %q for %s", shown, sum(amount).Major())
		}
		again, err := c.Create(bg, ext, sum(amount))
		if err != nil || again != inv {
			t.Fatalf("the same create again: %+v, %v; first %+v", again, err, inv)
		}

		if err := s.PayNow(inv.ID); err != nil {
			t.Fatal(err)
		}
		p, err := c.Status(bg, inv.ID)
		if err != nil || p.State != uzqr.InvoicePaid || p.PayID == "" || p.InvoiceID != inv.ID {
			t.Fatalf("paid status %+v, %v", p, err)
		}
		if _, err := c.Refund(bg, p.PayID, sum(amount+1)); providers.KindOf(err) != providers.ErrInvalid {
			t.Fatalf("refund over the payment: %v", err)
		}
		r, err := c.Refund(bg, p.PayID, sum(back))
		if err != nil || r.ID == "" || r.State != uzqr.RefundPending {
			t.Fatalf("refund %d of %d: %+v, %v", back, amount, r, err)
		}
		if _, err := c.Refund(bg, p.PayID, sum(amount-back+1)); providers.KindOf(err) != providers.ErrInvalid {
			t.Fatalf("refund over what is left: %v", err)
		}
		got, err := c.RefundStatus(bg, r.ID)
		if err != nil || got.ID != r.ID {
			t.Fatalf("refund status %+v, %v", got, err)
		}
	})
}

// validExternalID is the box's rule (SPEC §3): at most 20 characters,
// none blank; an empty one is missing.
func validExternalID(id string) bool {
	if id == "" || utf8.RuneCountInString(id) > 20 {
		return false
	}
	for _, r := range id {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}
