package ui

import (
	"bytes"
	"context"
	"fmt"
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
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/sale"
)

var t0 = time.Date(2026, 11, 23, 14, 20, 0, 0, time.UTC)

// till is the whole program in a test terminal, on a simulated Smart POS
// and a fake clock, so every screen is reached by the keys a cashier
// presses and drawn the same way every run.
type till struct {
	t     *testing.T
	tm    *teatest.TestModel
	clk   *clock.Fake
	sim   *sim.Sim
	store *store.Store
	tr    *tracker.Tracker
	cat   *locale.Catalog
}

func newTill(t *testing.T, width int, lang string, customer sim.Customer) *till {
	t.Helper()
	return newTillAfter(t, width, lang, customer, nil)
}

// newTillWith is newTill at 100 columns in English with the shared
// context adjusted before the program starts.
func newTillWith(t *testing.T, adjust func(*common.Common)) *till {
	t.Helper()
	return newTillOpts(t, 100, "en", sim.Customer{Does: sim.PayQR}, nil, func(c *common.Common, _ *sim.Sim) { adjust(c) })
}

// newTillAfter is newTill with a data file and POS prepared by an earlier
// run before the program starts.
func newTillAfter(t *testing.T, width int, lang string, customer sim.Customer, before func(*store.Store, providers.Provider)) *till {
	t.Helper()
	return newTillOpts(t, width, lang, customer, before, nil)
}

func newTillOpts(t *testing.T, width int, lang string, customer sim.Customer, before func(*store.Store, providers.Provider), adjust func(*common.Common, *sim.Sim)) *till {
	t.Helper()
	return newTillSized(t, width, 50, lang, customer, before, adjust)
}

// newTillSized is newTillOpts in a terminal of width×height.
func newTillSized(t *testing.T, width, height int, lang string, customer sim.Customer, before func(*store.Store, providers.Provider), adjust func(*common.Common, *sim.Sim)) *till {
	t.Helper()
	clk := clock.NewFake(t0)
	s := sim.New(sim.Options{Clock: clk, Location: time.UTC, Seed: 7})
	if customer.Does != "" {
		s.Next(customer)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	cat := locale.MustLoad(lang)
	reg := providers.MustRegistry(kaspi.New(kaspi.NewClient(srv.URL, nil), kaspi.Options{}))
	tr := tracker.New(st, reg, clk)
	t.Cleanup(func() { tr.Close(); st.Close() })
	c := &common.Common{
		Cat: cat, Styles: common.DefaultStyles(), Keys: common.NewKeyMap(cat), Clock: clk, Store: st,
		Providers: reg, Tracker: tr,
		Shop:    common.Shop{Name: "Kaspi Mark", Address: "Алматы қ., Қонаев 11, 6", BIN: "960419351140"},
		Cashier: "Aigerim", Demo: true, ReceiptWidth: 42,
	}
	if before != nil {
		before(st, reg.First())
	}
	if adjust != nil {
		adjust(c, s)
	}
	tm := teatest.NewTestModel(t, New(c), teatest.WithInitialTermSize(width, height))
	return &till{t: t, tm: tm, clk: clk, sim: s, store: st, tr: tr, cat: cat}
}

// settled reports whether the tracker waits on the clock and the screens
// have taken in all it said.
func (k *till) settled() bool { return k.tr.Quiet() && k.tr.Delivered() }

// lastID is the newest operation's id, 0 for none.
func (k *till) lastID() store.ID {
	ops, _ := k.store.Recent(1)
	if len(ops) == 0 {
		return 0
	}
	return ops[0].ID
}

// guard is how long a test waits for the program before it gives up: a
// bound on a hang, not a measure of speed, so it is generous for a busy
// CI machine.
const guard = 30 * time.Second

// eventually waits for cond, which other goroutines make true: the
// program's commands run concurrently with the test.
func (k *till) eventually(what string, cond func() bool) {
	k.t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			k.t.Fatalf("never happened: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitTitle waits until the program sets the terminal title to "kassa ·
// title". The renderer writes only the cells that changed, so text on the
// screen may never appear whole in the output; the title always does.
func (k *till) waitTitle(title string) {
	k.t.Helper()
	k.waitTitleWith(title, "")
}

// waitTitleWith waits for the terminal title and for text on the screen,
// in one reading of the output: either may come first.
func (k *till) waitTitleWith(title, text string) {
	k.t.Helper()
	teatest.WaitFor(k.t, k.tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("\x1b]2;kassa · "+title)) && bytes.Contains(b, []byte(text))
	}, teatest.WithDuration(guard), teatest.WithCheckInterval(time.Millisecond))
}

// shows waits until the screen has drawn the text of key: its longest
// word, which the renderer writes whole (it may skip the spaces between).
func (k *till) shows(key string) {
	k.t.Helper()
	word := ""
	for _, w := range strings.FieldsFunc(k.cat.T(key), func(r rune) bool { return r == ' ' || r == '\u00a0' }) {
		if len([]rune(w)) > len([]rune(word)) {
			word = w
		}
	}
	teatest.WaitFor(k.t, k.tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte(word))
	}, teatest.WithDuration(guard), teatest.WithCheckInterval(time.Millisecond))
}

