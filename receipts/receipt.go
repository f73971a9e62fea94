// Package receipts is the till's receipt: what it carries, which fields each
// kind must have before it may be printed, how it is laid out as plain text
// for 32, 42 and 48 column printers, and how that text becomes printer bytes.
//
// One table (kinds) says, for each kind of receipt, which provider fields it
// carries, in the order they are printed, and which of them are mandatory.
// Check and Render both read it, so what is required and what is printed
// cannot drift apart, and a new kind (a fiscalized OCTO payment, say) is a
// new row rather than a new code path.
package receipts

import (
	"fmt"
	"strings"
	"time"

	"github.com/kassa-till/kassa/providers"
)

// Kind is what the receipt is for.
type Kind string

const (
	QRPayment   Kind = "qr_payment"
	CardPayment Kind = "card_payment"
	QRRefund    Kind = "qr_refund"
	CardRefund  Kind = "card_refund"
	// UzQRPayment and UzQRRefund are a UzQR dynamic QR's: the invoice and
	// payment numbers, the payer's card, and the till's QR by name.
	UzQRPayment Kind = "uzqr_payment"
	UzQRRefund  Kind = "uzqr_refund"
	// MonetixPayment and MonetixRefund are Click QR's through Monetix: the
	// payment id, Monetix's operation and Click's payment, the operation's
	// date, code and message.
	MonetixPayment Kind = "monetix_payment"
	MonetixRefund  Kind = "monetix_refund"
	// OctoPayment and OctoRefund are OCTO's (SPEC §5): the till's
	// shop_transaction_id and OCTO's payment UUID, and on a payment the
	// fiscal receipt OCTO registers with the tax office (seed 002); a
	// refund's refund_id, its payment's UUID and OCTO's refund time.
	OctoPayment Kind = "octo_payment"
	OctoRefund  Kind = "octo_refund"
)

// spec is one row of the kinds table.
type spec struct {
	kind Kind
	// provider is the provider's id the kind is for.
	provider string
	refund   bool
	method   providers.Method
	title    string  // label key of the heading under the shop
	fields   []field // the provider's fields, in printed order
	// fiscal makes the fiscal block mandatory: a kind for payments that
	// the provider registers with the tax authority.
	fiscal bool
	// till prints the till's name, mandatory: a provider account shared by
	// several tills is told apart by it.
	till bool
	// taxID is the label of the shop's tax id under its name: a BIN in
	// Kazakhstan (the default), an INN in Uzbekistan.
	taxID string
}

// kinds is the table. The order matters only to KindFor: the first row
// matching a method and direction wins.
var kinds = []spec{
	{kind: QRPayment, provider: "kaspi", method: providers.MethodQR, title: LabelKindQRPayment, fields: qrFields},
	{kind: CardPayment, provider: "kaspi", method: providers.MethodCard, title: LabelKindCardPayment, fields: cardFields},
	{kind: QRRefund, provider: "kaspi", refund: true, method: providers.MethodQR, title: LabelKindQRRefund, fields: qrFields},
	// SPEC §2: a card refund's chequeInfo has no icc and no hostResponseCode.
	{kind: CardRefund, provider: "kaspi", refund: true, method: providers.MethodCard, title: LabelKindCardRefund, fields: without(cardFields, "icc", "hostResponseCode")},
	// SPEC §3: a paid invoice brings pay_id, the masked card and its type.
	{kind: UzQRPayment, provider: "uzqr", method: providers.MethodQR, title: LabelKindQRPayment, till: true, taxID: LabelINN, fields: uzqrPayFields},
	{kind: UzQRRefund, provider: "uzqr", refund: true, method: providers.MethodQR, title: LabelKindQRRefund, till: true, taxID: LabelINN, fields: uzqrRefundFields},
	// SPEC §4 and the Click issue: what the final callback or the status
	// gives of the operation.
	{kind: MonetixPayment, provider: "monetix", method: providers.MethodQR, title: LabelKindQRPayment, till: true, taxID: LabelINN, fields: monetixPayFields},
	{kind: MonetixRefund, provider: "monetix", refund: true, method: providers.MethodQR, title: LabelKindQRRefund, till: true, taxID: LabelINN, fields: monetixRefundFields},
	// SPEC §5 and §6: a fiscalized payment carries the fiscal fields and QR.
	{kind: OctoPayment, provider: "octo", method: providers.MethodQR, title: LabelKindQRPayment, till: true, taxID: LabelINN, fields: octoPayFields, fiscal: true},
	{kind: OctoRefund, provider: "octo", refund: true, method: providers.MethodQR, title: LabelKindQRRefund, till: true, taxID: LabelINN, fields: octoRefundFields},
}

