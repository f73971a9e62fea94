package monetix

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
)

// Name is the provider's id.
const Name = "monetix"

const (
	// MinAmount and MaxAmount are Click QR's purchase limits (seed 003):
	// 50,000.00 and 20,000,000.00 UZS, in tiyin.
	MinAmount = 5_000_000
	MaxAmount = 2_000_000_000
	// MaxPaymentID is the longest payment_id the till sends. Seed 003
	// gives no limit; the Gate's public API reference takes strings of up
	// to 255 characters.
	MaxPaymentID = 255
	// DefaultScanTimeout is how long the till waits for the customer: the
	// QR's lifetime in seed 003's display_data (600 s). A callback's own
	// lifetime sets the QR's expiry.
	DefaultScanTimeout = 10 * time.Minute
	// MinPollEvery is the least time between two status requests (SPEC §4).
	MinPollEvery = 5 * time.Second
	// DefaultRefundPollEvery paces a refund followed in the background.
	DefaultRefundPollEvery = 30 * time.Second
	// MaxCallbackBody is the largest callback the listener reads.
	MaxCallbackBody = 64 << 10
)

// ErrRefundsInDashboard is wrapped by the ErrUnsupported error a refund
// gets where the project's refunds are not enabled (Options.Refunds):
// they are made in the Monetix dashboard.
var ErrRefundsInDashboard = errors.New("Click QR refunds are made in the Monetix dashboard")

// Options configure the Provider. Zero fields take the defaults in
// brackets.
type Options struct {
	// URL is the Gate [DefaultURL].
	URL       string
	ProjectID int64
	// Secret is the project's secret key: it signs requests and verifies
	// callbacks.
	Secret Secret
	// CallbackURL is the public address of the till's listener, sent as
	// merchant_callback_url; empty leaves the project's own setting.
	CallbackURL string
	// Refunds: the project has refunds enabled at Monetix.
	Refunds bool
	// CustomerID and CustomerIP fill the sale's required customer object
	// ["kassa", "127.0.0.1"]: the till does not know its shoppers.
	CustomerID string
	CustomerIP string
	// HTTP sends the requests [a client with a 10 s dial timeout].
	HTTP *http.Client
	// Clock stamps a QR's expiry [clock.Real].
	Clock clock.Clock
	// Log notes rejected callbacks (why, and from where; never the key or
	// the body) [not noted].
	Log *slog.Logger

	ScanTimeout     time.Duration // [DefaultScanTimeout]
	PollEvery       time.Duration // at least MinPollEvery [MinPollEvery]
	RefundPollEvery time.Duration // [DefaultRefundPollEvery]
	CallTimeout     time.Duration // [DefaultCallTimeout]
	// SaleRetries is how many times a sale refused with 314, 601 or 602 is
	// sent again, RetryPause apart, before the refusal stands [0]: the
	// same payment_id makes it safe.
	SaleRetries int
}

// Provider takes Click QR payments through the Gate as a
// providers.Provider and providers.Pusher.
type Provider struct {
	client *Client
	opts   Options

	mu  sync.Mutex
	qrs map[string]providers.QR // by payment_id: the QR callbacks brought
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Pusher   = (*Provider)(nil)
)

// New returns a Provider, or an error saying which option is wrong.
func New(opts Options) (*Provider, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.ScanTimeout, DefaultScanTimeout)
	def(&opts.PollEvery, MinPollEvery)
	def(&opts.RefundPollEvery, DefaultRefundPollEvery)
	def(&opts.CallTimeout, DefaultCallTimeout)
	if opts.URL == "" {
		opts.URL = DefaultURL
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.CustomerID == "" {
		opts.CustomerID = "kassa"
	}
	if opts.CustomerIP == "" {
		opts.CustomerIP = "127.0.0.1"
	}
	u, err := url.Parse(opts.URL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return nil, fmt.Errorf("monetix: the Gate's address %q is not http(s)://host", opts.URL)
	case u.User != nil:
		return nil, errors.New("monetix: the Gate's address must not carry a user or password")
	case opts.ProjectID <= 0:
		return nil, errors.New("monetix: no project id")
	case opts.Secret == "":
		return nil, errors.New("monetix: no secret key (kassa key monetix)")
	case opts.PollEvery < MinPollEvery:
		return nil, fmt.Errorf("monetix: status requests every %v: no faster than every %v", opts.PollEvery, MinPollEvery)
	}
	if opts.CallbackURL != "" {
		if u, err := url.Parse(opts.CallbackURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("monetix: the callback URL %q is not http(s)://host/path", opts.CallbackURL)
		}
	}
	c := &Client{BaseURL: opts.URL, HTTP: opts.HTTP, ProjectID: opts.ProjectID, Secret: opts.Secret,
		CallbackURL: opts.CallbackURL, CallTimeout: opts.CallTimeout}
	return &Provider{client: c, opts: opts, qrs: map[string]providers.QR{}}, nil
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
		ScanTimeout:     p.opts.ScanTimeout,
		CallTimeout:     p.opts.CallTimeout,
		StatusTimeout:   p.opts.CallTimeout,
		MinAmount:       providers.New(MinAmount, providers.UZS),
		MaxAmount:       providers.New(MaxAmount, providers.UZS),
		MaxIDLength:     MaxPaymentID,
		Refunds:         p.opts.Refunds,
		PartialRefunds:  p.opts.Refunds,
		RefundsAsync:    true,
		RefundPollEvery: p.opts.RefundPollEvery,
	}
}

