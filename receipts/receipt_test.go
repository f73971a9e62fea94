package receipts

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
)

// The label texts proposed for the locale catalog; the tests translate with
// them so the package is tested without depending on assets/.
var (
	ruTexts = map[string]string{
		LabelTraining: "*** УЧЕБНЫЙ РЕЖИМ — НЕ ЧЕК ***", LabelBIN: "БИН", LabelNumber: "Чек №",
		LabelOriginal: "Возврат по чеку №", LabelTime: "Дата", LabelCashier: "Кассир", LabelProvider: "Оплата через",
		LabelKindQRPayment: "ПРОДАЖА · QR", LabelKindCardPayment: "ПРОДАЖА · КАРТА",
		LabelKindQRRefund: "ВОЗВРАТ · QR", LabelKindCardRefund: "ВОЗВРАТ · КАРТА",
		LabelStore: "Магазин", LabelCity: "Город", LabelAddress: "Адрес", LabelAmount: "Сумма",
		LabelDate: "Дата на POS", LabelTerminal: "Терминал", LabelOrderNumber: "Номер заказа",
		LabelMethod: "Способ оплаты", LabelMethodQR: "Kaspi QR", LabelMethodCard: "Карта",
		LabelCard: "Карта", LabelCardType: "Тип карты", LabelRRN: "RRN", LabelAuthCode: "Код авторизации",
		LabelHostCode: "Код ответа", LabelPINEntered: "ПИН введён", LabelYes: "да", LabelNo: "нет",
		LabelTotal: "ИТОГО", LabelRefundTotal: "ВОЗВРАТ",
		LabelFiscalTerminal: "Фискальный терминал", LabelFiscalReceipt: "Фискальный чек",
		LabelFiscalTime: "Время фискализации", LabelFiscalSign: "Фискальный признак",
		LabelFiscalQR: "QR-код фискального чека ниже",
		LabelINN:      "ИНН", LabelTill: "Касса", LabelQRName: "QR", LabelInvoice: "Счёт №", LabelPayID: "Платёж №", LabelRefundID: "Возврат №",
		LabelCardCorporate: "корпоративная", LabelCardPersonal: "личная", LabelCardSocial: "социальная",
		LabelPaymentID: "ID платежа", LabelGateOperation: "Операция Monetix", LabelClickPayment: "Платёж Click", LabelResultCode: "Код результата", LabelGateDate: "Дата в Monetix",
		LabelOctoPayment: "Платёж OCTO", LabelOctoDate: "Дата в OCTO", LabelCustomer: "Покупатель",
		LabelFiscalPending: "Фискальный чек: ждём налоговую", LabelNotFiscalized: "НЕ ФИСКАЛИЗИРОВАН",
		LabelNotFiscalizedHint: "Запросите его снова в истории",
	}
	enTexts = map[string]string{
		LabelTraining: "*** TRAINING — NOT A RECEIPT ***", LabelBIN: "BIN", LabelNumber: "Receipt No.",
		LabelOriginal: "Refund of receipt No.", LabelTime: "Date", LabelCashier: "Cashier", LabelProvider: "Payment by",
		LabelKindQRPayment: "SALE · QR", LabelKindCardPayment: "SALE · CARD",
		LabelKindQRRefund: "REFUND · QR", LabelKindCardRefund: "REFUND · CARD",
		LabelStore: "Store", LabelCity: "City", LabelAddress: "Address", LabelAmount: "Amount",
		LabelDate: "POS date", LabelTerminal: "Terminal", LabelOrderNumber: "Order No.",
		LabelMethod: "Method", LabelMethodQR: "Kaspi QR", LabelMethodCard: "Card",
		LabelCard: "Card", LabelCardType: "Card type", LabelRRN: "RRN", LabelAuthCode: "Authorization code",
		LabelHostCode: "Response code", LabelPINEntered: "PIN entered", LabelYes: "yes", LabelNo: "no",
		LabelTotal: "TOTAL", LabelRefundTotal: "REFUNDED",
		LabelFiscalTerminal: "Fiscal terminal", LabelFiscalReceipt: "Fiscal receipt",
		LabelFiscalTime: "Fiscal time", LabelFiscalSign: "Fiscal sign",
		LabelFiscalQR: "Fiscal receipt QR code below",
		LabelINN:      "INN", LabelTill: "Till", LabelQRName: "QR", LabelInvoice: "Invoice No.", LabelPayID: "Payment No.", LabelRefundID: "Refund No.",
		LabelCardCorporate: "corporate", LabelCardPersonal: "personal", LabelCardSocial: "social",
		LabelPaymentID: "Payment ID", LabelGateOperation: "Monetix operation", LabelClickPayment: "Click payment", LabelResultCode: "Result code", LabelGateDate: "Date at Monetix",
		LabelOctoPayment: "OCTO payment", LabelOctoDate: "Date at OCTO", LabelCustomer: "Customer",
		LabelFiscalPending: "Fiscal receipt: waiting for the tax office", LabelNotFiscalized: "NOT FISCALIZED",
		LabelNotFiscalizedHint: "Ask for it again in the history",
	}
)

