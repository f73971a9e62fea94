package escpos_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/receipts/escpos"
	"github.com/kassa-till/kassa/receipts/escpos/decode"
)

func octoReceipt() receipts.Receipt {
	return receipts.Receipt{Kind: receipts.OctoPayment, Number: "000042", Time: time.Date(2026, 11, 23, 14, 20, 11, 0, time.UTC),
		Shop: receipts.Shop{Name: "Oʻzbekiston doʻkoni", Address: "Toshkent", BIN: "301234567"}, Cashier: "Dilnoza", Till: "K1",
		Provider: "OCTO", Amount: providers.New(1_500_000, providers.UZS), Product: "Non",
		Cheque: providers.Cheque{OrderNumber: "K1-000042", ProviderPaymentID: "1145df74-bb95-47cf-a616-8d6dcee2e222", Status: "succeeded"},
		Fiscal: &providers.Fiscal{TerminalID: "EZ000000000102", ReceiptID: "2121", DateTime: "20261123142015", FiscalSign: "420808230750",
			QRCodeURL: "https://ofd.soliq.uz/epi?t=EZ000000000102&r=2121&c=20261123142015&s=420808230750"}}
}

// A fiscal receipt on paper: every line of the layout, COPY at both ends
// of a reprint, and the fiscal QR after the block, scanning back to
// qrCodeURL, in both modes and widths.
func TestReceiptDocFiscalQR(t *testing.T) {
	cat := locale.MustLoad("en")
	r := octoReceipt()
	for _, paper := range []int{58, 80} {
		for _, mode := range []escpos.Mode{escpos.Raster, escpos.Text} {
			p, _ := escpos.NewProfile(paper)
			p.Mode, p.CodePage = mode, escpos.KZ1048
			d, err := escpos.ReceiptDoc(r, p, cat, "COPY")
			if err != nil {
				t.Fatal(err)
			}
			b, _, err := escpos.Bytes(p, d)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decode.Decode(b, escpos.EpsonPages())
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("%d mm %s", paper, mode)
			if got.Cuts() != 1 {
				t.Errorf("%s: %d cuts", name, got.Cuts())
			}
			if mode == escpos.Text {
				lines := got.Lines()
				if lines[0] != "COPY" && strings.TrimSpace(lines[0]) != "COPY" || !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "420808230750") }) {
					t.Errorf("%s: lines %q", name, lines)
				}
			}
			imgs := got.Images()
			if len(imgs) == 0 {
				t.Fatalf("%s: no image", name)
			}
			if s := scan(t, imgs[len(imgs)-1].Gray()); s != r.Fiscal.QRCodeURL {
				t.Errorf("%s: the QR says %q", name, s)
			}
		}
	}
}

// A training receipt is never fiscalized: no QR on paper.
func TestReceiptDocTrainingHasNoFiscalQR(t *testing.T) {
	r := octoReceipt()
	r.Training = true
	p, _ := escpos.NewProfile(58)
	p.Mode, p.CodePage = escpos.Text, escpos.KZ1048
	d, err := escpos.ReceiptDoc(r, p, locale.MustLoad("ru"), "")
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := escpos.Bytes(p, d)
	got, err := decode.Decode(b, escpos.EpsonPages())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Images()) != 0 || len(got.QRs()) != 0 {
		t.Fatal("a training receipt carries a fiscal QR")
	}
}

// Every kind of receipt on paper, decoded from the bytes, at both widths
// in both modes: the golden files are what the printer is sent. In text
// mode with KZ-1048 the Kazakh letters come back intact; a fiscal
// receipt's QR decodes to its qrCodeURL.
func TestEveryReceiptKindOnPaper(t *testing.T) {
	cat := locale.MustLoad("ru")
	for _, kind := range receipts.Kinds() {
		for _, paper := range []int{58, 80} {
			for _, mode := range []escpos.Mode{escpos.Text, escpos.Raster} {
				t.Run(fmt.Sprintf("%s/%d/%s", kind, paper, mode), func(t *testing.T) {
					r := receipts.Sample(kind)
					p, _ := escpos.NewProfile(paper)
					p.Mode, p.CodePage = mode, escpos.KZ1048
					d, err := escpos.ReceiptDoc(r, p, cat, "")
					if err != nil {
						t.Fatal(err)
					}
					b, _, err := escpos.Bytes(p, d)
					if err != nil {
						t.Fatal(err)
					}
					got, err := decode.Decode(b, escpos.EpsonPages())
					if err != nil {
						t.Fatal(err)
					}
					if mode == escpos.Text {
						text := strings.Join(got.Lines(), "\n")
						// Text mode prints Uzbek ʻ and ʼ as ' (no code page has them).
						for _, want := range []string{r.Number, strings.NewReplacer("ʻ", "'", "ʼ", "'").Replace(r.Shop.Name)} {
							if !strings.Contains(text, want) {
								t.Errorf("the paper lacks %q:\n%s", want, text)
							}
						}
						if r.Cheque.City != "" && !strings.Contains(text, strings.TrimSpace(r.Cheque.City)) {
							t.Errorf("the Kazakh city %q is not intact:\n%s", r.Cheque.City, text)
						}
					}
					if r.Fiscal != nil {
						imgs := got.Images()
						if s := scan(t, imgs[len(imgs)-1].Gray()); s != r.Fiscal.QRCodeURL {
							t.Errorf("the fiscal QR says %q", s)
						}
					}
					if mode == escpos.Raster {
						// Every line drawn, each image the paper's width;
						// the pictures themselves are the encoder's goldens.
						for _, img := range got.Images() {
							if img.Width != p.Dots {
								t.Errorf("an image %d dots wide on %d-dot paper", img.Width, p.Dots)
							}
						}
						if len(got.Images()) == 0 {
							t.Fatal("nothing drawn")
						}
						// The pictures by size and hash: a change of a dot
						// shows, without a megabyte of Braille.
						var sum strings.Builder
						for _, img := range got.Images() {
							fmt.Fprintf(&sum, "image %dx%d in %d bands, %s\n", img.Width, img.Height, img.Bands, img.Hash())
						}
						fmt.Fprintf(&sum, "cuts %d\n", got.Cuts())
						golden.RequireEqual(t, sum.String())
						return
					}
					golden.RequireEqual(t, got.Dump())
				})
			}
		}
	}
}

// In text mode "тенге" is laid out in place of ₸: no line of a Kaspi
// receipt goes past the paper's columns.
func TestTengeWordFitsTheColumns(t *testing.T) {
	p, _ := escpos.NewProfile(58)
	p.Mode, p.CodePage, p.Tenge = escpos.Text, escpos.KZ1048, "тенге"
	d, err := escpos.ReceiptDoc(receipts.Sample(receipts.QRPayment), p, locale.MustLoad("ru"), "")
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := escpos.Bytes(p, d)
	got, err := decode.Decode(b, escpos.EpsonPages())
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(got.Lines(), "\n")
	if !strings.Contains(text, "12\u00a0500\u00a0тенге") {
		t.Fatalf("no tenge word:\n%s", text)
	}
	for _, l := range got.Lines() {
		if n := len([]rune(l)); n > p.Columns {
			t.Errorf("%d columns: %q", n, l)
		}
	}
}