func invalid(format string, args ...any) error {
	return &providers.Error{Kind: providers.ErrInvalid, Err: fmt.Errorf(format, args...)}
}

// Start sends a sale whose payment_id is the operation id, or a refund of
// the payment req.Payment. Neither answer brings an outcome: the sale's
// Status is pending with no QR yet (Stage starting) until a callback or a
// status request tells more. A sale outside the limits or with too long
// an id is refused before anything is sent. A sale refused with 3041
// (the payment_id is taken: an earlier attempt of this very operation
// whose answer was lost) is looked up and, when it is the same amount,
// answered as started.
func (p *Provider) Start(ctx context.Context, req providers.Request) (providers.Status, error) {
	if err := uzs(req.Amount); err != nil {
		return providers.Status{}, err
	}
	switch req.Kind {
	case providers.KindPayment:
		info := p.Info()
		if !info.Fits(req.Amount) {
			return providers.Status{}, &providers.Error{Kind: providers.ErrLimit,
				Err: fmt.Errorf("Click QR takes %s to %s, not %s", info.MinAmount, info.MaxAmount, req.Amount)}
		}
		if n := utf8.RuneCountInString(req.OperationID); n == 0 || n > MaxPaymentID {
			return providers.Status{}, invalid("the operation id %q is not 1 to %d characters", req.OperationID, MaxPaymentID)
		}
		sale := SaleRequest{PaymentID: req.OperationID, Amount: req.Amount,
			Description: req.Description, CustomerID: p.opts.CustomerID, CustomerIP: p.opts.CustomerIP}
		_, err := p.client.Sale(ctx, sale)
		sent := 1
		for ; sent <= p.opts.SaleRetries && Retryable(err); sent++ {
			t := p.opts.Clock.NewTimer(RetryPause)
			select {
			case <-ctx.Done():
				t.Stop()
				return providers.Status{}, err
			case <-t.C:
			}
			_, err = p.client.Sale(ctx, sale)
		}
		var retried *providers.Error
		if sent > 1 && Retryable(err) && errors.As(err, &retried) {
			// The cashier's sentence shows the Gate's words: they say the
			// till did not give up at once.
			retried.Text += fmt.Sprintf(" (sent %d times, %v apart)", sent, RetryPause)
		}
		var pe *providers.Error
		if errors.As(err, &pe) && pe.Code == "3041" {
			pay, serr := p.client.Status(ctx, req.OperationID)
			if serr != nil || pay.Amount != req.Amount.Minor {
				return providers.Status{}, err
			}
			return p.paymentStatus(pay), nil
		}
		if err != nil {
			return providers.Status{}, err
		}
		return providers.Status{State: providers.StatePending, Ref: req.OperationID, Stage: providers.StageStarting,
			Method: providers.MethodQR}, nil
	case providers.KindRefund:
		if !p.opts.Refunds {
			return providers.Status{}, &providers.Error{Kind: providers.ErrUnsupported, Err: ErrRefundsInDashboard}
		}
		pid := req.TransactionID
		if pid == "" {
			pid = req.Payment.OperationID
		}
		if pid == "" {
			return providers.Status{}, invalid("a refund needs the payment's payment_id")
		}
		ack, err := p.client.Refund(ctx, pid, req.Amount, req.Description)
		if err != nil {
			return providers.Status{}, err
		}
		return providers.Status{State: providers.StatePending, Ref: RefundRef(pid, ack.RequestID),
			Stage: providers.StageRefund, Method: providers.MethodQR, Raw: ack.Raw}, nil
	}
	return providers.Status{}, invalid("unknown operation kind %q", req.Kind)
}

// RefundRef is a refund's Ref: the payment's payment_id and the refund
// request's request_id, which its operation carries, joined by '#'.
func RefundRef(paymentID, requestID string) string { return paymentID + "#" + requestID }

func splitRefundRef(ref string) (paymentID, requestID string, ok bool) {
	i := strings.LastIndexByte(ref, '#')
	if i <= 0 || i == len(ref)-1 {
		return "", "", false
	}
	return ref[:i], ref[i+1:], true
}

