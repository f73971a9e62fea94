package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kassa-till/kassa/providers"
)

// ID numbers operations in the order they were created. It doubles as the
// till's receipt number, so receipts are numbered without gaps per data file.
type ID uint64

// Receipt is the receipt number printed for the operation: "000042".
func (id ID) Receipt() string { return fmt.Sprintf("%06d", uint64(id)) }

// Kind is a payment or a refund.
type Kind string

const (
	KindPayment Kind = "payment"
	KindRefund  Kind = "refund"
)

// State is where an operation stands from the till's point of view. It is
// richer than providers.State because the till must also remember what it
// does not know: whether a request reached the provider at all.
type State string

const (
	// StateCreated: stored, the provider not yet asked. Written before every
	// provider call; found at startup it means the till died mid-request.
	StateCreated State = "created"
	// StatePending: the provider accepted it (Ref is known) and it is going.
	StatePending State = "pending"
	// StateUnknown: the provider does not know the outcome; resolving.
	StateUnknown State = "unknown"
	StateSuccess State = "success"
	StateFailed  State = "failed"
	// StateRefused: the provider refused to start it; nothing happened.
	StateRefused State = "refused"
	// StateTimeout: the till stopped waiting for the customer. The provider
	// gives up at the same time, but only its answer makes it final.
	StateTimeout State = "timeout"
	// StateNeedsCheck: the request may have reached the provider but the
	// till has no handle to ask about it; a person checks the terminal's
	// history. It blocks nothing else.
	StateNeedsCheck State = "needs_check"
)

// Open reports whether the operation still needs following up.
func (s State) Open() bool {
	switch s {
	case StateCreated, StatePending, StateUnknown, StateTimeout:
		return true
	}
	return false
}

// Operation is one payment or refund, everything the till knows about it.
type Operation struct {
	ID       ID              `json:"id"`
	Kind     Kind            `json:"kind"`
	Provider string          `json:"provider"`
	Amount   providers.Money `json:"amount"`
	State    State           `json:"state"`

	// OperationID is the till's own id for the operation, unique across
	// tills ("<till>-<receipt>"): providers that take a merchant-chosen
	// id get this one, so a retry asks about the same operation.
	OperationID string `json:"opId,omitempty"`
	// Ref is the provider's handle: Kaspi's processId, UzQR's invoice id
	// (a refund's: its refund id).
	Ref string `json:"ref,omitempty"`
	// QR is the code the till draws for the customer, kept so a resumed
	// sale draws it again.
	QR *providers.QR `json:"qr,omitempty"`
	// Method and TransactionID are what a later refund needs: Kaspi takes
	// orderNumber for a QR payment and rrn for a card payment.
	Method        providers.Method `json:"method,omitempty"`
	TransactionID string           `json:"transactionId,omitempty"`

	Stage  providers.Stage `json:"stage,omitempty"`
	Detail string          `json:"detail,omitempty"` // provider's stage name
	// Message is the provider's text with its latest answer on fail or
	// unknown; an answer that moves the operation on without one clears
	// it, so a success never shows an earlier stage's words.
	Message string `json:"message,omitempty"`

	// Error is why the provider refused or why the till could not tell.
	Error *OpError `json:"error,omitempty"`

	Cheque *providers.Cheque `json:"cheque,omitempty"`
	Offer  *providers.Offer  `json:"offer,omitempty"`
	Fiscal *providers.Fiscal `json:"fiscal,omitempty"`
	// Sale is the product sold and the customer's contact, for a provider
	// that registers the fiscal receipt (OCTO); written ahead, so a start
	// sent again sends the same.
	Sale *providers.Sale `json:"sale,omitempty"`
	// FiscalWanted is set on a payment whose provider registers its fiscal
	// receipt (never in training): once paid, the till asks for the fiscal
	// data until Fiscal holds it. FiscalAsked is when it last asked (the
	// spacing holds across restarts), FiscalError what the provider said
	// then, and FiscalMissing when the till stopped asking by itself: the
	// payment is "not fiscalized" until a person asks again and it comes.
	FiscalWanted  bool      `json:"fiscalWanted,omitempty"`
	FiscalAsked   time.Time `json:"fiscalAsked,omitzero"`
	FiscalTries   int       `json:"fiscalTries,omitempty"`
	FiscalError   string    `json:"fiscalError,omitempty"`
	FiscalMissing time.Time `json:"fiscalMissing,omitzero"`
	// FiscalSince is when a person asked again, from which the till's
	// patience counts (zero: from Finished).
	FiscalSince time.Time `json:"fiscalSince,omitzero"`
	// Raw is the provider's last status answer as received.
	Raw json.RawMessage `json:"raw,omitempty"`

	// PaymentID is, for a refund, the payment it returns money from, and
	// PaymentNumber that payment's number (its TransactionID) for the
	// receipt.
	PaymentID     ID     `json:"paymentId,omitempty"`
	PaymentNumber string `json:"paymentNumber,omitempty"`

	Cashier string `json:"cashier,omitempty"`
	// Approver is the manager who approved the operation with their PIN
	// (a refund a cashier could not make alone).
	Approver string `json:"approver,omitempty"`
	Training bool   `json:"training,omitempty"`
	Note     string `json:"note,omitempty"`
	// Check is set when a person settled the operation by hand.
	Check *Check `json:"check,omitempty"`
	// HandedOver is when a person moved an operation the till could not
	// settle to the operations to check: the till goes on asking the
	// provider about it, and a person may settle it meanwhile.
	HandedOver time.Time `json:"handedOver,omitzero"`
	// ReceiptURL is the link of the fiscal receipt the shop's fiscal
	// register printed for the payment; ReceiptLinked when the provider
	// took it.
	ReceiptURL    string    `json:"receiptUrl,omitempty"`
	ReceiptLinked time.Time `json:"receiptLinked,omitzero"`
	// Late is when the provider said a payment went through after the
	// till had given up on it: a person keeps it or refunds it.
	Late time.Time `json:"late,omitzero"`
	// Printed is when the receipt last came out of the till's printer,
	// Prints how many times; PrintError why the last try did not print
	// ("" once one did). A reprint says COPY.
	Printed    time.Time `json:"printed,omitzero"`
	Prints     int       `json:"prints,omitempty"`
	PrintError string    `json:"printError,omitempty"`
	// GaveUp is when the cashier (or the customer's time) gave up on a
	// payment its provider could not withdraw (OCTO closes an unpaid pay
	// page only at its ttl): the till follows it in the background until
	// the provider ends it, and a success after it is late.
	GaveUp time.Time `json:"gaveUp,omitzero"`

	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// ConfirmSince is when the customer passed the scan, so the confirm
	// timeout survives a restart.
	ConfirmSince time.Time `json:"confirmSince,omitzero"`
	// LastResolve is when the provider was last asked to resolve an unknown
	// outcome, so the spacing holds across restarts too.
	LastResolve time.Time `json:"lastResolve,omitzero"`
	Finished    time.Time `json:"finished,omitzero"`

	History []Event `json:"history,omitempty"`
}

