package kaspi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
)

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

var validStates = map[providers.State]bool{
	providers.StatePending: true, providers.StateSuccess: true, providers.StateFail: true, providers.StateUnknown: true,
}

// FuzzAnswers gives every endpoint's decoder the same answer. Whatever it
// is, a call returns either a *providers.Error the till can act on or a
// value that holds what the till relies on.
func FuzzAnswers(f *testing.F) {
	for _, s := range []string{
		seedPaymentStart, seedAmountError, seedInitialize, seedQRSuccessAsPrinted, seedQRSuccess, seedCardSuccess,
		seedQRRefund, seedCardRefund, seedFail, seedUnknown, seedNotFound, seedActualizeFail, seedRefundStart,
		seedMethodError, seedRegister, seedRegisterError, seedMissingName, seedRevoke, seedRevokeError,
		seedRevokeEmpty, seedDeviceInfo, seedInvalidURLError,
		`{"statusCode":0,"data":{"processId":"1","status":"success","subStatus":"CardTransactionSuccess","chequeInfo":{"method":"card","rrr":"307208187011"}}}`,
		`{"statusCode":"0","data":{"processId":1678090708423,"status":"success","addInfo":{"IsOffer":"true","LoanTerm":"12"},"chequeInfo":{"pinEntered":true}}}`,
		`{"statusCode":0,"data":{"chequeInfo":{"status":"inside"},"status":"beside","status":"success"}}`,
		`{"statusCode":0,"data":{"processId":"1","status":"fail","chequeInfo":null,"addInfo":null}}`,
		`{"statusCode":0,"data":{"accessToken":"a","refreshToken":"r","expirationDate":"2023-03-07 15:02:56"}}`,
		`{"statusCode":0,"data":null}`, `{"statusCode":1.5}`, `<html>500</html>`, ``,
	} {
		f.Add(200, []byte(s))
	}
	f.Add(500, []byte(`{"errorText":"Internal Error. Please, contact developers","statusCode":999}`))
	f.Add(401, []byte(`{"errorText":"Session expires and need to be updated","statusCode":999}`))
	f.Add(403, []byte(seedDeviceInfo))
	f.Add(302, []byte(seedPaymentStart))
	f.Add(502, []byte("Bad Gateway\n"))

	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = 100 + int(uint(status)%500)
		c := kaspi.NewClient("http://pos.test:8080", &http.Client{Transport: fixedAnswer{status, body}})
		c.Location = almaty
		c.Timeout = time.Minute

		check := func(call string, err error) bool {
			t.Helper()
			if err == nil {
				if status/100 != 2 {
					t.Fatalf("%s: HTTP %d believed as an answer", call, status)
				}
				return true
			}
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Kind == "" {
				t.Fatalf("%s: error %v (%T) is not a *providers.Error with a kind", call, err, err)
			}
			switch {
			case status == http.StatusUnauthorized && pe.Kind != providers.ErrAuth && pe.Kind != providers.ErrExpired,
				status == http.StatusForbidden && pe.Kind != providers.ErrExpired:
				t.Fatalf("%s: HTTP %d read as %s, not as a refused token", call, status, pe.Kind)
			}
			// An answer without a status code it could read proves
			// nothing was refused: the payment may be running.
			if status/100 == 2 && pe.Code == "" && !providers.MaybeSent(err) {
				t.Fatalf("%s: an unreadable 2xx answer counts as refused: %v", call, err)
			}
			return false
		}

		ref, err := c.Payment(bg, 100, true)
		if check("payment", err) && ref.ProcessID == "" {
			t.Fatalf("payment started without a processId: %+v", ref)
		}
		ref, err = c.Refund(bg, providers.MethodQR, 100, "504711333", true)
		if check("refund", err) && ref.ProcessID == "" {
			t.Fatalf("refund started without a processId: %+v", ref)
		}
		st, err := c.Status(bg, "1")
		if check("status", err) {
			if !validStates[st.State] {
				t.Fatalf("status state %q", st.State)
			}
			if st.Stage != kaspi.StageOf(st.Detail) {
				t.Fatalf("stage %q for subStatus %q", st.Stage, st.Detail)
			}
			if !json.Valid(st.Raw) || !bytes.HasPrefix(bytes.TrimSpace(st.Raw), []byte("{")) {
				t.Fatalf("raw data is not the object received: %q", st.Raw)
			}
		}
		act, aerr := c.Actualize(bg, "1")
		if check("actualize", aerr) != (err == nil) || (err == nil && !reflect.DeepEqual(st, act)) {
			t.Fatalf("actualize read the same answer otherwise:\n status %+v, %v\n actualize %+v, %v", st, err, act, aerr)
		}
		d, err := c.DeviceInfo(bg)
		if check("deviceinfo", err) && d.SerialNum == "" && d.TerminalID == "" {
			t.Fatalf("device without serialNum and terminalId: %+v", d)
		}
		for _, call := range []string{"register", "revoke"} {
			var tok kaspi.Tokens
			if call == "register" {
				tok, err = c.Register(bg, "Kashier1")
			} else {
				tok, err = c.Revoke(bg, "Kashier1", "r", "a")
			}
			if !check(call, err) {
				continue
			}
			if tok.AccessToken == "" || tok.RefreshToken == "" {
				t.Fatalf("%s: tokens missing: %+v", call, tok)
			}
			exp, perr := kaspi.ParseExpiration(tok.ExpirationDate, almaty)
			if (perr != nil) != tok.Expires.IsZero() || !exp.Equal(tok.Expires) {
				t.Fatalf("%s: expires %v for %q (%v, %v)", call, tok.Expires, tok.ExpirationDate, exp, perr)
			}
			// What is printed depends only on whether a token is set, never on it.
			shown := kaspi.Tokens{AccessToken: "x", RefreshToken: "x", ExpirationDate: tok.ExpirationDate}
			if tok.String() != shown.String() {
				t.Fatalf("%s: printed tokens %s", call, tok.String())
			}
		}
	})
}

