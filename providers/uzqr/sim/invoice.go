package sim

import (
	"fmt"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
)

// Invoice and refund statuses on the wire.
const (
	statusRemoved    = 0 // not on the wire: the QR was blocked while it was unpaid (3001)
	statusInProgress = 1
	statusPaid       = 2
	statusDeclined   = 3

	refundPending = 1
	refundDone    = 2
	refundFailed  = 3
)

// outcome is an invoice's end decided by something other than its
// customer's script: a cancel, a payment at the cancel, the control API.
type outcome struct {
	status int
	at     time.Time
}

// invoice is one payment QR. Its customer's script is fixed when it is
// created, in the clock's time from then; what a request sees is computed
// from the clock.
type invoice struct {
	clk        clock.Clock
	id         string
	externalID string
	amount     int64 // tiyin
	created    time.Time
	cust       Customer
	qrText     string
	payID      string // given at creation, reported once paid
	forced     *outcome
	removed    bool
	receiptURL string
	refunds    []*refund
	refunded   int64 // by earlier runs (Options.Payments)
}

// status is the invoice's wire status at now: the forced outcome, else the
// script, else expiry after lifetime.
func (inv *invoice) status(now time.Time, lifetime time.Duration) int {
	if inv.removed {
		return statusRemoved
	}
	if inv.forced != nil && !now.Before(inv.forced.at) {
		return inv.forced.status
	}
	elapsed := inv.clk.Sub(now, inv.created)
	if d := inv.cust.Delay; d < lifetime && elapsed >= d {
		switch inv.cust.Does {
		case Pay:
			return statusPaid
		case Decline:
			return statusDeclined
		}
	}
	if elapsed >= lifetime {
		return statusDeclined
	}
	return statusInProgress
}

// settle ends an invoice in progress at now.
func (s *Sim) settle(inv *invoice, status int, now time.Time) {
	inv.forced = &outcome{status: status, at: now}
}

// left is what can still be refunded of a paid invoice: refunds done or
// pending count, failed ones do not.
func (inv *invoice) left(now time.Time) int64 {
	left := inv.amount - inv.refunded
	for _, r := range inv.refunds {
		if r.status(now) != refundFailed {
			left -= r.amount
		}
	}
	return left
}

// refund returns part or all of a paid invoice.
type refund struct {
	clk     clock.Clock
	id      string
	payment *invoice
	amount  int64
	start   time.Time
	script  RefundScript
}

func (r *refund) status(now time.Time) int {
	if r.clk.Sub(now, r.start) < r.script.After {
		return refundPending
	}
	if r.script.Ends == RefundFail {
		return refundFailed
	}
	return refundDone
}

// mix is splitmix64's finaliser: ids look random but follow from the
// clock, a counter and the seed, so a fake clock gives the same ids every
// run and the wall clock never gives one twice across runs.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (s *Sim) nextMix(now time.Time) uint64 {
	s.seq++
	return mix(uint64(now.UnixNano()) ^ mix(s.seq^s.o.Seed))
}

// newID is prefix and 21 upper-case hex digits, as the box's invoice ids
// (INVC134B7FEFED34BC3B470B8).
func (s *Sim) newID(prefix string, now time.Time) string {
	for {
		a, b := s.nextMix(now), s.nextMix(now)
		id := prefix + fmt.Sprintf("%016X%016X", a, b)[:21]
		if s.invoices[id] == nil && s.refundsBy[id] == nil {
			return id
		}
	}
}

// newPayID is a 12-digit payment number.
func (s *Sim) newPayID(now time.Time) string {
	for {
		id := fmt.Sprintf("%012d", 100000000000+s.nextMix(now)%900000000000)
		if s.byPayID[id] == nil {
			return id
		}
	}
}

func (s *Sim) view(inv *invoice, now time.Time) InvoiceView {
	v := InvoiceView{ID: inv.id, ExternalID: inv.externalID, Amount: inv.amount, Status: inv.status(now, s.o.InvoiceLifetime),
		Customer: string(inv.cust.Does), PayID: inv.payID, ReceiptURL: inv.receiptURL, QRText: inv.qrText}
	if v.Status == statusPaid {
		v.Refunded = inv.amount - inv.left(now)
	}
	return v
}