// pay types an amount and Enter, and waits until the till has sent the
// payment and waits to poll the POS.
func (k *till) pay(amount string) {
	before := k.lastID()
	k.tm.Type(amount)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the payment was sent", func() bool { return k.lastID() > before && k.settled() })
}

// payFor takes a payment, lets seconds pass on the till's clock, and
// waits for the terminal title to say title ("": for nothing more).
func (k *till) payFor(amount string, seconds int, title string) {
	k.t.Helper()
	k.pay(amount)
	for range seconds {
		k.second()
	}
	if title != "" {
		k.waitTitle(title)
	}
}

// second moves the clock one second and waits for the till to take in the
// POS's answer: it is then waiting again, or has nothing more to ask.
func (k *till) second() {
	k.clk.Advance(time.Second)
	k.eventually("the poll was answered", k.settled)
}

// screen quits and returns the last screen as plain text, with the
// spinner's frame fixed so the picture is the same every run.
func (k *till) screen() string {
	k.tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	final := k.tm.FinalModel(k.t, teatest.WithFinalTimeout(guard))
	out := ansi.Strip(final.View().Content)
	for _, f := range []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏", "∙", "●"} {
		out = strings.ReplaceAll(out, f, "*")
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

func TestScreenAmountEntry(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.PayQR})
	k.tm.Type("12500")
	golden.RequireEqual(t, k.screen())
}

func TestScreenAmountRefused(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.PayQR})
	k.tm.Type("0")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	s := k.screen()
	if n := k.sim.Requests("/v2/payment"); n != 0 {
		t.Fatalf("a zero amount reached the POS (%d requests)", n)
	}
	golden.RequireEqual(t, s)
}

func TestScreenWaiting(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.PayQR, Delay: 30 * time.Second})
	k.payFor("12500", 12, "")
	golden.RequireEqual(t, k.screen())
}

func TestScreenWaitingConfirm(t *testing.T) {
	k := newTill(t, 100, "ru", sim.Customer{Does: sim.PayQR, Delay: 5 * time.Second, Think: 30 * time.Second})
	k.payFor("12500", 8, "")
	golden.RequireEqual(t, k.screen())
}

func TestScreenQRReceipt(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.PayQR, Delay: 3 * time.Second, Think: 2 * time.Second})
	k.payFor("12500", 6, "12 500 ₸ paid")
	golden.RequireEqual(t, k.screen())
}

func TestScreenCardReceipt(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.PayCard, Delay: 3 * time.Second, Think: 2 * time.Second})
	k.payFor("2000", 8, "2 000 ₸ paid")
	golden.RequireEqual(t, k.screen())
}

func TestScreenDeclined(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.Decline, Delay: 3 * time.Second, Think: 2 * time.Second})
	k.payFor("12500", 6, "12 500 ₸ declined")
	golden.RequireEqual(t, k.screen())
}

