package octo

import (
	"context"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
)

// Name is the provider's id.
const Name = "octo"

const (
	// MinPollEvery is the least time between two status calls (SPEC §5).
	MinPollEvery = 3 * time.Second
	// DefaultTTL is how long the pay page stays open (ttl, whole minutes).
	DefaultTTL = 15 * time.Minute
	// DefaultRefundPollEvery paces a refund followed in the background.
	DefaultRefundPollEvery = 30 * time.Second
	// MaxNotifyBody is the largest notification the handler reads.
	MaxNotifyBody = 64 << 10
)

// Product is one of the shop's products as OCTO registered it (seed 002):
// the basket item the till sends for a sale of it.
type Product struct {
	Name        string
	SPIC        string
	PackageCode string
	NDS         int
	INN         string // a legal entity's, or
	PINFL       string // a sole trader's
}

// ProductError says which field of which product is wrong: Field is its
// config name ("spic", "inn or pinfl"); Both is set when it has both inn
// and pinfl.
type ProductError struct {
	Product string
	Field   string
	Both    bool
}

func (e *ProductError) Error() string {
	if e.Both {
		return fmt.Sprintf("octo: product %q has both inn and pinfl: one of them", e.Product)
	}
	return fmt.Sprintf("octo: product %q has no %s", e.Product, e.Field)
}

// Validate says which field of the product is missing, naming it (a
// *ProductError).
func (p Product) Validate() error {
	missing := ""
	switch {
	case strings.TrimSpace(p.Name) == "":
		missing = "name"
	case p.SPIC == "":
		missing = "spic"
	case p.PackageCode == "":
		missing = "package_code"
	case p.INN == "" && p.PINFL == "":
		missing = "inn / pinfl"
	case p.INN != "" && p.PINFL != "":
		return &ProductError{Product: p.Name, Both: true}
	}
	if missing != "" {
		return &ProductError{Product: p.Name, Field: missing}
	}
	return nil
}

// Options configure the Provider. Zero fields take the defaults in
// brackets.
type Options struct {
	URL    string // [DefaultURL]
	ShopID int64
	Secret Secret // octo_secret
	// NotifyKey is unique_key, which signs notifications (not octo_secret);
	// without it every notification is refused.
	NotifyKey Secret
	// NotifyURL is the public address of the till's listener, sent as
	// notify_url; empty sends none (the till polls).
	NotifyURL string
	// Test asks for OCTO's test payments.
	Test     bool
	Language string // uz, ru, en ["ru"]
	// Products are the shop's registered products, in the order the
	// cashier picks them (a Sale names one by its Name). None: the basket
	// is omitted and OCTO uses the shop's first active product (seed 002).
	Products []Product
	// Contact is the shop's default phone or email for the fiscal receipt,
	// used when the sale names none.
	Contact Contact
	HTTP    *http.Client
	Clock   clock.Clock  // [clock.Real]
	Log     *slog.Logger // refused notifications, without secrets [not noted]

	TTL             time.Duration // [DefaultTTL], whole minutes
	PollEvery       time.Duration // at least MinPollEvery [MinPollEvery]
	RefundPollEvery time.Duration // [DefaultRefundPollEvery]
	CallTimeout     time.Duration // [DefaultCallTimeout]
}

// ParseContact reads a providers.Sale's Contact: an email, or a phone as
// +998 and nine digits (OCTO takes it as the twelve digits). Empty is no
// contact.
func ParseContact(s string) (Contact, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Contact{}, nil
	case strings.Contains(s, "@"):
		local, domain, _ := strings.Cut(s, "@")
		if local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(s, " \t,;<>") || strings.HasSuffix(domain, ".") {
			return Contact{}, fmt.Errorf("octo: %q is not an email address", s)
		}
		return Contact{Email: s}, nil
	}
	digits := strings.TrimPrefix(s, "+")
	if len(digits) != 12 || !strings.HasPrefix(digits, "998") || strings.Trim(digits, "0123456789") != "" {
		return Contact{}, fmt.Errorf("octo: %q is not a phone number of +998 and nine digits", s)
	}
	return Contact{Phone: digits}, nil
}

// Provider takes OCTO payments as a providers.Provider, Canceller (for a
// payment held for capture) and Pusher.
type Provider struct {
	client *Client
	opts   Options

	mu    sync.Mutex
	known map[string]known // by shop_transaction_id, as this Provider started them
}

type known struct {
	uuid string
	qr   providers.QR
}

var (
	_ providers.Provider   = (*Provider)(nil)
	_ providers.Canceller  = (*Provider)(nil)
	_ providers.Pusher     = (*Provider)(nil)
	_ providers.Fiscalizer = (*Provider)(nil)
)

