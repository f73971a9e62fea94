package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/octo"
)

// OCTO's paths.
const (
	PathPrepare   = octo.PathPrepare
	PathSetAccept = octo.PathSetAccept
	PathRefund    = octo.PathRefund
	PathFiscal    = octo.PathFiscal
)

// Paths lists them.
var Paths = []string{PathPrepare, PathSetAccept, PathRefund, PathFiscal}

// Behaviour is what a customer does at the pay page.
type Behaviour string

const (
	Pay     Behaviour = "pay"     // pays Delay after the start
	Decline Behaviour = "decline" // the payment fails Delay after the start
	Never   Behaviour = "never"   // walks away: canceled when the ttl ends
	Hold    Behaviour = "hold"    // pays Delay after, and OCTO holds it for capture
)

// Behaviours lists them.
var Behaviours = []Behaviour{Pay, Decline, Never, Hold}

// Customer scripts one payment's customer.
type Customer struct {
	Does  Behaviour
	Delay time.Duration
}

// RefundEnd is how a refund ends.
type RefundEnd string

const (
	RefundDone RefundEnd = "done" // succeeded
	RefundFail RefundEnd = "fail" // error
)

// RefundScript scripts one refund: pending until After, then Ends.
type RefundScript struct {
	Ends  RefundEnd
	After time.Duration
}

// Shape is how answers are written: SPEC §5's two.
type Shape string

const (
	ShapeData Shape = "data" // {error, errMessage, data:{…}}
	ShapeFlat Shape = "flat" // {error, errorMessage, …fields beside}
)

// Fault is what the next request on a path meets: an error code (Code)
// answered instead of doing it, or a fault on the way.
type Fault string

const (
	FaultBadGateway Fault = "badgateway" // HTTP 502, plain text, nothing done
	FaultRedirect   Fault = "redirect"   // HTTP 302 elsewhere, nothing done
	FaultDrop       Fault = "drop"       // done, then the connection closed unanswered
	FaultGarbage    Fault = "garbage"    // done, then an answer that is not JSON
)

// TransportFaults lists the faults on the way.
var TransportFaults = []Fault{FaultBadGateway, FaultRedirect, FaultDrop, FaultGarbage}

// Code is the fault that answers error code with text.
func Code(code int, text string) Fault { return Fault(strconv.Itoa(code) + ":" + text) }

// Product is a fiscal object registered with OCTO (seed 002).
type Product struct {
	SPIC        string
	PackageCode string
	NDS         int
	INN, PINFL  string
}

// Options configure a Sim.
type Options struct {
	Clock     clock.Clock // [clock.Real]
	ShopID    int64
	Secret    string
	NotifyKey string // unique_key, which signs notifications
	// MerchantID is OCTO's number for the shop, in the 403's text [242].
	MerchantID int
	// Products are the registered fiscal objects; a basket item that is
	// not one is refused with 403.
	Products []Product
	Shape    Shape // [ShapeData]
	// FiscalLate holds every fiscal receipt until ReleaseFiscal.
	FiscalLate bool
	// Default is what customers do when none is queued [Pay after 10 s].
	Default Customer
}

// Sim is OCTO for one shop.
type Sim struct {
	opts Options
	clk  clock.Clock

	mu         sync.Mutex
	shape      Shape
	fiscalLate bool
	customers  []Customer
	deflt      Customer
	refunds    []RefundScript
	deflRef    RefundScript
	faults     map[string][]Fault
	requests   map[string]int
	payments   map[string]*payment // by shop_transaction_id
	byUUID     map[string]*payment
	order      []string
	seq        int
}

type payment struct {
	txID, uuid string
	amount     int64
	status     string
	created    time.Time
	ttl        time.Duration
	customer   Customer
	notifyURL  string
	payURL     string
	user       octo.Contact
	basket     []json.RawMessage
	fiscal     bool // its receipt is registered
	refunds    []*refund
}

type refund struct {
	shopID, id string
	amount     int64
	created    time.Time
	script     RefundScript
	status     string
}

func (p *payment) left() int64 {
	n := p.amount
	for _, r := range p.refunds {
		if r.status != octo.RefundError && r.status != octo.RefundCanceled {
			n -= r.amount
		}
	}
	return n
}