func TestScreenUnknown(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.UnknownThenSuccess, Delay: 3 * time.Second, Think: 2 * time.Second, ResolveAfter: time.Hour})
	k.payFor("12500", 6, "12 500 ₸: OUTCOME NOT KNOWN")
	golden.RequireEqual(t, k.screen())
}

func TestScreenBusy(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.PayQR})
	k.sim.Inject("/v2/payment", sim.FaultBusy)
	k.tm.Type("500")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("500 ₸ not started")
	golden.RequireEqual(t, k.screen())
}

func TestScreenNarrowAndWide(t *testing.T) {
	for _, w := range []int{80, 120} {
		k := newTill(t, w, "ru", sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second})
		k.payFor("990", 5, "990\u00a0₸ оплачено")
		s := k.screen()
		for i, line := range strings.Split(s, "\n") {
			if ansi.StringWidth(line) > w {
				t.Errorf("width %d: line %d is %d cells: %q", w, i, ansi.StringWidth(line), line)
			}
		}
	}
}

// paid runs a whole sale and returns to a new sale.
func (k *till) paid(amount, title string) {
	k.payFor(amount, 12, title)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
}

func TestScreenRefundFind(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second})
	k.paid("5000", "5 000 ₸ paid")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF2})
	k.waitTitle("refund: find the payment (1 today)")
	golden.RequireEqual(t, k.screen())
}

// A training file from when the demo's POS repeated its numbers holds one
// order number on two payments: F2 lists both for the cashier to choose,
// rather than taking the newest.
func TestScreenRefundChoosesAmongPaymentsSharingANumber(t *testing.T) {
	k := newTillAfter(t, 100, "en", sim.Customer{}, func(st *store.Store, _ providers.Provider) {
		for i, amount := range []int64{700, 1200} {
			at := t0.AddDate(0, 0, i-1)
			op := store.NewPayment("kaspi", providers.New(amount, providers.KZT), "Aigerim", true, at)
			st.Create(&op)
			op.Started(providers.Status{Ref: fmt.Sprint(1678094400000 + i)}, at)
			op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: "504711333"}, at)
			st.Save(&op)
		}
	})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF2})
	k.waitTitle("refund: find the payment (1 today)")
	k.tm.Type("504711333")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("refund: 2 payments numbered 504711333")
	// Esc is back to the search; Enter lists them again; the older one.
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	k.waitTitle("refund: find the payment (1 today)")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("refund: 2 payments numbered 504711333")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("refund from receipt 000001")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	k.waitTitle("refund: 2 payments numbered 504711333")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	golden.RequireEqual(t, k.screen())
}

func TestScreenRefundPartialThenOver(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second})
	k.paid("5000", "5 000 ₸ paid")

	// Find it by its receipt number, refund 2 000 of the 5 000.
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF2})
	k.tm.Type("000001")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("refund from receipt 000001")
	k.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second})
	k.tm.Type("2000")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the refund is polled", func() bool { return k.lastID() == 2 && k.settled() })
	for range 6 {
		k.second()
	}
	k.waitTitle("2 000 ₸ refunded")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})

	// 3 500 more is more than the 3 000 left: refused before the POS hears of it.
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF2})
	k.tm.Type("000001")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("refund from receipt 000001")
	k.tm.Type("3500")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	s := k.screen()
	if n := k.sim.Requests("/v2/refund"); n != 1 {
		t.Fatalf("%d refund requests, want 1", n)
	}
	if left, _ := k.store.Refundable(1); left.Minor != 3000 {
		t.Fatalf("left %v", left)
	}
	golden.RequireEqual(t, s)
}

