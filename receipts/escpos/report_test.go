package escpos_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/receipts/escpos"
	"github.com/kassa-till/kassa/receipts/escpos/decode"
	"github.com/kassa-till/kassa/store"
)

// A shift report on paper is its layout line for line, with the code
// page's letters and ₸ as the shop's word, then one cut.
func TestReportDocPrintsTheLayout(t *testing.T) {
	cat := locale.MustLoad("kk")
	paid := providers.New(125000, providers.KZT)
	sh := store.Shift{Z: 2, Number: 2, Till: "K1", At: time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC),
		FirstReceipt: 7, LastReceipt: 9, LastID: 9, ClosedBy: "Айгерім",
		Total: store.ShiftTotals{Lines: []store.ShiftLine{{Provider: "kaspi", Method: providers.MethodQR, Payments: 3, Paid: paid,
			Refunded: providers.New(0, providers.KZT), Net: paid}}}}
	for _, paper := range []int{58, 80} {
		p, _ := escpos.NewProfile(paper)
		p.Mode, p.CodePage, p.Tenge = escpos.Text, escpos.KZ1048, "тг"
		d, err := escpos.ReportDoc(sh, p, cat)
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
		want, err := receipts.ReportLines(sh, receipts.Options{Width: p.Columns, T: cat.T, Amount: cat.Amount, TengeAs: "тг", NoTenge: true})
		if err != nil {
			t.Fatal(err)
		}
		// The feed before the cut prints as an empty line.
		if g, w := strings.TrimRight(strings.Join(got.Lines(), "\n"), "\n"), strings.Join(want, "\n"); g != w {
			t.Errorf("%d mm: printed\n%s\nlaid out\n%s", paper, g, w)
		}
		if !strings.Contains(strings.Join(want, "\n"), "125\u00a0000\u00a0тг") || got.Cuts() != 1 {
			t.Errorf("%d mm: %d cuts, amount in tenge missing:\n%s", paper, got.Cuts(), strings.Join(want, "\n"))
		}
	}
}