// New returns a Provider, or an error saying which option is wrong.
func New(opts Options) (*Provider, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.TTL, DefaultTTL)
	def(&opts.PollEvery, MinPollEvery)
	def(&opts.RefundPollEvery, DefaultRefundPollEvery)
	def(&opts.CallTimeout, DefaultCallTimeout)
	opts.TTL = (opts.TTL + time.Minute - 1) / time.Minute * time.Minute
	if opts.URL == "" {
		opts.URL = DefaultURL
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Language == "" {
		opts.Language = "ru"
	}
	u, err := url.Parse(opts.URL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return nil, fmt.Errorf("octo: the address %q is not http(s)://host", opts.URL)
	case u.User != nil:
		return nil, errors.New("octo: the address must not carry a user or password")
	case opts.ShopID <= 0:
		return nil, errors.New("octo: no shop id")
	case opts.Secret == "":
		return nil, errors.New("octo: no secret (kassa key octo)")
	case opts.PollEvery < MinPollEvery:
		return nil, fmt.Errorf("octo: status calls every %v: no faster than every %v", opts.PollEvery, MinPollEvery)
	case opts.Language != "uz" && opts.Language != "ru" && opts.Language != "en":
		return nil, fmt.Errorf("octo: language %q: uz, ru or en", opts.Language)
	}
	names := map[string]bool{}
	for _, pr := range opts.Products {
		if err := pr.Validate(); err != nil {
			return nil, err
		}
		if names[pr.Name] {
			// A sale names its product: two of a name would be one.
			return nil, fmt.Errorf("octo: two products are named %q", pr.Name)
		}
		names[pr.Name] = true
	}
	if opts.NotifyURL != "" {
		if u, err := url.Parse(opts.NotifyURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("octo: the notify URL %q is not http(s)://host/path", opts.NotifyURL)
		}
	}
	c := &Client{BaseURL: opts.URL, HTTP: opts.HTTP, ShopID: opts.ShopID, Secret: opts.Secret, CallTimeout: opts.CallTimeout}
	return &Provider{client: c, opts: opts, known: map[string]known{}}, nil
}

// Client returns the wire client.
func (p *Provider) Client() *Client { return p.client }

func (p *Provider) Info() providers.Info {
	return providers.Info{
		Name:            Name,
		Currency:        providers.UZS,
		QRShownBy:       providers.DisplayTill,
		Methods:         []providers.Method{providers.MethodQR},
		PollEvery:       p.opts.PollEvery,
		ScanTimeout:     p.opts.TTL,
		CallTimeout:     p.opts.CallTimeout,
		StatusTimeout:   p.opts.CallTimeout,
		Refunds:         true,
		PartialRefunds:  true,
		RefundsAsync:    true,
		RefundPollEvery: p.opts.RefundPollEvery,
		StatusByID:      true,
	}
}

// Start starts a payment or a refund of req.Payment. A payment is
// prepare_payment whose shop_transaction_id is the operation id, with
// req.Sale's product as the basket for the whole amount and its contact
// (or the shop's) as user_data. Its Status is pending with the QR to draw
// (octo_pay_url, expiring after the ttl) and Ref the octo_payment_UUID.
// Sending the same operation again asks about the same payment.
func (p *Provider) Start(ctx context.Context, req providers.Request) (providers.Status, error) {
	if err := uzs(req.Amount); err != nil {
		return providers.Status{}, err
	}
	switch req.Kind {
	case providers.KindPayment:
		return p.startPayment(ctx, req)
	case providers.KindRefund:
		return p.startRefund(ctx, req)
	}
	return providers.Status{}, invalid("unknown operation kind %q", req.Kind)
}

// product finds the product a sale names; empty is the first.
func (p *Provider) product(name string) (Product, bool) {
	for _, pr := range p.opts.Products {
		if name == "" || pr.Name == name {
			return pr, true
		}
	}
	return Product{}, false
}