// OpError is a provider error as kept with the operation.
type OpError struct {
	Kind       providers.ErrorKind `json:"kind"`
	HTTPStatus int                 `json:"http,omitempty"`
	Code       string              `json:"code,omitempty"`
	Text       string              `json:"text,omitempty"`
}

// Event is one change of state or stage, kept for the audit trail.
type Event struct {
	At     time.Time       `json:"at"`
	State  State           `json:"state"`
	Stage  providers.Stage `json:"stage,omitempty"`
	Detail string          `json:"detail,omitempty"` // the provider's own name for the stage
	// Note is a code (Note…) the screens put in the reader's language;
	// Text is a person's own words with it, shown as written.
	Note string `json:"note,omitempty"`
	Text string `json:"text,omitempty"`
	// Message is the provider's text that came with this change.
	Message string `json:"message,omitempty"`
}

// NewPayment returns a payment ready to be written ahead of the provider call.
func NewPayment(provider string, amount providers.Money, cashier string, training bool, at time.Time) Operation {
	op := Operation{Kind: KindPayment, Provider: provider, Amount: amount, Cashier: cashier, Training: training}
	op.moveTo(StateCreated, at, "")
	op.Created = at
	return op
}

// NewRefund returns a refund of amount from payment, ready to be written ahead.
func NewRefund(payment Operation, amount providers.Money, cashier string, at time.Time) Operation {
	op := Operation{
		Kind: KindRefund, Provider: payment.Provider, Amount: amount, Cashier: cashier,
		Training: payment.Training, PaymentID: payment.ID, PaymentNumber: payment.TransactionID, Method: payment.Method,
	}
	op.moveTo(StateCreated, at, "")
	op.Created = at
	return op
}

// Receipt is the till's receipt number for this operation.
func (op Operation) Receipt() string { return op.ID.Receipt() }

