// Package receipts is the till's receipt: what it carries, which fields each
// kind must have before it may be printed, and how it is laid out as text for
// 32, 42 and 48 column printers.
//
// One table (fieldsOf) lists, for each kind, the provider's fields in the
// order they are printed and whether each is mandatory; Check and Render both
// read it, so what is required and what is printed cannot drift apart. A new
// kind (a fiscalized OCTO payment, say) is a new row, not new code.
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
)

// Refund reports whether the kind returns money.
func (k Kind) Refund() bool { return k == QRRefund || k == CardRefund }

// KindFor returns the kind for a payment or refund by method.
func KindFor(refund bool, method providers.Method) (Kind, error) {
	switch {
	case method == providers.MethodQR && !refund:
		return QRPayment, nil
	case method == providers.MethodCard && !refund:
		return CardPayment, nil
	case method == providers.MethodQR:
		return QRRefund, nil
	case method == providers.MethodCard:
		return CardRefund, nil
	}
	return "", fmt.Errorf("receipts: no receipt kind for method %q", method)
}

// Shop is the merchant as the till's settings name it.
type Shop struct {
	Name    string
	Address string
	BIN     string
}

// Receipt is everything printed on one receipt.
type Receipt struct {
	Kind   Kind
	Number string // the till's receipt number
	// Original is, for a refund, the receipt number of the payment.
	Original string
	Time     time.Time
	Shop     Shop
	Cashier  string
	Provider string // the provider's name as shown to people
	Training bool
	Amount   providers.Money
	Cheque   providers.Cheque
	Fiscal   *providers.Fiscal
}

// field is one provider field on the receipt.
type field struct {
	wire      string // the provider's name for it, as reported when missing
	label     string // catalog key
	mandatory bool
	get       func(providers.Cheque) string
}

var (
	fStore     = field{"storeName", "receipt.store", true, func(c providers.Cheque) string { return c.StoreName }}
	fCity      = field{"city", "receipt.city", true, func(c providers.Cheque) string { return c.City }}
	fAddress   = field{"address", "receipt.address", true, func(c providers.Cheque) string { return c.Address }}
	fBIN       = field{"bin", "receipt.bin", true, func(c providers.Cheque) string { return c.BIN }}
	fTerminal  = field{"terminalId", "receipt.terminal", true, func(c providers.Cheque) string { return c.TerminalID }}
	fOrder     = field{"orderNumber", "receipt.order_number", true, func(c providers.Cheque) string { return c.OrderNumber }}
	fCardMask  = field{"cardMask", "receipt.card", true, func(c providers.Cheque) string { return c.CardMask }}
	fICC       = field{"icc", "receipt.card_type", true, func(c providers.Cheque) string { return c.ICC }}
	fRRN       = field{"rrn", "receipt.rrn", true, func(c providers.Cheque) string { return c.RRN }}
	fAuthCode  = field{"authorizationCode", "receipt.auth_code", true, func(c providers.Cheque) string { return c.AuthorizationCode }}
	fHostCode  = field{"hostResponseCode", "receipt.host_code", true, func(c providers.Cheque) string { return c.HostResponseCode }}
	fPIN       = field{"pinEntered", "receipt.pin_entered", false, func(c providers.Cheque) string { return c.PinEntered }}
	fMethod    = field{"method", "receipt.method", true, func(c providers.Cheque) string { return string(c.Method) }}
	fDate      = field{"date", "receipt.date", true, func(c providers.Cheque) string { return c.Date }}
	fAmount    = field{"amount", "receipt.amount", true, func(c providers.Cheque) string { return c.Amount }}
	fStatus    = field{"status", "receipt.status", true, func(c providers.Cheque) string { return c.Status }}
	qrFields   = []field{fStore, fCity, fAddress, fBIN, fTerminal, fOrder, fMethod, fDate, fAmount, fStatus}
	cardFields = []field{fStore, fCity, fAddress, fBIN, fTerminal, fCardMask, fICC, fRRN, fAuthCode, fHostCode, fPIN, fMethod, fDate, fAmount, fStatus}
)

// fieldsOf is the table: each kind's provider fields in printed order
// (SPEC §2: chequeInfo per kind). A card refund carries no icc and no
// hostResponseCode.
var fieldsOf = map[Kind][]field{
	QRPayment:   qrFields,
	QRRefund:    qrFields,
	CardPayment: cardFields,
	CardRefund:  without(cardFields, "icc", "hostResponseCode"),
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

// Mandatory lists the wire names of the fields a kind must carry.
func Mandatory(k Kind) []string {
	var names []string
	for _, f := range fieldsOf[k] {
		if f.mandatory {
			names = append(names, f.wire)
		}
	}
	return names
}

// MissingError says which mandatory fields a receipt lacks.
type MissingError struct {
	Kind   Kind
	Fields []string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("receipts: %s receipt lacks %s", e.Kind, strings.Join(e.Fields, ", "))
}

// Check refuses a receipt that lacks a mandatory field, naming every one.
func Check(r Receipt) error {
	fields, ok := fieldsOf[r.Kind]
	if !ok {
		return fmt.Errorf("receipts: unknown kind %q", r.Kind)
	}
	var missing []string
	if strings.TrimSpace(r.Number) == "" {
		missing = append(missing, "number")
	}
	if r.Kind.Refund() && strings.TrimSpace(r.Original) == "" {
		missing = append(missing, "original")
	}
	for _, f := range fields {
		if f.mandatory && strings.TrimSpace(f.get(r.Cheque)) == "" {
			missing = append(missing, f.wire)
		}
	}
	if len(missing) > 0 {
		return &MissingError{Kind: r.Kind, Fields: missing}
	}
	return nil
}
