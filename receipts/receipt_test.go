package receipts

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
)

var ru = locale.MustLoad("ru")

func opts(width int) Options { return Options{Width: width, T: ru.T} }

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
)

func sample(kind Kind) Receipt {
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
		r.Cheque.Amount = "- " + r.Cheque.Amount
	}
	if kind == CardRefund {
		r.Cheque.ICC, r.Cheque.HostResponseCode = "", ""
	}
	return r
}

func TestMandatoryFieldsPerKind(t *testing.T) {
	want := map[Kind][]string{
		QRPayment:   {"storeName", "city", "address", "bin", "terminalId", "orderNumber", "method", "date", "amount", "status"},
		QRRefund:    {"storeName", "city", "address", "bin", "terminalId", "orderNumber", "method", "date", "amount", "status"},
		CardPayment: {"storeName", "city", "address", "bin", "terminalId", "cardMask", "icc", "rrn", "authorizationCode", "hostResponseCode", "method", "date", "amount", "status"},
		CardRefund:  {"storeName", "city", "address", "bin", "terminalId", "cardMask", "rrn", "authorizationCode", "method", "date", "amount", "status"},
	}
	for kind, fields := range want {
		if got := Mandatory(kind); !slices.Equal(got, fields) {
			t.Errorf("%s mandatory %v, want %v", kind, got, fields)
		}
	}
}

// Each mandatory field removed alone is named; the optional PIN is not.
func TestCheckNamesEachMissingField(t *testing.T) {
	setters := map[string]func(*providers.Cheque){
		"storeName": func(c *providers.Cheque) { c.StoreName = "" }, "city": func(c *providers.Cheque) { c.City = " " },
		"address": func(c *providers.Cheque) { c.Address = "" }, "bin": func(c *providers.Cheque) { c.BIN = "" },
		"terminalId": func(c *providers.Cheque) { c.TerminalID = "" }, "orderNumber": func(c *providers.Cheque) { c.OrderNumber = "" },
		"cardMask": func(c *providers.Cheque) { c.CardMask = "" }, "icc": func(c *providers.Cheque) { c.ICC = "" },
		"rrn": func(c *providers.Cheque) { c.RRN = "" }, "authorizationCode": func(c *providers.Cheque) { c.AuthorizationCode = "" },
		"hostResponseCode": func(c *providers.Cheque) { c.HostResponseCode = "" }, "method": func(c *providers.Cheque) { c.Method = "" },
		"date": func(c *providers.Cheque) { c.Date = "" }, "amount": func(c *providers.Cheque) { c.Amount = "" },
		"status": func(c *providers.Cheque) { c.Status = "" },
	}
	for _, kind := range []Kind{QRPayment, QRRefund, CardPayment, CardRefund} {
		if err := Check(sample(kind)); err != nil {
			t.Fatalf("complete %s refused: %v", kind, err)
		}
		for _, wire := range Mandatory(kind) {
			r := sample(kind)
			setters[wire](&r.Cheque)
			var me *MissingError
			if err := Check(r); !errors.As(err, &me) || !slices.Equal(me.Fields, []string{wire}) {
				t.Errorf("%s without %s: %v", kind, wire, err)
			}
			if _, err := Render(r, opts(42)); err == nil {
				t.Errorf("%s without %s rendered", kind, wire)
			}
		}
	}
	r := sample(CardPayment)
	r.Cheque.PinEntered = ""
	if err := Check(r); err != nil {
		t.Errorf("pinEntered is optional: %v", err)
	}
	r = sample(QRRefund)
	r.Original, r.Number = "", ""
	var me *MissingError
	if err := Check(r); !errors.As(err, &me) || !slices.Equal(me.Fields, []string{"number", "original"}) {
		t.Errorf("till's own fields: %v", err)
	}
	r = sample(QRPayment)
	r.Cheque = providers.Cheque{}
	if err := Check(r); !errors.As(err, &me) || len(me.Fields) != 10 {
		t.Errorf("empty cheque: %v", err)
	}
}

func TestLayouts(t *testing.T) {
	for _, kind := range []Kind{QRPayment, CardPayment, QRRefund, CardRefund} {
		for _, w := range Widths {
			t.Run(fmt.Sprintf("%s/%d", kind, w), func(t *testing.T) {
				lines, err := Render(sample(kind), opts(w))
				if err != nil {
					t.Fatal(err)
				}
				for i, l := range lines {
					if ansi.StringWidth(l) > w {
						t.Errorf("line %d is %d columns: %q", i, ansi.StringWidth(l), l)
					}
				}
				text := strings.Join(lines, "\n")
				for _, must := range []string{"000042", "Айгерим Нурланова", "Kaspi Smart POS", "960419351140", "31452963"} {
					if !strings.Contains(text, must) {
						t.Errorf("receipt lacks %q", must)
					}
				}
				golden.RequireEqual(t, text+"\n")
			})
		}
	}
}