func specOf(k Kind) (spec, bool) {
	for _, s := range kinds {
		if s.kind == k {
			return s, true
		}
	}
	return spec{}, false
}

// Kinds lists every kind the table knows.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, s := range kinds {
		out[i] = s.kind
	}
	return out
}

// Refund reports whether the kind returns money.
func (k Kind) Refund() bool {
	s, _ := specOf(k)
	return s.refund
}

// KindFor returns the kind of receipt for a payment (refund false) or a
// refund (refund true) made by method at provider.
func KindFor(provider string, refund bool, method providers.Method) (Kind, error) {
	for _, s := range kinds {
		if s.provider == provider && s.refund == refund && s.method == method {
			return s.kind, nil
		}
	}
	return "", fmt.Errorf("receipts: no receipt kind for %s by method %q", provider, method)
}

// Shop is the merchant as the till's settings name it.
type Shop struct {
	Name    string
	Address string
	BIN     string // the tax id printed under the name
}

// Receipt is everything printed on one receipt.
type Receipt struct {
	Kind   Kind
	Number string // the till's receipt number
	// Original is, for a refund, the receipt number of the payment.
	Original string
	Time     time.Time // the till's clock when the operation finished
	Shop     Shop
	Cashier  string
	// Till is the till's name, printed where the kind wants it.
	Till     string
	Provider string // the provider's name as shown to people
	// Ref is the provider's handle of the operation: UzQR's invoice id, a
	// refund's refund id.
	Ref string
	// PaymentNumber is, for a refund, its payment's number (UzQR's pay_id).
	PaymentNumber string
	Training      bool
	// Amount is what was paid or refunded, positive for both; the total
	// line is printed from it, not from the provider's text.
	Amount providers.Money
	Cheque providers.Cheque
	// Fiscal is printed when present, except on a training receipt, which
	// SPEC §6 says is never fiscalized.
	Fiscal *providers.Fiscal
	// FiscalPending and NotFiscalized excuse a fiscal kind's missing
	// fiscal block (Fiscal nil), and a note is printed where it goes:
	// FiscalPending while the till is still asking the provider for it
	// (the receipt is shown at once, the fiscal data comes seconds or
	// minutes later), NotFiscalized once the till has stopped asking and a
	// person must ask again from the history. NotFiscalized wins when both
	// are set. Neither excuses an incomplete block that did come, and
	// neither prints on a training receipt or when Fiscal is there.
	FiscalPending bool
	NotFiscalized bool
	// Product is what was sold, printed as the one line item for the whole
	// amount; empty prints no item line.
	Product string
	// Contact is the customer's phone or email as given, where the fiscal
	// receipt is sent; it is printed masked ("+998 90 *** ** 67",
	// "a***@b.uz"), and empty prints nothing.
	Contact string
}

// placement says where Render puts a field.
type placement int

const (
	inline placement = iota // label left, value right, in the provider's block
	// total is the provider's amount: the total line carries it, and it
	// prints inline only when it says something else than the till's
	// figure, so a disagreement shows instead of one of them being lost.
	total
	result   // centred under the total, without a label: the provider's verdict
	qrFollow // not printed; a note says its QR code follows
)

// field is one provider field of the table.
type field struct {
	wire     string // the provider's name for it, as reported when missing
	label    string // label key
	optional bool
	place    placement
	get      func(Receipt) string
	// words maps a code to the label key printed for it ("qr" → "Kaspi
	// QR"); a value not in it prints as sent.
	words map[string]string
	// format rewrites a value for people; nil prints it as sent.
	format func(string) string
}