// Started records that the provider accepted the operation.
func (op *Operation) Started(s providers.Status, at time.Time) {
	op.Ref = s.Ref
	op.moveTo(StatePending, at, "")
	op.ApplyStatus(s, at)
}

// Handle addresses the operation at its provider.
func (op Operation) Handle() providers.Handle {
	kind := providers.KindPayment
	if op.Kind == KindRefund {
		kind = providers.KindRefund
	}
	id := op.OperationID
	if id == "" {
		// Written before operation ids existed: Kaspi was told nothing
		// else.
		id = op.Receipt()
	}
	return providers.Handle{Kind: kind, OperationID: id, Ref: op.Ref}
}

// ApplyStatus records what the provider reported. Pending answers with no
// state (as a bare start acknowledgement) leave the state as it is.
func (op *Operation) ApplyStatus(s providers.Status, at time.Time) {
	if s.Stage != "" {
		op.Stage = s.Stage
	}
	if s.Detail != "" {
		op.Detail = s.Detail
	}
	next := op.State
	switch s.State {
	case providers.StatePending:
		next = StatePending
	case providers.StateSuccess:
		next = StateSuccess
	case providers.StateFail:
		next = StateFailed
	case providers.StateUnknown:
		next = StateUnknown
	}
	said := ""
	switch {
	case s.Message != "":
		said = s.Message
		if said == op.Message {
			said = "" // said already, and kept in an earlier event
		}
		op.Message = s.Message
	case next != op.State:
		op.Message = "" // the words of a stage left behind
	}
	if s.Method != "" {
		op.Method = s.Method
	}
	if s.TransactionID != "" {
		op.TransactionID = s.TransactionID
	}
	if s.Cheque != nil {
		op.Cheque = s.Cheque
	}
	if s.Offer != nil {
		op.Offer = s.Offer
	}
	if s.Fiscal != nil {
		op.Fiscal = s.Fiscal
	}
	if s.Ref != "" && op.Ref == "" {
		op.Ref = s.Ref
	}
	if s.QR != nil {
		op.QR = s.QR
	}
	if len(s.Raw) > 0 {
		op.Raw = s.Raw
	}
	if op.Stage.Confirming() && op.ConfirmSince.IsZero() {
		op.ConfirmSince = at
	}
	e := Event{Message: said}
	if next == StateSuccess && op.State != StateSuccess && !op.GaveUp.IsZero() && op.Late.IsZero() {
		// Paid after the till gave up on it: in the same write, so a
		// crash cannot leave it looking like an ordinary sale.
		op.Late, e.Note = at, NoteLate
	}
	op.record(next, at, e)
}

// GiveUp records that the till gave up on a payment its provider cannot
// withdraw: it stays open, followed in the background.
func (op *Operation) GiveUp(note string, at time.Time) {
	if op.GaveUp.IsZero() {
		op.GaveUp = at
		op.moveTo(op.State, at, note)
	}
}

// Refused records that the provider answered with an error instead of
// starting the operation. Where the request may still have been carried out
// the operation is left for a person to check rather than called refused.
func (op *Operation) Refused(err error, at time.Time) {
	op.Error = opError(err)
	if providers.MaybeSent(err) {
		op.moveTo(StateNeedsCheck, at, "")
		return
	}
	op.moveTo(StateRefused, at, "")
}

// TimedOut records that the till stopped waiting for the customer.
func (op *Operation) TimedOut(at time.Time) { op.moveTo(StateTimeout, at, "") }

// Withdrawn records that the till cancelled an operation the customer had
// not paid, at the provider, with why (NoteCancelled, NoteExpired).
func (op *Operation) Withdrawn(note string, at time.Time) { op.moveTo(StateFailed, at, note) }

// ArrivedLate records that the provider says an operation the till had
// given up on (timed out, withdrawn) went through after all. It is kept,
// and a person decides whether to keep the money or refund it.
func (op *Operation) ArrivedLate(s providers.Status, at time.Time) {
	op.Late = at
	op.ApplyStatus(s, at)
	op.moveTo(op.State, at, NoteLate)
}

// HandOver moves an operation the till cannot settle now to the
// operations to check, while it stays open and followed.
func (op *Operation) HandOver(at time.Time) {
	if op.HandedOver.IsZero() {
		op.HandedOver = at
		op.moveTo(op.State, at, NoteHandedOver)
	}
}

// NeedsCheck hands the operation to a person with a reason.
func (op *Operation) NeedsCheck(note string, at time.Time) { op.moveTo(StateNeedsCheck, at, note) }