func TestEveryMandatoryValueIsPrinted(t *testing.T) {
	for _, kind := range []Kind{QRPayment, CardPayment, QRRefund, CardRefund} {
		r := sample(kind)
		lines, _ := Render(r, opts(48))
		text := strings.Join(lines, "\n")
		for _, f := range fieldsOf[kind] {
			v := strings.TrimSpace(f.get(r.Cheque))
			if f.wire == "method" || f.wire == "pinEntered" {
				continue // printed as words
			}
			if !strings.Contains(text, v) {
				t.Errorf("%s: %s %q is not on the receipt", kind, f.wire, v)
			}
		}
	}
}

func TestTrainingAtTopAndBottom(t *testing.T) {
	r := sample(QRPayment)
	r.Training = true
	lines, err := Render(r, opts(32))
	if err != nil {
		t.Fatal(err)
	}
	banner := ru.T("receipt.training")
	if !strings.Contains(lines[0], "УЧЕБНЫЙ") || !strings.Contains(strings.Join(lines[len(lines)-3:], " "), "НЕ ЧЕК") {
		t.Fatalf("training banner (%q) not at both ends:\n%s", banner, strings.Join(lines, "\n"))
	}
}

func TestTengeFallback(t *testing.T) {
	for repl, want := range map[string]string{"": "12 500 ₸", "T": "12 500 T", "тенге": "12 500 тенге"} {
		o := opts(32)
		o.Tenge = repl
		lines, _ := Render(sample(QRPayment), o)
		text := strings.Join(lines, "\n")
		if !strings.Contains(text, want) || (repl != "" && strings.Contains(text, "₸")) {
			t.Errorf("tenge as %q:\n%s", repl, text)
		}
		o.Tenge = repl
		r := sample(QRRefund)
		lines, _ = Render(r, o)
		if text := strings.Join(lines, "\n"); !strings.Contains(text, "- "+want) {
			t.Errorf("refund with tenge as %q:\n%s", repl, text)
		}
	}
}

func TestUnsupportedWidth(t *testing.T) {
	if _, err := Render(sample(QRPayment), opts(40)); err == nil {
		t.Fatal("width 40 accepted")
	}
}

func TestKindFor(t *testing.T) {
	for _, c := range []struct {
		refund bool
		m      providers.Method
		k      Kind
	}{{false, providers.MethodQR, QRPayment}, {false, providers.MethodCard, CardPayment}, {true, providers.MethodQR, QRRefund}, {true, providers.MethodCard, CardRefund}} {
		if k, err := KindFor(c.refund, c.m); k != c.k || err != nil {
			t.Errorf("KindFor(%v, %s) = %s, %v", c.refund, c.m, k, err)
		}
	}
	if _, err := KindFor(false, ""); err == nil {
		t.Error("no method accepted")
	}
}

func TestCP866(t *testing.T) {
	b, lost, err := Encode([]string{"Чек № 42", "ИТОГО 500 ₸", "Ёё жя"}, CP866)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x97, 0xA5, 0xAA, ' ', 0xFC, ' ', '4', '2', '\n',
		0x88, 0x92, 0x8E, 0x83, 0x8E, ' ', '5', '0', '0', ' ', '?', '\n',
		0xF0, 0xF1, ' ', 0xA6, 0xEF, '\n'}
	if string(b) != string(want) {
		t.Fatalf("got % x\nwant % x", b, want)
	}
	if !slices.Equal(lost, []rune{'₸'}) {
		t.Fatalf("lost %q", lost)
	}
	_, lost, _ = Encode([]string{"Қонаев қ. ұ"}, CP866)
	if !slices.Equal(lost, []rune{'Қ', 'қ', 'ұ'}) {
		t.Fatalf("Kazakh letters lost %q", lost)
	}
	if b, lost, _ := Encode([]string{"₸"}, UTF8); string(b) != "₸\n" || lost != nil {
		t.Fatal("utf-8 changed the text")
	}
	if _, _, err := Encode(nil, "koi8"); err == nil {
		t.Fatal("unknown charset accepted")
	}
}
