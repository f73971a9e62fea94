// Package sale is the till's sale screen: amount entry, waiting for the
// customer, and the outcome.
//
// The workflow is an explicit state machine (Machine) that does no IO: it
// takes messages and answers with Effects, plain values saying what IO to do
// next (write the operation ahead, start it, poll it, resolve it). Runner
// turns effects into tea.Cmds that do the IO and come back as messages. Tests
// drive the machine with messages and assert its phase and effects, with no
// terminal, network or disk.
package sale

import (
	"strings"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// Phase is where the sale stands.
type Phase int

const (
	// Entry: the cashier types an amount.
	Entry Phase = iota
	// Starting: the operation is being written ahead and sent.
	Starting
	// Waiting: the provider accepted; polling for the customer.
	Waiting
	// Resolving: the outcome is unknown; asking the provider to resolve it.
	// No new payment can start until it ends.
	Resolving
	// Paid: success; the receipt shows.
	Paid
	// Declined: the provider reports failure; no money was taken.
	Declined
	// NotStarted: the provider refused or could not be reached; nothing
	// happened. Op.State is refused (or the operation was never stored).
	NotStarted
	// Check: the till cannot tell whether the payment started; a person
	// checks the terminal. Op.State is needs_check.
	Check
	// TimedOut: the customer did not act in time; the till stopped waiting.
	TimedOut
)

// Busy reports whether an operation is in flight and the cashier must wait.
func (p Phase) Busy() bool { return p == Starting || p == Waiting || p == Resolving }

// Final reports whether the phase shows an outcome the cashier can leave.
func (p Phase) Final() bool { return p != Entry && !p.Busy() }

// Effect is IO the machine asks for. Runner carries it out.
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

// SaveOp stores the operation as the machine changed it.
type SaveOp struct{ Op store.Operation }

func (CreateOp) effect()  {}
func (StartOp) effect()   {}
func (PollOp) effect()    {}
func (ResolveOp) effect() {}
func (SaveOp) effect()    {}

// Messages the runner sends back. Each carries the operation as stored
// after the IO, so the machine never holds a state the disk does not.

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
	SaveErr error // the answer was applied but could not be written
}

// ResolvedMsg: a resolve answer was applied and stored (Err: no answer).
type ResolvedMsg struct {
	Op      store.Operation
	At      time.Time
	Err     error
	SaveErr error // the answer was applied but could not be written
}

// SavedMsg: a SaveOp finished.
type SavedMsg struct {
	Op  store.Operation
	Err error
}

// InputProblem says why an amount cannot be sent.
type InputProblem int

const (
	NoProblem InputProblem = iota
	ProblemEmpty
	ProblemZero
	ProblemTooSmall
	ProblemTooLarge
	ProblemFormat
)

// maxDigits bounds what the cashier can type: 12 digits of minor units is
// far past any provider's limit, and far from int64's.
const maxDigits = 12

// Machine is the sale workflow. It is a value: methods return the next
// machine and the effects to run.
type Machine struct {
	Phase   Phase
	Info    providers.Info
	Cashier string
	Demo    bool

	// Input is what the cashier typed: digits, and a decimal point for
	// currencies with minor units.
	Input   string
	Problem InputProblem

	// Op is the operation in flight or just finished.
	Op store.Operation
	// Err is the last error: why it did not start, or why the last poll
	// got no answer.
	Err error
	// Failing counts polls in a row that got no answer.
	Failing int
	// SaveErr is the last failure to write the data file. The operation
	// goes on in memory and every later answer tries to write it again.
	SaveErr error
	// Now is the time of the last answer, for countdowns.
	Now time.Time
	// Elapsed measures the till's clock from one stamp to a later one
	// (clock.Clock.Sub): training's runs faster than the wall time the
	// stamps are in. Nil: the plain difference.
	Elapsed func(to, from time.Time) time.Duration
}

// New returns a machine at amount entry.
func New(info providers.Info, cashier string, demo bool) Machine {
	return Machine{Phase: Entry, Info: info, Cashier: cashier, Demo: demo}
}

