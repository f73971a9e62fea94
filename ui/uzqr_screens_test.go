package ui

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kassa-till/kassa/assets/lessons"
	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/uzqr"
	uzsim "github.com/kassa-till/kassa/providers/uzqr/sim"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/qrcode/qrscan"
	"github.com/kassa-till/kassa/ui/sale"
)

// uzTill is an Uzbek shop's till in a test terminal: the UzQR box
// simulator answering status calls at once, on a fake clock.
type uzTill struct {
	*till
	uz *uzsim.Sim
}

func newUzTill(t *testing.T, width, height int, lang string, customer uzsim.Customer, shortQR bool, adjust ...func(*common.Common, *uzsim.Sim)) *uzTill {
	t.Helper()
	clk := clock.NewFake(t0)
	s := uzsim.New(uzsim.Options{Clock: clk, QRName: "CASH_1", ShortQR: shortQR, Seed: 7,
		DefaultRefund: uzsim.RefundScript{Ends: uzsim.RefundDone, After: time.Minute}})
	if customer.Does != "" {
		s.Next(customer)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	p, err := uzqr.New(uzqr.Options{URL: srv.URL, QRName: "CASH_1"})
	if err != nil {
		t.Fatal(err)
	}
	c := uzShop(t, clk, lang, p)
	c.Demo = true
	for _, a := range adjust {
		a(c, s)
	}
	tm := teatest.NewTestModel(t, New(c), teatest.WithInitialTermSize(width, height))
	return &uzTill{till: &till{t: t, tm: tm, clk: clk, store: c.Store, tr: c.Tracker, cat: c.Cat}, uz: s}
}

// uzShop is what an Uzbek shop's till runs on p: a data file of the till
// KASSA1, the tracker, and the screens' shared context.
func uzShop(t *testing.T, clk *clock.Fake, lang string, p providers.Provider) *common.Common {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetTill("KASSA1"); err != nil {
		t.Fatal(err)
	}
	cat := locale.MustLoad(lang)
	reg := providers.MustRegistry(p)
	tr := tracker.New(st, reg, clk)
	t.Cleanup(func() { tr.Close(); st.Close() })
	return &common.Common{
		Cat: cat, Styles: common.DefaultStyles(), Keys: common.NewKeyMap(cat), Clock: clk, Store: st,
		Providers: reg, Tracker: tr,
		Shop:    common.Shop{Name: "Oʻzbekiston doʻkoni", Address: "Toshkent sh., Amir Temur koʻchasi 15", BIN: "301234567"},
		Cashier: "Dilnoza", ReceiptWidth: 42,
	}
}

// seconds moves the clock on one second at a time.
func (k *uzTill) seconds(n int) {
	for range n {
		k.second()
	}
}

// shownQR is what the screen's QR code says, read back from the screen.
func shownQR(t *testing.T, screen string) string {
	t.Helper()
	got, err := qrscan.Decode(screen)
	if err != nil {
		t.Fatalf("the QR on the screen does not scan: %v\n%s", err, screen)
	}
	return got
}

// The QR drawn on the screen scans back to exactly the invoice's qr_text:
// a short payload at 80x24, the gateway's long ones at 100x30 and 120x40.
func TestScreenUzQRCodeScans(t *testing.T) {
	for _, c := range []struct {
		width, height int
		short         bool
	}{{80, 24, true}, {100, 30, false}, {120, 40, false}, {100, 30, true}} {
		k := newUzTill(t, c.width, c.height, "en", uzsim.Customer{Does: uzsim.Never}, c.short)
		k.pay("150000")
		k.seconds(2) // the countdown moves with the status calls, every 2 s
		op, _ := k.store.Get(1)
		inv, ok := k.uz.Invoice(op.Ref)
		if !ok || op.QR == nil || op.QR.Payload != inv.QRText || (!c.short && len(inv.QRText) < 200) {
			t.Fatalf("%dx%d: stored QR %+v, invoice %+v", c.width, c.height, op.QR, inv)
		}
		s := k.screen()
		for i, line := range strings.Split(s, "\n") {
			if ansi.StringWidth(line) > c.width {
				t.Errorf("%dx%d: line %d is %d cells", c.width, c.height, i, ansi.StringWidth(line))
			}
		}
		if n := strings.Count(s, "\n"); n > c.height {
			t.Errorf("%dx%d: %d lines", c.width, c.height, n)
		}
		if got := shownQR(t, s); got != inv.QRText {
			t.Fatalf("%dx%d: the screen's QR says %q, the invoice's is %q", c.width, c.height, got, inv.QRText)
		}
		for _, want := range []string{"150 000.00 soʻm", "2:58", "DEMO"} {
			if !strings.Contains(s, want) {
				t.Errorf("%dx%d: the screen lacks %q:\n%s", c.width, c.height, want, s)
			}
		}
	}
}

// At 80x24 a QR too long to draw so that it scans gets a sentence saying
// how big the window must be, never a broken code.
func TestScreenUzQRTooLongFor80x24(t *testing.T) {
	k := newUzTill(t, 80, 24, "en", uzsim.Customer{Does: uzsim.Never}, false)
	k.pay("150000")
	k.seconds(2)
	s := k.screen()
	if _, err := qrscan.Decode(s); err == nil {
		t.Fatalf("a code was drawn where none fits:\n%s", s)
	}
	if !strings.Contains(strings.Join(strings.Fields(s), " "), "too small to show this QR code") {
		t.Fatalf("no sentence:\n%s", s)
	}
	golden.RequireEqual(t, s)
}

// Golden screens of a UzQR sale at 80 columns: the QR, paid, declined,
// cancelled by the cashier, and a refund that goes on in the background.
func TestScreenUzQRSaleAt80(t *testing.T) {
	t.Run("qr", func(t *testing.T) {
		k := newUzTill(t, 80, 24, "en", uzsim.Customer{Does: uzsim.Never}, true)
		k.pay("150000")
		k.seconds(2)
		golden.RequireEqual(t, k.screen())
	})
	t.Run("paid", func(t *testing.T) {
		k := newUzTill(t, 80, 40, "en", uzsim.Customer{Does: uzsim.Pay, Delay: 4 * time.Second}, true)
		k.pay("150000,50")
		k.seconds(6)
		k.waitTitle("150 000.50 soʻm paid")
		golden.RequireEqual(t, k.screen())
	})
	t.Run("declined", func(t *testing.T) {
		k := newUzTill(t, 80, 24, "ru", uzsim.Customer{Does: uzsim.Decline, Delay: 4 * time.Second}, true)
		k.pay("25000")
		k.seconds(6)
		k.waitTitle("25\u00a0000,00\u00a0сум отклонено")
		golden.RequireEqual(t, k.screen())
	})
	t.Run("cancelled", func(t *testing.T) {
		k := newUzTill(t, 80, 24, "en", uzsim.Customer{Does: uzsim.Never}, true)
		k.pay("25000")
		k.second()
		k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
		k.eventually("the invoice is cancelled", func() bool { return k.uz.Requests(uzsim.PathCancel) == 1 && k.settled() })
		k.seconds(4)
		k.waitTitle("25 000.00 soʻm cancelled")
		s := k.screen()
		op, _ := k.store.Get(1)
		if inv, _ := k.uz.Invoice(op.Ref); inv.Status != 3 || op.State != store.StateFailed {
			t.Fatalf("at the box: %+v; stored %v", inv, op.State)
		}
		golden.RequireEqual(t, s)
	})
	t.Run("refund_pending", func(t *testing.T) {
		k := newUzTill(t, 80, 24, "en", uzsim.Customer{Does: uzsim.Pay, Delay: 2 * time.Second}, true)
		k.pay("150000")
		k.seconds(4)
		k.waitTitle("150 000.00 soʻm paid")
		k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
		k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF2})
		k.tm.Type("000001")
		k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
		k.waitTitle("refund from receipt 000001")
		k.tm.Type("50000") // the first digit replaces the whole remainder offered
		k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
		k.eventually("the refund is sent", func() bool { return k.lastID() == 2 && k.settled() })
		k.waitTitle("50 000.00 soʻm: followed in the background")
		golden.RequireEqual(t, k.screen())
	})
}

