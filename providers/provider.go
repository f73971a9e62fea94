// Package providers holds what every payment provider shares: the Provider
// contract the till drives, money, statuses, errors and receipt data.
//
// Every provider does two things: start an operation (a payment, or a
// refund of an earlier payment) and say how one stands. What only some can
// do is an optional capability, found by a type assertion, never a method
// the others must fake:
//
//   - Resolver: settle an outcome the provider itself does not know (Kaspi
//     /v2/actualize, no more often than Info.ResolveEvery).
//   - Canceller: withdraw an operation the customer has not paid yet (UzQR
//     cancel). Where it is missing, the customer or cashier cancels on the
//     provider's own device.
//   - ReceiptLinker: tell the provider where the fiscal receipt of a paid
//     operation is (UzQR /payment/one_qr/receipt).
//   - Fiscalizer: register the fiscal receipt of a sale itself (OCTO): the
//     till tells it the product sold and the customer's contact (Request
//     Sale), and asks for the fiscal data once the payment succeeded.
//
// Operations are addressed by a Handle: the till's own operation id, which
// is unique across tills and which providers that take a merchant-chosen id
// use as their idempotency key (UzQR external_id, Monetix payment_id, OCTO
// shop_transaction_id), and the provider's ref once it gave one. How the
// four providers map onto the contract:
//
//   - Kaspi Smart POS (providers/kaspi): the terminal shows its own QR and
//     takes cards, so Status.QR stays nil. Start is /v2/payment or
//     /v2/refund (by the payment's method and transactionId); Ref is the
//     processId; Status is /v2/status, polled every second; Resolver is
//     /v2/actualize. One operation at a time (Info.OneAtATime): the POS
//     answers 107 to a second.
//   - UzQR dynamic QR (providers/uzqr): Start creates an invoice whose
//     external_id is the operation id and answers with the QR to draw;
//     Ref is the invoice id, a refund's Ref its refund id; Status may be
//     held open by the gateway (Info.StatusTimeout); Canceller cancels the
//     invoice; refunds can take hours (Info.RefundsAsync).
//   - Click QR via Monetix and OCTO: their QR may arrive after Start, by
//     callback (Pusher), so Status carries it too; the tracker applies a
//     callback's event to the operation through the same path as a poll
//     answer.
package providers

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Provider is one payment provider as the till drives it. Every method may
// be called from any goroutine; implementations do their own locking.
type Provider interface {
	Info() Info
	// Start asks the provider to carry out req: a payment, or a refund of an
	// earlier payment. The answer's Ref is the provider's handle. An error
	// means nothing was started, unless MaybeSent(err) says the request may
	// have reached the provider, in which case only a look at the
	// provider's side can tell.
	Start(ctx context.Context, req Request) (Status, error)
	// Status reports how the operation behind h stands now.
	Status(ctx context.Context, h Handle) (Status, error)
}

// Resolver is a provider that can be asked to settle an Unknown outcome.
type Resolver interface {
	// Resolve asks the provider to find out; call it no more often than
	// Info().ResolveEvery.
	Resolve(ctx context.Context, h Handle) (Status, error)
}

// Canceller is a provider that can withdraw an operation the customer has
// not paid. A payment that went through first is not undone: Cancel then
// fails, and Status tells the outcome.
type Canceller interface {
	Cancel(ctx context.Context, h Handle) error
}

// ReceiptLinker is a provider that keeps the link to a paid operation's
// fiscal receipt (printed by the shop's own fiscal register).
type ReceiptLinker interface {
	LinkReceipt(ctx context.Context, h Handle, url string) error
}

// Pusher is a provider that tells how an operation stands by callback to
// the till's own listener (Monetix, OCTO's notify): the QR to draw, and
// the outcome. Polling Status stays the fallback for a callback lost.
type Pusher interface {
	// Callbacks is the handler for the provider's callbacks. It verifies
	// each before it believes it (a forged one gets 400 and changes
	// nothing), hands it to deliver, and answers the provider only once
	// deliver returned nil: then the event is written, and a repeat
	// changes nothing. An error from deliver is answered so the provider
	// sends the callback again.
	Callbacks(deliver func(context.Context, Event) error) http.Handler
}

// Event is what a callback said about one operation, found by the till's
// own operation id (or the provider's ref, where the callback carries
// only that).
type Event struct {
	Handle Handle
	Status Status
}

// Kind is a payment or a refund.
type Kind string

const (
	KindPayment Kind = "payment"
	KindRefund  Kind = "refund"
)

// Handle addresses one operation at its provider.
type Handle struct {
	Kind Kind
	// OperationID is the till's own id, unique across tills.
	OperationID string
	// Ref is the provider's handle: empty until the provider gave one.
	Ref string
}

// Display says who shows the QR code to the customer.
type Display string

