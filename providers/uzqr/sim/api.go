package sim

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The contract's paths.
const (
	PathCreate       = "/payment/one_qr/create"
	PathStatus       = "/payment/one_qr/status"
	PathCancel       = "/payment/one_qr/cancel"
	PathRefund       = "/payment/one_qr/refund"
	PathRefundStatus = "/payment/one_qr/refund/status"
	PathReceipt      = "/payment/one_qr/receipt"
)

// Paths lists every call.
var Paths = []string{PathCreate, PathStatus, PathCancel, PathRefund, PathRefundStatus, PathReceipt}

var methods = map[string]string{
	PathCreate: http.MethodPost, PathStatus: http.MethodGet, PathCancel: http.MethodPost,
	PathRefund: http.MethodPost, PathRefundStatus: http.MethodGet, PathReceipt: http.MethodPost,
}

// Fault is what to do to one call instead of, or on top of, answering it.
type Fault string

// Faults that answer an error code instead of doing the call.
const (
	FaultAuth            Fault = "auth"              // 1001 wrong INN or API key
	FaultBlocked         Fault = "blocked"           // 1002 access blocked
	FaultParams          Fault = "params"            // 2001 invalid params
	FaultAmount          Fault = "amount"            // 2002 invalid amount format
	FaultExternalID      Fault = "external-id"       // 2003 invalid external_id
	FaultFiscal          Fault = "fiscal"            // 2004 invalid fiscal module
	FaultInvoiceNotFound Fault = "invoice-not-found" // 3001 invoice not found
	FaultPaid            Fault = "paid"              // 3002 invoice already paid
	FaultPaymentNotFound Fault = "payment-not-found" // 4001 payment not found
	FaultRateLimit       Fault = "rate-limit"        // 6001 rate limit
	FaultInternal        Fault = "internal"          // 9001 UzQR internal error
	FaultNotConfigured   Fault = "not-configured"    // 104 endpoint not configured on the box
	FaultMissing         Fault = "missing"           // 105 a required field missing
)

// Faults on the way: the first two answer instead of the call, the last
// three do the call and then spoil the answer, which is what makes them
// dangerous for the till.
const (
	FaultBadGateway Fault = "badgateway" // HTTP 502 text/plain, as a proxy in front of a dead box
	FaultRedirect   Fault = "redirect"   // HTTP 302 to Options.RedirectTo
	FaultGarbage    Fault = "garbage"    // HTTP 200 with half the body
	FaultForeign    Fault = "foreign"    // HTTP 200 with JSON that is not the envelope
	FaultDrop       Fault = "drop"       // the connection closed without an answer
)

// Faults lists every fault.
var Faults = []Fault{
	FaultAuth, FaultBlocked, FaultParams, FaultAmount, FaultExternalID, FaultFiscal, FaultInvoiceNotFound,
	FaultPaid, FaultPaymentNotFound, FaultRateLimit, FaultInternal, FaultNotConfigured, FaultMissing,
	FaultBadGateway, FaultRedirect, FaultGarbage, FaultForeign, FaultDrop,
}

// FaultCodes is the error code each refusing fault answers.
var FaultCodes = map[Fault]int{
	FaultAuth: 1001, FaultBlocked: 1002, FaultParams: 2001, FaultAmount: 2002, FaultExternalID: 2003,
	FaultFiscal: 2004, FaultInvoiceNotFound: 3001, FaultPaid: 3002, FaultPaymentNotFound: 4001,
	FaultRateLimit: 6001, FaultInternal: 9001, FaultNotConfigured: 104, FaultMissing: 105,
}

// Messages is the box's text for each code, in Russian as the box writes
// them for a person; some calls add a detail after a colon.
var Messages = map[int]string{
	1001: "Неверный ИНН или API-ключ",
	1002: "Доступ заблокирован: динамический QR заблокирован в личном кабинете",
	2001: "Неверные параметры запроса",
	2002: "Неверный формат суммы",
	2003: "Неверный external_id",
	2004: "Неверный фискальный модуль",
	3001: "Инвойс не найден",
	3002: "Инвойс уже оплачен",
	4001: "Платёж не найден",
	6001: "Превышен лимит запросов, повторите позже",
	9001: "Внутренняя ошибка UzQR, повторите позже",
	104:  "Эндпоинт UzQR не настроен",
	105:  "Не заполнено обязательное поле",
}

