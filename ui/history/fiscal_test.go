package history

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/octo"
	octosim "github.com/kassa-till/kassa/providers/octo/sim"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/common"
)

// octoShop is an OCTO till on its simulator, fiscal receipts held until
// released, on a fake clock; paid is a payment the till gave up asking
// the fiscal receipt of.
type octoShop struct {
	t    *testing.T
	clk  *clock.Fake
	st   *store.Store
	reg  *providers.Registry
	tr   *tracker.Tracker
	osim *octosim.Sim
	paid store.Operation
}

func newOctoShop(t *testing.T) *octoShop {
	t.Helper()
	bread := octo.Product{Name: "Non", SPIC: "01901001001000000", PackageCode: "1500001", PINFL: "123451246"}
	clk := clock.NewFake(t0)
	s := octosim.New(octosim.Options{Clock: clk, ShopID: 7, Secret: "s", FiscalLate: true,
		Products: []octosim.Product{{SPIC: bread.SPIC, PackageCode: bread.PackageCode, PINFL: bread.PINFL}},
		Default:  octosim.Customer{Does: octosim.Pay, Delay: 5 * time.Second}})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := octo.New(octo.Options{URL: srv.URL, ShopID: 7, Secret: "s", Clock: clk, Products: []octo.Product{bread}})
	if err != nil {
		t.Fatal(err)
	}
	o := &octoShop{t: t, clk: clk, st: st, reg: providers.MustRegistry(p), osim: s}
	o.tr = tracker.New(st, o.reg, clk)
	t.Cleanup(func() { o.tr.Close(); st.Close() })
	m, err := o.tr.PaySale("octo", providers.New(4_250_000, providers.UZS), providers.Sale{Product: "Non", Contact: "+998901234567"}, "Dilnoza", false)
	if err != nil {
		t.Fatal(err)
	}
	o.paid = o.until(m.Op.ID, store.Operation.NotFiscalized)
	return o
}

// quiet waits until the tracker waits on the clock.
func (o *octoShop) quiet() {
	o.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !o.tr.Quiet() {
		if time.Now().After(deadline) {
			o.t.Fatal("the tracker never came to rest")
		}
		runtime.Gosched()
	}
}

// until moves the clock from one pause of the tracker to the next until
// ok holds of the stored operation.
func (o *octoShop) until(id store.ID, ok func(store.Operation) bool) store.Operation {
	o.t.Helper()
	for range 2000 {
		o.quiet()
		op, err := o.st.Get(id)
		if err != nil {
			o.t.Fatal(err)
		}
		if ok(op) {
			return op
		}
		d, more := o.clk.Next()
		if !more {
			o.t.Fatalf("nothing waited for; operation %+v", op)
		}
		o.clk.Advance(d)
	}
	o.t.Fatal("never")
	return store.Operation{}
}

// trackedScreen is the history screen with the till's tracker behind it,
// its news handed to the screen as the root model hands them.
type trackedScreen struct {
	*screen
	shop *octoShop
	news chan tea.Msg
}

func (o *octoShop) screen(lang string, reg *providers.Registry, tr *tracker.Tracker) *trackedScreen {
	o.t.Helper()
	cat := locale.MustLoad(lang)
	// The screen's clock apart from the tracker's: it never moves, so the
	// screen reads again only what the tracker's news makes it.
	clk := clock.NewFake(o.clk.Now())
	c := &common.Common{Cat: cat, Styles: common.DefaultStyles(), Keys: common.NewKeyMap(cat), Clock: clk, Store: o.st,
		Providers: reg, Tracker: tr, Width: 100, Height: 40}
	ts := &trackedScreen{screen: &screen{t: o.t, m: New(c), c: c, clk: clk, out: make(chan tea.Msg, 64)}, shop: o, news: make(chan tea.Msg, 64)}
	sub := tr.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	o.t.Cleanup(func() { cancel(); sub.Close() })
	go func() {
		for {
			ms, err := sub.Wait(ctx)
			if err != nil {
				return
			}
			ts.news <- common.OpsChanged{Machines: ms}
		}
	}()
	m, cmd := ts.m.Open()
	ts.m = m
	ts.run(cmd)
	ts.settle()
	return ts
}