// A payment made just as the cashier cancels stands: the receipt shows.
func TestScreenUzQRPaidAsTheCashierCancels(t *testing.T) {
	k := newUzTill(t, 100, 30, "en", uzsim.Customer{Does: uzsim.PayOnCancel}, true)
	k.pay("7000")
	k.second()
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	k.eventually("the cancel is sent", func() bool { return k.uz.Requests(uzsim.PathCancel) == 1 && k.settled() })
	k.seconds(4)
	k.waitTitle("7 000.00 soʻm paid")
	if op, _ := k.store.Get(1); op.State != store.StateSuccess || op.TransactionID == "" {
		t.Fatalf("stored %+v", op)
	}
}

// Nobody pays: at the QR's lifetime the till cancels the invoice and says
// the customer did not pay.
func TestScreenUzQRExpires(t *testing.T) {
	k := newUzTill(t, 100, 30, "ru", uzsim.Customer{Does: uzsim.Never}, true)
	k.pay("7000")
	for range 190 {
		k.second()
	}
	k.waitTitle("7\u00a0000,00\u00a0сум: время вышло")
	op, _ := k.store.Get(1)
	if inv, _ := k.uz.Invoice(op.Ref); inv.Status != 3 || k.uz.Requests(uzsim.PathCancel) != 1 || op.State != store.StateFailed {
		t.Fatalf("at the box: %+v, %d cancels; stored %v", inv, k.uz.Requests(uzsim.PathCancel), op.State)
	}
}