// Type adds a typed character to the amount. Anything but digits (and a
// decimal point where the currency has minor units) is ignored.
func (m Machine) Type(r rune) Machine {
	if m.Phase != Entry {
		return m
	}
	m.Problem = NoProblem
	switch {
	case r >= '0' && r <= '9':
		intPart, frac, hasDot := strings.Cut(m.Input, ".")
		if hasDot && len(frac) >= m.Info.Currency.Digits {
			return m
		}
		if !hasDot && len(intPart) >= maxDigits-m.Info.Currency.Digits {
			return m
		}
		if m.Input == "0" && r == '0' {
			return m
		}
		if m.Input == "0" {
			m.Input = ""
		}
		m.Input += string(r)
	case (r == '.' || r == ',') && m.Info.Currency.Digits > 0 && !strings.Contains(m.Input, "."):
		if m.Input == "" {
			m.Input = "0"
		}
		m.Input += "."
	}
	return m
}

// Backspace removes the last typed character.
func (m Machine) Backspace() Machine {
	if m.Phase == Entry && m.Input != "" {
		m.Input = m.Input[:len(m.Input)-1]
		m.Problem = NoProblem
	}
	return m
}

// Clear empties the amount.
func (m Machine) Clear() Machine {
	if m.Phase == Entry {
		m.Input, m.Problem = "", NoProblem
	}
	return m
}

// Amount is the typed amount, and why it cannot be sent if it cannot.
func (m Machine) Amount() (providers.Money, InputProblem) {
	if m.Input == "" {
		return providers.Money{}, ProblemEmpty
	}
	a, err := providers.ParseMajor(strings.TrimSuffix(m.Input, "."), m.Info.Currency)
	if err != nil {
		return a, ProblemFormat
	}
	switch {
	case a.Minor <= 0:
		return a, ProblemZero
	case m.Info.MinAmount.Minor > 0 && a.Minor < m.Info.MinAmount.Minor:
		return a, ProblemTooSmall
	case m.Info.MaxAmount.Minor > 0 && a.Minor > m.Info.MaxAmount.Minor:
		return a, ProblemTooLarge
	}
	return a, NoProblem
}

// Submit starts the payment of the typed amount: it is written ahead first.
// A bad amount sets Problem and starts nothing.
func (m Machine) Submit(now time.Time) (Machine, []Effect) {
	if m.Phase != Entry {
		return m, nil
	}
	amount, problem := m.Amount()
	if problem != NoProblem {
		m.Problem = problem
		return m, nil
	}
	m.Phase = Starting
	m.Err = nil
	m.Failing = 0
	m.Now = now
	m.Op = store.NewPayment(m.Info.Name, amount, m.Cashier, m.Demo, now)
	return m, []Effect{CreateOp{Op: m.Op}}
}

// SubmitRefund starts a refund of amount from a successful payment. The
// store checks what is left in the same write that records the refund, so
// an over-refund is refused before the provider hears of it.
func (m Machine) SubmitRefund(payment store.Operation, amount providers.Money, now time.Time) (Machine, []Effect) {
	if m.Phase != Entry && !m.Phase.Final() {
		return m, nil
	}
	m = m.fresh()
	m.Phase, m.Now = Starting, now
	m.Op = store.NewRefund(payment, amount, m.Cashier, now)
	return m, []Effect{CreateOp{Op: m.Op}}
}

// Next leaves an outcome screen for a new sale. Busy phases cannot be left:
// the outcome is not known yet.
func (m Machine) Next() Machine {
	if !m.Phase.Final() {
		return m
	}
	return m.fresh()
}

// fresh is a new machine at amount entry on the same clock.
func (m Machine) fresh() Machine {
	n := New(m.Info, m.Cashier, m.Demo)
	n.Elapsed = m.Elapsed
	return n
}