// An earlier run died with two payments open: one the POS accepted, one
// sent without an answer. The till finishes the first and hands the
// second to a person, one after the other, and starts nothing itself.
func TestScreenTakesUpWhatAnEarlierRunLeftOpen(t *testing.T) {
	k := newTillAfter(t, 100, "en", sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second},
		func(st *store.Store, p providers.Provider) {
			lost := store.NewPayment("kaspi", providers.New(700, providers.KZT), "Aigerim", true, t0)
			st.Create(&lost)
			op := store.NewPayment("kaspi", providers.New(1200, providers.KZT), "Aigerim", true, t0)
			st.Create(&op)
			started, err := p.Start(context.Background(), providers.Request{Kind: providers.KindPayment, Amount: op.Amount})
			if err != nil {
				t.Fatal(err)
			}
			op.Started(started, t0)
			st.Save(&op)
		})
	k.eventually("the open payment is polled", func() bool { return len(k.tr.Following()) == 1 && k.settled() })
	for range 6 {
		k.second()
	}
	k.waitTitle("1 200 ₸ paid")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("700 ₸: check the POS")
	s := k.screen()
	if n := k.sim.Requests("/v2/payment"); n != 1 {
		t.Fatalf("%d payment requests: something was repeated", n)
	}
	golden.RequireEqual(t, s)
}

func TestScreenManagerSettlesAnOperation(t *testing.T) {
	var lost store.Operation
	k := newTillAfter(t, 100, "en", sim.Customer{Does: sim.PayQR}, func(st *store.Store, _ providers.Provider) {
		lost = store.NewPayment("kaspi", providers.New(700, providers.KZT), "Aigerim", true, t0)
		st.Create(&lost)
		lost.NeedsCheck(store.NoteInterrupted, t0)
		st.Save(&lost)
	})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF4})
	k.waitTitle("1 operation to check")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyRight}) // paid
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	k.tm.Type("504711999")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) // no note yet: refused
	k.tm.Type("paid in POS history at 14:21, checked by Dana")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("0 operations to check")
	golden.RequireEqual(t, k.screen())
	op, err := k.store.Get(lost.ID)
	if err != nil || op.State != store.StateSuccess || op.Check == nil || op.Check.Note != "paid in POS history at 14:21, checked by Dana" ||
		op.Check.By != "Aigerim" || op.TransactionID != "504711999" {
		t.Fatalf("settled: %+v %v", op, err)
	}
}

// fakeTerminal is a secured Smart POS as the settings screen sees it. Each
// call waits for the test to let it answer, so every state of the screen
// lasts long enough to be seen.
type fakeTerminal struct {
	mu      sync.Mutex
	url     string
	secured bool
	name    string
	exp     time.Time
	answer  chan struct{}
	next    string // the address kept for the next start
	saved   int    // how many times an address was kept
}

func (f *fakeTerminal) SetAddress(address string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next, f.saved = address, f.saved+1
	return nil
}

func (f *fakeTerminal) Connection() common.Connection {
	f.mu.Lock()
	defer f.mu.Unlock()
	conn := common.Connection{URL: f.url, Secured: f.secured, Name: f.name, Expires: f.exp}
	if f.next != f.url {
		conn.Next = f.next
	}
	return conn
}

func (f *fakeTerminal) Test(context.Context) (common.TerminalInfo, error) {
	<-f.answer
	return common.TerminalInfo{TerminalID: "31452963", SerialNum: "00043010171", PosNum: "2"}, nil
}

func (f *fakeTerminal) Pair(_ context.Context, name string) (time.Time, error) {
	<-f.answer
	f.mu.Lock()
	defer f.mu.Unlock()
	if name == "Kassa-1" {
		return time.Time{}, &providers.Error{Kind: providers.ErrProvider, Code: "105", Text: "Register Error. Name is already registered"}
	}
	f.name, f.exp = name, t0.Add(24*time.Hour)
	return f.exp, nil
}

func TestScreenSettingsPairAndTest(t *testing.T) {
	term := &fakeTerminal{url: "https://192.168.1.50:8080", secured: true, answer: make(chan struct{})}
	k := newTillWith(t, func(c *common.Common) { c.Terminal = term })
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF9})
	k.waitTitle("Settings: the Smart POS")
	k.tm.Type("p")
	k.tm.Type("Kassa-1")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("Press «Allow»")
	term.answer <- struct{}{} // refused: the name is taken
	k.waitTitle("Settings: the Smart POS")
	k.tm.Type("p")
	k.tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	k.tm.Type("Kassa-7")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("Press «Allow»")
	term.answer <- struct{}{}
	k.waitTitle("Settings: the Smart POS")
	k.tm.Type("t")
	k.waitTitle("Asking the POS who it is…")
	term.answer <- struct{}{}
	k.waitTitle("Settings: the Smart POS")
	golden.RequireEqual(t, k.screen())
	if term.Connection().Name != "Kassa-7" {
		t.Fatal("not paired")
	}
}

