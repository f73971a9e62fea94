package receipts

import "slices"

// Label keys: every word Render prints comes from Options.T with one of
// these, so the receipt speaks the shop's language from the locale catalog
// and this package holds no user-visible text of its own.
const (
	LabelTraining = "receipt.training" // banner at the top and bottom of a training receipt
	LabelBIN      = "receipt.bin"      // before the shop's BIN under its name, and the POS's bin field
	LabelNumber   = "receipt.number"   // the till's receipt number
	LabelOriginal = "receipt.original" // a refund's payment receipt number
	LabelTime     = "receipt.time"     // the till's date and time
	LabelCashier  = "receipt.cashier"
	LabelProvider = "receipt.provider" // the payment provider's name

	LabelKindQRPayment   = "receipt.kind.qr_payment"
	LabelKindCardPayment = "receipt.kind.card_payment"
	LabelKindQRRefund    = "receipt.kind.qr_refund"
	LabelKindCardRefund  = "receipt.kind.card_refund"

	// The provider's chequeInfo fields (SPEC §2).
	LabelStore       = "receipt.store"
	LabelCity        = "receipt.city"
	LabelAddress     = "receipt.address"
	LabelAmount      = "receipt.amount" // the provider's amount, as it wrote it
	LabelDate        = "receipt.date"   // the provider's date, as it wrote it
	LabelTerminal    = "receipt.terminal"
	LabelOrderNumber = "receipt.order_number"
	LabelMethod      = "receipt.method"
	LabelMethodQR    = "receipt.method_qr"
	LabelMethodCard  = "receipt.method_card"
	LabelCard        = "receipt.card" // cardMask
	LabelCardType    = "receipt.card_type"
	LabelRRN         = "receipt.rrn"
	LabelAuthCode    = "receipt.auth_code"
	LabelHostCode    = "receipt.host_code"
	LabelPINEntered  = "receipt.pin_entered"
	LabelYes         = "receipt.yes"
	LabelNo          = "receipt.no"

	LabelTotal       = "receipt.total"        // a payment's total line
	LabelRefundTotal = "receipt.refund_total" // a refund's total line

	LabelFiscalTerminal = "receipt.fiscal_terminal"
	LabelFiscalReceipt  = "receipt.fiscal_receipt"
	LabelFiscalTime     = "receipt.fiscal_time"
	LabelFiscalSign     = "receipt.fiscal_sign"
	LabelFiscalQR       = "receipt.fiscal_qr" // the note that the fiscal QR code follows

	LabelINN           = "receipt.inn" // before an Uzbek shop's tax id under its name
	LabelTill          = "receipt.till"
	LabelQRName        = "receipt.qr_name"
	LabelInvoice       = "receipt.invoice"
	LabelPayID         = "receipt.pay_id"
	LabelRefundID      = "receipt.refund_id"
	LabelCardCorporate = "receipt.card_corporate"
	LabelCardPersonal  = "receipt.card_personal"
	LabelCardSocial    = "receipt.card_social"

	LabelPaymentID     = "receipt.payment_id"
	LabelGateOperation = "receipt.gate_operation"
	LabelClickPayment  = "receipt.click_payment"
	LabelResultCode    = "receipt.result_code"
	LabelGateDate      = "receipt.gate_date"

	LabelOctoPayment = "receipt.octo_payment" // OCTO's octo_payment_UUID
	LabelOctoDate    = "receipt.octo_date"    // a refund's refund_time, as OCTO wrote it
	// Printed where a fiscal payment's fiscal block goes while it has not
	// come: still asked for, or no longer (Receipt.FiscalPending,
	// Receipt.NotFiscalized).
	LabelFiscalPending = "receipt.fiscal_pending"
	LabelNotFiscalized = "receipt.not_fiscalized"
	// The line under LabelNotFiscalized: what the cashier does about it.
	LabelNotFiscalizedHint = "receipt.not_fiscalized_hint"
	LabelCustomer          = "receipt.customer" // the customer's masked phone or email
)

var labelKeys = []string{
	LabelTraining, LabelBIN, LabelNumber, LabelOriginal, LabelTime, LabelCashier, LabelProvider,
	LabelKindQRPayment, LabelKindCardPayment, LabelKindQRRefund, LabelKindCardRefund,
	LabelStore, LabelCity, LabelAddress, LabelAmount, LabelDate, LabelTerminal,
	LabelOrderNumber, LabelMethod, LabelMethodQR, LabelMethodCard, LabelCard, LabelCardType,
	LabelRRN, LabelAuthCode, LabelHostCode, LabelPINEntered, LabelYes, LabelNo,
	LabelTotal, LabelRefundTotal,
	LabelFiscalTerminal, LabelFiscalReceipt, LabelFiscalTime, LabelFiscalSign, LabelFiscalQR,
	LabelINN, LabelTill, LabelQRName, LabelInvoice, LabelPayID, LabelRefundID, LabelCardCorporate, LabelCardPersonal, LabelCardSocial,
	LabelPaymentID, LabelGateOperation, LabelClickPayment, LabelResultCode, LabelGateDate,
	LabelOctoPayment, LabelOctoDate, LabelFiscalPending, LabelNotFiscalized, LabelNotFiscalizedHint, LabelCustomer,
}

// LabelKeys lists every key Render may pass to Options.T, so a catalog
// test can prove each language has them all.
func LabelKeys() []string { return slices.Clone(labelKeys) }
