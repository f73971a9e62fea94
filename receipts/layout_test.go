package receipts

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/kassa-till/kassa/providers"
)

func render(t *testing.T, r Receipt, o Options) string {
	t.Helper()
	lines, err := Render(r, o)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// hasPair reports whether some line has label on the left and value at the
// right edge.
func hasPair(text, label, value string) bool {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, label+" ") && strings.HasSuffix(line, " "+value) {
			return true
		}
	}
	return false
}

// fits fails the test for any line wider than w, measured as it prints:
// display cells in UTF-8, one column per character in a single-byte charset.
func fits(t *testing.T, lines []string, w int, cs Charset) {
	t.Helper()
	for i, l := range lines {
		n := ansi.StringWidth(l)
		if cs != UTF8 {
			n = utf8.RuneCountInString(l)
		}
		if n > w {
			t.Errorf("line %d is %d columns wide, more than %d: %q", i, n, w, l)
		}
	}
}

// Golden receipts at each width, one of every kind and OCTO's payment
// whose fiscal data is still asked for or never came; run
// `go test ./receipts/ -update` to rewrite them after a deliberate change.
func TestLayouts(t *testing.T) {
	type layoutCase struct {
		name string
		r    Receipt
	}
	var cases []layoutCase
	for _, kind := range allKinds {
		cases = append(cases, layoutCase{string(kind), sample(kind)})
	}
	pending, missing := sample(OctoPayment), sample(OctoPayment)
	pending.Fiscal, pending.FiscalPending = nil, true
	missing.Fiscal, missing.NotFiscalized = nil, true
	cases = append(cases, layoutCase{"octo_payment_pending", pending}, layoutCase{"octo_payment_not_fiscalized", missing})
	for _, c := range cases {
		for _, w := range Widths {
			t.Run(fmt.Sprintf("%s/%d", c.name, w), func(t *testing.T) {
				lines, err := Render(c.r, opts(w))
				if err != nil {
					t.Fatal(err)
				}
				fits(t, lines, w, UTF8)
				text := strings.Join(lines, "\n")
				for _, must := range []string{"000042", "Айгерим Нурланова", c.r.Provider} {
					if !strings.Contains(text, must) {
						t.Errorf("receipt lacks %q", must)
					}
				}
				golden.RequireEqual(t, text+"\n")
			})
		}
	}
}

// Every mandatory value reaches the paper, as sent or in words.
func TestEveryMandatoryValueIsPrinted(t *testing.T) {
	for _, kind := range allKinds {
		r := sample(kind)
		for _, w := range Widths {
			text := render(t, r, opts(w))
			for _, f := range fieldsOf(kind) {
				v := strings.TrimSpace(f.get(r))
				if key, ok := f.words[v]; ok {
					v = ruTexts[key]
				}
				if v == "" && f.optional {
					continue
				}
				// A wrapped value is on the paper even if not on one line,
				// and one too long for a line (OCTO's UUID at 32) even if
				// cut at the edge.
				if !strings.Contains(flat(text), v) && !strings.Contains(strings.Join(strings.Fields(text), ""), v) {
					t.Errorf("%s at %d: %s %q is not on the receipt:\n%s", kind, w, f.wire, v, text)
				}
			}
		}
	}
}

func fieldsOf(k Kind) []field { s, _ := specOf(k); return s.fields }

func TestTotal(t *testing.T) {
	pay := render(t, sample(QRPayment), opts(42))
	if !hasPair(pay, "ИТОГО", "12 500 ₸") || strings.Count(pay, "12 500 ₸") != 1 {
		t.Errorf("payment total, printed once where the provider agrees:\n%s", pay)
	}
	r := sample(QRPayment)
	r.Cheque.Amount = "12500\u00a0₸" // the same amount, spaced otherwise
	if text := render(t, r, opts(42)); strings.Contains(text, "Сумма") {
		t.Errorf("the same amount spaced otherwise printed twice:\n%s", text)
	}
	r = sample(CardRefund)
	r.Amount = providers.New(1234567, providers.KZT)
	refund := render(t, r, opts(42))
	if !hasPair(refund, "ВОЗВРАТ", "- 1 234 567 ₸") {
		t.Errorf("refund total:\n%s", refund)
	}
	// The provider's own amount stays on the receipt as it wrote it.
	if !hasPair(refund, "Сумма", "- 2 000 ₸") {
		t.Errorf("provider's amount:\n%s", refund)
	}
	r = sample(QRPayment)
	r.Amount = providers.New(100001, providers.UZS)
	if text := render(t, r, opts(32)); !hasPair(text, "ИТОГО", "1 000.01 soʻm") {
		t.Errorf("UZS total:\n%s", text)
	}
}

