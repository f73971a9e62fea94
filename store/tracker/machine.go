package tracker

import (
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// Phase is where an operation stands as the till follows it.
type Phase int

const (
	// Starting: the operation is being written ahead and sent.
	Starting Phase = iota
	// Waiting: the provider accepted; the till polls for the outcome.
	Waiting
	// Resolving: the outcome is unknown; the till asks the provider to
	// resolve it. The money may have been taken.
	Resolving
	// Cancelling: the cashier gave up, or the QR's lifetime passed; the
	// till withdraws the operation at the provider, then reads how it
	// ended (a payment made in that same moment wins).
	Cancelling
	// Paid: success (for a refund: the money went back).
	Paid
	// Declined: the provider reports failure; no money was taken.
	Declined
	// NotStarted: the provider refused or could not be reached; nothing
	// happened. Op.State is refused (or the operation was never stored).
	NotStarted
	// Check: the till cannot tell whether the operation started; a person
	// checks on the provider's side. Op.State is needs_check.
	Check
	// TimedOut: the customer did not act in time.
	TimedOut
	// Cancelled: the till withdrew it at the cashier's word.
	Cancelled
)

// Busy reports whether the operation is still going.
func (p Phase) Busy() bool { return p == Starting || p == Waiting || p == Resolving || p == Cancelling }

// Final reports whether the phase is an outcome.
func (p Phase) Final() bool { return !p.Busy() }

// Effect is IO the machine asks for; the tracker carries it out.
type Effect interface{ effect() }

// CreateOp writes a new operation ahead of any provider call.
type CreateOp struct{ Op store.Operation }

// StartOp sends a written-ahead operation to the provider.
type StartOp struct{ Op store.Operation }

// PollOp asks the provider for the operation's status after a pause.
type PollOp struct {
	Op    store.Operation
	After time.Duration
}

// ResolveOp asks the provider to resolve an unknown outcome after a pause.
type ResolveOp struct {
	Op    store.Operation
	After time.Duration
}

// CancelOp withdraws the operation at the provider after a pause.
type CancelOp struct {
	Op    store.Operation
	After time.Duration
}

// SaveOp stores the operation as the machine changed it, after a pause
// when an earlier write failed.
type SaveOp struct {
	Op    store.Operation
	After time.Duration
}

func (CreateOp) effect()  {}
func (StartOp) effect()   {}
func (PollOp) effect()    {}
func (ResolveOp) effect() {}
func (CancelOp) effect()  {}
func (SaveOp) effect()    {}

// Messages the tracker feeds back after IO. Each carries the operation as
// stored after it, so the machine never holds a state the disk does not.

// CreatedMsg: the operation was written ahead (Err: it was not).
type CreatedMsg struct {
	Op  store.Operation
	Err error
}

// StartedMsg: the provider answered the start. With Err the operation has
// been recorded as refused or needing a check.
type StartedMsg struct {
	Op      store.Operation
	At      time.Time
	Err     error
	SaveErr error // the answer was applied but could not be written
}

// PolledMsg: a status answer was applied and stored (Err: no answer).
type PolledMsg struct {
	Op      store.Operation
	At      time.Time
	Err     error
	SaveErr error
	// Took is how long the provider held the call: status calls are
	// spaced from their start, so a long-polled answer is followed by the
	// next call at once.
	Took time.Duration
}

// ResolvedMsg: a resolve answer was applied and stored (Err: no answer).
type ResolvedMsg struct {
	Op      store.Operation
	At      time.Time
	Err     error
	SaveErr error
}

// CancelledMsg: the provider answered a cancel (Err: it did not cancel).
type CancelledMsg struct {
	Op  store.Operation
	At  time.Time
	Err error
}

// DeadlineMsg: the customer's time ran out while a status call was held
// open by the provider; the call was given up.
type DeadlineMsg struct {
	ID store.ID
	At time.Time
}

// SavedMsg: a SaveOp finished.
type SavedMsg struct {
	Op  store.Operation
	Err error
}

// Machine follows one operation. It does no IO: it takes messages and
// answers with effects. It is a value: methods return the next machine.
type Machine struct {
	Phase Phase
	Info  providers.Info
	// CanCancel and CanResolve say which optional capabilities the
	// operation's provider has.
	CanCancel  bool
	CanResolve bool

	// Op is the operation, as last stored.
	Op store.Operation
	// Err is the last error: why it did not start, or why the last call
	// got no answer.
	Err error
	// Failing counts calls in a row that got no answer.
	Failing int
	// SaveErr is the last failure to write the data file. The operation
	// goes on in memory and every later answer tries to write it again.
	SaveErr error
	// Now is the time of the last answer.
	Now time.Time
	// Expired is set when the till cancels because the customer's time ran
	// out, rather than at the cashier's word.
	Expired bool
	// Background is set when no screen needs to wait for the operation: a
	// refund the provider took that may take hours, or an operation a
	// person handed over to the operations to check.
	Background bool
	// Seq counts the states the tracker published for the operation, so a
	// reader keeps the newest of two it holds.
	Seq uint64
	// took is how long the last status call was held.
	took time.Duration
	// cancelRefused: the provider said it cannot withdraw the operation
	// (not an error to retry); the status read next tells what to do.
	cancelRefused bool
	// saveTries counts writes of a final state that failed.
	saveTries int
	// FailingSince is when the calls in a row without an answer began.
	FailingSince time.Time
	// Elapsed measures the till's clock from one stamp to a later one
	// (clock.Clock.Sub): training's runs faster than the wall time the
	// stamps are in. Nil: the plain difference.
	Elapsed func(to, from time.Time) time.Duration
}

// elapsed is the time from one stamp to a later one on the till's clock.
func (m Machine) elapsed(to, from time.Time) time.Duration {
	if m.Elapsed == nil {
		return to.Sub(from)
	}
	return m.Elapsed(to, from)
}

// Begin starts following a new operation: it is written ahead first. m
// holds the provider's rules and abilities and the clock.
func (m Machine) Begin(op store.Operation, now time.Time) (Machine, []Effect) {
	m.Phase, m.Op, m.Now = Starting, op, now
	return m, []Effect{CreateOp{Op: op}}
}

// Resume takes up an operation found open at start: it is polled,
// resolved, or, when it never got a provider handle, handed to a person.
// It never starts an operation again.
func (m Machine) Resume(op store.Operation, now time.Time) (Machine, []Effect) {
	m.Op, m.Now, m.Background = op, now, !op.HandedOver.IsZero() || !op.GaveUp.IsZero()
	if op.Kind == store.KindRefund && m.Info.RefundsAsync {
		m.Background = true
	}
	switch op.State {
	case store.StatePending:
		m.Phase = Waiting
		return m, []Effect{PollOp{Op: op}}
	case store.StateUnknown:
		if !m.CanResolve {
			m.Phase = Waiting
			return m, []Effect{PollOp{Op: op}}
		}
		m.Phase = Resolving
		return m, []Effect{ResolveOp{Op: op, After: m.resolveWait(now)}}
	case store.StateCreated:
		if op.Kind == store.KindPayment && m.Info.StatusByID {
			// The provider is asked about it by the till's own id: its
			// answer says whether the start reached it. Nothing is sent
			// again.
			m.Phase = Waiting
			return m, []Effect{PollOp{Op: op}}
		}
		// The till stopped between writing ahead and hearing the answer: the
		// request may have reached the provider. Only a person can tell.
		m.Op.NeedsCheck(store.NoteInterrupted, now)
		m.Phase = Check
		return m, []Effect{SaveOp{Op: m.Op}}
	}
	m.Phase = Check
	return m, nil
}

// Holds reports whether a screen showing the operation must wait for it:
// it is going and nobody said it may go on in the background.
func (m Machine) Holds() bool { return m.Phase.Busy() && !m.Background }

// Cancel withdraws an operation the customer has not paid, at the
// cashier's word, where the provider can.
func (m Machine) Cancel(now time.Time) (Machine, []Effect) {
	if !m.CanCancel || m.Phase != Waiting || m.Op.Kind != store.KindPayment {
		return m, nil
	}
	m.Phase, m.Now, m.Failing = Cancelling, now, 0
	return m, []Effect{CancelOp{Op: m.Op}}
}

// HandOver moves an operation the till cannot settle now to the
// operations to check: the till goes on asking about it in the
// background, and a person may settle it meanwhile.
func (m Machine) HandOver(now time.Time) (Machine, []Effect) {
	if !m.Phase.Busy() || m.Phase == Starting {
		return m, nil
	}
	m.Op.HandOver(now)
	m.Background = true
	return m, []Effect{SaveOp{Op: m.Op}}
}

// Settle records a person's verdict on an operation they checked on the
// provider's side; the till stops following it.
func (m Machine) Settle(c store.Check, transactionID string) (Machine, []Effect, error) {
	op := m.Op
	if err := op.Checked(c, transactionID); err != nil {
		return m, nil, err
	}
	m.Op = op
	m.Phase = Declined
	if op.State == store.StateSuccess {
		m.Phase = Paid
	}
	return m, []Effect{SaveOp{Op: m.Op}}, nil
}

// Update applies a message from the tracker. An outcome the data file
// could not take is written again, spaced, until it does: the till keeps
// it in memory meanwhile, and a restart before then asks the provider
// again, as the file still says the operation is open.
func (m Machine) Update(msg any) (Machine, []Effect) {
	m, eff := m.update(msg)
	switch {
	case m.Failing == 0:
		m.FailingSince = time.Time{}
	case m.FailingSince.IsZero():
		m.FailingSince = m.Now
	}
	if m.SaveErr != nil && len(eff) == 0 && m.Phase.Final() {
		m.saveTries++
		eff = []Effect{SaveOp{Op: m.Op, After: min(time.Duration(m.saveTries)*5*time.Second, time.Minute)}}
	}
	return m, eff
}

func (m Machine) update(msg any) (Machine, []Effect) {
	switch msg := msg.(type) {
	case CreatedMsg:
		if m.Phase != Starting || msg.Op.Created != m.Op.Created {
			return m, nil
		}
		if msg.Err != nil {
			// Not stored, so not sent: nothing happened.
			m.Phase, m.Err = NotStarted, msg.Err
			return m, nil
		}
		m.Op = msg.Op
		return m, []Effect{StartOp{Op: m.Op}}

	case StartedMsg:
		if m.Phase != Starting || msg.Op.ID != m.Op.ID {
			return m, nil
		}
		m.Op, m.Now, m.Err, m.SaveErr = msg.Op, msg.At, msg.Err, msg.SaveErr
		switch {
		case msg.Err == nil:
			m.Phase = Waiting
			if m.asyncRefund() {
				m.Background = true
				return m, []Effect{PollOp{Op: m.Op, After: m.refundPollWait()}}
			}
			return m, []Effect{PollOp{Op: m.Op, After: m.Info.PollEvery}}
		case m.Op.State == store.StateNeedsCheck:
			m.Phase = Check
		default:
			m.Phase = NotStarted
		}
		return m, nil

	case PolledMsg:
		if (m.Phase != Waiting && m.Phase != Cancelling) || msg.Op.ID != m.Op.ID {
			return m, nil
		}
		m.SaveErr, m.took = msg.SaveErr, msg.Took
		if m.Phase == Cancelling {
			return m.afterCancelled(msg.Op, msg.At, msg.Err)
		}
		return m.afterAnswer(msg.Op, msg.At, msg.Err)

	case ResolvedMsg:
		if m.Phase != Resolving || msg.Op.ID != m.Op.ID {
			return m, nil
		}
		m.SaveErr = msg.SaveErr
		return m.afterResolve(msg.Op, msg.At, msg.Err)

	case CancelledMsg:
		if m.Phase != Cancelling || msg.Op.ID != m.Op.ID {
			return m, nil
		}
		m.Now = msg.At
		if msg.Err != nil && providers.MaybeSent(msg.Err) || retryable(msg.Err) {
			// The invoice may still be payable: keep trying to cancel it.
			m.Err = msg.Err
			m.Failing++
			return m, []Effect{CancelOp{Op: m.Op, After: m.backoff()}}
		}
		// Cancelled, or refused because it is already paid or gone: the
		// status says which, asked no sooner than the provider allows.
		m.Err, m.Failing = nil, 0
		m.cancelRefused = providers.KindOf(msg.Err) == providers.ErrNotResolvable
		return m, []Effect{PollOp{Op: m.Op, After: m.Info.PollEvery}}

	case DeadlineMsg:
		if m.Phase != Waiting || msg.ID != m.Op.ID {
			return m, nil
		}
		return m.afterAnswer(m.Op, msg.At, errDeadline)

	case SavedMsg:
		if msg.Op.ID == m.Op.ID {
			m.SaveErr = msg.Err
		}
		return m, nil
	}
	return m, nil
}

// errDeadline stands for a status call given up at the customer's
// deadline: no news, but time to act on the deadline.
var errDeadline = &providers.Error{Kind: providers.ErrNoAnswer, Text: "deadline"}

// retryable reports whether the provider asked to be asked again later.
func retryable(err error) bool {
	switch providers.KindOf(err) {
	case providers.ErrRateLimited, providers.ErrProvider, providers.ErrUnreachable, providers.ErrNoInternet:
		return true
	}
	return false
}

func (m Machine) asyncRefund() bool { return m.Op.Kind == store.KindRefund && m.Info.RefundsAsync }

// afterAnswer moves on from a status answer while waiting.
func (m Machine) afterAnswer(op store.Operation, at time.Time, err error) (Machine, []Effect) {
	m.Now = at
	if err != nil {
		if err != errDeadline {
			m.Err = err
		}
		if providers.KindOf(err) == providers.ErrNotFound {
			// The provider no longer knows the operation (restarted, or
			// past its 24 hours): the money may or may not have been taken.
			m.Op = op
			m.Op.NeedsCheck(store.NoteUnknownToProvider, at)
			m.Phase = Check
			return m, []Effect{SaveOp{Op: m.Op}}
		}
		if err != errDeadline {
			m.Failing++
		}
		if m.Op.State == store.StateCreated && !providers.MaybeSent(err) && !retryable(err) {
			// Asked by its id after a restart, the provider refused to say:
			// whether the start reached it only its cabinet can tell.
			m.Op = op
			m.Op.NeedsCheck(store.NoteInterrupted, at)
			m.Phase = Check
			return m, []Effect{SaveOp{Op: m.Op}}
		}
		// No answer: keep asking, and never time out on a guess, unless the
		// till can withdraw the operation: then the customer's time running
		// out is the till's to act on.
		if m.CanCancel && m.deadlinePassed() && m.Op.GaveUp.IsZero() {
			return m.expire()
		}
		return m, []Effect{PollOp{Op: m.Op, After: m.pollWait()}}
	}
	// The provider said it cannot resolve the outcome (Kaspi answers 102
	// for a card process), and the status read after it still does not
	// know it: asking again would never tell. Only its history can.
	var unresolvable error
	if providers.KindOf(m.Err) == providers.ErrNotResolvable && op.State == store.StateUnknown {
		unresolvable = m.Err
	}
	m.Op, m.Err, m.Failing = op, nil, 0
	switch op.State {
	case store.StateSuccess:
		m.Phase = Paid
		return m, nil
	case store.StateFailed:
		// The POS gives up on the customer at the same moment the till
		// does; its failure then means the customer ran out of time.
		m.Phase = Declined
		if m.deadlinePassed() {
			m.Phase = TimedOut
		}
		if !m.Op.GaveUp.IsZero() {
			m.Phase = m.withdrawnPhase()
		}
		return m, nil
	case store.StateUnknown:
		if unresolvable != nil {
			m.Op.NeedsCheck(store.NoteUnresolvable, at)
			m.Phase, m.Err = Check, unresolvable
			return m, []Effect{SaveOp{Op: m.Op}}
		}
		m.Phase = Resolving
		if !m.CanResolve {
			// Nothing to resolve with: ask the status again, spaced.
			m.Phase = Waiting
			return m, []Effect{PollOp{Op: m.Op, After: m.backoff()}}
		}
		return m, []Effect{ResolveOp{Op: m.Op, After: m.resolveWait(at)}}
	}
	if m.deadlinePassed() && m.Op.GaveUp.IsZero() {
		if m.CanCancel {
			return m.expire()
		}
		m.Op.TimedOut(at)
		m.Phase = TimedOut
		return m, []Effect{SaveOp{Op: m.Op}}
	}
	return m, []Effect{PollOp{Op: m.Op, After: m.pollWait()}}
}

// expire withdraws a payment whose customer's time ran out.
func (m Machine) expire() (Machine, []Effect) {
	m.Phase, m.Expired = Cancelling, true
	return m, []Effect{CancelOp{Op: m.Op}}
}

// afterCancelled reads the status after a cancel: a payment that went
// through first wins; otherwise the till records the withdrawal.
func (m Machine) afterCancelled(op store.Operation, at time.Time, err error) (Machine, []Effect) {
	m.Now = at
	if err != nil {
		if providers.KindOf(err) == providers.ErrNotFound {
			m.Op = op
			m.Op.NeedsCheck(store.NoteUnknownToProvider, at)
			m.Phase = Check
			return m, []Effect{SaveOp{Op: m.Op}}
		}
		m.Err = err
		m.Failing++
		return m, []Effect{PollOp{Op: m.Op, After: m.backoff()}}
	}
	m.Op, m.Err, m.Failing = op, nil, 0
	if op.State == store.StateSuccess {
		m.Phase = Paid
		return m, nil
	}
	if m.cancelRefused && op.Kind == store.KindPayment && op.State.Open() {
		// The provider cannot withdraw it (OCTO: an unpaid pay page
		// closes only at its ttl). The cashier is not held: the till
		// watches it in the background until the provider ends it, and a
		// success then is a late payment for a person to keep or refund.
		note := store.NoteCancelled
		if m.Expired {
			note = store.NoteExpired
		}
		m.Op.GiveUp(note, at)
		m.Phase, m.Background, m.cancelRefused = Waiting, true, false
		return m, []Effect{SaveOp{Op: m.Op}, PollOp{Op: m.Op, After: m.pollWait()}}
	}
	// Failed at the provider now, or still open there though cancelled:
	// either way the till withdrew it, and says why.
	note := store.NoteCancelled
	if m.Expired {
		note = store.NoteExpired
	}
	m.Op.Withdrawn(note, at)
	m.Phase = m.withdrawnPhase()
	return m, []Effect{SaveOp{Op: m.Op}}
}

func (m Machine) withdrawnPhase() Phase {
	if m.Expired {
		return TimedOut
	}
	return Cancelled
}

// afterResolve moves on from a resolve answer.
func (m Machine) afterResolve(op store.Operation, at time.Time, err error) (Machine, []Effect) {
	m.Now = at
	m.Op = op
	if err != nil {
		m.Err = err
		switch providers.KindOf(err) {
		case providers.ErrNotResolvable:
			// Already final on the provider's side: read the outcome.
			m.Phase = Waiting
			return m, []Effect{PollOp{Op: m.Op}}
		case providers.ErrNotFound:
			m.Op.NeedsCheck(store.NoteUnknownToProvider, at)
			m.Phase = Check
			return m, []Effect{SaveOp{Op: m.Op}}
		}
		m.Failing++
		return m, []Effect{ResolveOp{Op: m.Op, After: m.resolveWait(at)}}
	}
	m.Err, m.Failing = nil, 0
	switch op.State {
	case store.StateSuccess:
		m.Phase = Paid
		return m, nil
	case store.StateFailed:
		m.Phase = Declined
		return m, nil
	case store.StatePending:
		m.Phase = Waiting
		return m, []Effect{PollOp{Op: m.Op, After: m.Info.PollEvery}}
	}
	return m, []Effect{ResolveOp{Op: m.Op, After: m.resolveWait(at)}}
}

// resolveWait is how long to wait before the next resolve call so that
// calls stay ResolveEvery apart, across restarts too.
func (m Machine) resolveWait(now time.Time) time.Duration {
	if m.Op.LastResolve.IsZero() {
		return 0
	}
	every := m.Info.ResolveEvery
	if m.Background {
		// Nobody waits at the till: ask less often as time goes on.
		every = max(every, m.refundPollWait())
	}
	if d := every - m.elapsed(now, m.Op.LastResolve); d > 0 {
		return d
	}
	return 0
}

// pollWait is the pause before the next status call: status calls are
// PollEvery apart from their starts.
func (m Machine) pollWait() time.Duration {
	if m.asyncRefund() || m.Background {
		return max(m.refundPollWait()-m.took, 0)
	}
	return max(m.Info.PollEvery-m.took, 0)
}

// refundPollWait paces a refund followed in the background: often at
// first, then less and less, as it may take hours.
func (m Machine) refundPollWait() time.Duration {
	every := m.Info.RefundPollEvery
	if every <= 0 {
		every = max(m.Info.PollEvery, 5*time.Second)
	}
	age := m.elapsed(m.Now, m.Op.Created)
	switch {
	case age < 2*time.Minute:
		return every
	case age < time.Hour:
		return max(every, time.Minute)
	}
	return max(every, 5*time.Minute)
}

// backoff is the pause before asking again after calls that got no
// answer: it grows with each, up to a minute.
func (m Machine) backoff() time.Duration {
	d := max(m.Info.PollEvery, time.Second)
	for i := 1; i < m.Failing && d < time.Minute; i++ {
		d *= 2
	}
	return min(d, time.Minute)
}

// limit is the customer's time and when it started counting: the scan
// timeout from the start, or the confirm timeout from the scan. False
// when no deadline applies (a refund followed in the background).
func (m Machine) limit() (time.Duration, time.Time, bool) {
	if m.asyncRefund() || m.Background {
		return 0, time.Time{}, false
	}
	if !m.Op.ConfirmSince.IsZero() && m.Info.ConfirmTimeout > 0 {
		return m.Info.ConfirmTimeout, m.Op.ConfirmSince, true
	}
	if m.Info.ScanTimeout <= 0 {
		return 0, time.Time{}, false
	}
	return m.Info.ScanTimeout, m.Op.Created, true
}

// HasDeadline reports whether the customer's time is counted.
func (m Machine) HasDeadline() bool {
	_, _, ok := m.limit()
	return ok
}

func (m Machine) deadlinePassed() bool {
	left, _ := m.TimeLeft(m.Now)
	return m.HasDeadline() && left <= 0
}

// TimeLeft is the time the customer has left at now, on the till's clock,
// and whether it is the confirm timeout (true) or the scan timeout
// (false). Once the customer has scanned, the confirm timeout applies,
// even after the POS has moved on to cancelling.
func (m Machine) TimeLeft(now time.Time) (time.Duration, bool) {
	confirming := !m.Op.ConfirmSince.IsZero() && m.Info.ConfirmTimeout > 0
	limit, since, ok := m.limit()
	if !ok {
		return 0, confirming
	}
	return limit - m.elapsed(now, since), confirming
}