// settle takes in the screen's answers and the tracker's news until the
// tracker waits on its clock with all it said taken in, and every
// command of the screen still running waits on the screen's clock.
func (ts *trackedScreen) settle() {
	ts.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case msg := <-ts.out:
			ts.running.Add(-1)
			ts.send(msg)
			continue
		case msg := <-ts.news:
			ts.send(msg)
			continue
		default:
		}
		// Delivered first: news taken from the tracker is then in ts.news.
		if ts.shop.tr.Quiet() && ts.shop.tr.Delivered() && len(ts.news) == 0 && len(ts.out) == 0 && ts.running.Load() == int64(ts.clk.Waiters()) {
			return
		}
		if time.Now().After(deadline) {
			ts.t.Fatal("the screen and the tracker never settled")
		}
		runtime.Gosched()
	}
}

func (ts *trackedScreen) press(keys ...string) {
	ts.t.Helper()
	for _, k := range keys {
		if k == "enter" {
			ts.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		} else {
			ts.send(tea.KeyPressMsg{Code: rune(k[0]), Text: k})
		}
		ts.settle()
	}
}

func (ts *trackedScreen) view() string {
	return strings.Join(strings.Fields(ansi.Strip(ts.m.View())), " ")
}

func (ts *trackedScreen) shows(t *testing.T, keys ...string) {
	t.Helper()
	v := ts.view()
	for _, k := range keys {
		text := k
		if ts.c.Cat.Has(k) {
			text = ts.c.T(k)
		}
		if !strings.Contains(v, strings.Join(strings.Fields(text), " ")) {
			t.Errorf("the screen does not show %s (%q):\n%s", k, text, v)
		}
	}
}

func (ts *trackedScreen) helps(b key.Binding) bool {
	return slices.ContainsFunc(ts.m.ShortHelp(), func(h key.Binding) bool { return h.Help() == b.Help() })
}

// A payment marked not fiscalized: f in its detail has the till ask OCTO
// again; the detail says so, and shows the fiscal receipt as the tracker
// publishes it, before any refresh of the screen's own.
func TestAskingAgainForTheFiscalReceipt(t *testing.T) {
	o := newOctoShop(t)
	ts := o.screen("en", o.reg, o.tr)
	ts.shows(t, "history.state_not_fiscalized")
	ts.press("enter")
	ts.shows(t, "history.fiscal_missing", "Press f to ask OCTO for it again.", "Non", receipts.MaskContact("+998901234567"))
	if !ts.helps(ts.c.Keys.AskFiscal) {
		t.Fatalf("the help does not offer f: %v", ts.m.ShortHelp())
	}
	asked := o.clk.Now()
	ts.press("f")
	op, _ := o.st.Get(o.paid.ID)
	if !op.FiscalDue() || !op.FiscalSince.Equal(asked) || op.FiscalTries != 1 {
		t.Fatalf("not asked again: %+v", op)
	}
	ts.shows(t, "history.fiscal_asking", op.FiscalError)
	if v := ts.view(); strings.Contains(v, ts.c.T("history.fiscal_missing")) || ts.helps(ts.c.Keys.AskFiscal) {
		t.Fatalf("still offered as not fiscalized: %s", v)
	}
	if err := o.osim.ReleaseFiscal(o.paid.Ref); err != nil {
		t.Fatal(err)
	}
	// The tracker's next ask; the screen's own refresh never comes.
	d, _ := o.clk.Next()
	o.clk.Advance(d)
	ts.settle()
	op, _ = o.st.Get(o.paid.ID)
	if op.Fiscal == nil {
		t.Fatalf("no fiscal receipt: %+v", op)
	}
	ts.shows(t, "history.d_fiscal", op.Fiscal.ReceiptID, op.Fiscal.FiscalSign, receipts.FiscalTime(op.Fiscal.DateTime))
	if v := ts.view(); strings.Contains(v, ts.c.T("history.fiscal_asking")) || strings.Contains(v, ts.c.T("receipt.fiscal_time")+" "+op.Fiscal.DateTime) {
		t.Fatalf("the detail after the fiscal receipt came: %s", v)
	}
	// Back in the list the row is a plain "done".
	ts.send(tea.KeyPressMsg{Code: tea.KeyEscape})
	ts.settle()
	if strings.Contains(ts.view(), ts.c.T("history.state_not_fiscalized")) {
		t.Fatalf("the list still says not fiscalized: %s", ts.view())
	}
}

