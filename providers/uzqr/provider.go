package uzqr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/kassa-till/kassa/providers"
)

const (
	// DefaultScanTimeout is how long the till shows an invoice's QR before
	// it cancels the invoice. Neither the cabinet guide nor the box's
	// contract gives an invoice a lifetime, so the till sets one: the
	// 3 minutes of a Kaspi QR (seed 004), the lifetime shoppers in the
	// region know, which also holds one whole status call held by the box
	// (2 minutes) with time to spare.
	DefaultScanTimeout = 3 * time.Minute
	// DefaultPollEvery is the least time between two status calls: the
	// contract asks for no more than one every 2 s when the box answers
	// at once.
	DefaultPollEvery = 2 * time.Second
	// DefaultRefundPollEvery paces a refund followed in the background (it
	// may take hours; the tracker asks less often as it ages).
	DefaultRefundPollEvery = 10 * time.Second
	// MaxExternalID is the longest external_id the box takes.
	MaxExternalID = 20
)

// Name is the provider's id.
const Name = "uzqr"

// Options configure the Provider. Zero fields take the defaults in
// brackets.
type Options struct {
	// URL is the box's (or gateway's) address: http(s)://host:port.
	URL string
	// INN is the merchant's tax id (9 digits) or PINFL (14 digits), sent
	// as X-Inn when set.
	INN string
	// APIKey is the API key of the till's dynamic QR, sent as X-Api-Key
	// when set. The cabinet shows it once; keep it 0600.
	APIKey Secret
	// QRName is the till's dynamic QR as named in the cabinet (CASH_1).
	// The till's operations carry it as their terminal (Cheque.TerminalID),
	// which the history filters by.
	QRName string
	// HTTP sends the requests [a client with a 5 s dial timeout].
	HTTP *http.Client

	ScanTimeout     time.Duration // the QR's lifetime on the till [DefaultScanTimeout]
	PollEvery       time.Duration // at least 2 s [DefaultPollEvery]
	RefundPollEvery time.Duration // [DefaultRefundPollEvery]
	CallTimeout     time.Duration // [DefaultCallTimeout]
	StatusTimeout   time.Duration // at least MinStatusTimeout [MinStatusTimeout]
}

// Provider drives a one_qr box through Client as a providers.Provider,
// Canceller and ReceiptLinker. A payment's Ref is its invoice id, a
// refund's its refund id; Handle.Kind says which status call to make.
type Provider struct {
	client *Client
	opts   Options
}

var (
	_ providers.Provider      = (*Provider)(nil)
	_ providers.Canceller     = (*Provider)(nil)
	_ providers.ReceiptLinker = (*Provider)(nil)
)

// New returns a Provider for the box opts name, or an error saying which
// option is wrong.
func New(opts Options) (*Provider, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.ScanTimeout, DefaultScanTimeout)
	def(&opts.PollEvery, DefaultPollEvery)
	def(&opts.RefundPollEvery, DefaultRefundPollEvery)
	def(&opts.CallTimeout, DefaultCallTimeout)
	def(&opts.StatusTimeout, MinStatusTimeout)
	u, err := url.Parse(opts.URL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return nil, fmt.Errorf("uzqr: the box's address %q is not http(s)://host:port", opts.URL)
	case u.User != nil:
		return nil, errors.New("uzqr: the box's address must not carry a user or password; give the key as the API key")
	case opts.PollEvery < DefaultPollEvery:
		return nil, fmt.Errorf("uzqr: status calls every %v: the box takes no more than one every %v", opts.PollEvery, DefaultPollEvery)
	case opts.StatusTimeout < MinStatusTimeout:
		return nil, fmt.Errorf("uzqr: a status timeout of %v is too short: the box may hold a status call for 2 minutes (at least %v)", opts.StatusTimeout, MinStatusTimeout)
	}
	if opts.INN != "" {
		if err := CheckINN(opts.INN); err != nil {
			return nil, err
		}
	}
	if opts.QRName != "" {
		if err := CheckQRName(opts.QRName); err != nil {
			return nil, err
		}
	}
	c := &Client{BaseURL: opts.URL, HTTP: opts.HTTP, INN: opts.INN, APIKey: opts.APIKey,
		CallTimeout: opts.CallTimeout, StatusTimeout: opts.StatusTimeout}
	return &Provider{client: c, opts: opts}, nil
}

// Client returns the wire client.
func (p *Provider) Client() *Client { return p.client }

// QRName is the till's dynamic QR as configured ("" when not).
func (p *Provider) QRName() string { return p.opts.QRName }

