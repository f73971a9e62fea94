package ui

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/octo"
	octosim "github.com/kassa-till/kassa/providers/octo/sim"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/common"
)

var octoFish = octo.Product{Name: "Tuzlangan baliq", SPIC: "00305001001000000", PackageCode: "1425207", NDS: 1, INN: "123456"}

// octoCounter is a till on OCTO's simulator (fiscal data held until
// released), on a fake clock, outside training: its payments are
// fiscalized.
type octoCounter struct {
	*till
	sim *octosim.Sim
}

func newOctoCounter(t *testing.T, width, height int, lang string, customer octosim.Customer, defaultPhone bool) *octoCounter {
	t.Helper()
	clk := clock.NewFake(t0)
	var reg []octosim.Product
	for _, p := range []octo.Product{octoFish, octoBread} {
		reg = append(reg, octosim.Product{SPIC: p.SPIC, PackageCode: p.PackageCode, NDS: p.NDS, INN: p.INN, PINFL: p.PINFL})
	}
	s := octosim.New(octosim.Options{Clock: clk, ShopID: 7, Secret: "s", Products: reg, FiscalLate: true, Default: customer})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetTill("KASSA1"); err != nil {
		t.Fatal(err)
	}
	opts := octo.Options{URL: srv.URL, ShopID: 7, Secret: "s", Clock: clk, Products: []octo.Product{octoFish, octoBread}}
	if defaultPhone {
		opts.Contact = octo.Contact{Phone: "998712000000"}
	}
	p, err := octo.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	cat := locale.MustLoad(lang)
	regy := providers.MustRegistry(p)
	tr := tracker.New(st, regy, clk)
	t.Cleanup(func() { tr.Close(); st.Close() })
	c := &common.Common{
		Cat: cat, Styles: common.DefaultStyles(), Keys: common.NewKeyMap(cat), Clock: clk, Store: st,
		Providers: regy, Tracker: tr,
		Shop:    common.Shop{Name: "Oʻzbekiston doʻkoni", Address: "Toshkent sh., Amir Temur koʻchasi 15", BIN: "301234567"},
		Cashier: "Dilnoza", ReceiptWidth: 42,
	}
	tm := teatest.NewTestModel(t, New(c), teatest.WithInitialTermSize(width, height))
	return &octoCounter{till: &till{t: t, tm: tm, clk: clk, store: st, tr: tr, cat: cat}, sim: s}
}

// sell types the amount, the product's digit and the phone, and waits
// until the sale is sent.
func (k *octoCounter) sell(amount, product, phone string) store.Operation {
	k.t.Helper()
	k.tm.Type(amount)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.tm.Type(product)
	k.tm.Type(phone)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the sale is sent", func() bool { return k.lastID() == 1 && k.settled() })
	op, _ := k.store.Get(1)
	return op
}

// The product is picked by its digit and the phone needs its nine digits:
// a letter and a short number are refused with a sentence, and nothing is
// written or sent.
func TestScreenOctoPhoneRefusedAt80x24(t *testing.T) {
	k := newOctoCounter(t, 80, 24, "en", octosim.Customer{Does: octosim.Never}, false)
	k.tm.Type("15000")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("Payment of 15 000.00 soʻm: what is sold")
	k.tm.Type("x2")
	k.waitTitle("Payment of 15 000.00 soʻm: the customer's phone")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) // no default contact
	k.tm.Type("90 123")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	s := k.screen()
	for _, want := range []string{"Product: Non", "+998 90 123 __ __", "A phone number has 9 digits after +998."} {
		if !strings.Contains(s, want) {
			t.Errorf("the screen lacks %q:\n%s", want, s)
		}
	}
	if k.lastID() != 0 || len(k.sim.Ledger()) != 0 {
		t.Fatal("a payment was written or sent before the phone was complete")
	}
	golden.RequireEqual(t, s)
}

// The product and the phone are written ahead and sent; the QR on the
// screen scans to OCTO's pay page.
func TestScreenOctoSaleQRScans(t *testing.T) {
	k := newOctoCounter(t, 100, 40, "en", octosim.Customer{Does: octosim.Never}, false)
	op := k.sell("15000", "2", "901234567")
	if op.Sale == nil || *op.Sale != (providers.Sale{Product: "Non", Contact: "+998901234567"}) || !op.FiscalWanted {
		t.Fatalf("written ahead: %+v", op)
	}
	if got := shownQR(t, k.screen()); op.QR == nil || got != op.QR.Payload || !strings.Contains(got, "/pay/") {
		t.Fatalf("the screen's QR says %q, OCTO's pay page is %+v", got, op.QR)
	}
}

// Once paid, the receipt waits for the tax office, then carries the fiscal
// block, and q shows the fiscal QR, which scans to qrCodeURL.
func TestScreenOctoFiscalQRScans(t *testing.T) {
	k := newOctoCounter(t, 100, 40, "en", octosim.Customer{Does: octosim.Pay, Delay: 5 * time.Second}, false)
	op := k.sell("15000", "1", "901234567")
	for range 6 {
		k.second()
	}
	k.waitTitle("15 000.00 soʻm paid")
	if err := k.sim.ReleaseFiscal(op.Ref); err != nil {
		t.Fatal(err)
	}
	k.eventually("the fiscal data comes", func() bool {
		k.second()
		op, _ = k.store.Get(1)
		return op.Fiscal != nil
	})
	k.eventually("published", k.settled)
	k.tm.Type("q")
	s := k.screen()
	if got := shownQR(t, s); got != op.Fiscal.QRCodeURL {
		t.Fatalf("the fiscal QR says %q, qrCodeURL is %q", got, op.Fiscal.QRCodeURL)
	}
}

// The paid receipt before its fiscal data: the note where the block goes.
func TestScreenOctoPaidWaitsForTheTaxOffice(t *testing.T) {
	k := newOctoCounter(t, 100, 40, "ru", octosim.Customer{Does: octosim.Pay, Delay: 5 * time.Second}, true)
	k.sell("15000", "1", "")
	for range 6 {
		k.second()
	}
	k.waitTitle("15\u00a0000,00\u00a0сум оплачено")
	k.eventually("asked at least once", func() bool { op, _ := k.store.Get(1); return op.FiscalTries > 0 && k.settled() })
	s := k.screen()
	for _, want := range []string{"Фискальный чек: ждём налоговую", "Tuzlangan baliq"} {
		if !strings.Contains(s, want) {
			t.Errorf("the screen lacks %q:\n%s", want, s)
		}
	}
}

// With the shop's default phone, Enter alone sells and the receipt goes
// to the shop's contact.
func TestScreenOctoDefaultContactAt80x24(t *testing.T) {
	k := newOctoCounter(t, 80, 24, "ru", octosim.Customer{Does: octosim.Never}, true)
	k.tm.Type("5000")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.tm.Type("1")
	k.waitTitle("Оплата 5\u00a0000,00\u00a0сум: телефон покупателя")
	golden.RequireEqual(t, k.screen())

	k2 := newOctoCounter(t, 80, 24, "ru", octosim.Customer{Does: octosim.Never}, true)
	op := k2.sell("5000", "1", "")
	if op.Sale == nil || op.Sale.Product != octoFish.Name || op.Sale.Contact != "" {
		t.Fatalf("written ahead: %+v", op.Sale)
	}
}
