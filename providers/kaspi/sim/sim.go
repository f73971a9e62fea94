package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
)

// Behaviour is what a scripted customer does.
type Behaviour string

const (
	PayQR              Behaviour = "qr"              // scans, confirms in the app
	PayCard            Behaviour = "card"            // presents a card, types the PIN
	Decline            Behaviour = "decline"         // scans, then cancels in the app
	NeverScan          Behaviour = "never"           // walks away: scan timeout
	ScanNoConfirm      Behaviour = "noconfirm"       // scans, never confirms: confirm timeout
	UnknownThenSuccess Behaviour = "unknown-success" // scans; the POS loses the outcome; the customer had paid
	UnknownThenFail    Behaviour = "unknown-fail"    // scans; the POS loses the outcome; the customer had cancelled
)

var behaviours = []Behaviour{PayQR, PayCard, Decline, NeverScan, ScanNoConfirm, UnknownThenSuccess, UnknownThenFail}

// Customer scripts one customer at the POS. Zero fields take defaults,
// except Delay, where zero means "as soon as the POS is ready".
type Customer struct {
	Does Behaviour
	// Delay is when, after the operation starts, the customer scans or
	// presents the card.
	Delay time.Duration
	// Think is how long the customer takes to confirm in the app or type
	// the PIN (default 2 s).
	Think time.Duration
	// ResolveAfter is, for UnknownThen*, how long after the process goes
	// unknown actualize can learn the outcome (default 20 s).
	ResolveAfter time.Duration
	// Product is addInfo.ProductType (default Gold).
	Product string
	// NoPIN: a contactless card payment without PIN.
	NoPIN    bool
	CardMask string // default "440043*****6389", as in the seed
	ICC      string // default "Visa Debit"
}

func (c Customer) withDefaults() Customer {
	if c.Does == "" {
		c.Does = PayQR
	}
	if c.Think <= 0 {
		c.Think = 2 * time.Second
	}
	if c.ResolveAfter <= 0 {
		c.ResolveAfter = 20 * time.Second
	}
	if c.Product == "" {
		c.Product = "Gold"
	}
	if c.CardMask == "" {
		c.CardMask = "440043*****6389"
	}
	if c.ICC == "" {
		c.ICC = "Visa Debit"
	}
	if c.Delay < 0 {
		c.Delay = 0
	}
	return c
}

// Shop is what the POS prints about the merchant and itself.
type Shop struct {
	StoreName  string
	City       string
	Address    string
	BIN        string
	TerminalID string
	PosNum     string
	SerialNum  string
}

// DefaultShop is the seed's sample merchant.
var DefaultShop = Shop{
	StoreName:  "Kaspi Mark",
	City:       "Алматы қ.",
	Address:    "Қонаев 11, 6",
	BIN:        "960419351140",
	TerminalID: "31452963",
	PosNum:     "0",
	SerialNum:  "00043010171",
}

// Options configure the sim. Zero fields take the defaults in brackets.
type Options struct {
	Clock    clock.Clock    // [clock.Real]
	Location *time.Location // zone of cheque and expiration dates [time.Local]
	Shop     Shop           // [DefaultShop]
	// Default is what customers do when the Next queue is empty
	// [PayQR, Delay 3 s].
	Default Customer

	InitDuration   time.Duration // Initialize [700 ms]
	ScanTimeout    time.Duration // [180 s]
	ConfirmTimeout time.Duration // [60 s]
	QRLifetime     time.Duration // [180 s]
	Retention      time.Duration // how long processes are kept [24 h]
	ActualizeEvery time.Duration // least spacing of actualize calls [10 s]

	// ChequeBeside writes storeName, status, terminalId and type beside
	// chequeInfo in data, as the seed's QR sample does (data then has two
	// "status" keys). Default: all inside chequeInfo, as the card sample.
	ChequeBeside bool

	// RequireToken turns on the secured API's token checks: every call but
	// register needs header accesstoken (401 when missing or unknown, 403
	// when expired).
	RequireToken  bool
	TokenLifetime time.Duration // [24 h]
	// RegisterAfter is when, after /v2/register, someone presses «Allow»
	// (or «Deny» with RegisterDeny). At RegisterWindow or more nobody does
	// and register fails after the window.
	RegisterAfter  time.Duration
	RegisterDeny   bool
	RegisterWindow time.Duration // [180 s]
	// ExpirationLayout formats expirationDate ["2006-01-02 15:04:05"];
	// "Jan 2, 2006 15:04:05" gives the seed's sample form.
	ExpirationLayout string

	SlowDelay time.Duration // how long FaultSlow holds the answer, on Clock [30 s]
	Seed      uint64        // seeds ids and tokens; the same seed gives the same run

	// Payments are the payments this POS took before the sim started (in
	// demo and training: rebuilt from the till's books of earlier runs), so
	// they can be refunded, up to what is left of them, as on the real POS.
	Payments []Payment
	// Used are numbers the POS gave before the sim started (orderNumbers
	// and rrns of payments and refunds, processIds): it never gives them
	// again. The numbers of Payments count as used.
	Used []string
}