// Status is the signed status request: for a payment by its payment_id
// (the operation id), for a refund by the operation its request_id names.
// The Gate's status carries no display_data: a QR a callback brought to
// this Provider is added while the payment is pending.
func (p *Provider) Status(ctx context.Context, h providers.Handle) (providers.Status, error) {
	if h.Kind == providers.KindRefund {
		pid, rid, ok := splitRefundRef(h.Ref)
		if !ok {
			return providers.Status{}, invalid("refund %s has no Monetix ref to ask about", h.OperationID)
		}
		pay, err := p.client.Status(ctx, pid)
		if err != nil {
			return providers.Status{}, err
		}
		st := providers.Status{State: providers.StatePending, Ref: h.Ref, Stage: providers.StageRefund,
			Method: providers.MethodQR, Raw: pay.Raw}
		for _, op := range pay.Operations {
			if op.RequestID == rid {
				p.applyRefund(&st, pay, op)
			}
		}
		return st, nil
	}
	pid := h.OperationID
	if pid == "" {
		pid = h.Ref
	}
	if pid == "" {
		return providers.Status{}, invalid("a payment without an operation id")
	}
	pay, err := p.client.Status(ctx, pid)
	if err != nil {
		return providers.Status{}, err
	}
	return p.paymentStatus(pay), nil
}

// paymentState reads payment.status: a payment refunded since was paid.
func paymentState(s string) providers.State {
	if s == "refunded" || s == "partially refunded" {
		return providers.StateSuccess
	}
	return operationState(s)
}

// operationState reads an operation's status.
func operationState(s string) providers.State {
	switch s {
	case "success":
		return providers.StateSuccess
	case "decline", "declined", "error", "external error", "internal error", "cancelled", "canceled", "expired":
		return providers.StateFail
	}
	return providers.StatePending
}

// lastSale is the payment's latest sale operation, if it lists one.
func lastSale(pay Payment) (Operation, bool) {
	for i := len(pay.Operations) - 1; i >= 0; i-- {
		if t := pay.Operations[i].Type; t == "sale" || t == "" {
			return pay.Operations[i], true
		}
	}
	return Operation{}, false
}

func (p *Provider) paymentStatus(pay Payment) providers.Status {
	op, _ := lastSale(pay)
	return p.saleStatus(pay, op)
}

// saleStatus is a payment's Status from its payment.status and its sale
// operation.
func (p *Provider) saleStatus(pay Payment, op Operation) providers.Status {
	st := providers.Status{State: paymentState(pay.Status), Ref: pay.ID, Method: providers.MethodQR,
		Detail: pay.Status, Raw: pay.Raw}
	switch st.State {
	case providers.StatePending:
		st.Stage = providers.StageStarting
		p.mu.Lock()
		qr, ok := p.qrs[pay.ID]
		p.mu.Unlock()
		if ok {
			st.QR, st.Stage = &qr, providers.StageWaitScan
		}
		return st
	case providers.StateSuccess:
		st.Stage = providers.StageDone
		// A refund quotes the payment by its payment_id.
		st.TransactionID = pay.ID
		date := op.Date
		if date == "" {
			date = pay.Date
		}
		st.Cheque = &providers.Cheque{Type: "payment", Method: providers.MethodQR, OrderNumber: pay.ID,
			Status: op.Message, Date: date, HostResponseCode: op.Code, AuthorizationCode: op.AuthCode,
			GateOperation: op.ID, ProviderPaymentID: op.ProviderPaymentID,
			Amount: providers.New(pay.Amount, providers.UZS).String()}
	case providers.StateFail:
		st.Stage = providers.StageDone
		st.Message = op.Message
		if op.Code != "" {
			st.Detail = op.Code
		}
	}
	p.mu.Lock()
	delete(p.qrs, pay.ID)
	p.mu.Unlock()
	return st
}

func (p *Provider) applyRefund(st *providers.Status, pay Payment, op Operation) {
	st.State = operationState(op.Status)
	st.Detail = op.Status
	switch st.State {
	case providers.StateSuccess:
		st.Stage = providers.StageDone
		st.Cheque = &providers.Cheque{Type: "refund", Method: providers.MethodQR, OrderNumber: pay.ID,
			Status: op.Message, Date: op.Date, HostResponseCode: op.Code, GateOperation: op.ID,
			ProviderPaymentID: op.ProviderPaymentID, Amount: providers.New(op.Amount, providers.UZS).String()}
	case providers.StateFail:
		st.Stage = providers.StageDone
		st.Message = op.Message
		if op.Code != "" {
			st.Detail = op.Code
		}
	}
}

