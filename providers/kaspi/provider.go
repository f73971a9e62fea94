package kaspi

import (
	"context"
	"fmt"
	"time"

	"github.com/kassa-till/kassa/providers"
)

// Options tune the Provider. Zero fields take the defaults, which are the
// Smart POS's own (seed 004 §4.16, §4.18).
type Options struct {
	ScanTimeout    time.Duration // 180 s
	ConfirmTimeout time.Duration // 60 s
	PollEvery      time.Duration // 1 s
	ResolveEvery   time.Duration // 10 s
	// MaxAmount is the largest payment in tenge the till will start
	// (default DefaultMaxAmount). The seed states no limit; this guards
	// against a slipped key adding zeros, and Kaspi refuses what it must.
	MaxAmount int64
}

// DefaultMaxAmount is 10 000 000 ₸.
const DefaultMaxAmount = 10_000_000

// Provider drives a Smart POS through Client as a providers.Provider and
// Resolver. Refs are processIds: payments and refunds share /v2/status.
// It offers no Canceller: the API has no cancel call, the cashier cancels
// on the POS, which then reports the process as failed or unknown.
type Provider struct {
	client *Client
	opts   Options
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Resolver = (*Provider)(nil)
)

// New returns a Provider using client.
func New(client *Client, opts Options) *Provider {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.ScanTimeout, 180*time.Second)
	def(&opts.ConfirmTimeout, 60*time.Second)
	def(&opts.PollEvery, time.Second)
	def(&opts.ResolveEvery, 10*time.Second)
	if opts.MaxAmount <= 0 {
		opts.MaxAmount = DefaultMaxAmount
	}
	return &Provider{client: client, opts: opts}
}

// Client returns the wire client, for register/revoke/deviceinfo.
func (p *Provider) Client() *Client { return p.client }

// Name is the provider's name in Info: what its stored operations carry.
const Name = "kaspi"

func (p *Provider) Info() providers.Info {
	return providers.Info{
		Name:           Name,
		Currency:       providers.KZT,
		QRShownBy:      providers.DisplayTerminal,
		Methods:        []providers.Method{providers.MethodQR, providers.MethodCard},
		PollEvery:      p.opts.PollEvery,
		ResolveEvery:   p.opts.ResolveEvery,
		ScanTimeout:    p.opts.ScanTimeout,
		ConfirmTimeout: p.opts.ConfirmTimeout,
		MinAmount:      providers.New(1, providers.KZT),
		MaxAmount:      providers.New(p.opts.MaxAmount, providers.KZT),
		CallTimeout:    15 * time.Second,
		// A POS on the shop's network answers a status call at once: one
		// that does not within 5 s is said to be silent, and asked again.
		StatusTimeout:  5 * time.Second,
		OneAtATime:     true,
		Refunds:        true,
		PartialRefunds: true,
		// The cashier cancels on the POS: the API has no cancel call.
	}
}

func invalid(format string, args ...any) error {
	return &providers.Error{Kind: providers.ErrInvalid, Text: fmt.Sprintf(format, args...)}
}

// tenge checks that m is a whole-tenge KZT amount of at least 1 ₸.
func tenge(m providers.Money) error {
	if m.Currency.Code != providers.KZT.Code || m.Currency.Digits != providers.KZT.Digits {
		return invalid("Kaspi takes KZT in whole tenge, not %s", m.Currency.Code)
	}
	if m.Minor < 1 {
		return invalid("amount must be at least 1 ₸, got %d", m.Minor)
	}
	return nil
}

// Start sends a payment or a refund to the POS. owncheque is always true:
// the till prints the receipt from the answer's chequeInfo.
func (p *Provider) Start(ctx context.Context, req providers.Request) (providers.Status, error) {
	if err := tenge(req.Amount); err != nil {
		return providers.Status{}, err
	}
	var (
		ref ProcessRef
		err error
	)
	switch req.Kind {
	case providers.KindPayment:
		if req.Amount.Minor > p.opts.MaxAmount {
			return providers.Status{}, &providers.Error{Kind: providers.ErrLimit,
				Text: fmt.Sprintf("amount %s is above the till's limit of %s", req.Amount.Grouped(), providers.New(p.opts.MaxAmount, providers.KZT).Grouped())}
		}
		ref, err = p.client.Payment(ctx, req.Amount.Minor, true)
	case providers.KindRefund:
		// Refunds go back by the payment's method, found by its
		// transactionId: orderNumber for QR, rrn for card.
		if req.Method != providers.MethodQR && req.Method != providers.MethodCard {
			return providers.Status{}, invalid("refund method must be qr or card, got %q", req.Method)
		}
		if req.TransactionID == "" {
			return providers.Status{}, invalid("refund needs the payment's transactionId")
		}
		ref, err = p.client.Refund(ctx, req.Method, req.Amount.Minor, req.TransactionID, true)
	default:
		return providers.Status{}, invalid("unknown operation kind %q", req.Kind)
	}
	if err != nil {
		return providers.Status{}, err
	}
	return started(ref), nil
}

func started(ref ProcessRef) providers.Status {
	// The start answer says only "wait"; the POS begins with Initialize.
	st := providers.Status{Ref: ref.ProcessID, State: providers.StatePending, Stage: providers.StageStarting}
	if s, ok := states[ref.Status]; ok {
		st.State = s
	}
	return st
}

// Status is /v2/status: payments and refunds share it.
func (p *Provider) Status(ctx context.Context, h providers.Handle) (providers.Status, error) {
	st, err := p.client.Status(ctx, h.Ref)
	return st.Status, err
}

// Resolve calls /v2/actualize. Keeping calls ResolveEvery apart is the
// caller's job: the POS does not refuse faster calls, it only asks.
func (p *Provider) Resolve(ctx context.Context, h providers.Handle) (providers.Status, error) {
	st, err := p.client.Actualize(ctx, h.Ref)
	return st.Status, err
}
