package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/monetix"
)

// Behaviour is what a customer does with the QR.
type Behaviour string

const (
	Pay     Behaviour = "pay"
	Decline Behaviour = "decline"
	// Never: the customer never scans; the payment is declined when the
	// QR's lifetime ends.
	Never Behaviour = "never"
)

// Behaviours lists them all.
var Behaviours = []Behaviour{Pay, Decline, Never}

// Customer scripts one payment: what its customer does, and what goes
// wrong with its callbacks.
type Customer struct {
	Does Behaviour
	// Delay is when after the sale the customer pays or declines [5s].
	Delay time.Duration
	// Late sends every callback of the payment this much later.
	Late time.Duration
	// Repeat sends the final callback this many times more.
	Repeat int
	// LoseFinal sends no final callback: only the status tells.
	LoseFinal bool
	// LoseDisplay sends no display_data callback: the till never gets the QR.
	LoseDisplay bool
	// BadSignature sends, before each callback, a copy with one field
	// altered and the signature left as it was.
	BadSignature bool
	// BeforeAnswer sends the display_data callback before the sale is
	// answered.
	BeforeAnswer bool
}

func (c Customer) withDefaults() Customer {
	if c.Does == "" {
		c.Does = Pay
	}
	if c.Delay <= 0 {
		c.Delay = 5 * time.Second
	}
	return c
}

// RefundEnd is how a refund ends.
type RefundEnd string

const (
	RefundDone RefundEnd = "done"
	RefundFail RefundEnd = "fail"
)

// RefundScript scripts one refund: how it ends, After its request.
type RefundScript struct {
	Ends  RefundEnd
	After time.Duration
}

// Options configure a Sim. Zero fields take the defaults in brackets.
type Options struct {
	Clock clock.Clock // [clock.Real]
	// ProjectID and Secret are the project's [1234, "secret"].
	ProjectID int64
	Secret    string
	// CallbackURL is the project's callback URL, used when a sale sends
	// no merchant_callback_url.
	CallbackURL string
	// HTTP sends the callbacks [a client with a 5 s timeout].
	HTTP *http.Client
	// Refunds: the project has refunds enabled (else a refund is 310).
	Refunds bool
	// QRLifetime is the lifetime display_data gives [600s].
	QRLifetime time.Duration
	// DisplayAfter is when after the sale the display_data callback goes [1s].
	DisplayAfter time.Duration
	// RetryEvery is how often a callback not answered 200 is sent again [5s].
	RetryEvery time.Duration
	// LifetimeAsString writes display_data's lifetime as "600", not 600.
	LifetimeAsString        bool
	Receiver, Account, Bank string
}

// Sim is a Monetix Gate for Click QR. Safe for concurrent use.
type Sim struct {
	opts Options
	clk  clock.Clock
	hc   *http.Client

	mu        sync.Mutex
	payments  map[string]*payment
	order     []string
	outbox    []*callback
	customers []Customer
	deflt     Customer
	refunds   []RefundScript
	deflRef   RefundScript
	faults    map[string][]Fault
	requests  map[string]int
	seq       int
	sent      []Sent
}

// New returns a Sim.
func New(opts Options) *Sim {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.ProjectID == 0 {
		opts.ProjectID = 1234
	}
	if opts.Secret == "" {
		opts.Secret = "secret"
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.QRLifetime, 600*time.Second)
	def(&opts.DisplayAfter, time.Second)
	def(&opts.RetryEvery, 5*time.Second)
	if opts.Receiver == "" {
		opts.Receiver = "OOO KASSA DEMO"
	}
	if opts.Account == "" {
		opts.Account = "998901234567"
	}
	if opts.Bank == "" {
		opts.Bank = "Demo Bank"
	}
	hc := opts.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Second}
	}
	return &Sim{opts: opts, clk: opts.Clock, hc: hc, payments: map[string]*payment{},
		faults: map[string][]Fault{}, requests: map[string]int{},
		deflt: Customer{Does: Pay}.withDefaults(), deflRef: RefundScript{Ends: RefundDone}}
}

// Next queues what the next customers do.
func (s *Sim) Next(c ...Customer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range c {
		s.customers = append(s.customers, x.withDefaults())
	}
}

// SetDefault is what customers do when the queue is empty.
func (s *Sim) SetDefault(c Customer) {
	s.mu.Lock()
	s.deflt = c.withDefaults()
	s.mu.Unlock()
}

// NextRefund queues how the next refunds end.
func (s *Sim) NextRefund(r ...RefundScript) {
	s.mu.Lock()
	s.refunds = append(s.refunds, r...)
	s.mu.Unlock()
}