func (p *Provider) startPayment(ctx context.Context, req providers.Request) (providers.Status, error) {
	if req.OperationID == "" {
		return providers.Status{}, invalid("a payment without an operation id")
	}
	contact, err := ParseContact(req.Sale.Contact)
	if err != nil {
		return providers.Status{}, invalid("%v", err)
	}
	if contact == (Contact{}) {
		contact = p.opts.Contact
	}
	if contact == (Contact{}) {
		return providers.Status{}, invalid("no phone or email for the fiscal receipt, and no default_phone or default_email")
	}
	var basket []Item
	if len(p.opts.Products) > 0 {
		pr, ok := p.product(req.Sale.Product)
		if !ok {
			return providers.Status{}, invalid("the product %q is not among the shop's products", req.Sale.Product)
		}
		basket = []Item{{Desc: pr.Name, Count: 1, Price: req.Amount, SPIC: pr.SPIC, PackageCode: pr.PackageCode,
			NDS: pr.NDS, INN: pr.INN, PINFL: pr.PINFL}}
	} else if req.Sale.Product != "" {
		return providers.Status{}, invalid("the product %q: the shop lists no products", req.Sale.Product)
	}
	desc := req.Description
	if desc == "" {
		desc = "kassa " + req.OperationID
	}
	now := p.opts.Clock.Now()
	pay, err := p.client.Prepare(ctx, PrepareRequest{ShopTransactionID: req.OperationID, Test: p.opts.Test,
		InitTime: now, User: contact, Total: req.Amount, Description: desc, Basket: basket, TTL: p.opts.TTL,
		NotifyURL: p.opts.NotifyURL, Language: p.opts.Language})
	if err != nil {
		return providers.Status{}, err
	}
	p.mu.Lock()
	p.known[req.OperationID] = known{uuid: pay.UUID,
		qr: providers.QR{Payload: pay.PayURL, Expires: p.opts.Clock.Add(now, p.opts.TTL)}}
	p.mu.Unlock()
	return p.paymentStatus(pay), nil
}

// paymentState reads a payment's status: refunded since is paid.
func paymentState(s string) providers.State {
	switch s {
	case StatusSucceeded, StatusRefunded:
		return providers.StateSuccess
	case StatusCanceled, StatusFailed:
		return providers.StateFail
	}
	return providers.StatePending
}

func (p *Provider) paymentStatus(pay Payment) providers.Status {
	st := providers.Status{State: paymentState(pay.Status), Ref: pay.UUID, Method: providers.MethodQR,
		Detail: pay.Status, Raw: pay.Raw}
	switch st.State {
	case providers.StatePending:
		st.Stage = providers.StageWaitScan
		if pay.Status == StatusWaitingForCapture {
			st.Stage = providers.StageWaitConfirm
		}
		p.mu.Lock()
		k, ok := p.known[pay.ShopTransactionID]
		p.mu.Unlock()
		qr := providers.QR{Payload: pay.PayURL}
		if ok && k.uuid == pay.UUID {
			if qr.Payload == "" {
				qr.Payload = k.qr.Payload
			}
			qr.Expires = k.qr.Expires
		}
		if qr.Payload != "" {
			st.QR = &qr
		}
	case providers.StateSuccess:
		st.Stage = providers.StageDone
		// A refund and fiscal-data quote the payment by its UUID.
		st.TransactionID = pay.UUID
		st.Cheque = &providers.Cheque{Type: "payment", Method: providers.MethodQR, OrderNumber: pay.ShopTransactionID,
			ProviderPaymentID: pay.UUID, Status: pay.Status}
	case providers.StateFail:
		st.Stage = providers.StageDone
		st.Message = pay.Status
	}
	if st.State.Final() {
		// Nothing is drawn any more; a later notification is checked by
		// the status call alone.
		p.mu.Lock()
		delete(p.known, pay.ShopTransactionID)
		p.mu.Unlock()
	}
	return st
}

// Status is prepare_payment with only the shop_transaction_id for a
// payment, the same refund sent again (its shop_refund_id makes it the
// same refund) for a refund.
func (p *Provider) Status(ctx context.Context, h providers.Handle) (providers.Status, error) {
	if h.Kind == providers.KindRefund {
		uuid, amount, ok := splitRefundRef(h.Ref)
		if !ok || h.OperationID == "" {
			return providers.Status{}, invalid("refund %s has no OCTO ref to ask about", h.OperationID)
		}
		r, err := p.client.Refund(ctx, h.OperationID, uuid, providers.New(amount, providers.UZS))
		if err != nil {
			return providers.Status{}, err
		}
		return refundStatus(r, h.Ref), nil
	}
	if h.OperationID == "" {
		return providers.Status{}, invalid("a payment without an operation id")
	}
	pay, err := p.client.Status(ctx, h.OperationID)
	if err != nil {
		return providers.Status{}, err
	}
	if h.Ref != "" && pay.UUID != h.Ref {
		return providers.Status{}, &providers.Error{Kind: providers.ErrMalformed,
			Err: fmt.Errorf("operation %s is payment %s, OCTO answered %s", h.OperationID, h.Ref, pay.UUID)}
	}
	return p.paymentStatus(pay), nil
}