// Notes the till writes on an operation's events: codes, which the screens
// put in the reader's language.
const (
	NoteInterrupted       = "interrupted"         // the till stopped before the provider answered
	NoteUnknownToProvider = "unknown_to_provider" // the provider does not know the operation
	NoteNoAnswer          = "no_answer"           // the request went unanswered
	NoteUnresolvable      = "unresolvable"        // the outcome is unknown and the provider cannot resolve it
	NoteCancelled         = "cancelled"           // the cashier gave up; the till cancelled it at the provider
	NoteExpired           = "expired"             // the customer did not pay in time; the till cancelled it
	NoteHandedOver        = "handed_over"         // a person moved it to the operations to check
	NoteLate              = "late"                // it went through after the till had given up on it
	NoteChecked           = "checked"             // a person settled it by the provider's history; Text says how
)

// Resolving records an attempt to resolve an unknown outcome.
func (op *Operation) Resolving(at time.Time) { op.LastResolve = at }

func (op *Operation) moveTo(s State, at time.Time, note string) { op.record(s, at, Event{Note: note}) }

// record moves op to state s and, where anything changed or e says
// something, adds e to its history with the state and stage filled in.
func (op *Operation) record(s State, at time.Time, e Event) {
	changed := s != op.State || len(op.History) == 0 ||
		op.History[len(op.History)-1].Stage != op.Stage || e.Note != "" || e.Message != ""
	op.State = s
	op.Updated = at
	if !s.Open() && op.Finished.IsZero() {
		op.Finished = at
	}
	if changed {
		e.At, e.State, e.Stage, e.Detail = at, s, op.Stage, op.Detail
		op.History = append(op.History, e)
	}
}

func opError(err error) *OpError {
	var pe *providers.Error
	if errors.As(err, &pe) {
		return &OpError{Kind: pe.Kind, HTTPStatus: pe.HTTPStatus, Code: pe.Code, Text: pe.Text}
	}
	return &OpError{Kind: providers.ErrProvider}
}

// Check is a person's verdict on an operation the till could not settle:
// what the provider's own history showed, and why.
type Check struct {
	At   time.Time `json:"at"`
	By   string    `json:"by,omitempty"`
	Paid bool      `json:"paid"`
	Note string    `json:"note"`
}

// NeedsPerson reports whether only a person can settle the operation: it
// was sent without an answer, the provider forgot it, the till stopped
// waiting for it, or a person moved it to the operations to check.
func (op Operation) NeedsPerson() bool {
	return op.State == StateNeedsCheck || op.State == StateTimeout ||
		op.State.Open() && !op.HandedOver.IsZero() ||
		!op.Late.IsZero() && op.Check == nil
}

// FiscalDue reports whether the till is still to ask for the payment's
// fiscal data by itself.
func (op Operation) FiscalDue() bool {
	return op.Kind == KindPayment && op.FiscalWanted && op.State == StateSuccess && op.Fiscal == nil && op.FiscalMissing.IsZero()
}

// NotFiscalized reports whether the payment was paid and its fiscal data
// never came, after the till stopped asking.
func (op Operation) NotFiscalized() bool {
	return op.Kind == KindPayment && op.FiscalWanted && op.State == StateSuccess && op.Fiscal == nil && !op.FiscalMissing.IsZero()
}

// ErrLatePaid refuses "not paid" for a payment the provider said went
// through after the till gave up on it: the money moved; a refund gives
// it back.
var ErrLatePaid = errors.New("store: the payment went through late; refund it rather than mark it not paid")

// ErrNoteRequired is returned when a check comes without a note.
var ErrNoteRequired = errors.New("store: a check needs a note")

// Checked closes an operation a person checked on the provider's side
// (the POS history): as paid, with the payment number the history shows
// where one is given, or as not paid. The note is kept with the verdict.
func (op *Operation) Checked(c Check, transactionID string) error {
	if !op.NeedsPerson() {
		return fmt.Errorf("store: operation %d is %s, not waiting for a check", op.ID, op.State)
	}
	if strings.TrimSpace(c.Note) == "" {
		return ErrNoteRequired
	}
	if !op.Late.IsZero() && !c.Paid {
		return ErrLatePaid
	}
	op.Check = &c
	state := StateFailed
	if c.Paid {
		state = StateSuccess
		if transactionID != "" {
			op.TransactionID = transactionID
		}
	}
	op.record(state, c.At, Event{Note: NoteChecked, Text: c.Note})
	return nil
}