func cheque(get func(providers.Cheque) string) func(Receipt) string {
	return func(r Receipt) string { return get(r.Cheque) }
}

func fiscal(get func(providers.Fiscal) string) func(Receipt) string {
	return func(r Receipt) string {
		if r.Fiscal == nil {
			return ""
		}
		return get(*r.Fiscal)
	}
}

// The provider's fields. Paper order groups the shop, then the terminal and
// the operation's references, then the provider's own date and amount; the
// status text prints last, under the total.
var (
	fStore    = field{wire: "storeName", label: LabelStore, get: cheque(func(c providers.Cheque) string { return c.StoreName })}
	fCity     = field{wire: "city", label: LabelCity, get: cheque(func(c providers.Cheque) string { return c.City })}
	fAddress  = field{wire: "address", label: LabelAddress, get: cheque(func(c providers.Cheque) string { return c.Address })}
	fBIN      = field{wire: "bin", label: LabelBIN, get: cheque(func(c providers.Cheque) string { return c.BIN })}
	fTerminal = field{wire: "terminalId", label: LabelTerminal, get: cheque(func(c providers.Cheque) string { return c.TerminalID })}
	fOrder    = field{wire: "orderNumber", label: LabelOrderNumber, get: cheque(func(c providers.Cheque) string { return c.OrderNumber })}
	fCardMask = field{wire: "cardMask", label: LabelCard, get: cheque(func(c providers.Cheque) string { return c.CardMask })}
	fICC      = field{wire: "icc", label: LabelCardType, get: cheque(func(c providers.Cheque) string { return c.ICC })}
	fRRN      = field{wire: "rrn", label: LabelRRN, get: cheque(func(c providers.Cheque) string { return c.RRN })}
	fAuthCode = field{wire: "authorizationCode", label: LabelAuthCode, get: cheque(func(c providers.Cheque) string { return c.AuthorizationCode })}
	fHostCode = field{wire: "hostResponseCode", label: LabelHostCode, get: cheque(func(c providers.Cheque) string { return c.HostResponseCode })}
	fPIN      = field{wire: "pinEntered", label: LabelPINEntered, optional: true, get: cheque(func(c providers.Cheque) string { return c.PinEntered }),
		words: map[string]string{"true": LabelYes, "false": LabelNo}}
	fMethod = field{wire: "method", label: LabelMethod, get: cheque(func(c providers.Cheque) string { return string(c.Method) }),
		words: map[string]string{string(providers.MethodQR): LabelMethodQR, string(providers.MethodCard): LabelMethodCard}}
	fDate   = field{wire: "date", label: LabelDate, get: cheque(func(c providers.Cheque) string { return c.Date })}
	fAmount = field{wire: "amount", label: LabelAmount, place: total, get: cheque(func(c providers.Cheque) string { return c.Amount })}
	fStatus = field{wire: "status", place: result, get: cheque(func(c providers.Cheque) string { return c.Status })}

	qrFields   = []field{fStore, fCity, fAddress, fBIN, fTerminal, fOrder, fMethod, fDate, fAmount, fStatus}
	cardFields = []field{fStore, fCity, fAddress, fBIN, fTerminal, fCardMask, fICC, fRRN, fAuthCode, fHostCode, fPIN, fMethod, fDate, fAmount, fStatus}

	// UzQR's: the QR by its cabinet name (the cheque's terminal), the
	// invoice, the payment's pay_id, and the payer's card.
	fQRName   = field{wire: "qr_name", label: LabelQRName, get: cheque(func(c providers.Cheque) string { return c.TerminalID })}
	fInvoice  = field{wire: "invoice_id", label: LabelInvoice, get: func(r Receipt) string { return r.Ref }}
	fPayID    = field{wire: "pay_id", label: LabelPayID, get: cheque(func(c providers.Cheque) string { return c.OrderNumber })}
	fCardNo   = field{wire: "card_no", label: LabelCard, get: cheque(func(c providers.Cheque) string { return c.CardMask })}
	fCardKind = field{wire: "card_type", label: LabelCardType, get: cheque(func(c providers.Cheque) string { return c.CardType }),
		words: map[string]string{"1": LabelCardCorporate, "2": LabelCardPersonal, "3": LabelCardSocial}}
	fRefundID = field{wire: "refund_id", label: LabelRefundID, get: func(r Receipt) string { return r.Ref }}
	fPaidID   = field{wire: "pay_id", label: LabelPayID, get: func(r Receipt) string { return r.PaymentNumber }}

	uzqrPayFields    = []field{fQRName, fInvoice, fPayID, fCardNo, fCardKind}
	uzqrRefundFields = []field{fQRName, fRefundID, fPaidID}

	// Monetix's: the payment_id (the till's operation id), the Gate's
	// operation id and Click's payment id (what the dashboard and Click's
	// support search by), and the operation's date, code and message.
	fPaymentID   = field{wire: "payment_id", label: LabelPaymentID, get: cheque(func(c providers.Cheque) string { return c.OrderNumber })}
	fGateOp      = field{wire: "operation.id", label: LabelGateOperation, get: cheque(func(c providers.Cheque) string { return c.GateOperation })}
	fClickPay    = field{wire: "operation.provider.payment_id", label: LabelClickPayment, get: cheque(func(c providers.Cheque) string { return c.ProviderPaymentID })}
	fClickRefund = field{wire: "operation.provider.payment_id", label: LabelClickPayment, optional: true, get: cheque(func(c providers.Cheque) string { return c.ProviderPaymentID })}
	fOpDate      = field{wire: "operation.date", label: LabelGateDate, get: cheque(func(c providers.Cheque) string { return c.Date })}
	fOpCode      = field{wire: "operation.code", label: LabelResultCode, get: cheque(func(c providers.Cheque) string { return c.HostResponseCode })}
	fOpMessage   = field{wire: "operation.message", place: result, get: cheque(func(c providers.Cheque) string { return c.Status })}

	monetixPayFields    = []field{fPaymentID, fGateOp, fClickPay, fOpDate, fOpCode, fOpMessage}
	monetixRefundFields = []field{fPaymentID, fGateOp, fClickRefund, fOpDate, fOpCode, fOpMessage}

	// OCTO's: shop_transaction_id (the till's operation id) and OCTO's
	// payment UUID (what OCTO's support searches by); a refund's refund_id
	// and the time OCTO wrote for it; the status word under the total.
	fShopTx     = field{wire: "shop_transaction_id", label: LabelPaymentID, get: cheque(func(c providers.Cheque) string { return c.OrderNumber })}
	fOctoUUID   = field{wire: "octo_payment_UUID", label: LabelOctoPayment, get: cheque(func(c providers.Cheque) string { return c.ProviderPaymentID })}
	fOctoRefund = field{wire: "refund_id", label: LabelRefundID, get: cheque(func(c providers.Cheque) string { return c.OrderNumber })}
	fOctoTime   = field{wire: "refund_time", label: LabelOctoDate, optional: true, get: cheque(func(c providers.Cheque) string { return c.Date })}
	fOctoStatus = field{wire: "status", optional: true, place: result, get: cheque(func(c providers.Cheque) string { return c.Status })}

	octoPayFields    = []field{fShopTx, fOctoUUID, fOctoStatus}
	octoRefundFields = []field{fOctoRefund, fOctoUUID, fOctoTime, fOctoStatus}
)