// RefundRef is a refund's Ref: the payment's UUID and the amount in tiyin,
// joined by '#', which with the refund's operation id (its shop_refund_id)
// is what asking about it again takes.
func RefundRef(uuid string, amount int64) string { return uuid + "#" + strconv.FormatInt(amount, 10) }

func splitRefundRef(ref string) (string, int64, bool) {
	uuid, a, ok := strings.Cut(ref, "#")
	n, err := strconv.ParseInt(a, 10, 64)
	return uuid, n, ok && uuid != "" && err == nil && n > 0
}

func (p *Provider) startRefund(ctx context.Context, req providers.Request) (providers.Status, error) {
	uuid := req.TransactionID
	if uuid == "" {
		uuid = req.Payment.Ref
	}
	if uuid == "" {
		return providers.Status{}, invalid("a refund needs the payment's octo_payment_UUID")
	}
	r, err := p.client.Refund(ctx, req.OperationID, uuid, req.Amount)
	if err != nil {
		return providers.Status{}, err
	}
	return refundStatus(r, RefundRef(uuid, req.Amount.Minor)), nil
}

func refundStatus(r Refund, ref string) providers.Status {
	st := providers.Status{State: providers.StatePending, Ref: ref, Stage: providers.StageRefund,
		Method: providers.MethodQR, Detail: r.Status, Raw: r.Raw}
	switch r.Status {
	case RefundSucceeded:
		st.State, st.Stage = providers.StateSuccess, providers.StageDone
		st.Cheque = &providers.Cheque{Type: "refund", Method: providers.MethodQR, OrderNumber: r.RefundID,
			ProviderPaymentID: r.UUID, Date: r.Time, Status: r.Status}
	case RefundCanceled, RefundError:
		st.State, st.Stage, st.Message = providers.StateFail, providers.StageDone, r.Status
	}
	return st
}

// Cancel withdraws a payment held for capture (set_accept cancel). kassa
// sends auto_capture true (SPEC §5): a two-stage payment would leave a
// customer's money held whenever the till dies before it captures, so
// the till takes one-stage payments and cancels only what OCTO still
// holds. A payment the customer has not paid cannot be withdrawn at OCTO:
// its pay page closes after the ttl; Cancel says so (ErrNotResolvable)
// and the tracker keeps following it, so a late payment is seen. An
// already failed payment is nil; a paid one ErrNotResolvable.
func (p *Provider) Cancel(ctx context.Context, h providers.Handle) error {
	st, err := p.Status(ctx, h)
	if err != nil {
		return err
	}
	switch {
	case st.State == providers.StateFail:
		return nil
	case st.Detail == StatusWaitingForCapture:
		_, err := p.client.SetAccept(ctx, st.Ref, false)
		return err
	case st.State == providers.StateSuccess:
		return &providers.Error{Kind: providers.ErrNotResolvable, Err: errors.New("the payment was made: refund it instead")}
	}
	return &providers.Error{Kind: providers.ErrNotResolvable,
		Err: fmt.Errorf("OCTO cannot withdraw a payment that is %s: its pay page closes after %v", st.Detail, p.opts.TTL)}
}

// FiscalData asks for the fiscal receipt of the payment uuid (the paid
// Status's TransactionID). Not ready yet is ErrNotFound wrapping
// ErrFiscalNotReady.
func (p *Provider) FiscalData(ctx context.Context, uuid string) (FiscalData, error) {
	return p.client.FiscalData(ctx, uuid)
}

// Products are the products' names, in the cashier's order.
func (p *Provider) Products() []string {
	names := make([]string, len(p.opts.Products))
	for i, pr := range p.opts.Products {
		names[i] = pr.Name
	}
	return names
}

// DefaultContact is the shop's phone (+998…) or email for a customer who
// gives none.
func (p *Provider) DefaultContact() string {
	if p.opts.Contact.Phone != "" {
		return "+" + p.opts.Contact.Phone
	}
	return p.opts.Contact.Email
}

// Fiscalize is fiscal-data for the payment h (its Ref is the UUID).
func (p *Provider) Fiscalize(ctx context.Context, h providers.Handle) (providers.Fiscal, error) {
	if h.Kind != providers.KindPayment || h.Ref == "" {
		return providers.Fiscal{}, invalid("fiscal data is asked for a paid payment by its octo_payment_UUID")
	}
	f, err := p.client.FiscalData(ctx, h.Ref)
	if err != nil {
		return providers.Fiscal{}, err
	}
	return *f.Fiscal(), nil
}

