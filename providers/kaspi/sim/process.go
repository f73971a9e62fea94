package sim

import (
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
)

// Wire statuses and subStatuses (seed 004 §4.16).
const (
	stWait    = "wait"
	stSuccess = "success"
	stFail    = "fail"
	stUnknown = "unknown"

	subInitialize       = "Initialize"
	subWaitUser         = "WaitUser"
	subWaitQRConfirm    = "WaitForQrConfirmation"
	subProcessingCard   = "ProcessingCard"
	subWaitPIN          = "WaitForPinCode"
	subProcessRefund    = "ProcessRefund"
	subQRSuccess        = "QrTransactionSuccess"
	subQRFailure        = "QrTransactionFailure"
	subCardSuccess      = "CardTransactionSuccess"
	subCardFailure      = "CardTransactionFailure"
	subProcessCancelled = "ProcessCancelled"
)

// How long the POS itself takes for the steps no customer drives.
const (
	cardRead   = 1500 * time.Millisecond
	cardAuth   = 1500 * time.Millisecond
	refundWork = time.Second
)

// Messages as the POS words them (the first two and the unknown one are
// the seed's samples).
const (
	msgDeclined       = "Сатып алымды жою; Сатып алушы сатып алуды жойды"
	msgNoConfirm      = "Сатып алымды жою; Сатып алушы сатып алуды растаған жоқ"
	msgNoScan         = "Сатып алымды жою; Күту уақыты өтті"
	msgUnknown        = "Операция жойылды"
	msgCardDeclined   = "Операция қабылданбады; Банк операцияны мақұлдамады"
	msgNoPIN          = "Операция жойылды; PIN-код енгізілмеді"
	msgRefundDeclined = "Қайтаруды жою; Сатып алушы қайтаруды жойды"
	msgRefundNoScan   = "Қайтаруды жою; Күту уақыты өтті"
	msgRefundCard     = "Қайтаруды жою; Карта сәйкес келмейді"
)

type kind int

const (
	kindPayment kind = iota
	kindRefund
)

// step is where a process stands from offset at on.
type step struct {
	at      time.Duration
	status  string
	sub     string
	message string
}

// process is one payment or refund. Its timeline is fixed at start, in
// the clock's time from start; what a request sees is computed from the
// clock.
type process struct {
	clk       clock.Clock
	id        string
	kind      kind
	method    providers.Method
	amount    int64
	ownCheque bool
	start     time.Time
	cust      Customer
	steps     []step

	// For a process that ends unknown: when actualize can learn the
	// outcome, and what it is.
	resolvable bool
	resolveAt  time.Duration
	outcome    step
	lifetime   time.Duration
	// settled is the outcome actualize revealed; /v2/status shows it.
	settled       *step
	lastActualize time.Time

	// Cheque facts, decided at start.
	orderNumber string // QR: this operation's order number
	rrn         string // card: the payment's rrn
	authCode    string

	payment *process   // a refund's payment
	refunds []*process // a payment's refunds
	// refunded is what earlier runs refunded of a payment known from
	// Options.Payments.
	refunded int64
}

func (p *process) add(at time.Duration, status, sub, msg string) {
	p.steps = append(p.steps, step{at: at, status: status, sub: sub, message: msg})
}

// view is what /v2/status reports at now.
func (p *process) view(now time.Time) step {
	if p.settled != nil {
		return *p.settled
	}
	elapsed := p.clk.Sub(now, p.start)
	cur := p.steps[0]
	for _, s := range p.steps[1:] {
		if s.at > elapsed {
			break
		}
		cur = s
	}
	return cur
}

// truth is what actualize would learn at now: for an unknown process, the
// scripted outcome once it is known, or fail once the QR has expired.
func (p *process) truth(now time.Time) step {
	v := p.view(now)
	if v.status != stUnknown || !p.resolvable {
		return v
	}
	elapsed := p.clk.Sub(now, p.start)
	switch {
	case p.resolveAt < p.lifetime && elapsed >= p.resolveAt:
		return p.outcome
	case elapsed >= p.lifetime:
		msg := msgNoConfirm
		if p.kind == kindRefund {
			msg = msgRefundNoScan
		}
		return step{at: p.lifetime, status: stFail, sub: subProcessCancelled, message: msg}
	}
	return v
}