// fiscalFields is the fiscal block (OCTO's fiscal-data), printed after the
// total whenever a receipt has one, and mandatory on a fiscal kind. Wire
// names carry a "fiscal." prefix because terminalID would otherwise read
// as the POS's terminalId.
var fiscalFields = []field{
	{wire: "fiscal.terminalID", label: LabelFiscalTerminal, get: fiscal(func(f providers.Fiscal) string { return f.TerminalID })},
	{wire: "fiscal.receiptId", label: LabelFiscalReceipt, get: fiscal(func(f providers.Fiscal) string { return f.ReceiptID })},
	{wire: "fiscal.dateTime", label: LabelFiscalTime, get: fiscal(func(f providers.Fiscal) string { return f.DateTime }), format: FiscalTime},
	{wire: "fiscal.fiscalSign", label: LabelFiscalSign, get: fiscal(func(f providers.Fiscal) string { return f.FiscalSign })},
	{wire: "fiscal.qrCodeURL", label: LabelFiscalQR, place: qrFollow, get: fiscal(func(f providers.Fiscal) string { return f.QRCodeURL })},
}

// FiscalTime turns OCTO's YYYYMMDDHHMMSS into the till's date format; a
// value in any other shape prints as sent rather than being lost.
func FiscalTime(v string) string {
	t, err := time.Parse("20060102150405", v)
	if err != nil {
		return v
	}
	return t.Format(timeLayout)
}

