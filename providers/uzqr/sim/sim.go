package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kassa-till/kassa/providers/clock"
)

// Behaviour is what a scripted customer does with the invoice's QR.
type Behaviour string

const (
	Pay     Behaviour = "pay"     // pays Delay after the invoice is created
	Decline Behaviour = "decline" // declines in the bank's app Delay after it is created
	Never   Behaviour = "never"   // never pays: the invoice stays in progress until it expires
	// PayOnCancel pays at the very moment the cashier cancels: the invoice
	// stays in progress until a cancel comes, which then gets 3002.
	PayOnCancel Behaviour = "pay-on-cancel"
)

// Behaviours lists every behaviour.
var Behaviours = []Behaviour{Pay, Decline, Never, PayOnCancel}

// Customer scripts the payer of one invoice. Zero fields take defaults.
type Customer struct {
	Does  Behaviour     // [Pay]
	Delay time.Duration // when, after the invoice is created, they pay or decline
	// The payer's details the status reports once paid, as UzQR masks them.
	CardNo   string // [8600********1234]
	CardType string // "1" corporate, "2" personal, "3" social ["2"]
	Phone    string // [99890*****67]
}

func (c Customer) withDefaults() Customer {
	if c.Does == "" {
		c.Does = Pay
	}
	if c.Delay < 0 {
		c.Delay = 0
	}
	if c.CardNo == "" {
		c.CardNo = "8600********1234"
	}
	if c.CardType == "" {
		c.CardType = "2"
	}
	if c.Phone == "" {
		c.Phone = "99890*****67"
	}
	return c
}

// RefundEnd is how a refund ends.
type RefundEnd string

const (
	RefundDone RefundEnd = "done"
	RefundFail RefundEnd = "fail"
)

// RefundScript scripts one refund: it ends as Ends, After its start
// (zero: at once; the cabinet says seconds to several hours).
type RefundScript struct {
	Ends  RefundEnd // [RefundDone]
	After time.Duration
}

func (r RefundScript) withDefaults() RefundScript {
	if r.Ends == "" {
		r.Ends = RefundDone
	}
	if r.After < 0 {
		r.After = 0
	}
	return r
}

// Payment is a payment the box took before the sim started, so a new sim
// can refund what an earlier one was paid (demo and training rebuild
// them from the till's books).
type Payment struct {
	PayID      string
	ExternalID string
	Amount     int64 // tiyin
	Refunded   int64 // what earlier refunds returned, or may have
}

// Options configure the sim. Zero fields take the defaults in brackets.
type Options struct {
	Clock clock.Clock // [clock.Real]
	// Default is what customers do when the Next queue is empty [Pay after
	// 5 s]; DefaultRefund what refunds do [done after 5 s].
	Default       Customer
	DefaultRefund RefundScript

	// InvoiceLifetime is how long an unpaid invoice can be paid; then its
	// status is 3 [5 min, longer than the till's 3: the till cancels first].
	InvoiceLifetime time.Duration
	// LongPoll holds a status call of an invoice in progress until it is
	// final or HoldFor [2 min] has passed, looking upstream every
	// UpstreamEvery [3 s], as the box does. Without it, status answers at
	// once.
	LongPoll      bool
	HoldFor       time.Duration
	UpstreamEvery time.Duration
	// RateLimit, when set, answers 6001 to a status call on an invoice or
	// refund that starts sooner than this after the one before.
	RateLimit time.Duration

	// INN and APIKey, when set, must come as X-Inn and X-Api-Key with
	// every call, or the call gets 1001 (a gateway that checks them).
	INN    string
	APIKey string
	// NotConfigured answers 104 to every call: the box has no UzQR
	// endpoint configured.
	NotConfigured bool

	Merchant Merchant // what qr_text says about the shop [DefaultMerchant]
	// QRName is the dynamic QR's name in the cabinet; when set, qr_text
	// carries it as the terminal label.
	QRName string
	// ShortQR gives a qr_text of only EMVCo's mandatory fields and the
	// invoice id (about 150 characters instead of 200 to 250).
	ShortQR bool
	// FiscalModule is the box's fiscal module, reported with every paid
	// invoice; a receipt link naming another (its t parameter) gets 2004
	// [UZ191211501001].
	FiscalModule string

	// RedirectTo is where FaultRedirect sends the client [http://127.0.0.1:9/].
	RedirectTo string
	// Payments are payments the box took before the sim started.
	Payments []Payment
	Seed     uint64 // mixed into ids; the same seed and clock give the same ids
}