// The manager gives the POS a new address on F9: a mistyped one is
// refused and nothing is kept; a good one is kept for the next start, and
// the screen says the till goes on with the old one until then.
func TestScreenSettingsChangesTheAddress(t *testing.T) {
	term := &fakeTerminal{url: "http://192.168.1.50:8080", next: "http://192.168.1.50:8080", answer: make(chan struct{})}
	k := newTillWith(t, func(c *common.Common) { c.Terminal = term })
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF9})
	k.waitTitle("Settings: the Smart POS")
	for _, typed := range []string{"192.168.1.77:8080", "ftp://192.168.1.77", "http://", "http://192.168.1.77:8080/v2/status"} {
		k.tm.Type("a")
		k.tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
		k.tm.Type(typed)
		k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
		k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	}
	k.tm.Type("a")
	k.tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	k.tm.Type("HTTP://192.168.1.77:8080/")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the address is kept", func() bool { term.mu.Lock(); defer term.mu.Unlock(); return term.saved > 0 })
	teatest.WaitFor(t, k.tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("until then")) },
		teatest.WithDuration(guard), teatest.WithCheckInterval(time.Millisecond))
	s := k.screen()
	if term.saved != 1 || term.next != "http://192.168.1.77:8080" {
		t.Fatalf("kept %d times, %q", term.saved, term.next)
	}
	golden.RequireEqual(t, s)
}

// simTrainer is training's Trainer over the test's simulator.
type simTrainer struct {
	sim   *sim.Sim
	store *store.Store
	speed int
}

func (s *simTrainer) Behaviours() []string { return []string{"qr", "card", "decline"} }
func (s *simTrainer) Next(b string) error {
	s.sim.Next(sim.Customer{Does: sim.Behaviour(b), Delay: 2 * time.Second, Think: 2 * time.Second})
	return nil
}
func (s *simTrainer) RealisticDay()                  {}
func (s *simTrainer) Speed() int                     { return max(s.speed, 1) }
func (s *simTrainer) SetSpeed(n int)                 { s.speed = n }
func (s *simTrainer) Wipe(by, approver string) error { return s.store.Wipe(by, approver, time.Now()) }

func TestScreenTrainerScriptsTheNextCustomerAndWipes(t *testing.T) {
	k := newTillOpts(t, 100, "en", sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second}, nil,
		func(c *common.Common, s *sim.Sim) { c.Trainer = &simTrainer{sim: s, store: c.Store} })
	k.paid("1500", "1 500 ₸ paid") // the queued first customer pays

	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF8})
	k.waitTitle("TRAINER")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) // the next customer declines
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	k.waitTitle("new sale")
	k.payFor("2000", 6, "2 000 ₸ declined")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape}) // a new sale, not the same amount again

	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF8})
	k.waitTitle("TRAINER")
	k.tm.Type("ww")
	k.eventually("the training file is wiped", func() bool { ops, _ := k.store.Recent(10); return len(ops) == 0 })
}

// A trainee who types one amount wrong on purpose gets it named.
func TestScreenLessonScoresMistakes(t *testing.T) {
	l, err := lessons.Load("1-first-sales")
	if err != nil {
		t.Fatal(err)
	}
	k := newTillOpts(t, 100, "en", sim.Customer{}, nil, func(c *common.Common, s *sim.Sim) {
		c.Trainer, c.Lesson, c.Lang = &simTrainer{sim: s, store: c.Store}, &l, "en"
	})
	k.paid("450", "450 ₸ paid")
	k.paid("12800", "12 800 ₸ paid")
	k.payFor("1500", 12, "LESSON «First sales» FINISHED")
	golden.RequireEqual(t, k.screen())
}