// Resume takes up an operation found unfinished at startup: it is polled,
// resolved, or, when it never got a provider handle, handed to a person.
// It never starts a payment again.
func (m Machine) Resume(op store.Operation, now time.Time) (Machine, []Effect) {
	m.Op, m.Now, m.Err, m.Failing = op, now, nil, 0
	switch op.State {
	case store.StatePending:
		m.Phase = Waiting
		return m, []Effect{PollOp{Op: op}}
	case store.StateUnknown:
		m.Phase = Resolving
		return m, []Effect{ResolveOp{Op: op, After: m.resolveWait(now)}}
	case store.StateCreated:
		// The till stopped between writing ahead and hearing the answer: the
		// request may have reached the provider. Only a person can tell.
		m.Op.NeedsCheck(store.NoteInterrupted, now)
		m.Phase = Check
		return m, []Effect{SaveOp{Op: m.Op}}
	}
	return m, nil
}

// Update applies a message from the runner.
func (m Machine) Update(msg any) (Machine, []Effect) {
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
			return m, []Effect{PollOp{Op: m.Op, After: m.Info.PollEvery}}
		case m.Op.State == store.StateNeedsCheck:
			m.Phase = Check
		default:
			m.Phase = NotStarted
		}
		return m, nil

	case PolledMsg:
		if m.Phase != Waiting || msg.Op.ID != m.Op.ID {
			return m, nil
		}
		m.SaveErr = msg.SaveErr
		return m.afterAnswer(msg.Op, msg.At, msg.Err)

	case ResolvedMsg:
		if m.Phase != Resolving || msg.Op.ID != m.Op.ID {
			return m, nil
		}
		m.SaveErr = msg.SaveErr
		return m.afterResolve(msg.Op, msg.At, msg.Err)

	case SavedMsg:
		if msg.Op.ID == m.Op.ID {
			m.SaveErr = msg.Err
		}
		return m, nil
	}
	return m, nil
}

// afterAnswer moves on from a status answer while waiting.
func (m Machine) afterAnswer(op store.Operation, at time.Time, err error) (Machine, []Effect) {
	m.Now = at
	if err != nil {
		m.Err = err
		if providers.KindOf(err) == providers.ErrNotFound {
			// The terminal no longer knows the process (restarted, or past its
			// 24 hours): the money may or may not have been taken.
			m.Op = op
			m.Op.NeedsCheck(store.NoteUnknownToProvider, at)
			m.Phase = Check
			return m, []Effect{SaveOp{Op: m.Op}}
		}
		// No answer: keep asking, and do not time out on a guess. Only the
		// provider saying the customer has not acted lets the till give up.
		m.Failing++
		return m, []Effect{PollOp{Op: m.Op, After: m.Info.PollEvery}}
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
		if left, _ := m.TimeLeft(); left <= 0 {
			m.Phase = TimedOut
		}
		return m, nil
	case store.StateUnknown:
		m.Phase = Resolving
		return m, []Effect{ResolveOp{Op: m.Op, After: m.resolveWait(at)}}
	}
	if left, _ := m.TimeLeft(); left <= 0 {
		m.Op.TimedOut(at)
		m.Phase = TimedOut
		return m, []Effect{SaveOp{Op: m.Op}}
	}
	return m, []Effect{PollOp{Op: m.Op, After: m.Info.PollEvery}}
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
	if d := m.Info.ResolveEvery - m.elapsed(now, m.Op.LastResolve); d > 0 {
		return d
	}
	return 0
}

// TimeLeft is the time the customer has left, and whether it is the
// confirm timeout (true) or the scan timeout (false).
func (m Machine) TimeLeft() (time.Duration, bool) {
	// Once the customer has scanned, the confirm timeout applies, even
	// after the POS has moved on to cancelling.
	if !m.Op.ConfirmSince.IsZero() {
		return m.Info.ConfirmTimeout - m.elapsed(m.Now, m.Op.ConfirmSince), true
	}
	return m.Info.ScanTimeout - m.elapsed(m.Now, m.Op.Created), false
}

// elapsed is the time from one stamp to a later one on the till's clock.
func (m Machine) elapsed(to, from time.Time) time.Duration {
	if m.Elapsed == nil {
		return to.Sub(from)
	}
	return m.Elapsed(to, from)
}