// SetDefaultRefund is how refunds end when the queue is empty.
func (s *Sim) SetDefaultRefund(r RefundScript) {
	s.mu.Lock()
	s.deflRef = r
	s.mu.Unlock()
}

// Inject makes the next requests on path meet faults, one each.
func (s *Sim) Inject(path string, faults ...Fault) {
	s.mu.Lock()
	s.faults[path] = append(s.faults[path], faults...)
	s.mu.Unlock()
}

// Requests is how many requests came on path.
func (s *Sim) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// Sent is one callback POST the sim made, and how it was answered.
type Sent struct {
	PaymentID string
	Kind      string // "display", "final", "refund"
	Forged    bool
	Status    int // the HTTP status answered, 0 for none
	At        time.Time
	Body      []byte
}

// Sent lists every callback POST made so far, in order.
func (s *Sim) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Pending is how many callbacks still wait to be answered 200.
func (s *Sim) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.outbox {
		if !c.done {
			n++
		}
	}
	return n
}

// PayNow makes the customer of the payment pay now; DeclineNow decline.
func (s *Sim) PayNow(paymentID string) error { return s.force(paymentID, statusSuccess) }

func (s *Sim) DeclineNow(paymentID string) error { return s.force(paymentID, statusDecline) }

func (s *Sim) force(id, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[id]
	if !ok {
		return fmt.Errorf("sim: no payment %s", id)
	}
	if p.status != statusProcessing {
		return fmt.Errorf("sim: payment %s is %s already", id, p.status)
	}
	s.settle(p, status, s.clk.Now())
	return nil
}

// Entry is one payment in the ledger.
type Entry struct {
	PaymentID string
	Amount    int64
	Status    string
	// Sales is how many sale requests the Gate took for this payment_id
	// (a repeat is refused with 3041, so never more than 1); Charged what
	// the customer paid, Refunded what went back.
	Sales    int
	Charged  int64
	Refunded int64
	Refunds  []RefundEntry
}

// RefundEntry is one refund of a payment.
type RefundEntry struct {
	RequestID string
	Amount    int64
	Status    string
}

// Ledger lists the payments in the order they came, with their refunds.
func (s *Sim) Ledger() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.clk.Now())
	var out []Entry
	for _, id := range s.order {
		p := s.payments[id]
		e := Entry{PaymentID: id, Amount: p.amount, Status: p.status, Sales: p.sales}
		if p.status == statusSuccess {
			e.Charged = p.amount
		}
		for _, r := range p.refunds {
			e.Refunds = append(e.Refunds, RefundEntry{r.requestID, r.amount, r.status})
			if r.status == statusSuccess {
				e.Refunded += r.amount
			}
		}
		out = append(out, e)
	}
	return out
}

// Flush sends every callback that is due, one after another, and waits
// for their answers. The handler flushes before it answers each request,
// so with a clock.Fake a test moves callbacks along by advancing the
// clock and making any request (or calling Flush); Run flushes with real
// time.
func (s *Sim) Flush(ctx context.Context) {
	for {
		s.mu.Lock()
		now := s.clk.Now()
		s.advance(now)
		var next *callback
		for _, c := range s.outbox {
			if !c.done && !c.sending && !c.due.After(now) {
				next = c
				break
			}
		}
		if next != nil {
			next.sending = true
		}
		s.mu.Unlock()
		if next == nil {
			return
		}
		s.send(ctx, next)
	}
}

// send POSTs one callback and books the answer: a 200 ends it; anything
// else sends it again RetryEvery later (a forged one never).
func (s *Sim) send(ctx context.Context, c *callback) {
	status := 0
	if c.url != "" {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(c.body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			if resp, err := s.hc.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
				resp.Body.Close()
				status = resp.StatusCode
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	s.sent = append(s.sent, Sent{PaymentID: c.paymentID, Kind: c.kind, Forged: c.forged, Status: status, At: now, Body: c.body})
	c.sending = false
	c.attempts++
	if status == http.StatusOK || c.forged || c.url == "" {
		c.done = true
		return
	}
	c.due = s.clk.Add(now, s.opts.RetryEvery)
}

// Run flushes every second of the sim's clock until ctx ends: for a sim
// on real (or scaled) time, as kassa sim monetix and training run it.
func (s *Sim) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.clk.After(time.Second):
			s.Flush(ctx)
		}
	}
}

// Handler serves the Gate's API and the /sim/ control surface.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/sim/", s.control)
	mux.HandleFunc("/", s.api)
	return mux
}

