// Package providers holds what every payment provider shares: the Provider
// interface the till drives, money, statuses, errors and receipt data.
//
// One interface fits all four providers of the spec, because the till only
// ever does five things: start a payment, start a refund, ask how an
// operation stands, ask the provider to settle an outcome it does not know,
// and cancel. How each provider maps onto it:
//
//   - Kaspi Smart POS (providers/kaspi): the terminal shows its own QR and
//     takes cards, so Started.QR is empty. StartPayment is GET /v2/payment,
//     Ref is the processId, Status is /v2/status polled every second, Resolve
//     is /v2/actualize (at most every 10 s) for an Unknown outcome, refunds
//     are /v2/refund by the payment's method and transactionId, partial
//     allowed, and finish in the same poll loop. Cancel is not offered: the
//     cashier cancels on the terminal.
//   - UzQR dynamic QR: the till shows Started.QR (the invoice's qr_text).
//     StartPayment creates an invoice (OperationID is its external_id), Ref is
//     the invoice id, Status polls the invoice, Cancel cancels it. Refunds may
//     take hours (Info.RefundsAsync): the refund's Ref is polled later by the
//     history screens rather than by the sale screen.
//   - Click QR via Monetix: the till shows display_data's qr_data. The
//     OperationID is Monetix's payment_id, so a retry after a crash asks
//     about the same payment instead of creating a second. The outcome comes
//     by signed callback; the provider keeps what callbacks said and Status
//     answers from that first, from the status request otherwise. The till
//     never sees the difference between polling and callbacks.
//   - OCTO: the till shows octo_pay_url as a QR. OperationID is
//     shop_transaction_id; Status re-calls prepare_payment with it. After
//     success the provider fetches fiscal-data, which arrives in
//     Status.Fiscal for the receipt.
//
// Refs are opaque to the till: a provider may encode in them whatever it
// needs to answer Status later (for example whether it is a refund).
package providers

import (
	"context"
	"encoding/json"
	"time"
)

// Provider is one payment provider as the till drives it. Every method may
// be called from any goroutine; implementations do their own locking.
type Provider interface {
	Info() Info
	// StartPayment asks the provider to take req.Amount. An error means no
	// payment was started, unless IsSent(err) says the request may have
	// reached the provider, in which case a person must check.
	StartPayment(ctx context.Context, req PaymentRequest) (Started, error)
	// StartRefund returns money from an earlier successful payment.
	StartRefund(ctx context.Context, req RefundRequest) (Started, error)
	// Status reports how the operation behind ref stands now.
	Status(ctx context.Context, ref string) (Status, error)
	// Resolve asks the provider to settle an Unknown outcome. Call it no more
	// often than Info().ResolveEvery.
	Resolve(ctx context.Context, ref string) (Status, error)
	// Cancel withdraws an operation the customer has not paid yet, where the
	// provider allows it (Info().CanCancel).
	Cancel(ctx context.Context, ref string) error
}

// Display says who shows the QR code to the customer.
type Display string

const (
	DisplayTerminal Display = "terminal" // the payment terminal shows it (Smart POS)
	DisplayTill     Display = "till"     // the till draws Started.QR
)

// Info describes a provider's rules and abilities.
type Info struct {
	Name      string // stable id: "kaspi", "uzqr", "monetix", "octo"
	Currency  Currency
	QRShownBy Display
	Methods   []Method

	// PollEvery is how often the till asks Status while waiting.
	PollEvery time.Duration
	// ResolveEvery is the least time between two Resolve calls.
	ResolveEvery time.Duration
	// ScanTimeout is how long the customer has to scan or present a card;
	// ConfirmTimeout how long to confirm after that. The till mirrors the
	// provider's own timeouts so both give up together.
	ScanTimeout    time.Duration
	ConfirmTimeout time.Duration

	// MinAmount and MaxAmount bound a single payment; zero means no bound.
	MinAmount Money
	MaxAmount Money

	Refunds        bool
	PartialRefunds bool
	// RefundsAsync is true where a refund can take hours to finish.
	RefundsAsync bool
	CanCancel    bool
}

// Method is how the customer paid.
type Method string

const (
	MethodQR   Method = "qr"
	MethodCard Method = "card"
)

// PaymentRequest asks for one payment.
type PaymentRequest struct {
	// OperationID is unique per till and never reused. Providers that take
	// a merchant-chosen id use it, which makes a retry ask about the same
	// payment instead of making a second one.
	OperationID string
	Amount      Money
	Description string
}

// RefundRequest returns money from an earlier successful payment.
type RefundRequest struct {
	OperationID string
	Amount      Money
	// What the provider needs to find the payment again.
	Method        Method
	TransactionID string // Kaspi: orderNumber for QR, rrn for card
	PaymentRef    string // the payment's Ref
}

// Started is what a provider answers when it has accepted an operation.
type Started struct {
	Ref string
	// QR is the content the till must draw; empty when the terminal shows
	// its own code.
	QR string
	// QRLifetime is how long the QR is good for, when the provider says.
	QRLifetime time.Duration
	Status     Status
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
// operation. Field names follow Kaspi's chequeInfo, the richest of the four.
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