// A till that no longer runs the payment's provider refuses to ask, in a
// sentence, and the payment stays not fiscalized with the key offered.
func TestAskingAgainRefusedWithoutTheProvider(t *testing.T) {
	o := newOctoShop(t)
	o.tr.Close()
	kaspiOnly := providers.MustRegistry(kaspi.New(kaspi.NewClient("http://127.0.0.1:1", nil), kaspi.Options{}))
	o.tr = tracker.New(o.st, kaspiOnly, o.clk)
	ts := o.screen("ru", kaspiOnly, o.tr)
	ts.press("enter")
	ts.press("f")
	ts.shows(t, ts.c.T("history.fiscal_no_provider", "OCTO"), "history.fiscal_missing")
	if !ts.helps(ts.c.Keys.AskFiscal) {
		t.Fatal("the key is no longer offered")
	}
	if op, _ := o.st.Get(o.paid.ID); !op.NotFiscalized() {
		t.Fatalf("changed: %+v", op)
	}
}

// Why the till would not ask, as a sentence of the catalog whatever the
// error.
func TestAskRefusalIsASentence(t *testing.T) {
	s := newScreen(t, "ru", 100, nil)
	s.m.detail = &detailMsg{op: store.Operation{Provider: "octo"}}
	for _, err := range []error{tracker.ErrNotFiscal, errors.New("disk full")} {
		if got := s.m.askRefusal(err); strings.Contains(got, "tracker:") || got == "" {
			t.Errorf("%v: %q", err, got)
		}
	}
}

// A payment whose fiscal receipt the till is still asking for says so in
// its detail, with the provider's last answer, and offers no key: the
// list shows it as done.
func TestFiscalReceiptPendingInTheDetailOnly(t *testing.T) {
	s := newScreen(t, "en", 100, func(st *store.Store) {
		op := store.NewPayment("octo", providers.New(870_000, providers.UZS), "Dilnoza", false, t0.Add(-time.Minute))
		op.FiscalWanted, op.Sale = true, &providers.Sale{Product: "Non"}
		st.Create(&op)
		op.Started(providers.Status{Ref: "uuid"}, op.Created)
		op.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: "uuid"}, op.Created.Add(10*time.Second))
		op.FiscalTries, op.FiscalError = 2, "fiscal data not ready"
		st.Save(&op)
	})
	flat := func() string { return strings.Join(strings.Fields(ansi.Strip(s.m.View())), " ") }
	if v := flat(); !strings.Contains(v, " done ") || strings.Contains(v, s.c.T("history.state_not_fiscalized")) {
		t.Fatalf("the list: %s", v)
	}
	s.press("enter")
	want := s.c.T("history.d_fiscal_state") + " " + s.c.T("history.fiscal_pending") + " " + s.c.T("history.fiscal_said", "fiscal data not ready")
	if v := flat(); !strings.Contains(v, want) || !strings.Contains(v, s.c.T("history.d_customer_default")) {
		t.Fatalf("the detail does not say %q: %s", want, v)
	}
	if slices.ContainsFunc(s.m.ShortHelp(), func(b key.Binding) bool { return b.Help() == s.c.Keys.AskFiscal.Help() }) {
		t.Fatal("f is offered while the till asks")
	}
}