// New returns a Sim.
func New(opts Options) *Sim {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.MerchantID == 0 {
		opts.MerchantID = 242
	}
	if opts.Shape == "" {
		opts.Shape = ShapeData
	}
	if opts.Default.Does == "" {
		opts.Default = Customer{Does: Pay, Delay: 10 * time.Second}
	}
	return &Sim{opts: opts, clk: opts.Clock, shape: opts.Shape, fiscalLate: opts.FiscalLate, deflt: opts.Default,
		deflRef: RefundScript{Ends: RefundDone, After: time.Minute}, faults: map[string][]Fault{},
		requests: map[string]int{}, payments: map[string]*payment{}, byUUID: map[string]*payment{}}
}

// Next queues the next payments' customers.
func (s *Sim) Next(c ...Customer) {
	s.mu.Lock()
	s.customers = append(s.customers, c...)
	s.mu.Unlock()
}

// SetDefault sets what customers do when none is queued.
func (s *Sim) SetDefault(c Customer) { s.mu.Lock(); s.deflt = c; s.mu.Unlock() }

// NextRefund queues how the next refunds end.
func (s *Sim) NextRefund(r ...RefundScript) {
	s.mu.Lock()
	s.refunds = append(s.refunds, r...)
	s.mu.Unlock()
}

// SetShape sets how answers are written from now on.
func (s *Sim) SetShape(sh Shape) { s.mu.Lock(); s.shape = sh; s.mu.Unlock() }

// HoldFiscal makes fiscal receipts late (until ReleaseFiscal) or not.
func (s *Sim) HoldFiscal(late bool) { s.mu.Lock(); s.fiscalLate = late; s.mu.Unlock() }

// ReleaseFiscal registers the receipt of the paid payment uuid now.
func (s *Sim) ReleaseFiscal(uuid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.find(uuid)
	if err != nil {
		return err
	}
	if p.status != octo.StatusSucceeded && p.status != octo.StatusRefunded {
		return fmt.Errorf("payment %s is %s, not paid", uuid, p.status)
	}
	p.fiscal = true
	return nil
}

// find is the payment uuid, settled up to now. s.mu is held.
func (s *Sim) find(uuid string) (*payment, error) {
	p, ok := s.byUUID[uuid]
	if !ok {
		return nil, fmt.Errorf("no payment %q", uuid)
	}
	s.advance(s.clk.Now())
	return p, nil
}

// Inject makes the next requests on path meet faults, in order.
func (s *Sim) Inject(path string, faults ...Fault) {
	s.mu.Lock()
	s.faults[path] = append(s.faults[path], faults...)
	s.mu.Unlock()
}

// Requests is how many requests came to path.
func (s *Sim) Requests(path string) int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests[path] }

// PayNow makes the customer of uuid pay now; DeclineNow decline.
func (s *Sim) PayNow(uuid string) error     { return s.force(uuid, octo.StatusSucceeded) }
func (s *Sim) DeclineNow(uuid string) error { return s.force(uuid, octo.StatusFailed) }

func (s *Sim) force(uuid, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.find(uuid)
	if err != nil {
		return err
	}
	if !open(p.status) {
		return fmt.Errorf("payment %s is already %s", uuid, p.status)
	}
	s.settle(p, status)
	return nil
}

// Entry is one payment in the ledger.
type Entry struct {
	ShopTransactionID string        `json:"shop_transaction_id"`
	UUID              string        `json:"octo_payment_UUID"`
	Status            string        `json:"status"`
	Amount            int64         `json:"amount"`   // tiyin
	Refunded          int64         `json:"refunded"` // tiyin, succeeded refunds
	Fiscal            bool          `json:"fiscal"`
	Refunds           []RefundEntry `json:"refunds,omitempty"`
}

// RefundEntry is one refund in the ledger.
type RefundEntry struct {
	ShopRefundID string `json:"shop_refund_id"`
	RefundID     string `json:"refund_id"`
	Amount       int64  `json:"amount"`
	Status       string `json:"status"`
}

// Ledger lists every payment in the order they came.
func (s *Sim) Ledger() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.clk.Now())
	var out []Entry
	for _, id := range s.order {
		p := s.payments[id]
		e := Entry{ShopTransactionID: p.txID, UUID: p.uuid, Status: p.status, Amount: p.amount, Fiscal: p.fiscal}
		for _, r := range p.refunds {
			if r.status == octo.RefundSucceeded {
				e.Refunded += r.amount
			}
			e.Refunds = append(e.Refunds, RefundEntry{r.shopID, r.id, r.amount, r.status})
		}
		out = append(out, e)
	}
	return out
}