func TestScreenHistoryToday(t *testing.T) {
	k := newTillAfter(t, 120, "en", sim.Customer{}, func(st *store.Store, _ providers.Provider) {
		for i, amount := range []int64{4500, 12800} {
			op := store.NewPayment("kaspi", providers.New(amount, providers.KZT), "Aigerim", true, t0.Add(time.Duration(i)*time.Minute))
			st.Create(&op)
			op.Started(providers.Status{Ref: "p"}, t0)
			op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: "50471133" + string(rune('0'+i)),
				Cheque: &providers.Cheque{TerminalID: "31452963"}}, t0)
			st.Save(&op)
		}
	})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF3})
	k.waitTitle("history: Payments (2 shown)")
	golden.RequireEqual(t, k.screen())
}

// shopHistory is a till whose data file holds two payments today, one of
// them partly refunded, and one ten days ago.
func shopHistory(t *testing.T, width int) *till {
	t.Helper()
	return newTillAfter(t, width, "en", sim.Customer{}, func(st *store.Store, _ providers.Provider) {
		pay := func(amount int64, at time.Time, number string, card bool) store.Operation {
			op := store.NewPayment("kaspi", providers.New(amount, providers.KZT), "Aigerim", true, at)
			st.Create(&op)
			op.Started(providers.Status{Ref: "p" + number}, at)
			status := providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: number,
				Cheque: &providers.Cheque{StoreName: "Kaspi Mark", TerminalID: "31452963", OrderNumber: number, Amount: "x", Date: at.Format("02.01.06 15:04:05")}}
			if card {
				status.Method, status.Cheque.OrderNumber, status.Cheque.RRN, status.Cheque.CardMask = providers.MethodCard, "", number, "440043******1234"
			}
			op.ApplyStatus(status, at.Add(20*time.Second))
			st.Save(&op)
			return op
		}
		pay(3200, t0.AddDate(0, 0, -10), "504700101", false)
		p := pay(4500, t0.Add(-time.Hour), "307212345678", true)
		pay(12800, t0.Add(-time.Minute), "504711331", false)
		r := store.NewRefund(p, providers.New(1500, providers.KZT), "Aigerim", t0.Add(-30*time.Minute))
		st.CreateRefund(&r)
		r.Started(providers.Status{Ref: "r1"}, t0.Add(-30*time.Minute))
		r.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodCard, TransactionID: p.TransactionID}, t0.Add(-29*time.Minute))
		st.Save(&r)
	})
}

func TestScreenHistoryDetailAt80(t *testing.T) {
	k := shopHistory(t, 80)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF3})
	k.waitTitle("history: Payments (2 shown)")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("history: receipt 000002")
	golden.RequireEqual(t, k.screen())
}

func TestScreenHistoryRefundsAt80(t *testing.T) {
	k := shopHistory(t, 80)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF3})
	k.waitTitle("history: Payments (2 shown)")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	k.waitTitle("history: Refunds (1 shown)")
	golden.RequireEqual(t, k.screen())
}

func TestScreenHistoryPeriodTooLong(t *testing.T) {
	k := shopHistory(t, 100)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF3})
	k.waitTitle("history: Payments (2 shown)")
	k.tm.Send(tea.KeyPressMsg{Code: 'd', Text: "d"})
	k.tm.Type("2026-10-01 2026-11-23")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	golden.RequireEqual(t, k.screen())
}

// A number from another period: the screen says where it is, and Enter
// moves the period there.
func TestScreenHistorySearchElsewhere(t *testing.T) {
	k := shopHistory(t, 100)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF3})
	k.waitTitle("history: Payments (2 shown)")
	k.tm.Send(tea.KeyPressMsg{Code: '/', Text: "/"})
	k.tm.Type("5047001")
	k.waitTitle("history: Payments (0 shown)")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("history: Payments (1 shown)")
	golden.RequireEqual(t, k.screen())
}