// FuzzSimCheque pays and refunds at the simulator with the fuzzer's shop
// and customer, and reads the cheques back: what the sim's encoder wrote,
// in either layout the seed shows, the client decodes to the same values.
func FuzzSimCheque(f *testing.F) {
	d := sim.DefaultShop
	f.Add(int64(1), int64(1), false, true, d.StoreName, d.City, d.Address, d.BIN, d.TerminalID, "Gold", "", "")
	f.Add(int64(12500), int64(500), true, false, d.StoreName, " Алматы қ.", d.Address, d.BIN, d.TerminalID, "Red", "440043*****6389", "Visa Debit")
	f.Add(int64(9_999_999), int64(9_999_999), true, true, `"status":"success"`, "", "", "", "", "Credit", "", "Mastercard")
	f.Add(int64(7), int64(3), false, false, "success", "wait", "\u00a0", "0", "31452963", "BusinessAccount", "*", "<&>")

	f.Fuzz(func(t *testing.T, amount, back int64, card, beside bool, storeName, city, address, bin, terminalID, product, cardMask, icc string) {
		for _, s := range []string{storeName, city, address, bin, terminalID, product, cardMask, icc} {
			if !utf8.ValidString(s) {
				return // JSON carries text: invalid UTF-8 cannot round-trip
			}
		}
		amount = 1 + int64(uint64(amount)%10_000_000)
		back = 1 + int64(uint64(back)%uint64(amount))
		shop := sim.Shop{StoreName: storeName, City: city, Address: address, BIN: bin, TerminalID: terminalID, SerialNum: "1"}
		does := sim.PayQR
		if card {
			does = sim.PayCard
		}
		cust := sim.Customer{Does: does, Product: product, CardMask: cardMask, ICC: icc}
		clk := clock.NewFake(t0)
		s := sim.New(sim.Options{Clock: clk, Location: almaty, Shop: shop, ChequeBeside: beside, Default: cust})
		c := kaspi.NewClient("http://pos.test:8080", &http.Client{Transport: handlerTransport{s.Handler()}})

		settle := func(what string, id string) kaspi.Status {
			t.Helper()
			clk.Advance(30 * time.Second)
			st, err := c.Status(bg, id)
			if err != nil || st.State != providers.StateSuccess || st.Cheque == nil {
				t.Fatalf("%s: %+v, %v", what, st, err)
			}
			return st
		}
		ref, err := c.Payment(bg, amount, true)
		if err != nil {
			t.Fatalf("payment of %d: %v", amount, err)
		}
		paid := settle("payment", ref.ProcessID)

		// The sim's defaults for what the customer left empty.
		or := func(s, def string) string {
			if s == "" {
				return def
			}
			return s
		}
		product, cardMask, icc = or(product, "Gold"), or(cardMask, "440043*****6389"), or(icc, "Visa Debit")
		method, txID := providers.MethodQR, paid.Cheque.OrderNumber
		if card {
			method, txID = providers.MethodCard, paid.Cheque.RRN
		}
		if txID == "" || paid.TransactionID != txID || paid.Method != method {
			t.Fatalf("payment reference %q, transactionId %q, method %q", txID, paid.TransactionID, paid.Method)
		}
		want := providers.Cheque{
			Type: "payment", StoreName: storeName, City: city, Address: address, Status: paid.Cheque.Status,
			Amount: providers.New(amount, providers.KZT).Grouped() + " ₸", Date: paid.Cheque.Date,
			BIN: bin, TerminalID: terminalID, Method: method,
		}
		if card {
			want.CardMask, want.ICC, want.RRN = cardMask, icc, txID
			want.AuthorizationCode, want.HostResponseCode, want.PinEntered = paid.Cheque.AuthorizationCode, "000", "true"
		} else {
			want.OrderNumber = txID
		}
		if at, err := time.ParseInLocation("02.01.06 15:04:05", paid.Cheque.Date, almaty); err != nil || at.Before(t0) || at.After(clk.Now()) {
			t.Fatalf("cheque date %q, paid between %v and %v", paid.Cheque.Date, t0, clk.Now())
		}
		if *paid.Cheque != want {
			t.Fatalf("payment cheque\n got %+v\nwant %+v", *paid.Cheque, want)
		}
		if paid.Offer == nil || paid.Offer.ProductType != product {
			t.Fatalf("offer %+v, want product %q", paid.Offer, product)
		}

		ref, err = c.Refund(bg, method, back, txID, true)
		if err != nil {
			t.Fatalf("refund of %d of %d: %v", back, amount, err)
		}
		refunded := settle("refund", ref.ProcessID)
		if refunded.Cheque.Type != "refund" || refunded.Cheque.Amount != "- "+providers.New(back, providers.KZT).Grouped()+" ₸" ||
			refunded.Cheque.StoreName != storeName || refunded.Cheque.Method != method {
			t.Fatalf("refund cheque %+v", *refunded.Cheque)
		}
		if _, err := strconv.Atoi(refunded.ProcessID); err != nil {
			t.Fatalf("refund processId %q", refunded.ProcessID)
		}
	})
}
