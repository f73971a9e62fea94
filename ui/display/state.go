// Package display is the customer's display: what a customer facing the
// till should see of the sale, streamed by the running till over its
// control socket (GET /display, one JSON State a line), and the Bubble
// Tea program `kassa display` that draws it large in a second terminal,
// in the customer's language.
//
// A State holds only what the customer needs: the amount, the provider's
// name, the QR to scan and how long is left, and the outcome. Nothing of
// the history, no receipt numbers, no provider's words, no secrets.
package display

import (
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
)

// Screen is what the customer sees.
type Screen string

const (
	// Idle: no sale; the shop's name.
	Idle Screen = "idle"
	// Pay: a payment holds the till; its Stage says where it stands.
	Pay Screen = "pay"
	// Refund: a refund holds the till: its amount, nothing more.
	Refund Screen = "refund"
	// The outcomes of a payment, shown for OutcomeFor.
	Paid      Screen = "paid"
	Declined  Screen = "declined"
	Cancelled Screen = "cancelled"
	TimedOut  Screen = "timeout"
	// Failed: the provider refused or could not be reached; nothing was
	// taken.
	Failed Screen = "failed"
	// Check: the till cannot tell whether the money moved; the cashier
	// checks.
	Check Screen = "check"
)

// Stage is where a payment being made stands.
type Stage string

const (
	Starting   Stage = "starting"   // being sent; no QR yet
	Waiting    Stage = "waiting"    // the customer scans and pays
	Resolving  Stage = "resolving"  // its outcome is being asked for
	Cancelling Stage = "cancelling" // the till withdraws it
)

// State is one line of the /display stream.
type State struct {
	Screen Screen `json:"screen"`
	// Shop is the shop's name as its receipts print it.
	Shop   string          `json:"shop,omitempty"`
	Amount providers.Money `json:"amount,omitzero"`
	// Provider is the provider's name (uzqr): the display says it in its
	// own language.
	Provider string `json:"provider,omitempty"`
	Stage    Stage  `json:"stage,omitempty"`
	// QR is the payload to draw, where the till draws the customer's
	// code (not where the payment terminal shows its own), while the
	// customer may scan it; Expires is when the provider stops taking it.
	QR      string    `json:"qr,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
	// LeftMS is the customer's time left, in milliseconds of the wall
	// clock, when their time is counted; the display counts it down.
	LeftMS *int64 `json:"left_ms,omitempty"`
}

// Left is the time left, and whether it is counted.
func (s State) Left() (time.Duration, bool) {
	if s.LeftMS == nil {
		return 0, false
	}
	return time.Duration(*s.LeftMS) * time.Millisecond, true
}

// Of is what the customer sees of an operation that holds the till, or
// that just ended, at now on the till's clock clk; ok is false when they
// should see nothing of it (a payment that goes on in the background, a
// refund that ended).
func Of(m tracker.Machine, shop string, clk clock.Clock) (State, bool) {
	s := State{Shop: shop, Amount: m.Op.Amount, Provider: m.Op.Provider}
	if m.Op.Kind == store.KindRefund {
		s.Provider = ""
		s.Screen = Refund
		return s, m.Holds()
	}
	if m.Holds() {
		s.Screen, s.Stage = Pay, stages[m.Phase]
		if s.Stage == Waiting && m.Info.QRShownBy == providers.DisplayTill && m.Op.QR != nil && m.Op.QR.Payload != "" {
			s.QR, s.Expires = m.Op.QR.Payload, m.Op.QR.Expires
		}
		if s.Stage == Waiting && m.HasDeadline() {
			// The till's clock runs faster in training than the wall
			// clock the display counts on.
			now := clk.Now()
			left, _ := m.TimeLeft(now)
			ms := max(clk.Add(now, max(left, 0)).Sub(now), 0).Milliseconds()
			s.LeftMS = &ms
		}
		return s, true
	}
	if m.Background {
		return State{}, false
	}
	s.Screen = outcomes[m.Phase]
	return s, s.Screen != ""
}

// stages are the phases of a payment being made; outcomes its ends.
var (
	stages = map[tracker.Phase]Stage{
		tracker.Starting: Starting, tracker.Waiting: Waiting, tracker.Resolving: Resolving, tracker.Cancelling: Cancelling,
	}
	outcomes = map[tracker.Phase]Screen{
		tracker.Paid: Paid, tracker.Declined: Declined, tracker.Cancelled: Cancelled, tracker.TimedOut: TimedOut,
		tracker.NotStarted: Failed, tracker.Check: Check,
	}
)