// A till set up without its shop's details prints no empty shop lines
// for a provider that sends none (UzQR), where Kaspi's cheque fills them.
func TestReceiptWithoutShopDetails(t *testing.T) {
	cat := locale.MustLoad("en")
	c := &common.Common{Cat: cat, ReceiptWidth: 42}
	op := store.NewPayment("uzqr", providers.New(990000, providers.UZS), "Dilnoza", false, t0)
	op.ID, op.OperationID, op.Ref, op.Finished = 2, "KASSA1-000002", "INVC1", t0
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: "871304061743",
		Cheque: &providers.Cheque{Method: providers.MethodQR, OrderNumber: "871304061743", TerminalID: "CASH_1", CardMask: "9860********0094", CardType: "2"}}, t0)
	r, err := sale.Receipt(c, op)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := receipts.Render(r, receipts.Options{Width: 42, T: cat.T})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines[:2] {
		if strings.TrimSpace(l) == "," {
			t.Fatalf("an empty shop printed as %q:\n%s", l, strings.Join(lines, "\n"))
		}
	}
	if r.Till != "KASSA1" {
		t.Fatalf("till %q", r.Till)
	}
}

// fakeGateway is a UzQR gateway as the settings screen sees it.
type fakeGateway struct {
	mu  sync.Mutex
	key string
}

func (g *fakeGateway) Describe() common.GatewayInfo {
	g.mu.Lock()
	defer g.mu.Unlock()
	info := common.GatewayInfo{URL: "http://192.168.1.60:8090", QRName: "CASH_1", INN: "301234567"}
	if len(g.key) > 4 {
		info.KeyTail = "…" + g.key[len(g.key)-4:]
	}
	return info
}

func (g *fakeGateway) Check(context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.key != "S3CRET-KEY-7q2x" {
		return &providers.Error{Kind: providers.ErrAuth, Code: "1001", Text: "Неверный ИНН или API-ключ"}
	}
	return nil
}

func (g *fakeGateway) SetKey(key string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.key = key
	return nil
}

// The settings screen takes a new API key in a masked field: the key is
// never on the screen, only its last four characters once kept; the
// connection test then says whether the gateway takes it.
func TestScreenGatewaySettingsTakeTheKey(t *testing.T) {
	gw := &fakeGateway{key: "OLD-KEY-0000"}
	k := newUzTill(t, 80, 24, "en", uzsim.Customer{}, true, func(c *common.Common, _ *uzsim.Sim) { c.Gateway = gw })
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF9})
	k.waitTitle("Settings: UzQR")
	k.tm.Type("k")
	k.tm.Type("S3CRET-KEY-7q2x")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the key is kept", func() bool {
		gw.mu.Lock()
		defer gw.mu.Unlock()
		return gw.key == "S3CRET-KEY-7q2x"
	})
	teatest.WaitFor(t, k.tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("7q2x")) },
		teatest.WithDuration(guard), teatest.WithCheckInterval(time.Millisecond))
	s := k.screen()
	if strings.Contains(s, "S3CRET") || strings.Contains(s, "OLD-KEY") {
		t.Fatalf("a key is on the screen:\n%s", s)
	}
	if !strings.Contains(s, "ending …7q2x") {
		t.Fatalf("the new key's last characters are not shown:\n%s", s)
	}
}