// Notification is the signed notification OCTO sends for the payment
// uuid as it stands, and the notify_url it goes to.
func (s *Sim) Notification(uuid string) (body []byte, notifyURL string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.find(uuid)
	if err != nil {
		return nil, "", err
	}
	var refunded int64
	for _, r := range p.refunds {
		if r.status == octo.RefundSucceeded {
			refunded += r.amount
		}
	}
	b, _ := json.Marshal(map[string]any{
		"shop_transaction_id": p.txID, "octo_payment_UUID": p.uuid, "status": p.status,
		"signature": octo.Signature(octo.Secret(s.opts.NotifyKey), p.uuid, p.status), "hash_key": "sim-" + p.uuid,
		"total_sum": money(p.amount), "transfer_sum": money(p.amount), "refunded_sum": money(refunded),
		"maskedPan": "860049******1234", "rrn": "sim" + p.uuid[:8], "payed_time": stamp(p.created)})
	return b, p.notifyURL, nil
}

// SendNotification posts the payment's notification to its notify_url,
// as OCTO does when it changes, and returns the HTTP status the till's
// listener answered.
func (s *Sim) SendNotification(ctx context.Context, uuid string) (int, error) {
	body, url, err := s.Notification(uuid)
	if err != nil {
		return 0, err
	}
	if url == "" {
		return 0, fmt.Errorf("payment %s has no notify_url", uuid)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func money(tiyin int64) json.Number { return json.Number(providers.New(tiyin, providers.UZS).Major()) }

func stamp(t time.Time) string {
	return t.In(time.FixedZone("UZT", 5*3600)).Format("2006-01-02 15:04:05")
}

func open(status string) bool {
	return status == octo.StatusCreated || status == octo.StatusWaitUserAction
}

// advance settles what is due at now. s.mu is held.
func (s *Sim) advance(now time.Time) {
	for _, id := range s.order {
		p := s.payments[id]
		since := s.clk.Sub(now, p.created)
		if p.status == octo.StatusCreated && since >= time.Second {
			p.status = octo.StatusWaitUserAction
		}
		if open(p.status) {
			switch c := p.customer; {
			case c.Does == Pay && since >= c.Delay:
				s.settle(p, octo.StatusSucceeded)
			case c.Does == Hold && since >= c.Delay:
				s.settle(p, octo.StatusWaitingForCapture)
			case c.Does == Decline && since >= c.Delay:
				s.settle(p, octo.StatusFailed)
			case since >= p.ttl:
				s.settle(p, octo.StatusCanceled)
			}
		}
		for _, r := range p.refunds {
			if r.status == octo.RefundPending && s.clk.Sub(now, r.created) >= r.script.After {
				r.status = octo.RefundSucceeded
				if r.script.Ends == RefundFail {
					r.status = octo.RefundError
				}
			}
		}
		if p.status == octo.StatusSucceeded && p.left() == 0 && len(p.refunds) > 0 && allDone(p.refunds) {
			p.status = octo.StatusRefunded
		}
	}
}

func allDone(rs []*refund) bool {
	for _, r := range rs {
		if r.status == octo.RefundPending || r.status == octo.RefundNew {
			return false
		}
	}
	return true
}

// settle ends a payment. s.mu is held.
func (s *Sim) settle(p *payment, status string) {
	p.status = status
	if status == octo.StatusSucceeded && !s.fiscalLate {
		p.fiscal = true
	}
}

// Handler serves OCTO's API, the pay pages behind octo_pay_url and the
// /sim/ control surface.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/sim/", s.control)
	mux.HandleFunc("/pay/{uuid}", s.payPage)
	mux.HandleFunc("/", s.api)
	return mux
}

// Server is a Sim listening on a TCP address.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// Start serves the sim on addr ("127.0.0.1:0" for any port).
func (s *Sim) Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	sv := &Server{srv: &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}, ln: ln}
	go func() { _ = sv.srv.Serve(ln) }()
	return sv, nil
}

// URL is the server's base URL.
func (sv *Server) URL() string { return "http://" + sv.ln.Addr().String() }

// Close stops the server.
func (sv *Server) Close() error { return sv.srv.Close() }

// answer writes fields (nil: data null) in the sim's shape.
func (s *Sim) answer(w http.ResponseWriter, fields map[string]any) {
	s.mu.Lock()
	shape := s.shape
	s.mu.Unlock()
	var v map[string]any
	if shape == ShapeFlat {
		v = map[string]any{"error": 0, "errorMessage": nil}
		for k, x := range fields {
			v[k] = x
		}
	} else {
		v = map[string]any{"error": 0, "errMessage": nil, "data": fields}
		if fields == nil {
			v["data"] = nil
		}
	}
	writeJSON(w, http.StatusOK, v)
}