// Sim is a simulated fiscal box speaking the one_qr contract.
type Sim struct {
	o   Options
	clk clock.Clock

	mu         sync.Mutex
	seq        uint64
	queue      []Customer
	def        Customer
	refunds    []RefundScript
	defRefund  RefundScript
	longPoll   bool
	blocked    bool
	faults     map[string][]Fault
	requests   map[string]int
	invoices   map[string]*invoice // by invoice_id
	byExternal map[string]*invoice // by external_id
	byPayID    map[string]*invoice // paid (or preloaded) payments by pay_id
	refundsBy  map[string]*refund  // by refund_id
	lastStatus map[string]time.Time
	fastCalls  int
	holds      map[int]time.Time // the wake-up of each status call held now
	holdSeq    int
}

// New returns a sim with opts.
func New(opts Options) *Sim {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Default.Does == "" {
		opts.Default = Customer{Does: Pay, Delay: 5 * time.Second}
	}
	if opts.DefaultRefund.Ends == "" {
		opts.DefaultRefund = RefundScript{Ends: RefundDone, After: 5 * time.Second}
	}
	def(&opts.InvoiceLifetime, 5*time.Minute)
	def(&opts.HoldFor, 2*time.Minute)
	def(&opts.UpstreamEvery, 3*time.Second)
	if opts.Merchant == (Merchant{}) {
		opts.Merchant = DefaultMerchant
	}
	if opts.FiscalModule == "" {
		opts.FiscalModule = "UZ191211501001"
	}
	if opts.RedirectTo == "" {
		opts.RedirectTo = "http://127.0.0.1:9/"
	}
	s := &Sim{
		o: opts, clk: opts.Clock,
		def: opts.Default, defRefund: opts.DefaultRefund, longPoll: opts.LongPoll,
		faults: map[string][]Fault{}, requests: map[string]int{},
		invoices: map[string]*invoice{}, byExternal: map[string]*invoice{}, byPayID: map[string]*invoice{},
		refundsBy: map[string]*refund{}, lastStatus: map[string]time.Time{}, holds: map[int]time.Time{},
	}
	now := s.clk.Now()
	for _, p := range opts.Payments {
		s.know(p, now)
	}
	return s
}

// know puts a payment of an earlier run in the ledger, paid and
// refundable up to what is left of it.
func (s *Sim) know(p Payment, now time.Time) {
	if known := s.byPayID[p.PayID]; known != nil {
		known.amount += p.Amount
		known.refunded += p.Refunded
		return
	}
	inv := &invoice{clk: s.clk, id: s.newID("INVC", now), externalID: p.ExternalID, amount: p.Amount, created: now,
		cust: Customer{Does: Pay}.withDefaults(), payID: p.PayID, refunded: p.Refunded,
		forced: &outcome{status: statusPaid, at: now}}
	s.invoices[inv.id] = inv
	s.byPayID[p.PayID] = inv
	if p.ExternalID != "" {
		s.byExternal[p.ExternalID] = inv
	}
}

// Next queues what the next customers do, in order.
func (s *Sim) Next(c ...Customer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, c...)
}

// SetDefault sets what customers do when the queue is empty.
func (s *Sim) SetDefault(c Customer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.def = c
}

func (s *Sim) nextCustomer() Customer {
	if len(s.queue) == 0 {
		return s.def.withDefaults()
	}
	c := s.queue[0]
	s.queue = s.queue[1:]
	return c.withDefaults()
}

// NextRefund queues how the next refunds end, in order.
func (s *Sim) NextRefund(r ...RefundScript) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refunds = append(s.refunds, r...)
}

// SetDefaultRefund sets how refunds end when the queue is empty.
func (s *Sim) SetDefaultRefund(r RefundScript) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.defRefund = r
}

func (s *Sim) nextRefund() RefundScript {
	if len(s.refunds) == 0 {
		return s.defRefund.withDefaults()
	}
	r := s.refunds[0]
	s.refunds = s.refunds[1:]
	return r.withDefaults()
}

// SetLongPoll switches the status mode: held until final (true) or
// answered at once.
func (s *Sim) SetLongPoll(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.longPoll = on
}

// Inject makes the next calls on path (e.g. "/payment/one_qr/create")
// meet faults, one call each, in order.
func (s *Sim) Inject(path string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], faults...)
}