// uzSimTrainer is training's Trainer over the test's UzQR simulator.
type uzSimTrainer struct{ sim *uzsim.Sim }

func (s *uzSimTrainer) Behaviours() []string { return lessons.Customers["uz"] }
func (s *uzSimTrainer) Next(b string) error {
	switch b {
	case "uz-pay":
		s.sim.Next(uzsim.Customer{Does: uzsim.Pay, Delay: 4 * time.Second})
	case "uz-decline":
		s.sim.Next(uzsim.Customer{Does: uzsim.Decline, Delay: 4 * time.Second})
	case "uz-never":
		s.sim.Next(uzsim.Customer{Does: uzsim.Never})
	case "uz-refund-done":
		s.sim.NextRefund(uzsim.RefundScript{Ends: uzsim.RefundDone, After: 5 * time.Second})
	}
	return nil
}
func (s *uzSimTrainer) RealisticDay()             {}
func (s *uzSimTrainer) Speed() int                { return 1 }
func (s *uzSimTrainer) SetSpeed(int)              {}
func (s *uzSimTrainer) Wipe(string, string) error { return nil }

// The UzQR lesson, done right: pay, a decline, a cancel at the customer's
// word, and a refund that finishes by itself.
func TestScreenUzQRLesson(t *testing.T) {
	l, err := lessons.Load("4-uzqr-shift")
	if err != nil {
		t.Fatal(err)
	}
	k := newUzTill(t, 100, 30, "en", uzsim.Customer{}, true, func(c *common.Common, s *uzsim.Sim) {
		c.Trainer, c.Lesson, c.Lang = &uzSimTrainer{sim: s}, &l, "en"
	})
	k.pay("25000")
	k.seconds(6)
	k.waitTitle("25 000.00 soʻm paid")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.pay("18000")
	k.seconds(6)
	k.waitTitle("18 000.00 soʻm declined")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	k.pay("40000")
	k.seconds(2)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	k.eventually("the invoice is cancelled", func() bool { return k.uz.Requests(uzsim.PathCancel) == 1 && k.settled() })
	k.seconds(4)
	k.waitTitle("40 000.00 soʻm cancelled")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF2})
	k.tm.Type("000001")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("refund from receipt 000001")
	k.tm.Type("5000")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the refund is sent", func() bool { return k.lastID() == 4 && k.settled() })
	k.seconds(20)
	k.waitTitle("LESSON «A shift with UzQR» FINISHED")
	s := k.screen()
	if !strings.Contains(s, "4 of 4 steps right") {
		t.Fatalf("score:\n%s", s)
	}
}

// After a paid sale a barcode scanner types the fiscal receipt's link as
// keys: Enter sends it to the gateway, which keeps it with the payment,
// and the till keeps it too.
func TestScreenUzQRFiscalReceiptLink(t *testing.T) {
	k := newUzTill(t, 100, 30, "en", uzsim.Customer{Does: uzsim.Pay, Delay: 2 * time.Second}, true)
	k.pay("25000")
	k.seconds(4)
	k.waitTitle("25 000.00 soʻm paid")
	const link = "https://ofd.soliq.uz/check?r=1234567&c=20261123142004"
	k.tm.Type(link)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the link is kept", func() bool {
		op, _ := k.store.Get(1)
		return !op.ReceiptLinked.IsZero()
	})
	op, _ := k.store.Get(1)
	inv, _ := k.uz.Invoice(op.Ref)
	if op.ReceiptURL != link || inv.ReceiptURL != link || k.uz.Requests(uzsim.PathReceipt) != 1 {
		t.Fatalf("kept %q, the gateway has %q (%d calls)", op.ReceiptURL, inv.ReceiptURL, k.uz.Requests(uzsim.PathReceipt))
	}
	// A digit after that is the next sale, not more of the link.
	k.tm.Type("5")
	k.waitTitle("new sale")
}