// kv and obj write JSON objects with keys in the order given, as the box
// writes them.
type kv struct {
	k string
	v any
}

type obj []kv

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.k)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// reply is an answer: the envelope, or (status not 200) a plain text.
type reply struct {
	status int
	body   []byte
	ctype  string
	header http.Header
}

func envelope(data any, ok bool, err any) reply {
	b, jerr := json.Marshal(obj{{"data", data}, {"error", err}, {"is_success", ok}})
	if jerr != nil {
		panic(jerr) // only the sim's own values get here
	}
	return reply{status: http.StatusOK, body: b}
}

func success(data obj) reply { return envelope(data, true, nil) }

// declined is a final "no" that is not an error: a declined invoice, a
// failed refund.
func declined(data obj) reply { return envelope(data, false, nil) }

func failure(code int, detail string) reply {
	msg := Messages[code]
	if detail != "" {
		msg += ": " + detail
	}
	return envelope(nil, false, obj{{"code", code}, {"message", msg}, {"data", nil}})
}

func plain(status int, text string) reply {
	return reply{status: status, body: []byte(text + "\n"), ctype: "text/plain; charset=utf-8"}
}

func write(w http.ResponseWriter, rep reply) {
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	ct := rep.ctype
	if ct == "" {
		ct = "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

func (s *Sim) api(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	want, known := methods[path]
	s.mu.Lock()
	s.requests[path]++
	var fault Fault
	if q := s.faults[path]; known && r.Method == want && len(q) > 0 {
		fault, s.faults[path] = q[0], q[1:]
	}
	s.mu.Unlock()

	switch {
	case !known:
		write(w, plain(http.StatusNotFound, "404 page not found"))
		return
	case r.Method != want:
		write(w, plain(http.StatusMethodNotAllowed, "405 method not allowed"))
		return
	}
	if code, ok := FaultCodes[fault]; ok {
		write(w, failure(code, ""))
		return
	}
	switch fault {
	case FaultBadGateway:
		write(w, plain(http.StatusBadGateway, "502 Bad Gateway"))
		return
	case FaultRedirect:
		write(w, reply{status: http.StatusFound, body: nil, ctype: "text/plain; charset=utf-8",
			header: http.Header{"Location": {s.o.RedirectTo}}})
		return
	}
	rep, ok := s.serve(r, path)
	if !ok {
		return // the client went away while the call was held
	}
	s.deliver(w, rep, fault)
}

// deliver writes rep, spoiled by fault.
func (s *Sim) deliver(w http.ResponseWriter, rep reply, fault Fault) {
	switch fault {
	case FaultGarbage:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(rep.body[:len(rep.body)/2])
	case FaultForeign:
		write(w, reply{status: http.StatusOK, body: []byte(`{"status":"ok","result":{}}`)})
	case FaultDrop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream instead
	default:
		write(w, rep)
	}
}

// serve answers a call of the contract. ok is false when the client went
// away while a status call was held.
func (s *Sim) serve(r *http.Request, path string) (reply, bool) {
	if s.o.NotConfigured {
		return failure(104, ""), true
	}
	if !s.authorised(r) {
		return failure(1001, ""), true
	}
	var body map[string]json.RawMessage
	if r.Method == http.MethodPost {
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
		if err := dec.Decode(&body); err != nil || body == nil {
			return failure(2001, "тело запроса не является объектом JSON"), true
		}
	}
	if path == PathStatus {
		return s.status(r.Context(), r.URL.Query())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	switch path {
	case PathCreate:
		return s.create(body, now), true
	case PathCancel:
		return s.cancel(body, now), true
	case PathRefund:
		return s.refund(body, now), true
	case PathRefundStatus:
		return s.refundStatus(r.URL.Query(), now), true
	}
	return s.receipt(body, now), true
}

// authorised checks the merchant's headers where the sim wants them.
func (s *Sim) authorised(r *http.Request) bool {
	same := func(got, want string) bool { return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 }
	return (s.o.INN == "" || same(r.Header.Get("X-Inn"), s.o.INN)) &&
		(s.o.APIKey == "" || same(r.Header.Get("X-Api-Key"), s.o.APIKey))
}

// field reads a required string field: 105 when missing or empty, code
// when it is not a string.
func field(body map[string]json.RawMessage, name string, code int) (string, reply, bool) {
	raw, ok := body[name]
	if !ok || string(raw) == "null" {
		return "", failure(105, name), false
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", failure(code, name+" должен быть строкой"), false
	}
	if strings.TrimSpace(v) == "" {
		return "", failure(105, name), false
	}
	return v, reply{}, true
}

// amountPattern is soums with a dot and up to two decimals.
var amountPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,14})(\.[0-9]{1,2})?$`)

// parseAmount reads soums into tiyin; 2002 unless positive and well formed.
func parseAmount(body map[string]json.RawMessage) (int64, reply, bool) {
	v, rep, ok := field(body, "amount", 2002)
	if !ok {
		return 0, rep, false
	}
	if !amountPattern.MatchString(v) {
		return 0, failure(2002, v), false
	}
	whole, frac, _ := strings.Cut(v, ".")
	frac += strings.Repeat("0", 2-len(frac))
	var n int64
	for _, c := range whole + frac {
		n = n*10 + int64(c-'0')
	}
	if n <= 0 {
		return 0, failure(2002, "сумма должна быть больше нуля"), false
	}
	return n, reply{}, true
}

// soums writes tiyin as the wire does: "1500.00".
func soums(tiyin int64) string { return fmt.Sprintf("%d.%02d", tiyin/100, tiyin%100) }

// externalIDOK: 1 to 20 characters, none of them blank or a control.
func externalIDOK(id string) bool {
	if utf8.RuneCountInString(id) > 20 {
		return false
	}
	for _, r := range id {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func (s *Sim) create(body map[string]json.RawMessage, now time.Time) reply {
	if s.blocked {
		return failure(1002, "")
	}
	ext, rep, ok := field(body, "external_id", 2003)
	if !ok {
		return rep
	}
	if !externalIDOK(ext) {
		return failure(2003, "не более 20 символов, без пробелов")
	}
	amount, rep, ok := parseAmount(body)
	if !ok {
		return rep
	}
	// external_id is the merchant's key for the invoice: the same one
	// again with the same amount answers with the same invoice, whatever
	// became of it; with another amount it is refused.
	if inv := s.byExternal[ext]; inv != nil {
		if inv.amount != amount || inv.qrText == "" {
			return failure(2003, "уже использован для другого платежа")
		}
		return success(obj{{"invoice_id", inv.id}, {"qr_text", inv.qrText}})
	}
	inv := &invoice{clk: s.clk, id: s.newID("INVC", now), externalID: ext, amount: amount, created: now, cust: s.nextCustomer()}
	inv.payID = s.newPayID(now)
	inv.qrText = qrText(s.o.Merchant, s.o.QRName, inv.id, soums(amount), s.o.ShortQR)
	s.invoices[inv.id] = inv
	s.byExternal[ext] = inv
	s.byPayID[inv.payID] = inv
	return success(obj{{"invoice_id", inv.id}, {"qr_text", inv.qrText}})
}

// status answers an invoice's status; in long-poll mode an invoice in
// progress is held until it is final or HoldFor has passed, looked at
// every UpstreamEvery as the box polls UzQR.
func (s *Sim) status(ctx context.Context, q url.Values) (reply, bool) {
	id := strings.TrimSpace(q.Get("invoice_id"))
	if id == "" {
		return failure(105, "invoice_id"), true
	}
	s.mu.Lock()
	now := s.clk.Now()
	inv := s.invoices[id]
	if inv == nil || inv.removed {
		s.mu.Unlock()
		return failure(3001, ""), true
	}
	if rep, limited := s.paced(id, now); limited {
		s.mu.Unlock()
		return rep, true
	}
	hold := s.longPoll
	began := now
	s.holdSeq++
	key := s.holdSeq
	defer func() {
		s.mu.Lock()
		delete(s.holds, key)
		s.mu.Unlock()
	}()
	for {
		st := inv.status(now, s.o.InvoiceLifetime)
		held := s.clk.Sub(now, began)
		if !hold || st != statusInProgress || held >= s.o.HoldFor {
			rep := s.statusReply(inv, st)
			s.mu.Unlock()
			return rep, true
		}
		wait := min(s.o.UpstreamEvery, s.o.HoldFor-held)
		t := s.clk.NewTimer(wait)
		s.holds[key] = s.clk.Add(now, wait)
		s.mu.Unlock()
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return reply{}, false
		}
		s.mu.Lock()
		now = s.clk.Now()
	}
}

// paced counts and, with RateLimit, refuses status calls that come too
// close to the one before on the same id. s.mu is held.
func (s *Sim) paced(id string, now time.Time) (reply, bool) {
	last, seen := s.lastStatus[id]
	s.lastStatus[id] = now
	since := s.clk.Sub(now, last)
	if seen && since < 2*time.Second {
		s.fastCalls++
	}
	if seen && s.o.RateLimit > 0 && since < s.o.RateLimit {
		return failure(6001, ""), true
	}
	return reply{}, false
}

func (s *Sim) statusReply(inv *invoice, st int) reply {
	switch st {
	case statusRemoved:
		return failure(3001, "")
	case statusPaid:
		c := inv.cust
		return success(obj{{"invoice_id", inv.id}, {"status", st}, {"pay_id", inv.payID}, {"payer_phone", c.Phone},
			{"card_type", c.CardType}, {"card_no", c.CardNo}, {"fiscal_module", s.o.FiscalModule}})
	case statusDeclined:
		return declined(obj{{"invoice_id", inv.id}, {"status", st}})
	}
	return success(obj{{"invoice_id", inv.id}, {"status", st}})
}

// cancel withdraws an unpaid invoice. Cancelling one already declined,
// cancelled or expired answers as a cancel: it cannot be paid either way.
func (s *Sim) cancel(body map[string]json.RawMessage, now time.Time) reply {
	id, rep, ok := field(body, "invoice_id", 2001)
	if !ok {
		return rep
	}
	inv := s.invoices[id]
	if inv == nil || inv.removed {
		return failure(3001, "")
	}
	switch inv.status(now, s.o.InvoiceLifetime) {
	case statusPaid:
		return failure(3002, "")
	case statusInProgress:
		if inv.cust.Does == PayOnCancel {
			// The customer's payment reached UzQR first.
			s.settle(inv, statusPaid, now)
			return failure(3002, "")
		}
		s.settle(inv, statusDeclined, now)
	}
	return success(obj{})
}

// paid finds the paid invoice behind a pay_id.
func (s *Sim) paid(payID string, now time.Time) *invoice {
	inv := s.byPayID[payID]
	if inv == nil || inv.status(now, s.o.InvoiceLifetime) != statusPaid {
		return nil
	}
	return inv
}

func (s *Sim) refund(body map[string]json.RawMessage, now time.Time) reply {
	payID, rep, ok := field(body, "pay_id", 2001)
	if !ok {
		return rep
	}
	amount, rep, ok := parseAmount(body)
	if !ok {
		return rep
	}
	inv := s.paid(payID, now)
	if inv == nil {
		return failure(4001, "")
	}
	if left := inv.left(now); amount > left {
		return failure(2001, "сумма возврата больше остатка платежа "+soums(left))
	}
	r := &refund{clk: s.clk, id: s.newID("RFND", now), payment: inv, amount: amount, start: now, script: s.nextRefund()}
	inv.refunds = append(inv.refunds, r)
	s.refundsBy[r.id] = r
	return success(obj{{"refund_id", r.id}, {"status", refundPending}})
}

func (s *Sim) refundStatus(q url.Values, now time.Time) reply {
	id := strings.TrimSpace(q.Get("refund_id"))
	if id == "" {
		return failure(105, "refund_id")
	}
	r := s.refundsBy[id]
	if r == nil {
		return failure(4001, "")
	}
	if rep, limited := s.paced(id, now); limited {
		return rep
	}
	st := r.status(now)
	data := obj{{"refund_id", r.id}, {"status", st}}
	if st == refundFailed {
		return declined(data)
	}
	return success(data)
}

// receipt keeps the fiscal receipt's link of a paid payment. A link that
// names a fiscal module (its t parameter, as ofd.soliq.uz links do) must
// name the box's.
func (s *Sim) receipt(body map[string]json.RawMessage, now time.Time) reply {
	payID, rep, ok := field(body, "pay_id", 2001)
	if !ok {
		return rep
	}
	link, rep, ok := field(body, "fiscal_receipt_url", 2001)
	if !ok {
		return rep
	}
	inv := s.paid(payID, now)
	if inv == nil {
		return failure(4001, "")
	}
	u, err := url.Parse(link)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return failure(2001, "fiscal_receipt_url")
	}
	if t := u.Query().Get("t"); t != "" && t != s.o.FiscalModule {
		return failure(2004, t)
	}
	inv.receiptURL = link
	return success(obj{})
}