// A manager refunds part of a payment from its detail in the history and,
// the refund done, is back at that detail with the refund in it.
func TestScreenHistoryRefundAndBack(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second})
	k.paid("5000", "5 000 ₸ paid")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF3})
	k.waitTitle("history: Payments (1 shown)")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("history: receipt 000001")
	k.tm.Send(tea.KeyPressMsg{Code: 'r', Text: "r"})
	k.waitTitle("refund from receipt 000001")
	k.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second})
	k.tm.Type("1200")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the refund is polled", func() bool { return k.lastID() == 2 && k.settled() })
	for range 6 {
		k.second()
	}
	// The refund's outcome, whose Enter now says where it goes.
	teatest.WaitFor(t, k.tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("kassa · 1 200 ₸ refunded")) && bytes.Contains(b, []byte("back to the history"))
	}, teatest.WithDuration(guard), teatest.WithCheckInterval(time.Millisecond))
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	// Back at the detail, which is read again: the title may come before
	// or after the new status.
	teatest.WaitFor(t, k.tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("\x1b]2;kassa · history: receipt 000001")) && bytes.Contains(b, []byte("partly"))
	}, teatest.WithDuration(guard), teatest.WithCheckInterval(time.Millisecond))
	golden.RequireEqual(t, k.screen())
}

// A refund opened from the history and then not wanted: Esc goes back to
// the history, not to the sale screen.
func TestScreenHistoryRefundCancelledGoesBack(t *testing.T) {
	k := shopHistory(t, 100)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF3})
	k.waitTitle("history: Payments (2 shown)")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	k.tm.Send(tea.KeyPressMsg{Code: 'r', Text: "r"})
	k.waitTitle("refund from receipt 000002")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	k.waitTitle("history: Payments (2 shown)")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	k.waitTitle("new sale")
}

// At 80 columns the help line cannot hold the history's keys: F1 lists
// them all.
func TestScreenHistoryAllKeysAt80(t *testing.T) {
	k := shopHistory(t, 80)
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF3})
	k.waitTitle("history: Payments (2 shown)")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF1})
	s := k.screen()
	flat := strings.Join(strings.Fields(s), " ") // columns are padded
	for _, want := range []string{"e export CSV", "home/end first/last", "t terminal/QR", "F1 all keys"} {
		if !strings.Contains(flat, want) {
			t.Errorf("F1 does not list %q", want)
		}
	}
	golden.RequireEqual(t, s)
}

// A point typed in tenge is refused, and the digits after it too, until
// the cashier takes it back: 1500.50 never becomes 150 050.
func TestScreenPointInTengeIsRefused(t *testing.T) {
	k := newTill(t, 80, "en", sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
	k.tm.Type("1500.50")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.tm.Type("x")
	s := k.screen()
	if n := k.sim.Requests("/v2/payment"); n != 0 {
		t.Fatalf("%d payment requests for a refused amount", n)
	}
	if !strings.Contains(s, "1 500 ₸") || strings.Contains(s, "150 050") || !strings.Contains(s, "whole tenge") {
		t.Fatalf("screen:\n%s", s)
	}
	golden.RequireEqual(t, s)
}

// Backspace takes the refused point back; Enter then takes 1 500.
func TestScreenRefusedKeyTakenBack(t *testing.T) {
	k := newTill(t, 80, "en", sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
	k.tm.Type("1500.")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	k.payFor("", 4, "1 500 ₸ paid")
	op, err := k.store.Get(1)
	if err != nil || op.Amount != providers.New(1500, providers.KZT) {
		t.Fatalf("paid %v %v", op.Amount, err)
	}
}

// After a decline, Enter takes the same amount again; on a receipt, a
// digit starts the next sale with it.
func TestScreenPayAgainAndTypeAhead(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.Decline, Delay: 2 * time.Second})
	k.payFor("2500", 4, "2 500 ₸ declined")
	k.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
	before := k.lastID()
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the same amount is sent again", func() bool { return k.lastID() > before && k.settled() })
	for range 4 {
		k.second()
	}
	k.waitTitle("2 500 ₸ paid")
	if again, _ := k.store.Get(2); again.Amount != providers.New(2500, providers.KZT) || again.Kind != store.KindPayment {
		t.Fatalf("paid again: %+v", again)
	}
	k.tm.Type("7")
	k.waitTitle("new sale")
	k.tm.Type("00")
	s := k.screen()
	if !strings.Contains(s, "700 ₸") {
		t.Fatalf("the digit typed on the receipt did not start the next sale:\n%s", s)
	}
}

