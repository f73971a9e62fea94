package sim

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/kassa-till/kassa/providers/monetix"
)

// The Gate's paths.
const (
	PathSale   = monetix.PathSale
	PathStatus = monetix.PathStatus
	PathRefund = monetix.PathRefund
)

// Paths lists them.
var Paths = []string{PathSale, PathStatus, PathRefund}

// Fault is what the next request on a path meets: a response code (its
// number, as Code gives it) answered instead of doing the request, or a
// fault on the way.
type Fault string

const (
	FaultBadGateway Fault = "badgateway" // HTTP 502, plain text, nothing done
	FaultRedirect   Fault = "redirect"   // HTTP 302 elsewhere, nothing done
	FaultDrop       Fault = "drop"       // done, then the connection closed unanswered
	FaultGarbage    Fault = "garbage"    // done, then an answer that is not JSON
)

// TransportFaults lists the faults on the way.
var TransportFaults = []Fault{FaultBadGateway, FaultRedirect, FaultDrop, FaultGarbage}

// Code is the fault that answers code.
func Code(code int) Fault { return Fault(strconv.Itoa(code)) }

// Messages are the Gate's texts for its codes.
var Messages = map[int]string{
	100: "General decline", 301: "Cancelled", 310: "Not allowed by project settings",
	314: "Provider unavailable", 402: "Declined by risk system", 501: "Internal error",
	502: "Validation error", 601: "Try again", 602: "Network error", 702: "Malformed request",
	2003: "Invalid JSON", 2004: "Required field missing", 2442: "Project not found",
	2541: "Unknown payment method", 2642: "Amount is out of limits", 3024: "Invalid payment_id",
	3041: "Duplicate payment_id", 3060: "Payment status does not allow this action",
	3061: "Transaction not found", 20000: "General decline",
}

// httpStatus is the status a refusal comes with: validation errors are
// HTTP 400, the rest 200 with status "error".
func httpStatus(code int) int {
	switch code {
	case 502, 702, 2003, 2004, 3024:
		return http.StatusBadRequest
	}
	return http.StatusOK
}

type reply struct {
	status int
	body   []byte
}

func ok(o obj) reply { b, _ := json.Marshal(o); return reply{http.StatusOK, b} }

func refuse(code int, detail string) reply {
	msg := Messages[code]
	if detail != "" {
		msg += ": " + detail
	}
	b, _ := json.Marshal(obj{{"status", "error"}, {"code", strconv.Itoa(code)}, {"message", msg}})
	return reply{httpStatus(code), b}
}

func (s *Sim) api(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	known := false
	for _, p := range Paths {
		known = known || p == path
	}
	if !known {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// The callbacks are the Gate's own business: a merchant that gives up
	// on this request does not cut them off.
	s.Flush(context.WithoutCancel(r.Context()))
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	s.mu.Lock()
	s.requests[path]++
	var fault Fault
	if q := s.faults[path]; len(q) > 0 {
		fault, s.faults[path] = q[0], q[1:]
	}
	s.mu.Unlock()
	switch fault {
	case FaultBadGateway:
		http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
		return
	case FaultRedirect:
		http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
		return
	case "", FaultDrop, FaultGarbage:
	default:
		code, _ := strconv.Atoi(string(fault))
		write(w, refuse(code, "injected"))
		return
	}
	rep, before := s.serve(path, body)
	if before != nil {
		// The display_data callback goes before the answer.
		s.mu.Lock()
		before.sending = true
		s.mu.Unlock()
		s.send(context.WithoutCancel(r.Context()), before)
	}
	switch fault {
	case FaultDrop:
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case FaultGarbage:
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "<html>upstream error</html>")
		return
	}
	write(w, rep)
}

func write(w http.ResponseWriter, rep reply) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	bw := bufio.NewWriter(w)
	_, _ = bw.Write(rep.body)
	_ = bw.Flush()
}

// request is a signed Gate request, read.
type request struct {
	General struct {
		ProjectID   json.Number `json:"project_id"`
		PaymentID   *string     `json:"payment_id"`
		CallbackURL string      `json:"merchant_callback_url"`
	} `json:"general"`
	Customer struct {
		ID        string `json:"id"`
		IPAddress string `json:"ip_address"`
	} `json:"customer"`
	Payment struct {
		Amount   *json.Number `json:"amount"`
		Currency string       `json:"currency"`
	} `json:"payment"`
}