// checkTransactionID is an id no till ever sends: asking about it tells a
// host that takes the shop and secret from one that does not.
const checkTransactionID = "kassa-check-0000000000"

// Check is the connection test (kassa check octo): a status call for a
// transaction that cannot exist. nil means OCTO answered and did not
// refuse the shop or the secret; ErrAuth that it did; otherwise the
// address is wrong or unreachable.
func (p *Provider) Check(ctx context.Context) error {
	_, err := p.client.Status(ctx, checkTransactionID)
	var pe *providers.Error
	switch {
	case err == nil:
		return nil
	case providers.KindOf(err) == providers.ErrAuth:
		return err
	case errors.As(err, &pe) && pe.Code != "":
		return nil // a refusal of the unknown transaction: the shop and secret were taken
	}
	return err
}

// Signature is a notification's signature: the uppercase hex SHA1 of
// unique_key + octo_payment_UUID + status.
func Signature(notifyKey Secret, uuid, status string) string {
	sum := sha1.Sum([]byte(string(notifyKey) + uuid + status))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// Notification is a notification's fields the till reads.
type Notification struct {
	ShopTransactionID string `json:"shop_transaction_id"`
	UUID              string `json:"octo_payment_UUID"`
	Status            string `json:"status"`
	Signature         string `json:"signature"`
}

// VerifyNotification checks n's signature with notifyKey, in constant
// time and whatever its case.
func VerifyNotification(notifyKey Secret, n Notification) bool {
	if notifyKey == "" {
		return false
	}
	want := []byte(Signature(notifyKey, n.UUID, n.Status))
	got := []byte(strings.ToUpper(n.Signature))
	return subtle.ConstantTimeCompare(want, got) == 1
}

// Callbacks is the notify listener's handler (serve it on NotifyURL's
// path). A notification is believed only once its signature holds and a
// status call for its shop_transaction_id names the same
// octo_payment_UUID (the signature covers neither the id nor the amount):
// a forged one, or one with another transaction's UUID, gets 400 and
// changes nothing. The Event carries that status call's answer, not the
// notification's word. 200 only once deliver returned nil; 500 when the
// status call or deliver failed, so OCTO sends it again.
func (p *Provider) Callbacks(deliver func(context.Context, providers.Event) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxNotifyBody))
		if err != nil {
			p.reject(r, "notification unreadable or over the limit", err)
			http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		var n Notification
		if err := json.Unmarshal(body, &n); err != nil || n.ShopTransactionID == "" || n.UUID == "" {
			p.reject(r, "notification refused", errors.New("not a notification"))
			http.Error(w, "bad notification", http.StatusBadRequest)
			return
		}
		if !VerifyNotification(p.opts.NotifyKey, n) {
			p.reject(r, "notification refused", errors.New("bad signature"))
			http.Error(w, "bad notification", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		k, ok := p.known[n.ShopTransactionID]
		p.mu.Unlock()
		if ok && k.uuid != n.UUID {
			p.reject(r, "notification refused", fmt.Errorf("%s is not the payment of %s", n.UUID, n.ShopTransactionID))
			http.Error(w, "bad notification", http.StatusBadRequest)
			return
		}
		pay, err := p.client.Status(r.Context(), n.ShopTransactionID)
		if err != nil {
			if p.opts.Log != nil {
				p.opts.Log.Warn("octo notification not confirmed; OCTO will send it again",
					"shop_transaction_id", n.ShopTransactionID, "err", err)
			}
			http.Error(w, "not confirmed", http.StatusInternalServerError)
			return
		}
		if pay.UUID != n.UUID {
			p.reject(r, "notification refused", fmt.Errorf("%s is not the payment of %s", n.UUID, n.ShopTransactionID))
			http.Error(w, "bad notification", http.StatusBadRequest)
			return
		}
		e := providers.Event{Handle: providers.Handle{Kind: providers.KindPayment, OperationID: n.ShopTransactionID, Ref: pay.UUID},
			Status: p.paymentStatus(pay)}
		if err := deliver(r.Context(), e); err != nil {
			if p.opts.Log != nil {
				p.opts.Log.Warn("octo notification not stored; OCTO will send it again",
					"shop_transaction_id", n.ShopTransactionID, "err", err)
			}
			http.Error(w, "not stored", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		// No accept_status: the till takes one-stage payments and captures
		// nothing by answering.
		_, _ = io.WriteString(w, `{}`)
	})
}

func (p *Provider) reject(r *http.Request, what string, err error) {
	if p.opts.Log != nil {
		p.opts.Log.Warn("octo "+what, "from", r.RemoteAddr, "err", err)
	}
}