// Payment is a payment the POS took before the sim started.
type Payment struct {
	Method        providers.Method
	TransactionID string // orderNumber for QR, rrn for card
	Amount        int64  // whole tenge
	Refunded      int64  // what earlier refunds returned, or may have
}

// Sim is a simulated Smart POS.
type Sim struct {
	o   Options
	clk clock.Clock

	mu          sync.Mutex
	rnd         *rand.Rand
	queue       []Customer
	def         Customer
	faults      map[string][]Fault
	procs       map[string]*process // by processId, until Retention
	ledger      map[string]*process // payments by method:transactionId, for good
	used        map[string]bool     // numbers given before the sim started
	current     *process
	lastPID     int64
	orderSeq    int64
	rrnSeq      int64
	violations  int
	requests    map[string]int
	pairs       map[string]*pairing
	registering bool
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
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Shop == (Shop{}) {
		opts.Shop = DefaultShop
	}
	if opts.Default.Does == "" {
		opts.Default = Customer{Does: PayQR, Delay: 3 * time.Second}
	}
	def(&opts.InitDuration, 700*time.Millisecond)
	def(&opts.ScanTimeout, 180*time.Second)
	def(&opts.ConfirmTimeout, 60*time.Second)
	def(&opts.QRLifetime, 180*time.Second)
	def(&opts.Retention, 24*time.Hour)
	def(&opts.ActualizeEvery, 10*time.Second)
	def(&opts.TokenLifetime, 24*time.Hour)
	def(&opts.RegisterWindow, 180*time.Second)
	def(&opts.SlowDelay, 30*time.Second)
	if opts.ExpirationLayout == "" {
		opts.ExpirationLayout = "2006-01-02 15:04:05"
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 4
	}
	s := &Sim{
		o:        opts,
		clk:      opts.Clock,
		rnd:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		def:      opts.Default,
		faults:   map[string][]Fault{},
		procs:    map[string]*process{},
		ledger:   map[string]*process{},
		used:     map[string]bool{},
		orderSeq: 504711333,
		rrnSeq:   307208187011,
		requests: map[string]int{},
		pairs:    map[string]*pairing{},
	}
	for _, n := range opts.Used {
		s.used[n] = true
	}
	for _, p := range opts.Payments {
		s.know(p)
	}
	return s
}

// know puts a payment of an earlier run in the ledger. A number the
// ledger holds already (a data file written when numbers repeated) adds to
// that payment, so each of them stays refundable.
func (s *Sim) know(p Payment) {
	s.used[p.TransactionID] = true
	key := ledgerKey(p.Method, p.TransactionID)
	if known := s.ledger[key]; known != nil {
		known.amount += p.Amount
		known.refunded += p.Refunded
		return
	}
	proc := &process{clk: s.clk, kind: kindPayment, method: p.Method, amount: p.Amount, refunded: p.Refunded,
		start: s.clk.Now(), cust: Customer{}.withDefaults()}
	sub := subQRSuccess
	if p.Method == providers.MethodCard {
		proc.rrn, sub = p.TransactionID, subCardSuccess
	} else {
		proc.orderNumber = p.TransactionID
	}
	proc.add(0, stSuccess, sub, "")
	s.ledger[key] = proc
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

// Inject makes the next calls on path (e.g. "/v2/payment") fail with
// faults, one call each, in order.
func (s *Sim) Inject(path string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path = normPath(path)
	s.faults[path] = append(s.faults[path], faults...)
}

func normPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/v2/" + p
	}
	return p
}

// ActualizeViolations counts /v2/actualize calls made less than
// ActualizeEvery after the previous one on the same process.
func (s *Sim) ActualizeViolations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.violations
}

// Requests counts the requests that reached path.
func (s *Sim) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[normPath(path)]
}

// Unpair removes a till's pairing, as an administrator does on the POS.
func (s *Sim) Unpair(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pairs, name)
}

// Handler serves the API under /v2/ and the control surface under /sim/.
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
	ln    net.Listener
	srv   *http.Server
	caPEM []byte // set when serving HTTPS
}

// Start serves the sim on addr ("127.0.0.1:0" picks a free port; the real
// POS listens on :8080).
func (s *Sim) Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }() // returns ErrServerClosed on Close
	return &Server{ln: ln, srv: srv}, nil
}

// URL is the base URL to give a kaspi.Client.
func (sv *Server) URL() string {
	if sv.caPEM != nil {
		return "https://" + sv.ln.Addr().String()
	}
	return "http://" + sv.ln.Addr().String()
}

// Addr is the address the sim listens on.
func (sv *Server) Addr() net.Addr { return sv.ln.Addr() }

// Close stops the server and drops open connections.
func (sv *Server) Close() error { return sv.srv.Close() }

// Shutdown stops the server gracefully.
func (sv *Server) Shutdown(ctx context.Context) error { return sv.srv.Shutdown(ctx) }