func (p *Provider) Info() providers.Info {
	return providers.Info{
		Name:            Name,
		Currency:        providers.UZS,
		QRShownBy:       providers.DisplayTill,
		Methods:         []providers.Method{providers.MethodQR},
		PollEvery:       p.opts.PollEvery,
		ScanTimeout:     p.opts.ScanTimeout,
		CallTimeout:     p.opts.CallTimeout,
		StatusTimeout:   p.opts.StatusTimeout,
		MaxIDLength:     MaxExternalID,
		Refunds:         true,
		PartialRefunds:  true,
		RefundsAsync:    true,
		RefundPollEvery: p.opts.RefundPollEvery,
		// Every invoice is its own QR payload: several can be open at once.
		OneAtATime: false,
	}
}

func invalid(format string, args ...any) error {
	return &providers.Error{Kind: providers.ErrInvalid, Err: fmt.Errorf(format, args...)}
}

// tiyin checks that m is a positive UZS amount in tiyin.
func tiyin(m providers.Money) error {
	if m.Currency.Code != providers.UZS.Code || m.Currency.Digits != providers.UZS.Digits {
		return invalid("UzQR takes UZS in tiyin, not %s with %d decimals", m.Currency.Code, m.Currency.Digits)
	}
	if m.Minor <= 0 {
		return invalid("amount must be positive, got %s", m)
	}
	return nil
}

// Start creates an invoice for a payment, its external_id the operation
// id, and answers with the QR to draw; or asks for a refund of the
// payment whose pay_id is req.TransactionID. A refusal the box answered
// with was not carried out; only a lost or unreadable answer may have
// been (providers.MaybeSent).
func (p *Provider) Start(ctx context.Context, req providers.Request) (providers.Status, error) {
	if err := tiyin(req.Amount); err != nil {
		return providers.Status{}, err
	}
	switch req.Kind {
	case providers.KindPayment:
		if n := utf8.RuneCountInString(req.OperationID); n == 0 || n > MaxExternalID {
			return providers.Status{}, invalid("the operation id %q is not 1 to %d characters: the box's external_id takes no more", req.OperationID, MaxExternalID)
		}
		inv, err := p.client.Create(ctx, req.OperationID, req.Amount)
		if err != nil {
			return providers.Status{}, err
		}
		return providers.Status{State: providers.StatePending, Ref: inv.ID, Stage: providers.StageWaitScan,
			Method: providers.MethodQR, QR: &providers.QR{Payload: inv.QRText}}, nil
	case providers.KindRefund:
		if req.TransactionID == "" {
			return providers.Status{}, invalid("a refund needs the payment's pay_id")
		}
		if req.Method != "" && req.Method != providers.MethodQR {
			return providers.Status{}, invalid("UzQR payments are QR payments; a %q refund cannot go through it", req.Method)
		}
		r, err := p.client.Refund(ctx, req.TransactionID, req.Amount)
		if err != nil {
			return providers.Status{}, err
		}
		return p.refundStatus(r), nil
	}
	return providers.Status{}, invalid("unknown operation kind %q", req.Kind)
}

// Status asks for the invoice's status, or the refund's.
func (p *Provider) Status(ctx context.Context, h providers.Handle) (providers.Status, error) {
	if h.Ref == "" {
		return providers.Status{}, invalid("operation %s has no UzQR id to ask about", h.OperationID)
	}
	if h.Kind == providers.KindRefund {
		r, err := p.client.RefundStatus(ctx, h.Ref)
		if err != nil {
			return providers.Status{}, err
		}
		return p.refundStatus(r), nil
	}
	pay, err := p.client.Status(ctx, h.Ref)
	if err != nil {
		return providers.Status{}, err
	}
	return p.paymentStatus(pay), nil
}

func (p *Provider) paymentStatus(pay Payment) providers.Status {
	st := providers.Status{Ref: pay.InvoiceID, Method: providers.MethodQR, Raw: pay.Raw}
	switch pay.State {
	case InvoiceInProgress:
		st.State, st.Stage = providers.StatePending, providers.StageWaitScan
	case InvoicePaid:
		st.State, st.Stage = providers.StateSuccess, providers.StageDone
		// pay_id is the payment's number: what a refund quotes, and what
		// the cabinet's history is searched by.
		st.TransactionID = pay.PayID
		st.Cheque = &providers.Cheque{Type: "payment", Method: providers.MethodQR, OrderNumber: pay.PayID,
			TerminalID: p.opts.QRName, CardMask: pay.CardNo, CardType: pay.CardType, Phone: pay.PayerPhone}
	case InvoiceDeclined:
		st.State, st.Stage = providers.StateFail, providers.StageDone
	}
	return st
}