// Server is a Sim listening on a TCP address, flushing its callbacks.
type Server struct {
	srv    *http.Server
	ln     net.Listener
	cancel context.CancelFunc
}

// Start serves the sim on addr ("127.0.0.1:0" for any port) and sends its
// callbacks as they fall due.
func (s *Sim) Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	sv := &Server{srv: &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}, ln: ln, cancel: cancel}
	go func() { _ = sv.srv.Serve(ln) }()
	go s.Run(ctx)
	return sv, nil
}

// URL is the server's base URL.
func (sv *Server) URL() string { return "http://" + sv.ln.Addr().String() }

// Close stops the server and its callbacks.
func (sv *Server) Close() error {
	sv.cancel()
	return sv.srv.Close()
}

const (
	statusProcessing = "processing"
	statusSuccess    = "success"
	statusDecline    = "decline"
)

type payment struct {
	id          string
	amount      int64
	currency    string
	customerID  string
	created     time.Time
	settled     time.Time
	status      string
	customer    Customer
	requestID   string
	opID        int
	providerID  string
	code, msg   string
	callbackURL string
	sales       int
	refunds     []*refund
}

// left is what can still be refunded: the amount less refunds done or
// under way (a failed one gives its amount back).
func (p *payment) left() int64 {
	left := p.amount
	for _, r := range p.refunds {
		if r.status != statusDecline {
			left -= r.amount
		}
	}
	return left
}

type refund struct {
	requestID string
	amount    int64
	created   time.Time
	settled   time.Time
	script    RefundScript
	status    string
	opID      int
}

type callback struct {
	paymentID string
	kind      string
	url       string
	body      []byte
	due       time.Time
	forged    bool
	sending   bool
	done      bool
	attempts  int
}

// advance settles what the clock says is over. s.mu is held.
func (s *Sim) advance(now time.Time) {
	for _, id := range s.order {
		p := s.payments[id]
		if p.status == statusProcessing {
			switch {
			case p.customer.Does == Pay && s.clk.Sub(now, p.created) >= p.customer.Delay:
				s.settle(p, statusSuccess, s.clk.Add(p.created, p.customer.Delay))
			case p.customer.Does == Decline && s.clk.Sub(now, p.created) >= p.customer.Delay:
				s.settle(p, statusDecline, s.clk.Add(p.created, p.customer.Delay))
			case s.clk.Sub(now, p.created) >= s.opts.QRLifetime:
				p.code, p.msg = "20000", "General decline: the QR expired"
				s.settle(p, statusDecline, s.clk.Add(p.created, s.opts.QRLifetime))
			}
		}
		for _, r := range p.refunds {
			if r.status == statusProcessing && s.clk.Sub(now, r.created) >= r.script.After {
				r.status, r.settled = statusSuccess, s.clk.Add(r.created, r.script.After)
				if r.script.Ends == RefundFail {
					r.status = statusDecline
				}
				s.queue(p, "refund", s.refundCallback(p, r), r.settled)
			}
		}
	}
}

// settle ends a payment and queues its final callback. s.mu is held.
func (s *Sim) settle(p *payment, status string, at time.Time) {
	p.status, p.settled = status, at
	if status == statusSuccess {
		p.code, p.msg = "0", "Success"
		p.providerID = fmt.Sprintf("%08x-%04x", mix(uint64(p.opID)), p.opID)
	} else if p.code == "" {
		p.code, p.msg = "20000", "General decline"
	}
	if p.customer.LoseFinal {
		return
	}
	body := s.finalCallback(p)
	for range 1 + max(p.customer.Repeat, 0) {
		s.queue(p, "final", body, at)
	}
}

// queue puts a callback in the outbox, due at (plus the customer's
// Late), preceded by a forged copy where the customer says so.
func (s *Sim) queue(p *payment, kind string, body []byte, at time.Time) {
	due := s.clk.Add(at, p.customer.Late)
	if p.customer.BadSignature {
		s.outbox = append(s.outbox, &callback{paymentID: p.id, kind: kind, url: p.callbackURL, body: forge(body), due: due, forged: true})
	}
	s.outbox = append(s.outbox, &callback{paymentID: p.id, kind: kind, url: p.callbackURL, body: body, due: due})
	sort.SliceStable(s.outbox, func(i, j int) bool { return s.outbox[i].due.Before(s.outbox[j].due) })
}

// forge alters a signed callback's amount and keeps its signature, as
// someone who wants a payment believed might.
func forge(body []byte) []byte {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if d.Decode(&m) != nil {
		return body
	}
	if pay, ok := m["payment"].(map[string]any); ok {
		pay["status"] = statusSuccess
		pay["description"] = "forged"
	}
	m["forged"] = true
	b, _ := json.Marshal(m)
	return b
}