// refuse writes an error: in the data shape errMessage (and the
// deprecated errorMessage beside it, as seed 002 shows), in the flat one
// errorMessage alone.
func (s *Sim) refuse(w http.ResponseWriter, code int, msg string) {
	s.mu.Lock()
	shape := s.shape
	s.mu.Unlock()
	v := map[string]any{"error": code, "errorMessage": msg}
	if shape != ShapeFlat {
		v["errMessage"], v["data"] = msg, nil
		v["apiMessageForDevelopers"] = "Поле errorMessage устарело, просим перейти на errMessage для унификации ответов."
	}
	writeJSON(w, http.StatusOK, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// request is any of OCTO's request bodies, read.
type request struct {
	ShopID      *json.Number      `json:"octo_shop_id"`
	Secret      string            `json:"octo_secret"`
	TxID        string            `json:"shop_transaction_id"`
	AutoCapture *bool             `json:"auto_capture"`
	InitTime    string            `json:"init_time"`
	UserData    *octo.Contact     `json:"user_data"`
	TotalSum    *json.Number      `json:"total_sum"`
	Currency    string            `json:"currency"`
	Basket      []json.RawMessage `json:"basket"`
	TTL         *json.Number      `json:"ttl"`
	NotifyURL   string            `json:"notify_url"`
	UUID        string            `json:"octo_payment_UUID"`
	Accept      string            `json:"accept_status"`
	RefundID    string            `json:"shop_refund_id"`
	Amount      *json.Number      `json:"amount"`
	PaymentUUID string            `json:"payment_uuid"`
}

func (s *Sim) api(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if !slices.Contains(Paths, path) {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
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
		c, text, _ := strings.Cut(string(fault), ":")
		code, _ := strconv.Atoi(c)
		s.refuse(w, code, text)
		return
	}
	rec := &recorder{header: http.Header{}}
	s.serve(rec, r, path, body)
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
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// recorder keeps an answer so a fault can replace it after the request
// was done.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }

func (s *Sim) serve(w http.ResponseWriter, r *http.Request, path string, body []byte) {
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		s.refuse(w, 1, "Invalid JSON: "+err.Error())
		return
	}
	authCode := 1
	if path == PathRefund {
		authCode = 2
	}
	if req.ShopID == nil || req.ShopID.String() != strconv.FormatInt(s.opts.ShopID, 10) || req.Secret != s.opts.Secret {
		s.refuse(w, authCode, "wrong secret")
		return
	}
	s.mu.Lock()
	s.advance(s.clk.Now())
	s.mu.Unlock()
	switch path {
	case PathPrepare:
		s.prepare(w, r, req)
	case PathSetAccept:
		s.setAccept(w, req)
	case PathRefund:
		s.refund(w, req)
	case PathFiscal:
		s.fiscalData(w, req)
	}
}

func (s *Sim) paymentFields(p *payment) map[string]any {
	return map[string]any{"shop_transaction_id": p.txID, "octo_payment_UUID": p.uuid, "status": p.status,
		"octo_pay_url": p.payURL}
}

type basketItem struct {
	PositionDesc string       `json:"position_desc"`
	Count        *json.Number `json:"count"`
	Price        *json.Number `json:"price"`
	SPIC         string       `json:"spic"`
	PackageCode  string       `json:"package_code"`
	NDS          *int         `json:"nds"`
	INN          string       `json:"inn"`
	PINFL        string       `json:"pinfl"`
}

func (s *Sim) registered(it basketItem) bool {
	for _, p := range s.opts.Products {
		if p.SPIC == it.SPIC && p.PackageCode == it.PackageCode && it.NDS != nil && p.NDS == *it.NDS &&
			p.INN == it.INN && p.PINFL == it.PINFL {
			return true
		}
	}
	return false
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

func (s *Sim) prepare(w http.ResponseWriter, r *http.Request, req request) {
	if req.TxID == "" {
		s.refuse(w, 1, "shop_transaction_id is required")
		return
	}
	s.mu.Lock()
	p, exists := s.payments[req.TxID]
	s.mu.Unlock()
	if req.TotalSum == nil {
		// The status call: only the shop, the secret and the id.
		if !exists {
			s.refuse(w, 1, "Transaction not found")
			return
		}
		s.mu.Lock()
		f := s.paymentFields(p)
		s.mu.Unlock()
		s.answer(w, f)
		return
	}
	amount, err := providers.ParseMajor(req.TotalSum.String(), providers.UZS)
	switch {
	case err != nil || amount.Minor <= 0:
		s.refuse(w, 1, "total_sum is not an amount")
		return
	case req.AutoCapture == nil:
		s.refuse(w, 1, "auto_capture is required")
		return
	case req.Currency != "UZS":
		s.refuse(w, 1, "currency must be UZS")
		return
	case req.UserData == nil || req.UserData.Phone == "" && req.UserData.Email == "":
		s.refuse(w, 1, "user_data: phone or email is required")
		return
	}
	if _, err := time.Parse("2006-01-02 15:04:05", req.InitTime); err != nil {
		s.refuse(w, 1, "init_time must be yyyy-MM-dd HH:mm:ss")
		return
	}
	var basketSum int64
	for _, raw := range req.Basket {
		var it basketItem
		if json.Unmarshal(raw, &it) != nil || it.Price == nil || it.Count == nil {
			s.refuse(w, 1, "basket: an item without price or count")
			return
		}
		if !s.registered(it) {
			nds := "null"
			if it.NDS != nil {
				nds = strconv.Itoa(*it.NDS)
			}
			s.refuse(w, 403, fmt.Sprintf("Fiscal object with merchant ID %d spic : %s package code : %s nds : %s inn : %s pinfl : %s not contains in system",
				s.opts.MerchantID, orNull(it.SPIC), orNull(it.PackageCode), nds, orNull(it.INN), orNull(it.PINFL)))
			return
		}
		price, err := providers.ParseMajor(it.Price.String(), providers.UZS)
		if err != nil {
			s.refuse(w, 1, "basket: price is not an amount")
			return
		}
		basketSum += price.Minor
	}
	if len(req.Basket) > 0 && basketSum != amount.Minor {
		s.refuse(w, 1, "basket sum does not match total_sum")
		return
	}
	ttl := 15 * time.Minute
	if req.TTL != nil {
		n, err := req.TTL.Int64()
		if err != nil || n <= 0 {
			s.refuse(w, 1, "ttl is whole minutes")
			return
		}
		ttl = time.Duration(n) * time.Minute
	}
	s.mu.Lock()
	if exists {
		same := p.amount == amount.Minor
		f := s.paymentFields(p)
		s.mu.Unlock()
		if !same {
			s.refuse(w, 1, "shop_transaction_id already used for another payment")
			return
		}
		s.answer(w, f)
		return
	}
	s.seq++
	c := s.deflt
	if len(s.customers) > 0 {
		c, s.customers = s.customers[0], s.customers[1:]
	}
	uuid := fmt.Sprintf("%08x-51a1-4c7e-9d2b-%012x", 0x0c70_0000+s.seq, s.opts.ShopID*1000+int64(s.seq))
	p = &payment{txID: req.TxID, uuid: uuid, amount: amount.Minor, status: octo.StatusCreated, created: s.clk.Now(),
		ttl: ttl, customer: c, notifyURL: req.NotifyURL, user: *req.UserData, basket: req.Basket,
		payURL: "http://" + r.Host + "/pay/" + uuid}
	s.payments[req.TxID], s.byUUID[uuid] = p, p
	s.order = append(s.order, req.TxID)
	f := s.paymentFields(p)
	s.mu.Unlock()
	s.answer(w, f)
}

func (s *Sim) setAccept(w http.ResponseWriter, req request) {
	s.mu.Lock()
	p, ok := s.byUUID[req.UUID]
	switch {
	case !ok:
		s.mu.Unlock()
		s.refuse(w, 1, "payment not found")
		return
	case req.Accept != "capture" && req.Accept != "cancel":
		s.mu.Unlock()
		s.refuse(w, 1, "accept_status is capture or cancel")
		return
	case p.status != octo.StatusWaitingForCapture:
		st := p.status
		s.mu.Unlock()
		s.refuse(w, 1, "payment is "+st+", not waiting_for_capture")
		return
	}
	if req.Accept == "capture" {
		s.settle(p, octo.StatusSucceeded)
	} else {
		s.settle(p, octo.StatusCanceled)
	}
	f := s.paymentFields(p)
	s.mu.Unlock()
	s.answer(w, f)
}

func (s *Sim) refund(w http.ResponseWriter, req request) {
	if req.RefundID == "" || req.UUID == "" || req.Amount == nil {
		s.refuse(w, 1, "shop_refund_id, octo_payment_UUID and amount are required")
		return
	}
	amount, err := providers.ParseMajor(req.Amount.String(), providers.UZS)
	if err != nil || amount.Minor <= 0 {
		s.refuse(w, 1, "amount is not an amount")
		return
	}
	s.mu.Lock()
	p, ok := s.byUUID[req.UUID]
	if !ok {
		s.mu.Unlock()
		s.refuse(w, 1, "payment not found")
		return
	}
	for _, r := range p.refunds {
		if r.shopID == req.RefundID {
			// The same shop_refund_id is the same refund: its state now.
			f := refundFields(p, r)
			same := r.amount == amount.Minor
			s.mu.Unlock()
			if !same {
				s.refuse(w, 1, "shop_refund_id already used for another amount")
				return
			}
			s.answer(w, f)
			return
		}
	}
	switch {
	case p.status != octo.StatusSucceeded:
		st := p.status
		s.mu.Unlock()
		s.refuse(w, 3, "Invalid refund amount: the payment is "+st)
		return
	case amount.Minor > octo.MaxRefund || amount.Minor > p.left():
		left := p.left()
		s.mu.Unlock()
		s.refuse(w, 3, fmt.Sprintf("Invalid refund amount: %s with %s left", money(amount.Minor), money(left)))
		return
	}
	sc := s.deflRef
	if len(s.refunds) > 0 {
		sc, s.refunds = s.refunds[0], s.refunds[1:]
	}
	s.seq++
	rf := &refund{shopID: req.RefundID, id: strconv.Itoa(900000 + s.seq), amount: amount.Minor, created: s.clk.Now(),
		script: sc, status: octo.RefundPending}
	p.refunds = append(p.refunds, rf)
	s.advance(s.clk.Now())
	f := refundFields(p, rf)
	s.mu.Unlock()
	s.answer(w, f)
}

func refundFields(p *payment, r *refund) map[string]any {
	return map[string]any{"octo_payment_UUID": p.uuid, "refund_id": r.id, "refund_time": stamp(r.created), "status": r.status}
}

func (s *Sim) fiscalData(w http.ResponseWriter, req request) {
	s.mu.Lock()
	p, ok := s.byUUID[req.PaymentUUID]
	if !ok {
		s.mu.Unlock()
		s.refuse(w, 1, "payment not found")
		return
	}
	if !p.fiscal {
		s.mu.Unlock()
		s.answer(w, nil) // not registered yet
		return
	}
	t := p.created.In(time.FixedZone("UZT", 5*3600)).Format("20060102150405")
	term := fmt.Sprintf("EZ%012d", s.opts.ShopID)
	receipt := 2000 + len(s.order)
	for i, id := range s.order {
		if id == p.txID {
			receipt = 2000 + i
		}
	}
	sign := fmt.Sprintf("%012d", (int64(receipt)*7919+s.opts.ShopID)%1_000_000_000_000)
	phone := strings.TrimPrefix(p.user.Phone, "+")
	s.mu.Unlock()
	s.answer(w, map[string]any{"phone": phone, "code": 0, "message": "accepted", "terminalID": term,
		"receiptId": receipt, "dateTime": t, "fiscalSign": sign,
		"qrCodeURL": fmt.Sprintf("https://ofd.soliq.uz/epi?t=%s&r=%d&c=%s&s=%s", term, receipt, t, sign)})
}

// payPage is the page behind octo_pay_url: GET shows it, POST do=pay or
// do=decline acts as the customer.
func (s *Sim) payPage(w http.ResponseWriter, r *http.Request) {
	uuid := r.PathValue("uuid")
	if r.Method == http.MethodPost {
		var err error
		switch r.FormValue("do") {
		case "pay":
			err = s.PayNow(uuid)
		case "decline":
			err = s.DeclineNow(uuid)
		default:
			err = fmt.Errorf("do=pay or do=decline")
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	s.mu.Lock()
	s.advance(s.clk.Now())
	p, ok := s.byUUID[uuid]
	var amount, status string
	if ok {
		amount, status = providers.New(p.amount, providers.UZS).String(), p.status
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><title>OCTO sim</title><p>%s: %s</p>
<form method="post"><button name="do" value="pay">Pay</button> <button name="do" value="decline">Decline</button></form>`,
		amount, status)
}