func without(fs []field, wires ...string) []field {
	var out []field
	for _, f := range fs {
		drop := false
		for _, w := range wires {
			drop = drop || f.wire == w
		}
		if !drop {
			out = append(out, f)
		}
	}
	return out
}

// printsFiscal reports whether the fiscal block belongs on r.
func printsFiscal(r Receipt, s spec) bool {
	return !r.Training && (s.fiscal || r.Fiscal != nil)
}

// fiscalNote is the labels of the note printed instead of a fiscal kind's
// fiscal block that has not come, one line each, or nil where none is.
func fiscalNote(r Receipt, s spec) []string {
	switch {
	case !printsFiscal(r, s) || r.Fiscal != nil:
		return nil
	case r.NotFiscalized:
		return []string{LabelNotFiscalized, LabelNotFiscalizedHint}
	case r.FiscalPending:
		return []string{LabelFiscalPending}
	}
	return nil
}

// Mandatory lists the wire names of the provider fields a kind must carry,
// in printed order; nil for a kind the table does not know.
func Mandatory(k Kind) []string {
	s, _ := specOf(k)
	var names []string
	for _, f := range s.fields {
		if !f.optional {
			names = append(names, f.wire)
		}
	}
	if s.fiscal {
		for _, f := range fiscalFields {
			names = append(names, f.wire)
		}
	}
	return names
}

// Names Check reports for the till's own fields.
const (
	FieldNumber   = "number"   // Receipt.Number
	FieldOriginal = "original" // Receipt.Original, refunds only
	FieldTime     = "time"     // Receipt.Time
	FieldTotal    = "total"    // Receipt.Amount
	FieldTill     = "till"     // Receipt.Till, where the kind prints it
)

// MissingError says which mandatory fields a receipt lacks: the provider's
// by their wire names ("orderNumber"), the till's own by the Field names.
type MissingError struct {
	Kind   Kind
	Fields []string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("receipts: %s receipt lacks %s", e.Kind, strings.Join(e.Fields, ", "))
}

// Check refuses a receipt that lacks a mandatory field, naming every one
// so the cashier learns all of them at once rather than one per attempt.
// A value of only spaces counts as missing: it would print as nothing.
func Check(r Receipt) error {
	s, ok := specOf(r.Kind)
	if !ok {
		return fmt.Errorf("receipts: unknown kind %q", r.Kind)
	}
	var missing []string
	if blank(r.Number) {
		missing = append(missing, FieldNumber)
	}
	if s.refund && blank(r.Original) {
		missing = append(missing, FieldOriginal)
	}
	if r.Time.IsZero() {
		missing = append(missing, FieldTime)
	}
	if s.till && blank(r.Till) {
		missing = append(missing, FieldTill)
	}
	if r.Amount.Minor == 0 {
		missing = append(missing, FieldTotal)
	}
	for _, f := range s.fields {
		if !f.optional && blank(f.get(r)) {
			missing = append(missing, f.wire)
		}
	}
	// A training receipt is never fiscalized (SPEC §6), so a fiscal kind
	// in training does not wait for fiscal data that must not exist; one
	// whose fiscal data has not come prints a note in its place instead.
	if s.fiscal && !r.Training && fiscalNote(r, s) == nil {
		for _, f := range fiscalFields {
			if !f.optional && blank(f.get(r)) {
				missing = append(missing, f.wire)
			}
		}
	}
	if len(missing) > 0 {
		return &MissingError{Kind: r.Kind, Fields: missing}
	}
	return nil
}

// blank is judged on the text as it would print, so a value made only of
// spaces or control characters is missing too.
func blank(s string) bool { return clean(s) == "" }