// Long addresses, Cyrillic and Kazakh text, long labels and unbreakable
// values never run past the edge, in any charset.
func TestNoLineExceedsTheWidth(t *testing.T) {
	r := sample(CardPayment)
	r.Shop.Name = "Товарищество с ограниченной ответственностью «Алматинский торговый дом Қазақстан»"
	r.Cheque.Address = "Алматы қаласы, Медеу ауданы, Достық даңғылы 280, Нұрлы Тау бизнес орталығы, 5Б блогы, 12 қабат"
	r.Cheque.ICC = "ОченьДлинныйТипКартыБезПробеловКоторыйНеПомещаетсяВСтроку"
	r.Cashier = "Айгерим Нурланқызы Сейтқалиева-Жұмабаева"
	r.Training = true
	r.Fiscal = &providers.Fiscal{TerminalID: "EP000000000123", ReceiptID: "5123", DateTime: "20260102030405", FiscalSign: "123456789012345678901234567890123456789012345678901234567890"}
	long := maps.Clone(ruTexts)
	long[LabelAuthCode] = "Код авторизации операции в процессинговом центре банка-эквайера"
	for _, cs := range Charsets {
		for _, w := range Widths {
			lines, err := Render(r, Options{Width: w, Charset: cs, TengeAs: "тенге", T: translator(long)})
			if err != nil {
				t.Fatal(err)
			}
			fits(t, lines, w, cs)
		}
	}
}