// The POS loses the outcome and then stops answering: a person moves the
// payment to the operations to check, the till can sell again, and the
// payment is still asked about until the POS knows.
func TestScreenHandOverAnUnknownOutcome(t *testing.T) {
	k := newTill(t, 100, "en", sim.Customer{Does: sim.UnknownThenSuccess, Delay: 2 * time.Second, ResolveAfter: 150 * time.Second})
	k.payFor("1500", 4, "1 500 ₸: OUTCOME NOT KNOWN")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF4})
	k.waitTitle("1 500 ₸: followed in the background")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("new sale")
	if ops, _ := k.store.NeedingPerson(10); len(ops) != 1 || !ops[0].State.Open() {
		t.Fatalf("operations to check: %+v", ops)
	}
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF4})
	k.waitTitle("1 operation to check")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	k.waitTitle("new sale")
	// The POS learns it was paid; the operation settles by itself.
	for range 200 {
		if op, _ := k.store.Get(1); op.State == store.StateSuccess {
			break
		}
		d, ok := k.clk.Next()
		if !ok {
			t.Fatal("the handed-over payment is no longer followed")
		}
		k.clk.Advance(d)
		k.eventually("the tracker rests", k.settled)
	}
	if op, _ := k.store.Get(1); op.State != store.StateSuccess || op.NeedsPerson() {
		t.Fatalf("after the POS knew: %v, needs a person %v", op.State, op.NeedsPerson())
	}
}

// The score says Enter is a new sale, and it is.
func TestScreenLessonEndEnterIsANewSale(t *testing.T) {
	l, err := lessons.Load("1-first-sales")
	if err != nil {
		t.Fatal(err)
	}
	k := newTillOpts(t, 100, "en", sim.Customer{}, nil, func(c *common.Common, s *sim.Sim) {
		c.Trainer, c.Lesson, c.Lang = &simTrainer{sim: s, store: c.Store}, &l, "en"
	})
	k.paid("150", "150 ₸ paid")
	k.paid("12800", "12 800 ₸ paid")
	k.payFor("1500", 12, "LESSON «First sales» FINISHED")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("new sale")
}

// A payment refunded in full says so as soon as it is found, and offers
// no amount to type.
func TestScreenRefundOfAFullyRefundedPayment(t *testing.T) {
	k := newTill(t, 80, "en", sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second})
	k.paid("500", "500 ₸ paid")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF2})
	k.tm.Type("000001")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("refund from receipt 000001")
	k.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the refund is polled", func() bool { return k.lastID() == 2 && k.settled() })
	for range 6 {
		k.second()
	}
	k.waitTitle("500 ₸ refunded")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF2})
	k.tm.Type("000001")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle("refund from receipt 000001")
	s := k.screen()
	if !strings.Contains(s, "refunded in full") || strings.Contains(s, "0-9 amount") || strings.Contains(s, "enter refund") {
		t.Fatalf("screen:\n%s", s)
	}
}

// A POS that stops answering is said once, with when it went silent, and
// the line does not change at each try: a script's log stays readable.
func TestLineSaysWhenTheProviderWentSilent(t *testing.T) {
	cat := locale.MustLoad("en")
	reg := providers.MustRegistry(kaspi.New(kaspi.NewClient("http://127.0.0.1:1", nil), kaspi.Options{}))
	c := &common.Common{Cat: cat, Providers: reg, Clock: clock.NewFake(t0)}
	m := tracker.Machine{Phase: tracker.Waiting, Info: reg.First().Info(), Failing: 2, FailingSince: t0.Add(3 * time.Second)}
	m.Op = store.NewPayment("kaspi", providers.New(1500, providers.KZT), "", false, t0)
	line := sale.Line(c, m)
	m.Failing = 7
	if again := sale.Line(c, m); again != line || !strings.Contains(line, "has not answered since 14:20:03") {
		t.Fatalf("%q then %q", line, again)
	}
}
