package receipts

import (
	"strings"
	"time"

	"github.com/kassa-till/kassa/providers"
)

// The seed's own samples (seed 004 §4.16), card with its leading spaces.
var (
	qrCheque = providers.Cheque{
		Type: "payment", StoreName: "Kaspi Mark", City: "Алматы қ.", Address: "Қонаев 11, 6",
		Status: "Kaspi Gold-ман сатып алу. Мақұлданды", Amount: "12 500 ₸", Date: "06.03.23 14:20:11",
		BIN: "960419351140", TerminalID: "31452963", OrderNumber: "504711333", Method: providers.MethodQR,
	}
	cardCheque = providers.Cheque{
		Type: "payment", StoreName: "Kaspi Mark", City: " Алматы қ.", Address: "Қонаев 11, 6",
		Status: " Kaspi Gold-ман сатып алу. Мақұлданды", Amount: "2 000 ₸", Date: "13.03.23 14:31:39",
		BIN: "960419351140", TerminalID: "31452963", CardMask: "440043*****6389", ICC: "Visa Debit",
		RRN: "307208187011", AuthorizationCode: "665425", HostResponseCode: "000", PinEntered: "true", Method: providers.MethodCard,
	}
	// A UzQR gateway's paid invoice (SPEC §3), as the provider keeps it.
	uzqrCheque = providers.Cheque{
		Type: "payment", Method: providers.MethodQR, OrderNumber: "271828182845", TerminalID: "CASH_1",
		CardMask: "8600********1234", CardType: "2", Phone: "998901234567",
	}
	// Click QR through Monetix, as the final callback tells it.
	monetixCheque = providers.Cheque{
		Type: "payment", Method: providers.MethodQR, OrderNumber: "K7QX2-000042", GateOperation: "31000012345",
		ProviderPaymentID: "2837465019", Date: "2026-11-23T14:20:11+0000", HostResponseCode: "0", Status: "Success",
	}
	// OCTO's paid payment and refund as the provider gives them (SPEC §5),
	// and the payment's fiscal data as seed 002 shows it.
	octoCheque = providers.Cheque{
		Type: "payment", Method: providers.MethodQR, OrderNumber: "K7QX2-000042",
		ProviderPaymentID: "1145df74-bb95-47cf-a616-8d6dcee2e222", Status: "succeeded",
	}
	octoRefundCheque = providers.Cheque{
		Type: "refund", Method: providers.MethodQR, OrderNumber: "8812347",
		ProviderPaymentID: "1145df74-bb95-47cf-a616-8d6dcee2e222", Date: "2026-11-24 10:15:00", Status: "succeeded",
	}
	octoFiscal = providers.Fiscal{TerminalID: "EZ000000000102", ReceiptID: "2121", DateTime: "20220929013159", FiscalSign: "420808230750",
		QRCodeURL: "https://ofd.soliq.uz/epi?t=EZ000000000102&r=2121&c=20220929013159&s=420808230750"}
)

// Sample is a receipt of kind with every field its kind prints, as the
// seeds show them: for tests, and for the printer's test page.
func Sample(kind Kind) Receipt {
	r := Receipt{
		Kind: kind, Number: "000042", Time: time.Date(2026, 11, 23, 14, 20, 11, 0, time.UTC),
		Shop:    Shop{Name: "Kaspi Mark", Address: "Алматы қ., проспект Достык 1 280, бизнес-центр «Нурлы Тау», блок 5Б", BIN: "960419351140"},
		Cashier: "Айгерим Нурланова", Provider: "Kaspi Smart POS", Amount: providers.New(12500, providers.KZT), Cheque: qrCheque,
	}
	switch kind {
	case CardPayment, CardRefund:
		r.Cheque, r.Amount = cardCheque, providers.New(2000, providers.KZT)
	}
	if kind.Refund() {
		r.Original = "000041"
		r.Cheque.Type = "refund"
		r.Cheque.Amount = "- " + strings.TrimSpace(r.Cheque.Amount)
	}
	if kind == CardRefund {
		r.Cheque.ICC, r.Cheque.HostResponseCode = "", ""
	}
	switch kind {
	case UzQRPayment:
		r.Shop = Shop{Name: "Oʻzbekiston doʻkoni", Address: "Toshkent sh., Amir Temur koʻchasi 15", BIN: "301234567"}
		r.Provider, r.Till, r.Ref, r.Cheque = "UzQR", "K7QX2", "INVC134B7FEFED34BC3B470B8", uzqrCheque
		r.Amount = providers.New(1500050, providers.UZS)
	case UzQRRefund:
		r.Shop = Shop{Name: "Oʻzbekiston doʻkoni", Address: "Toshkent sh., Amir Temur koʻchasi 15", BIN: "301234567"}
		r.Provider, r.Till, r.Ref, r.PaymentNumber = "UzQR", "K7QX2", "RFND0A1B2C3D4E5F60718293A", "271828182845"
		r.Cheque = providers.Cheque{Type: "refund", Method: providers.MethodQR, TerminalID: "CASH_1"}
		r.Amount = providers.New(500000, providers.UZS)
	case MonetixPayment, MonetixRefund:
		r.Shop = Shop{Name: "Oʻzbekiston doʻkoni", Address: "Toshkent sh., Amir Temur koʻchasi 15", BIN: "301234567"}
		r.Provider, r.Till, r.Cheque = "Click QR (Monetix)", "K7QX2", monetixCheque
		r.Amount = providers.New(15000000, providers.UZS)
		if kind == MonetixRefund {
			r.Cheque.Type, r.Cheque.ProviderPaymentID = "refund", ""
		}
	case OctoPayment:
		r.Shop = Shop{Name: "Oʻzbekiston doʻkoni", Address: "Toshkent sh., Amir Temur koʻchasi 15", BIN: "301234567"}
		r.Provider, r.Till, r.Cheque = "OCTO", "K7QX2", octoCheque
		r.Amount = providers.New(10333, providers.UZS)
		r.Product, r.Contact = "Tuzlangan yoki shor suvdagi baliq", "+998901234567"
		f := octoFiscal // a copy: a test may clear one field of it
		r.Fiscal = &f
	case OctoRefund:
		r.Shop = Shop{Name: "Oʻzbekiston doʻkoni", Address: "Toshkent sh., Amir Temur koʻchasi 15", BIN: "301234567"}
		r.Provider, r.Till, r.Cheque = "OCTO", "K7QX2", octoRefundCheque
		r.Amount = providers.New(5000, providers.UZS)
	}
	return r
}