func (p *Provider) refundStatus(r Refund) providers.Status {
	st := providers.Status{Ref: r.ID, Method: providers.MethodQR, Raw: r.Raw}
	switch r.State {
	case RefundPending:
		st.State, st.Stage = providers.StatePending, providers.StageRefund
	case RefundDone:
		st.State, st.Stage = providers.StateSuccess, providers.StageDone
		st.Cheque = &providers.Cheque{Type: "refund", Method: providers.MethodQR, TerminalID: p.opts.QRName}
	case RefundFailed:
		st.State, st.Stage = providers.StateFail, providers.StageDone
	}
	return st
}

// Cancel withdraws an invoice the customer has not paid, so it cannot be
// paid later. A paid invoice is refused with 3002 (ErrNotResolvable), one
// the box does not know with 3001 (ErrNotFound): the status then says how
// it ended.
func (p *Provider) Cancel(ctx context.Context, h providers.Handle) error {
	if h.Kind == providers.KindRefund {
		return &providers.Error{Kind: providers.ErrUnsupported, Err: errors.New("a refund cannot be cancelled")}
	}
	if h.Ref == "" {
		return invalid("operation %s has no invoice id to cancel", h.OperationID)
	}
	return p.client.Cancel(ctx, h.Ref)
}

// LinkReceipt tells the box where the fiscal receipt of the paid invoice
// h.Ref is. The box wants the payment's pay_id, which a handle does not
// carry: a status call, answered at once for a paid invoice, gives it, so
// the link always goes to the payment the box itself paid.
func (p *Provider) LinkReceipt(ctx context.Context, h providers.Handle, receiptURL string) error {
	if u, err := url.Parse(receiptURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return invalid("the fiscal receipt's link %q is not an http(s) address", receiptURL)
	}
	if h.Kind == providers.KindRefund {
		return invalid("a fiscal receipt is linked to a payment, not a refund")
	}
	if h.Ref == "" {
		return invalid("operation %s has no invoice id", h.OperationID)
	}
	pay, err := p.client.Status(ctx, h.Ref)
	if err != nil {
		return err
	}
	if pay.State != InvoicePaid || pay.PayID == "" {
		return invalid("invoice %s is not paid (status %d): there is no payment to link a receipt to", h.Ref, pay.State)
	}
	return p.client.Receipt(ctx, pay.PayID, receiptURL)
}

// checkInvoice is an invoice id shaped like the box's own that no invoice
// has: asking about it tells a good key (3001) from a bad one (1001).
const checkInvoice = "INVC000000000000000000000"

// Check is the connection test (kassa check uzqr): it asks the status of
// an invoice that cannot exist. nil means the box answered and took the
// INN and key (3001, invoice not found). Otherwise the error says what is
// wrong: ErrAuth (1001, the INN or API key), ErrBlocked (1002, the QR is
// blocked in the cabinet), ErrProvider (104: the box has no UzQR endpoint
// configured; 9001), ErrUnreachable or ErrNoAnswer (the address), or
// ErrMalformed (what answered does not speak the contract).
func (p *Provider) Check(ctx context.Context) error {
	_, err := p.client.Status(ctx, checkInvoice)
	switch {
	case err == nil:
		return &providers.Error{Kind: providers.ErrMalformed,
			Err: fmt.Errorf("the box reported a status for invoice %s, which cannot exist", checkInvoice)}
	case providers.KindOf(err) == providers.ErrNotFound:
		return nil
	}
	return err
}

// qrName is what the cabinet lets a QR or API key be called (seeds 000/001
// §4, §6): up to 30 Latin letters, digits, '-' and '_', no spaces.
var qrName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,30}$`)

// ErrQRName is wrapped by CheckQRName's refusals.
var ErrQRName = errors.New("a QR's name is 1 to 30 Latin letters, digits, '-' or '_', without spaces")

// CheckQRName refuses a name the cabinet would not take for a QR (or an
// API key), saying why.
func CheckQRName(name string) error {
	if !qrName.MatchString(name) {
		return fmt.Errorf("uzqr: %q: %w", name, ErrQRName)
	}
	return nil
}

var inn = regexp.MustCompile(`^(?:[0-9]{9}|[0-9]{14})$`)

// ErrINN is wrapped by CheckINN's refusals.
var ErrINN = errors.New("an INN is 9 digits (a PINFL 14)")

// CheckINN refuses a merchant tax id that is neither an INN (9 digits)
// nor a PINFL (14 digits), the two the cabinet registers QRs under.
func CheckINN(s string) error {
	if !inn.MatchString(s) {
		return fmt.Errorf("uzqr: INN %q: %w", s, ErrINN)
	}
	return nil
}