func TestWrap(t *testing.T) {
	l := layout{w: 10, cs: UTF8}
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"abc def ghi", []string{"abc def", "ghi"}},
		{"abcdefghij klm", []string{"abcdefghij", "klm"}},
		// a word is never cut while it fits on a line of its own
		{"ab cdefghij", []string{"ab", "cdefghij"}},
		// a word wider than a line starts a line and is cut at the edge
		{"ab cdefghijklmnopqrstu v", []string{"ab", "cdefghijkl", "mnopqrstu", "v"}},
		{"Қонаев көшесі", []string{"Қонаев", "көшесі"}},
		// wide characters count two cells
		{"中文中文中文", []string{"中文中文中", "文"}},
		// the no-break space holds an amount together
		{"итого 12\u00a0500\u00a0₸", []string{"итого", "12\u00a0500\u00a0₸"}},
	} {
		if got := l.wrap(c.in); !slices.Equal(got, c.want) {
			t.Errorf("wrap(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTrainingAtTopAndBottom(t *testing.T) {
	for _, w := range Widths {
		r := sample(CardRefund)
		r.Training = true
		r.Fiscal = &providers.Fiscal{TerminalID: "EP1", ReceiptID: "1", DateTime: "20260102030405", FiscalSign: "S", QRCodeURL: "https://x"}
		lines, err := Render(r, opts(w))
		if err != nil {
			t.Fatal(err)
		}
		banner := strings.TrimSpace(ruTexts[LabelTraining])
		if strings.TrimSpace(lines[0]) != banner || strings.TrimSpace(lines[len(lines)-1]) != banner {
			t.Errorf("at %d the banner is not the first and last line:\n%s", w, strings.Join(lines, "\n"))
		}
		if text := strings.Join(lines, "\n"); strings.Contains(text, "EP1") || strings.Contains(text, ruTexts[LabelFiscalQR]) {
			t.Errorf("a training receipt shows fiscal data:\n%s", text)
		}
		r.Training = false
		if text := render(t, r, opts(w)); strings.Contains(text, banner) {
			t.Errorf("a real receipt says training:\n%s", text)
		}
	}
}

// SPEC §2 rule 7: ₸ stays where the printer has it, and becomes "T" or
// "тенге" where it does not, in the till's total and in the provider's
// own amount strings alike.
func TestTengeFallback(t *testing.T) {
	for _, c := range []struct {
		cs      Charset
		tengeAs string
		want    string
	}{
		{UTF8, "", "₸"},
		{UTF8, "тенге", "₸"},
		{CP866, "", "T"},
		{CP866, "T", "T"},
		{CP866, "тенге", "тенге"},
		{ASCII, "", "T"},
		{ASCII, "тенге", "T"}, // ASCII cannot print тенге either
	} {
		t.Run(fmt.Sprintf("%s/%s", c.cs, c.tengeAs), func(t *testing.T) {
			o := opts(32)
			o.Charset, o.TengeAs = c.cs, c.tengeAs
			pay := render(t, sample(QRPayment), o)
			if !hasPair(pay, "ИТОГО", "12 500 "+c.want) {
				t.Errorf("payment total:\n%s", pay)
			}
			// A total that differs from the provider's amount prints both.
			r := sample(CardRefund)
			r.Amount.Minor = 1500
			refund := render(t, r, o)
			if !hasPair(refund, "ВОЗВРАТ", "- 1 500 "+c.want) || !hasPair(refund, "Сумма", "- 2 000 "+c.want) {
				t.Errorf("refund:\n%s", refund)
			}
			if c.cs != UTF8 && strings.ContainsRune(pay+refund, '₸') {
				t.Errorf("₸ left for a printer without it")
			}
		})
	}
}

// Typography a single-byte printer lacks is replaced before layout; what
// has no stand-in (Kazakh letters) is left for Encode to report.
func TestStandIns(t *testing.T) {
	r := sample(QRPayment)
	r.Training = true
	o := Options{Width: 42, Charset: CP866, T: translator(ruTexts)}
	lines, err := Render(r, o)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	if !strings.Contains(text, "*** УЧЕБНЫЙ РЕЖИМ - НЕ ЧЕК ***") || strings.ContainsAny(text, "—«»") {
		t.Errorf("typography left for CP866:\n%s", text)
	}
	if !strings.Contains(text, `"Нурлы Тау"`) {
		t.Errorf("guillemets not replaced:\n%s", text)
	}
	_, lost, _ := Encode(lines, CP866)
	if !slices.Equal(lost, []rune("қҚұ")) {
		t.Errorf("lost %q", string(lost))
	}
	o.Charset, o.T = ASCII, translator(enTexts)
	r.Training = true
	lines, _ = Render(r, o)
	if lines[0] != "     *** TRAINING - NOT A RECEIPT ***" || !slices.Contains(lines, "                SALE - QR") {
		t.Errorf("ASCII stand-ins:\n%s", strings.Join(lines, "\n"))
	}
}

// Provider text is data from the network: an escape sequence, a printer
// command byte or a line break inside it must not reach the paper.
func TestProviderTextCannotCommandThePrinter(t *testing.T) {
	r := sample(QRPayment)
	r.Cheque.StoreName = "Kaspi\x1b[31m Mark\x1dV\x00"
	r.Cheque.Address = "Қонаев 11,\n\t6\u202e"
	r.Cashier = "Aigerim\r\n\x1b@"
	for _, cs := range Charsets {
		lines, err := Render(r, Options{Width: 32, Charset: cs, T: translator(enTexts)})
		if err != nil {
			t.Fatal(err)
		}
		b, _, _ := Encode(lines, cs)
		for i, c := range b {
			if c < 0x20 && c != '\n' {
				t.Fatalf("%s: control byte %#x at %d in\n%s", cs, c, i, b)
			}
		}
		text := strings.Join(lines, "\n")
		if !hasPair(text, "Store", "Kaspi Mark V") || !hasPair(text, "Address", "Қонаев 11, 6") || !hasPair(text, "Cashier", "Aigerim") {
			t.Errorf("%s:\n%s", cs, text)
		}
	}
}

func TestRenderRefuses(t *testing.T) {
	for _, w := range []int{0, 31, 40, 80, -42} {
		if _, err := Render(sample(QRPayment), opts(w)); err == nil {
			t.Errorf("width %d accepted", w)
		}
	}
	o := opts(42)
	o.Charset = "koi8-r"
	if _, err := Render(sample(QRPayment), o); err == nil {
		t.Error("unknown charset accepted")
	}
	if _, err := Render(sample(QRPayment), Options{Width: 42}); err == nil {
		t.Error("no translator accepted")
	}
}

// LabelKeys is exactly what Render asks the translator for, so a catalog
// holding LabelKeys never shows a cashier "!receipt.something".
func TestLabelKeysAreWhatRenderAsks(t *testing.T) {
	asked := map[string]bool{}
	o := Options{Width: 48, T: func(key string, _ ...any) string { asked[key] = true; return key }}
	for _, kind := range allKinds {
		for _, pin := range []string{"true", "false"} {
			for _, training := range []bool{false, true} {
				r := sample(kind)
				r.Cheque.PinEntered, r.Training = pin, training
				if training {
					r.Cheque.Amount = "1 ₸" // differs from the total, so printed
				}
				r.Fiscal = &providers.Fiscal{TerminalID: "EP1", ReceiptID: "1", DateTime: "20260102030405", FiscalSign: "S", QRCodeURL: "https://x"}
				render(t, r, o)
			}
		}
	}
	for _, pending := range []bool{false, true} {
		r := sample(OctoPayment)
		r.Fiscal, r.FiscalPending, r.NotFiscalized = nil, pending, !pending
		render(t, r, o)
	}
	for _, cardType := range []string{"1", "3"} {
		r := sample(UzQRPayment)
		r.Cheque.CardType = cardType
		render(t, r, o)
	}
	if got, want := sorted(slices.Collect(maps.Keys(asked))), sorted(LabelKeys()); !slices.Equal(got, want) {
		t.Errorf("Render asked %v\nLabelKeys lists %v", got, want)
	}
	for _, texts := range []map[string]string{ruTexts, enTexts} {
		if got := sorted(slices.Collect(maps.Keys(texts))); !slices.Equal(got, sorted(LabelKeys())) {
			t.Errorf("test texts %v differ from LabelKeys", got)
		}
	}
}

// Golden receipts for what the kinds above do not show: training on a
// CP866 printer with tenge spelt out, a fiscal block in English, and
// values too long for their line.
func TestLayoutVariants(t *testing.T) {
	training := sample(CardPayment)
	training.Training = true
	fiscal := sample(QRPayment)
	fiscal.Fiscal = &providers.Fiscal{TerminalID: "EP000000000123", ReceiptID: "5123", DateTime: "20260102030405", FiscalSign: "123456789012", QRCodeURL: "https://ofd.soliq.uz/check?t=EP000000000123&r=5123"}
	long := sample(QRRefund)
	long.Cheque.Address = "Алматы қаласы, Медеу ауданы, Достық даңғылы 280, Нұрлы Тау бизнес орталығы"
	long.Cheque.OrderNumber = "QR-2026-11-23-000000000000000000000000504711333"
	long.Amount.Minor = 5000 // a partial refund: the provider's amount differs
	for _, c := range []struct {
		name string
		r    Receipt
		o    Options
	}{
		{"training_cp866_32", training, Options{Width: 32, Charset: CP866, TengeAs: "тенге", T: translator(ruTexts)}},
		{"fiscal_en_48", fiscal, Options{Width: 48, T: translator(enTexts)}},
		{"long_values_32", long, opts(32)},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines, err := Render(c.r, c.o)
			if err != nil {
				t.Fatal(err)
			}
			fits(t, lines, c.o.Width, cmp.Or(c.o.Charset, UTF8))
			golden.RequireEqual(t, strings.Join(lines, "\n")+"\n")
		})
	}
}