// Event reads a verified callback as the event it tells: the QR to draw
// (display_data, Stage wait_scan, the QR's expiry its lifetime from now),
// or a sale's or refund's outcome with its code and message.
func (p *Provider) Event(cb Callback) providers.Event {
	pay := cb.Payment
	pay.Raw = cb.Raw
	if cb.Operation != nil && cb.Operation.Type == "refund" {
		ref := RefundRef(pay.ID, cb.Operation.RequestID)
		st := providers.Status{State: providers.StatePending, Ref: ref, Stage: providers.StageRefund,
			Method: providers.MethodQR, Raw: cb.Raw}
		p.applyRefund(&st, pay, *cb.Operation)
		return providers.Event{Handle: providers.Handle{Kind: providers.KindRefund, Ref: ref}, Status: st}
	}
	h := providers.Handle{Kind: providers.KindPayment, OperationID: pay.ID, Ref: pay.ID}
	var op Operation
	if cb.Operation != nil {
		op = *cb.Operation
		if paymentState(pay.Status) == providers.StatePending && operationState(op.Status).Final() {
			pay.Status = op.Status
		}
	}
	if d := cb.Display; d != nil && d.QRData != "" && paymentState(pay.Status) == providers.StatePending {
		qr := providers.QR{Payload: d.QRData, Receiver: d.ReceiverName, Account: d.ReceiverAccount, Bank: d.BankName}
		if d.Lifetime > 0 {
			qr.Expires = p.opts.Clock.Add(p.opts.Clock.Now(), d.Lifetime)
		}
		p.mu.Lock()
		p.forgetExpired()
		p.qrs[pay.ID] = qr
		p.mu.Unlock()
	}
	return providers.Event{Handle: h, Status: p.saleStatus(pay, op)}
}

// forgetExpired drops QRs no longer scannable, so payments whose outcome
// this Provider never asked about do not pile up. p.mu is held.
func (p *Provider) forgetExpired() {
	if len(p.qrs) < 256 {
		return
	}
	now := p.opts.Clock.Now()
	for id, qr := range p.qrs {
		if qr.Expires.IsZero() || p.opts.Clock.Sub(now, qr.Expires) > 0 {
			delete(p.qrs, id)
		}
	}
}

// Callbacks is the listener's handler (serve it on the path of the
// callback URL). It takes POSTs of at most MaxCallbackBody, verifies the
// signature before it reads anything (400 for a forged or altered
// callback, or one for another project, noted in Options.Log), hands the
// event to deliver, and answers 200 only when deliver returned nil, 500
// otherwise so the Gate sends it again. deliver must be idempotent: the
// Gate repeats callbacks.
func (p *Provider) Callbacks(deliver func(context.Context, providers.Event) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCallbackBody))
		if err != nil {
			p.reject(r, "body unreadable or over the limit", err)
			http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		cb, err := ParseCallback(p.opts.Secret, body)
		if err == nil && cb.ProjectID != p.opts.ProjectID {
			err = fmt.Errorf("for project %d, not %d", cb.ProjectID, p.opts.ProjectID)
		}
		if err != nil {
			p.reject(r, "callback refused", err)
			http.Error(w, "bad callback", http.StatusBadRequest)
			return
		}
		if err := deliver(r.Context(), p.Event(cb)); err != nil {
			if p.opts.Log != nil {
				p.opts.Log.Warn("monetix callback not stored; the Gate will send it again",
					"payment_id", cb.Payment.ID, "err", err)
			}
			http.Error(w, "not stored", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "OK")
	})
}

func (p *Provider) reject(r *http.Request, what string, err error) {
	if p.opts.Log != nil {
		p.opts.Log.Warn("monetix "+what, "from", r.RemoteAddr, "err", err)
	}
}

// checkPaymentID is a payment_id no till ever sends: asking about it
// tells a Gate that takes the signature (3061) from one that does not.
const checkPaymentID = "kassa-check-0000000000"

// Check is the connection test (kassa check monetix): a signed status
// request for a payment that cannot exist. nil means the Gate answered
// and took the signature (3061, not found). Otherwise: ErrAuth for a
// wrong project (2442) or a refused signature (502), ErrUnreachable or
// ErrNoAnswer for the address, ErrMalformed when what answered does not
// speak the contract.
func (p *Provider) Check(ctx context.Context) error {
	_, err := p.client.Status(ctx, checkPaymentID)
	var pe *providers.Error
	switch {
	case err == nil:
		return &providers.Error{Kind: providers.ErrMalformed,
			Err: fmt.Errorf("the Gate reported a status for %s, which cannot exist", checkPaymentID)}
	case providers.KindOf(err) == providers.ErrNotFound:
		return nil
	case errors.As(err, &pe) && pe.Code == "502":
		return &providers.Error{Kind: providers.ErrAuth, HTTPStatus: pe.HTTPStatus, Code: pe.Code, Text: pe.Text,
			Err: errors.New("the Gate refused the signed request: check the project id and secret key")}
	}
	return err
}