// serve does one request. It returns the callback to send before the
// answer, if any.
func (s *Sim) serve(path string, body []byte) (reply, *callback) {
	var req request
	if !json.Valid(body) {
		return refuse(2003, ""), nil
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return refuse(702, err.Error()), nil
	}
	if req.General.ProjectID == "" || req.General.PaymentID == nil {
		return refuse(2004, "general.project_id and general.payment_id"), nil
	}
	if pid, err := req.General.ProjectID.Int64(); err != nil || pid != s.opts.ProjectID {
		return refuse(2442, ""), nil
	}
	if err := monetix.Verify([]byte(s.opts.Secret), body); err != nil {
		return refuse(502, "invalid signature"), nil
	}
	id := *req.General.PaymentID
	if !paymentIDOK(id) {
		return refuse(3024, ""), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	s.advance(now)
	switch path {
	case PathSale:
		return s.sale(req, id)
	case PathStatus:
		p, found := s.payments[id]
		if !found {
			return refuse(3061, ""), nil
		}
		ops := []obj{s.saleOp(p)}
		for _, r := range p.refunds {
			ops = append(ops, s.refundOp(p, r))
		}
		return ok(obj{{"project_id", s.opts.ProjectID}, {"payment", s.paymentObj(p)},
			{"customer", obj{{"id", p.customerID}}}, {"operations", ops}}), nil
	case PathRefund:
		return s.refund(req, id), nil
	}
	return refuse(702, ""), nil
}

func paymentIDOK(id string) bool {
	if id == "" || utf8.RuneCountInString(id) > monetix.MaxPaymentID || !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

func (s *Sim) amount(req request) (int64, reply, bool) {
	if req.Payment.Currency != "UZS" {
		return 0, refuse(502, "payment.currency must be UZS"), false
	}
	if req.Payment.Amount == nil {
		return 0, reply{}, true
	}
	n, err := req.Payment.Amount.Int64()
	if err != nil || n <= 0 {
		return 0, refuse(502, "payment.amount is a positive whole number of tiyin"), false
	}
	return n, reply{}, true
}

// sale takes a payment. s.mu is held.
func (s *Sim) sale(req request, id string) (reply, *callback) {
	if req.Customer.ID == "" || req.Customer.IPAddress == "" {
		return refuse(2004, "customer.id and customer.ip_address"), nil
	}
	n, rep, good := s.amount(req)
	if !good {
		return rep, nil
	}
	if req.Payment.Amount == nil {
		return refuse(2004, "payment.amount"), nil
	}
	if n < monetix.MinAmount || n > monetix.MaxAmount {
		return refuse(2642, fmt.Sprintf("%d is outside %d–%d", n, monetix.MinAmount, monetix.MaxAmount)), nil
	}
	if _, dup := s.payments[id]; dup {
		return refuse(3041, ""), nil
	}
	now := s.clk.Now()
	c := s.deflt
	if len(s.customers) > 0 {
		c, s.customers = s.customers[0], s.customers[1:]
	}
	url := req.General.CallbackURL
	if url == "" {
		url = s.opts.CallbackURL
	}
	p := &payment{id: id, amount: n, currency: "UZS", customerID: req.Customer.ID, created: now,
		status: statusProcessing, customer: c, requestID: s.requestID(now), opID: s.nextOp(),
		callbackURL: url, sales: 1}
	s.payments[id] = p
	s.order = append(s.order, id)
	var before *callback
	if !c.LoseDisplay {
		body := s.displayCallback(p)
		if c.BeforeAnswer {
			before = &callback{paymentID: id, kind: "display", url: url, body: body, due: now}
			s.outbox = append(s.outbox, before)
		} else {
			s.queue(p, "display", body, s.clk.Add(now, s.opts.DisplayAfter))
		}
	}
	return ok(obj{{"status", "success"}, {"request_id", p.requestID}, {"project_id", s.opts.ProjectID},
		{"payment_id", id}}), before
}

// refund takes a refund of a paid payment. s.mu is held.
func (s *Sim) refund(req request, id string) reply {
	if !s.opts.Refunds {
		return refuse(310, "refunds are not enabled for the project")
	}
	p, found := s.payments[id]
	if !found {
		return refuse(3061, "")
	}
	if p.status != statusSuccess {
		return refuse(3060, "the payment is "+p.status)
	}
	n, rep, good := s.amount(req)
	if !good {
		return rep
	}
	left := p.left()
	if req.Payment.Amount == nil {
		n = left
	}
	if n <= 0 || n > left {
		return refuse(502, fmt.Sprintf("refund of %d with %d left", n, left))
	}
	now := s.clk.Now()
	sc := s.deflRef
	if len(s.refunds) > 0 {
		sc, s.refunds = s.refunds[0], s.refunds[1:]
	}
	r := &refund{requestID: s.requestID(now), amount: n, created: now, script: sc, status: statusProcessing, opID: s.nextOp()}
	p.refunds = append(p.refunds, r)
	return ok(obj{{"status", "success"}, {"request_id", r.requestID}, {"project_id", s.opts.ProjectID}, {"payment_id", id}})
}