const (
	DisplayTerminal Display = "terminal" // the payment terminal shows it (Smart POS)
	DisplayTill     Display = "till"     // the till draws Status.QR
)

// Info describes a provider's rules and abilities.
type Info struct {
	Name      string // stable id: "kaspi", "uzqr", "monetix", "octo"
	Currency  Currency
	QRShownBy Display
	Methods   []Method

	// PollEvery is the least time between two Status calls while waiting.
	PollEvery time.Duration
	// ResolveEvery is the least time between two Resolve calls.
	ResolveEvery time.Duration
	// ScanTimeout is how long the customer has to scan or present a card;
	// ConfirmTimeout how long to confirm after that (zero: no such stage).
	// The till mirrors the provider's own timeouts so both give up
	// together; where the till draws the QR, ScanTimeout is its lifetime.
	ScanTimeout    time.Duration
	ConfirmTimeout time.Duration
	// CallTimeout bounds one request; StatusTimeout a Status call, which
	// some providers hold open until something changes (long polling).
	CallTimeout   time.Duration
	StatusTimeout time.Duration

	// MinAmount and MaxAmount bound a single payment; zero means no bound.
	MinAmount Money
	MaxAmount Money
	// MaxIDLength is the longest operation id the provider takes; zero
	// means no limit.
	MaxIDLength int
	// OneAtATime: the provider runs one operation at a time, so the till
	// starts no other there while one is still open.
	OneAtATime bool
	// StatusByID: Status answers for a payment by the till's operation id
	// alone, before the provider gave a ref (OCTO's shop_transaction_id).
	// A payment the till wrote ahead and was killed before hearing the
	// start's answer is then asked about, not handed to a person.
	StatusByID bool

	Refunds        bool
	PartialRefunds bool
	// RefundsAsync is true where a refund can take hours to finish: the
	// till follows it in the background instead of holding the screen.
	RefundsAsync bool
	// RefundPollEvery is the least time between two Status calls of a
	// refund followed in the background.
	RefundPollEvery time.Duration
}

// Fits reports whether a payment of amount is within the provider's limits.
func (i Info) Fits(amount Money) bool {
	return amount.Currency.Code == i.Currency.Code && amount.Minor > 0 &&
		(i.MinAmount.Minor <= 0 || amount.Minor >= i.MinAmount.Minor) &&
		(i.MaxAmount.Minor <= 0 || amount.Minor <= i.MaxAmount.Minor)
}

// Method is how the customer paid.
type Method string

const (
	MethodQR   Method = "qr"
	MethodCard Method = "card"
)

// Request asks for one payment or refund.
type Request struct {
	Kind Kind
	// OperationID is unique across tills and never reused. Providers that
	// take a merchant-chosen id use it, which makes a retry ask about the
	// same operation instead of making a second one.
	OperationID string
	Amount      Money
	Description string

	// For a refund, the payment it returns money from, and what the
	// provider needs to find it: Kaspi takes its method and transactionId
	// (orderNumber for QR, rrn for card), UzQR the pay_id.
	Payment       Handle
	Method        Method
	TransactionID string

	// Sale is what a Fiscalizer needs for the fiscal receipt of a payment;
	// other providers ignore it.
	Sale Sale
}

// Sale is what a provider that registers the fiscal receipt (a Fiscalizer)
// needs of a payment beyond its amount. It is written ahead with the
// operation, so a start sent again after a crash sends the same basket.
type Sale struct {
	// Product names one of the provider's products (Fiscalizer.Products);
	// empty is its first.
	Product string `json:"product,omitempty"`
	// Contact is the customer's phone (+998 and nine digits) or email for
	// the fiscal receipt; empty is the shop's default.
	Contact string `json:"contact,omitempty"`
}

// Fiscalizer is a provider that registers a paid sale's fiscal receipt
// with the tax office itself (OCTO, seed 002).
type Fiscalizer interface {
	// Products are the names of the shop's products registered for fiscal
	// receipts, in the order the cashier picks them; one or none: the
	// cashier does not choose.
	Products() []string
	// DefaultContact is the shop's phone or email used when the customer
	// gives none; empty: the cashier must type the customer's.
	DefaultContact() string
	// Fiscalize asks for the fiscal receipt of the paid payment h. One not
	// registered yet is an error of kind ErrNotFound: ask again later.
	Fiscalize(ctx context.Context, h Handle) (Fiscal, error)
}

// QR is a code the till draws for the customer: a next action with an
// expiry, which may come with the start or later.
type QR struct {
	Payload string    `json:"payload"`
	Expires time.Time `json:"expires,omitzero"`
	// Receiver, Account and Bank name who is paid, where the provider
	// says so (Monetix display_data), shown beside the QR.
	Receiver string `json:"receiver,omitempty"`
	Account  string `json:"account,omitempty"`
	Bank     string `json:"bank,omitempty"`
}

// State is where an operation stands.
type State string