func (s *Sim) nextOp() int {
	s.seq++
	return 1000 + s.seq
}

func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return x
}

func (s *Sim) requestID(now time.Time) string {
	s.seq++
	return fmt.Sprintf("%016x%016x", mix(uint64(now.UnixNano())), mix(uint64(s.seq)))
}

// signed writes m with its signature, as the Gate signs callbacks.
func (s *Sim) signed(m obj) []byte {
	b, _ := json.Marshal(m)
	sig, _ := monetix.Sign([]byte(s.opts.Secret), b)
	b, _ = json.Marshal(append(m, kv{"signature", sig}))
	return b
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+0000") }

func (s *Sim) paymentObj(p *payment) obj {
	status := p.status
	if left := p.left(); status == statusSuccess && left == 0 {
		status = "refunded"
	} else if status == statusSuccess && left < p.amount {
		status = "partially refunded"
	}
	return obj{{"id", p.id}, {"type", "purchase"}, {"status", status}, {"date", stamp(p.created)},
		{"method", "sbp-qr"}, {"sum", obj{{"amount", p.amount}, {"currency", p.currency}}}, {"description", ""}}
}

func (s *Sim) saleOp(p *payment) obj {
	date := p.created
	if !p.settled.IsZero() {
		date = p.settled
	}
	code, msg := p.code, p.msg
	if p.status == statusProcessing {
		code, msg = "", "Awaiting customer"
	}
	return obj{{"id", p.opID}, {"type", "sale"}, {"status", p.status}, {"date", stamp(date)},
		{"created_date", stamp(p.created)}, {"request_id", p.requestID},
		{"sum_initial", obj{{"amount", p.amount}, {"currency", p.currency}}},
		{"sum_converted", obj{{"amount", p.amount}, {"currency", p.currency}}},
		{"code", code}, {"message", msg},
		{"provider", obj{{"id", 12345}, {"payment_id", p.providerID}, {"auth_code", ""}}}}
}

func (s *Sim) refundOp(p *payment, r *refund) obj {
	date := r.created
	if !r.settled.IsZero() {
		date = r.settled
	}
	code, msg := "", "Processing"
	switch r.status {
	case statusSuccess:
		code, msg = "0", "Success"
	case statusDecline:
		code, msg = "20000", "General decline"
	}
	return obj{{"id", r.opID}, {"type", "refund"}, {"status", r.status}, {"date", stamp(date)},
		{"created_date", stamp(r.created)}, {"request_id", r.requestID},
		{"sum_initial", obj{{"amount", r.amount}, {"currency", p.currency}}},
		{"code", code}, {"message", msg},
		{"provider", obj{{"id", 12345}, {"payment_id", p.providerID}, {"auth_code", ""}}}}
}

func (s *Sim) displayCallback(p *payment) []byte {
	var life any = int64(s.opts.QRLifetime / time.Second)
	if s.opts.LifetimeAsString {
		life = strconv.FormatInt(life.(int64), 10)
	}
	add := func(title string, data any) obj { return obj{{"type", "add_info"}, {"title", title}, {"data", data}} }
	display := []obj{
		add("amount", strconv.FormatInt(p.amount, 10)), add("currency", p.currency),
		add("receiver_name", s.opts.Receiver), add("receiver_account", s.opts.Account),
		add("qr_data", "https://qr.click.uz/sim/"+p.requestID), add("lifetime", life), add("bank_name", s.opts.Bank),
	}
	return s.signed(obj{{"project_id", s.opts.ProjectID}, {"payment", s.paymentObj(p)},
		{"customer", obj{{"id", p.customerID}}}, {"display_data", display}})
}

func (s *Sim) finalCallback(p *payment) []byte {
	return s.signed(obj{{"project_id", s.opts.ProjectID}, {"payment", s.paymentObj(p)},
		{"customer", obj{{"id", p.customerID}}}, {"operation", s.saleOp(p)}})
}

func (s *Sim) refundCallback(p *payment, r *refund) []byte {
	pay := s.paymentObj(p)
	return s.signed(obj{{"project_id", s.opts.ProjectID}, {"payment", pay},
		{"customer", obj{{"id", p.customerID}}}, {"operation", s.refundOp(p, r)}})
}

// kv and obj write JSON objects in a fixed order, as the Gate does.
type kv struct {
	k string
	v any
}

type obj []kv

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		v, err := json.Marshal(e.v)
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