// plan lays out the timeline from the customer's script and the POS's
// timeouts.
func (p *process) plan(o Options) {
	c := p.cust
	act := max(c.Delay, o.InitDuration)
	p.lifetime = o.QRLifetime
	p.add(0, stWait, subInitialize, "")
	p.add(o.InitDuration, stWait, subWaitUser, "")
	if c.Does == NeverScan || act >= o.ScanTimeout {
		msg := msgNoScan
		if p.kind == kindRefund {
			msg = msgRefundNoScan
		}
		p.add(o.ScanTimeout, stFail, subProcessCancelled, msg)
		return
	}
	if p.method == providers.MethodCard {
		p.planCard(o, act)
	} else {
		p.planQR(o, act)
	}
}

func (p *process) planQR(o Options, act time.Duration) {
	c := p.cust
	p.add(act, stWait, subWaitQRConfirm, "")
	timeout := act + o.ConfirmTimeout
	done := act + c.Think
	if done >= timeout && c.Does != ScanNoConfirm {
		p.add(timeout, stFail, subProcessCancelled, p.msg(msgNoConfirm, msgRefundNoScan))
		return
	}
	switch c.Does {
	case Decline:
		p.add(done, stFail, subQRFailure, p.msg(msgDeclined, msgRefundDeclined))
	case ScanNoConfirm:
		p.add(timeout, stFail, subProcessCancelled, p.msg(msgNoConfirm, msgRefundNoScan))
	case UnknownThenSuccess, UnknownThenFail:
		p.add(done, stUnknown, subProcessCancelled, msgUnknown)
		p.resolvable = true
		p.resolveAt = done + c.ResolveAfter
		if c.Does == UnknownThenSuccess {
			p.outcome = step{at: p.resolveAt, status: stSuccess, sub: subQRSuccess}
		} else {
			p.outcome = step{at: p.resolveAt, status: stFail, sub: subQRFailure, message: p.msg(msgDeclined, msgRefundDeclined)}
		}
	default: // PayQR, or PayCard complying with a QR refund
		if p.kind == kindRefund {
			p.add(done, stWait, subProcessRefund, "")
			done += refundWork
		}
		p.add(done, stSuccess, subQRSuccess, "")
	}
}

func (p *process) planCard(o Options, act time.Duration) {
	c := p.cust
	p.add(act, stWait, subProcessingCard, "")
	t := act + cardRead
	switch c.Does {
	case Decline:
		p.add(t, stFail, subCardFailure, p.msg(msgCardDeclined, msgRefundCard))
	case ScanNoConfirm:
		// The card was tapped and taken away before the operation ended.
		p.add(act+o.ConfirmTimeout, stFail, subCardFailure, p.msg(msgNoPIN, msgRefundNoScan))
	case UnknownThenSuccess, UnknownThenFail:
		// Card processes cannot be actualized (102): the outcome stays
		// unknown for a person to check on the POS.
		p.add(t, stUnknown, subProcessCancelled, msgUnknown)
	default:
		if p.kind == kindRefund {
			p.add(t, stWait, subProcessRefund, "")
			p.add(t+refundWork, stSuccess, subCardSuccess, "")
			return
		}
		if !c.NoPIN {
			p.add(t, stWait, subWaitPIN, "")
			if c.Think >= o.ConfirmTimeout {
				p.add(t+o.ConfirmTimeout, stFail, subCardFailure, msgNoPIN)
				return
			}
			t += c.Think
			p.add(t, stWait, subProcessingCard, "")
		}
		p.add(t+cardAuth, stSuccess, subCardSuccess, "")
	}
}

func (p *process) msg(payment, refund string) string {
	if p.kind == kindRefund {
		return refund
	}
	return payment
}

// transactionID is the reference a refund of this payment must quote, and
// the transactionId of a successful answer.
func (p *process) transactionID() string {
	if p.method == providers.MethodCard {
		return p.rrn
	}
	return p.orderNumber
}

// holds reports whether a refund counts against its payment's remainder:
// it succeeded, may have (unknown), or is still running.
func (p *process) holds(now time.Time) bool {
	return p.truth(now).status != stFail
}