const (
	StatePending State = "pending" // still going
	StateSuccess State = "success"
	StateFail    State = "fail"
	// StateUnknown: the provider does not know the outcome. The money may
	// have been taken; never treat it as a failure, call Resolve.
	StateUnknown State = "unknown"
)

// Final reports whether s ends the operation.
func (s State) Final() bool { return s == StateSuccess || s == StateFail }

// Stage is what the customer or terminal is doing, in provider-neutral terms.
type Stage string

const (
	StageStarting    Stage = "starting"     // the terminal is setting up
	StageWaitScan    Stage = "wait_scan"    // waiting for the customer to scan or present a card
	StageWaitConfirm Stage = "wait_confirm" // scanned; waiting for confirmation in the app
	StageCard        Stage = "card"         // reading or authorising a card
	StagePIN         Stage = "pin"          // waiting for the PIN
	StageRefund      Stage = "refund"       // processing a refund
	StageDone        Stage = "done"         // the terminal finished (success or failure)
	StageCancelled   Stage = "cancelled"    // cancelled on the terminal
)

// Stages lists every stage, so each can be given a sentence.
var Stages = []Stage{StageStarting, StageWaitScan, StageWaitConfirm, StageCard, StagePIN, StageRefund, StageDone, StageCancelled}

// Confirming reports whether the customer has passed the scan and the
// confirm timeout applies rather than the scan timeout.
func (s Stage) Confirming() bool {
	return s == StageWaitConfirm || s == StageCard || s == StagePIN
}

// Status is how an operation stands, as the provider reported it.
type Status struct {
	State State
	// Ref is the provider's handle, set by Start (and by Status where it
	// learns one later).
	Ref string
	// QR is the code to draw for the customer, where the till draws it.
	QR    *QR
	Stage Stage
	// Detail is the provider's own name for the stage (Kaspi's subStatus).
	Detail string
	// Message is the provider's text on fail or unknown, shown as is.
	Message       string
	Method        Method
	TransactionID string
	Cheque        *Cheque
	Offer         *Offer
	Fiscal        *Fiscal
	// Raw is the provider's answer as received, kept with the operation.
	Raw json.RawMessage
}

// Cheque is the receipt data a provider hands back for a finished
// operation. Field names follow Kaspi's chequeInfo, the richest of the
// four; other providers fill what they have.
type Cheque struct {
	Type              string `json:"type,omitempty"` // "payment" or "refund"
	StoreName         string `json:"storeName,omitempty"`
	City              string `json:"city,omitempty"`
	Address           string `json:"address,omitempty"`
	Status            string `json:"status,omitempty"` // the text result, e.g. "Kaspi Gold-ман сатып алу. Мақұлданды"
	Amount            string `json:"amount,omitempty"` // as the provider wrote it: "1 ₸", "- 1 ₸"
	Date              string `json:"date,omitempty"`   // as the provider wrote it: "06.03.23 14:20:11"
	BIN               string `json:"bin,omitempty"`
	TerminalID        string `json:"terminalId,omitempty"`
	OrderNumber       string `json:"orderNumber,omitempty"`
	Method            Method `json:"method,omitempty"`
	CardMask          string `json:"cardMask,omitempty"`
	ICC               string `json:"icc,omitempty"`
	RRN               string `json:"rrn,omitempty"`
	AuthorizationCode string `json:"authorizationCode,omitempty"`
	HostResponseCode  string `json:"hostResponseCode,omitempty"`
	PinEntered        string `json:"pinEntered,omitempty"`
	// CardType and Phone are UzQR's payer details: the card's kind
	// ("1" corporate, "2" personal, "3" social) and the payer's phone as
	// the gateway masked it.
	CardType string `json:"cardType,omitempty"`
	Phone    string `json:"phone,omitempty"`
	// GateOperation and ProviderPaymentID are Monetix's operation id and
	// Click's own payment id, which the Monetix dashboard and Click's
	// support are searched by.
	GateOperation     string `json:"gateOperation,omitempty"`
	ProviderPaymentID string `json:"providerPaymentId,omitempty"`
}

// Offer is Kaspi's addInfo: which product paid and under what offer.
type Offer struct {
	IsOffer       bool   `json:"IsOffer"`
	ProductType   string `json:"ProductType,omitempty"`
	LoanTerm      int    `json:"LoanTerm,omitempty"`
	LoanOfferName string `json:"LoanOfferName,omitempty"`
}

// Fiscal is a fiscal receipt registered for a payment (OCTO's fiscal-data).
type Fiscal struct {
	TerminalID string `json:"terminalID,omitempty"`
	ReceiptID  string `json:"receiptId,omitempty"`
	DateTime   string `json:"dateTime,omitempty"`
	FiscalSign string `json:"fiscalSign,omitempty"`
	QRCodeURL  string `json:"qrCodeURL,omitempty"`
}