// The customer's phone or email tells who gets the fiscal receipt without
// telling a stranger who finds the paper.
func TestContactIsMasked(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"+998901234567", "+998 90 *** ** 67"},
		{"998 (90) 123-45-67", "+998 90 *** ** 67"},
		{" aziz@b.uz ", "a***@b.uz"},
		{"Ойбек.Каримов@mail.uz", "О***@mail.uz"},
		{"@b.uz", "***@b.uz"},
		{"+77011234567", "+*** ** 67"},
		{"123", "1***"},
		{"Aziz", "A***"},
		{"\x1b[31m\u00a0", ""},
		{"", ""},
	} {
		if got := MaskContact(c.in); got != c.want {
			t.Errorf("MaskContact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	r := sample(OctoPayment)
	text := render(t, r, opts(32))
	if !hasPair(text, ruTexts[LabelCustomer], "+998 90 *** ** 67") || strings.Contains(text, "901234567") {
		t.Errorf("contact:\n%s", text)
	}
	r.Contact = ""
	if text := render(t, r, opts(32)); strings.Contains(text, ruTexts[LabelCustomer]) {
		t.Errorf("no contact, yet a customer line:\n%s", text)
	}
}

// The product sold is the one line item, for the whole amount, on any kind
// where it is set.
func TestProductLine(t *testing.T) {
	r := sample(OctoRefund)
	r.Product = "Tuzlangan baliq"
	if text := render(t, r, opts(42)); !hasPair(text, "Tuzlangan baliq", "- 50.00 soʻm") {
		t.Errorf("refund's product line:\n%s", text)
	}
	r = sample(OctoPayment)
	if text := render(t, r, opts(48)); !hasPair(text, "Tuzlangan yoki shor suvdagi baliq", "103.33 soʻm") {
		t.Errorf("payment's product line:\n%s", text)
	}
	// A name too long for the line wraps; the amount stays beside its end.
	if text := render(t, r, opts(32)); !strings.Contains(text, "Tuzlangan yoki shor suvdagi\nbaliq") || !hasPair(text, "baliq", "103.33 soʻm") {
		t.Errorf("wrapped product line:\n%s", text)
	}
	r.Product = " \u00a0"
	if text := render(t, r, opts(48)); strings.Count(text, "103.33 soʻm") != 1 {
		t.Errorf("a blank product printed a line:\n%s", text)
	}
}