// translator works like the catalog's T: a missing key shows as "!key".
func translator(texts map[string]string) func(string, ...any) string {
	return func(key string, _ ...any) string {
		if s, ok := texts[key]; ok {
			return s
		}
		return "!" + key
	}
}

func opts(width int) Options { return Options{Width: width, T: translator(ruTexts)} }

func sample(kind Kind) Receipt { return Sample(kind) }

var allKinds = Kinds()

// SPEC §2, field for field; the table may print them in its own order.
func TestMandatoryFieldsAreSpecs(t *testing.T) {
	qr := []string{"storeName", "city", "address", "status", "amount", "date", "bin", "terminalId", "orderNumber", "method"}
	card := []string{"storeName", "city", "address", "status", "amount", "date", "cardMask", "icc", "bin", "terminalId", "rrn", "authorizationCode", "hostResponseCode", "method"}
	cardRefund := slices.DeleteFunc(slices.Clone(card), func(s string) bool { return s == "icc" || s == "hostResponseCode" })
	// SPEC §3 and the UzQR issue: the QR's name, the invoice, pay_id, the
	// payer's masked card and its type; a refund's id and its payment's.
	uzqr := []string{"qr_name", "invoice_id", "pay_id", "card_no", "card_type"}
	uzqrRefund := []string{"qr_name", "refund_id", "pay_id"}
	// The Click issue: payment id, Monetix operation id, Click's payment id,
	// date, code and message.
	monetix := []string{"payment_id", "operation.id", "operation.provider.payment_id", "operation.date", "operation.code", "operation.message"}
	monetixRefund := []string{"payment_id", "operation.id", "operation.date", "operation.code", "operation.message"}
	// SPEC §5 and seed 002: the till's shop_transaction_id and OCTO's
	// payment UUID, and fiscal-data's fields (§6: a fiscalized payment
	// carries them); a refund's refund_id and its payment's UUID.
	octo := []string{"shop_transaction_id", "octo_payment_UUID",
		"fiscal.terminalID", "fiscal.receiptId", "fiscal.dateTime", "fiscal.fiscalSign", "fiscal.qrCodeURL"}
	octoRefund := []string{"refund_id", "octo_payment_UUID"}
	want := map[Kind][]string{QRPayment: qr, QRRefund: qr, CardPayment: card, CardRefund: cardRefund, UzQRPayment: uzqr, UzQRRefund: uzqrRefund,
		MonetixPayment: monetix, MonetixRefund: monetixRefund, OctoPayment: octo, OctoRefund: octoRefund}
	for _, kind := range Kinds() {
		got := Mandatory(kind)
		if !slices.Equal(sorted(got), sorted(want[kind])) {
			t.Errorf("%s mandatory %v, want %v", kind, got, want[kind])
		}
	}
	if !slices.Equal(Kinds(), allKinds) {
		t.Errorf("kinds %v", Kinds())
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

var clearers = map[string]func(*Receipt){
	"storeName": func(r *Receipt) { r.Cheque.StoreName = "" }, "city": func(r *Receipt) { r.Cheque.City = " " },
	"address": func(r *Receipt) { r.Cheque.Address = "" }, "bin": func(r *Receipt) { r.Cheque.BIN = "" },
	"terminalId": func(r *Receipt) { r.Cheque.TerminalID = "" }, "orderNumber": func(r *Receipt) { r.Cheque.OrderNumber = "" },
	"cardMask": func(r *Receipt) { r.Cheque.CardMask = "" }, "icc": func(r *Receipt) { r.Cheque.ICC = "" },
	"rrn": func(r *Receipt) { r.Cheque.RRN = "" }, "authorizationCode": func(r *Receipt) { r.Cheque.AuthorizationCode = "" },
	"hostResponseCode": func(r *Receipt) { r.Cheque.HostResponseCode = "" }, "method": func(r *Receipt) { r.Cheque.Method = "" },
	"date": func(r *Receipt) { r.Cheque.Date = "" }, "amount": func(r *Receipt) { r.Cheque.Amount = "" },
	// Only an escape sequence: prints as nothing, so it is missing.
	"status": func(r *Receipt) { r.Cheque.Status = "\x1b[0m" },
	// UzQR's.
	"qr_name": func(r *Receipt) { r.Cheque.TerminalID = "" }, "invoice_id": func(r *Receipt) { r.Ref = "" },
	"refund_id": func(r *Receipt) { r.Ref, r.Cheque.OrderNumber = " ", "" }, "card_no": func(r *Receipt) { r.Cheque.CardMask = "" },
	"card_type": func(r *Receipt) { r.Cheque.CardType = "" },
	"pay_id":    func(r *Receipt) { r.Cheque.OrderNumber, r.PaymentNumber = "", "" },
	// Monetix's.
	"payment_id": func(r *Receipt) { r.Cheque.OrderNumber = "" }, "operation.id": func(r *Receipt) { r.Cheque.GateOperation = "" },
	"operation.provider.payment_id": func(r *Receipt) { r.Cheque.ProviderPaymentID = "" },
	"operation.date":                func(r *Receipt) { r.Cheque.Date = "" }, "operation.code": func(r *Receipt) { r.Cheque.HostResponseCode = "" },
	"operation.message": func(r *Receipt) { r.Cheque.Status = "" },
	// OCTO's, and its fiscal block's.
	"shop_transaction_id": func(r *Receipt) { r.Cheque.OrderNumber = "" },
	"octo_payment_UUID":   func(r *Receipt) { r.Cheque.ProviderPaymentID = "\u00a0" },
	"fiscal.terminalID":   func(r *Receipt) { r.Fiscal.TerminalID = "" }, "fiscal.receiptId": func(r *Receipt) { r.Fiscal.ReceiptID = "" },
	"fiscal.dateTime": func(r *Receipt) { r.Fiscal.DateTime = "" }, "fiscal.fiscalSign": func(r *Receipt) { r.Fiscal.FiscalSign = " " },
	"fiscal.qrCodeURL": func(r *Receipt) { r.Fiscal.QRCodeURL = "" },
}

// Each mandatory field removed alone is named, and the receipt is not
// rendered.
func TestCheckNamesEachMissingField(t *testing.T) {
	for _, kind := range allKinds {
		t.Run(string(kind), func(t *testing.T) {
			if err := Check(sample(kind)); err != nil {
				t.Fatalf("complete receipt refused: %v", err)
			}
			for _, wire := range Mandatory(kind) {
				r := sample(kind)
				clearers[wire](&r)
				var me *MissingError
				if err := Check(r); !errors.As(err, &me) || me.Kind != kind || !slices.Equal(me.Fields, []string{wire}) {
					t.Errorf("without %s: %v", wire, err)
				}
				if lines, err := Render(r, opts(42)); err == nil || lines != nil {
					t.Errorf("without %s rendered", wire)
				}
			}
		})
	}
}

func TestCheckNamesEveryMissingFieldAtOnce(t *testing.T) {
	r := sample(CardPayment)
	r.Cheque = providers.Cheque{}
	var me *MissingError
	if err := Check(r); !errors.As(err, &me) || !slices.Equal(me.Fields, Mandatory(CardPayment)) {
		t.Fatalf("empty cheque: %v", err)
	}
	if !strings.Contains(me.Error(), "orderNumber") && !strings.Contains(me.Error(), "cardMask") {
		t.Errorf("message %q names no field", me.Error())
	}
}

func TestPINIsOptional(t *testing.T) {
	for _, kind := range []Kind{CardPayment, CardRefund} {
		r := sample(kind)
		r.Cheque.PinEntered = ""
		if err := Check(r); err != nil {
			t.Errorf("%s without pinEntered refused: %v", kind, err)
		}
		if text := render(t, r, opts(42)); strings.Contains(text, ruTexts[LabelPINEntered]) {
			t.Errorf("%s: empty pinEntered printed:\n%s", kind, text)
		}
		r.Cheque.PinEntered = "false"
		if text := render(t, r, opts(42)); !hasPair(text, ruTexts[LabelPINEntered], "нет") {
			t.Errorf("%s: pinEntered false not printed as нет:\n%s", kind, text)
		}
	}
}

func TestTillsOwnFields(t *testing.T) {
	r := sample(QRRefund)
	r.Number, r.Original, r.Time, r.Amount = "  ", "", time.Time{}, providers.Money{}
	var me *MissingError
	if err := Check(r); !errors.As(err, &me) || !slices.Equal(me.Fields, []string{FieldNumber, FieldOriginal, FieldTime, FieldTotal}) {
		t.Errorf("refund: %v", err)
	}
	r = sample(QRPayment)
	r.Original = ""
	if err := Check(r); err != nil {
		t.Errorf("a payment needs no original receipt: %v", err)
	}
	r.Cashier, r.Provider, r.Shop = "", "", Shop{}
	if err := Check(r); err != nil {
		t.Errorf("cashier, provider and shop are printed when set, not required: %v", err)
	}
	r.Kind = "cash"
	var me2 *MissingError
	if err := Check(r); err == nil || errors.As(err, &me2) {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestKindFor(t *testing.T) {
	for _, c := range []struct {
		refund bool
		m      providers.Method
		k      Kind
		p      string
	}{{false, providers.MethodQR, QRPayment, "kaspi"}, {false, providers.MethodCard, CardPayment, "kaspi"}, {true, providers.MethodQR, QRRefund, "kaspi"}, {true, providers.MethodCard, CardRefund, "kaspi"},
		{false, providers.MethodQR, OctoPayment, "octo"}, {true, providers.MethodQR, OctoRefund, "octo"}} {
		if k, err := KindFor(c.p, c.refund, c.m); k != c.k || err != nil {
			t.Errorf("KindFor(%s, %v, %s) = %s, %v", c.p, c.refund, c.m, k, err)
		}
		if c.k.Refund() != c.refund {
			t.Errorf("%s.Refund() = %v", c.k, !c.refund)
		}
	}
	for _, m := range []providers.Method{"", "cash"} {
		if _, err := KindFor("kaspi", false, m); err == nil {
			t.Errorf("method %q accepted", m)
		}
	}
	if _, err := KindFor("octo", false, providers.MethodCard); err == nil {
		t.Error("an OCTO card payment accepted")
	}
}

// OCTO's payment is the fiscal kind: Check wants the fiscal fields, all
// of them named at once, and Render prints them, the QR left to the caller.
func TestOctoPaymentWantsItsFiscalBlock(t *testing.T) {
	r := sample(OctoPayment)
	r.Fiscal = nil
	var me *MissingError
	if err := Check(r); !errors.As(err, &me) || !slices.Equal(me.Fields, []string{"fiscal.terminalID", "fiscal.receiptId", "fiscal.dateTime", "fiscal.fiscalSign", "fiscal.qrCodeURL"}) {
		t.Fatalf("OCTO payment without fiscal data: %v", err)
	}
	if _, err := Render(r, opts(42)); err == nil {
		t.Fatal("OCTO payment without fiscal data rendered")
	}
	r.Training = true
	if err := Check(r); err != nil {
		t.Fatalf("a training receipt is never fiscalized, so needs no fiscal data: %v", err)
	}
	r = sample(OctoPayment)
	text := render(t, r, opts(32))
	for _, want := range []string{"EZ000000000102", "2121", "29.09.2022 01:31:59", "420808230750", ruTexts[LabelFiscalQR]} {
		if !strings.Contains(text, want) {
			t.Errorf("fiscal receipt lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "https://") {
		t.Errorf("the QR's URL is the caller's to draw, not text:\n%s", text)
	}
	// A refund is not fiscalized by OCTO: it wants no fiscal data.
	if err := Check(sample(OctoRefund)); err != nil {
		t.Errorf("OCTO refund: %v", err)
	}
}

// A payment whose fiscal data has not come is shown at once, with a note
// where the block goes; the data that did come must still be whole.
func TestFiscalNotYetOrNever(t *testing.T) {
	for _, c := range []struct {
		name    string
		set     func(*Receipt)
		note    string
		notNote string
	}{
		{"pending", func(r *Receipt) { r.FiscalPending = true }, LabelFiscalPending, LabelNotFiscalized},
		{"not fiscalized", func(r *Receipt) { r.NotFiscalized = true }, LabelNotFiscalized, LabelFiscalPending},
		// The till stopped asking: the stronger word wins.
		{"both", func(r *Receipt) { r.FiscalPending, r.NotFiscalized = true, true }, LabelNotFiscalized, LabelFiscalPending},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := sample(OctoPayment)
			r.Fiscal = nil
			c.set(&r)
			if err := Check(r); err != nil {
				t.Fatalf("refused: %v", err)
			}
			text := flat(render(t, r, opts(42)))
			if !strings.Contains(text, ruTexts[c.note]) || strings.Contains(text, ruTexts[c.notNote]) || strings.Contains(text, ruTexts[LabelFiscalQR]) {
				t.Errorf("want only the note %q:\n%s", ruTexts[c.note], text)
			}
			if hint := ruTexts[LabelNotFiscalizedHint]; strings.Contains(text, hint) != (c.note == LabelNotFiscalized) {
				t.Errorf("what to do, %q, belongs under %q only:\n%s", hint, ruTexts[LabelNotFiscalized], text)
			}
			// The fiscal data came after all: the block, and no note.
			f := octoFiscal
			r.Fiscal = &f
			text = flat(render(t, r, opts(42)))
			if !strings.Contains(text, "EZ000000000102") || strings.Contains(text, ruTexts[c.note]) {
				t.Errorf("fiscal data that came is printed, the note not:\n%s", text)
			}
			// A block that came incomplete is not excused.
			r.Fiscal.FiscalSign = ""
			var me *MissingError
			if err := Check(r); !errors.As(err, &me) || !slices.Equal(me.Fields, []string{"fiscal.fiscalSign"}) {
				t.Errorf("incomplete fiscal data: %v", err)
			}
			// Training is never fiscalized: neither the block nor a note.
			r.Fiscal, r.Training = &f, true
			text = flat(render(t, r, opts(42)))
			for _, not := range []string{"EZ000000000102", ruTexts[LabelFiscalPending], ruTexts[LabelNotFiscalized], ruTexts[LabelNotFiscalizedHint], ruTexts[LabelFiscalQR]} {
				if strings.Contains(text, not) {
					t.Errorf("training receipt prints %q:\n%s", not, text)
				}
			}
			r.Fiscal = nil
			if text := flat(render(t, r, opts(42))); strings.Contains(text, ruTexts[c.note]) {
				t.Errorf("training receipt prints the note:\n%s", text)
			}
		})
	}
	// A kind without a fiscal block has nothing to wait for.
	r := sample(MonetixPayment)
	r.FiscalPending, r.NotFiscalized = true, true
	if text := flat(render(t, r, opts(42))); strings.Contains(text, ruTexts[LabelFiscalPending]) || strings.Contains(text, ruTexts[LabelNotFiscalized]) {
		t.Errorf("a note on a kind that is not fiscalized:\n%s", text)
	}
}

// flat is a receipt's text on one line, so a note wrapped at spaces is
// found whole.
func flat(text string) string { return strings.Join(strings.Fields(text), " ") }