// Requests counts the requests that reached path.
func (s *Sim) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// FastStatusCalls counts status calls on an invoice or refund that
// started less than 2 s after the one before: the contract asks for no
// more than one every 2 s.
func (s *Sim) FastStatusCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fastCalls
}

// Holding is how many status calls the sim holds now (long polling) and
// will not look at again until the clock moves: a test driving a till
// knows the till waits on the sim's clock then, rather than working. A
// hold whose wake-up is due counts as working, as it is about to answer
// or look upstream.
func (s *Sim) Holding() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now, n := s.clk.Now(), 0
	for _, wake := range s.holds {
		if wake.After(now) {
			n++
		}
	}
	return n
}

// Block blocks the dynamic QR, as the cabinet does: no new invoices
// (1002), unpaid ones are removed (3001), API keys are kept.
func (s *Sim) Block() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked = true
	now := s.clk.Now()
	for _, inv := range s.invoices {
		if inv.status(now, s.o.InvoiceLifetime) == statusInProgress {
			inv.removed = true
		}
	}
}

// ErrReason refuses an unblocking without a reason of at most 120
// characters, as the cabinet does.
var ErrReason = errors.New("sim: unblocking needs a reason of 1 to 120 characters")

// Unblock lets the QR take payments again.
func (s *Sim) Unblock(reason string) error {
	if n := utf8.RuneCountInString(strings.TrimSpace(reason)); n == 0 || n > 120 {
		return ErrReason
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked = false
	return nil
}

// ErrNoInvoice is returned for an invoice the sim does not hold.
var ErrNoInvoice = errors.New("sim: no such invoice")

// ErrFinal is returned for an invoice that is no longer in progress.
var ErrFinal = errors.New("sim: the invoice is no longer in progress")

// PayNow makes the customer of an invoice in progress pay now; DeclineNow
// decline it.
func (s *Sim) PayNow(invoiceID string) error { return s.force(invoiceID, statusPaid) }

func (s *Sim) DeclineNow(invoiceID string) error { return s.force(invoiceID, statusDeclined) }

func (s *Sim) force(id string, status int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.invoices[id]
	if inv == nil || inv.removed {
		return ErrNoInvoice
	}
	now := s.clk.Now()
	if inv.status(now, s.o.InvoiceLifetime) != statusInProgress {
		return ErrFinal
	}
	s.settle(inv, status, now)
	return nil
}

// InvoiceView is an invoice as the sim holds it.
type InvoiceView struct {
	ID         string `json:"invoice_id"`
	ExternalID string `json:"external_id,omitempty"`
	Amount     int64  `json:"amount"` // tiyin
	Status     int    `json:"status"` // 1 in progress, 2 paid, 3 declined, 0 removed
	Customer   string `json:"customer"`
	PayID      string `json:"pay_id,omitempty"`   // given at creation, on the wire once paid
	Refunded   int64  `json:"refunded,omitempty"` // tiyin, refunds done or pending
	ReceiptURL string `json:"fiscal_receipt_url,omitempty"`
	QRText     string `json:"qr_text,omitempty"`
}

// Invoice returns an invoice by its id.
func (s *Sim) Invoice(id string) (InvoiceView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.invoices[id]
	if inv == nil {
		return InvoiceView{}, false
	}
	return s.view(inv, s.clk.Now()), true
}

// Handler serves the contract under /payment/one_qr/ and the control
// surface under /sim/.
func (s *Sim) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/sim/") {
			s.control(w, r)
			return
		}
		s.api(w, r)
	})
}

// Server is a sim listening on a TCP address.
type Server struct {
	ln  net.Listener
	srv *http.Server
}

// Start serves the sim on addr ("127.0.0.1:0" picks a free port).
func (s *Sim) Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }() // returns ErrServerClosed on Close
	return &Server{ln: ln, srv: srv}, nil
}

// URL is the base URL to give a uzqr client.
func (sv *Server) URL() string { return "http://" + sv.ln.Addr().String() }

// Addr is the address the sim listens on.
func (sv *Server) Addr() net.Addr { return sv.ln.Addr() }

// Close stops the server and drops open connections, held ones included.
func (sv *Server) Close() error { return sv.srv.Close() }

// Shutdown stops the server gracefully.
func (sv *Server) Shutdown(ctx context.Context) error { return sv.srv.Shutdown(ctx) }
