package history

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

var t0 = time.Date(2026, 11, 23, 21, 0, 0, 0, time.Local)

// screen drives the history screen the way the program does: keys and
// answers go through Update, commands run on their own goroutines, and
// settle takes in their answers until only the refresh timer is left,
// waiting on the fake clock.
type screen struct {
	t       *testing.T
	m       Model
	c       *common.Common
	clk     *clock.Fake
	out     chan tea.Msg
	running atomic.Int64
}

func newScreen(t *testing.T, lang string, width int, fill func(st *store.Store)) *screen {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if fill != nil {
		fill(st)
	}
	cat := locale.MustLoad(lang)
	clk := clock.NewFake(t0)
	c := &common.Common{Cat: cat, Styles: common.DefaultStyles(), Keys: common.NewKeyMap(cat), Clock: clk, Store: st,
		Providers: providers.MustRegistry(kaspi.New(kaspi.NewClient("http://127.0.0.1:1", nil), kaspi.Options{})), Width: width, Height: 30}
	s := &screen{t: t, m: New(c), c: c, clk: clk, out: make(chan tea.Msg, 64)}
	m, cmd := s.m.Open()
	s.m = m
	s.run(cmd)
	s.settle()
	return s
}

func (s *screen) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	s.running.Add(1)
	go func() { s.out <- cmd() }()
}

// settle takes in answers until every command still running waits on
// the clock.
func (s *screen) settle() {
	s.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		select {
		case msg := <-s.out:
			s.running.Add(-1)
			s.send(msg)
			continue
		default:
		}
		if s.running.Load() == int64(s.clk.Waiters()) {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatal("the screen's commands never settled")
		}
		runtime.Gosched()
	}
}

func (s *screen) send(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, cmd := range msg {
			s.run(cmd)
		}
	default:
		var cmd tea.Cmd
		s.m, cmd = s.m.Update(msg)
		s.run(cmd)
	}
}

// press sends keys ("down", "pgdown", "t", or text) and settles.
func (s *screen) press(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		named := map[string]rune{"down": tea.KeyDown, "up": tea.KeyUp, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp,
			"home": tea.KeyHome, "end": tea.KeyEnd, "enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab}
		if code, ok := named[k]; ok {
			s.send(tea.KeyPressMsg{Code: code})
		} else {
			for _, r := range k {
				s.send(tea.KeyPressMsg{Code: r, Text: string(r)})
			}
		}
		s.settle()
	}
}

func (s *screen) chosen() store.Row {
	s.t.Helper()
	r, ok := s.m.selected()
	if !ok {
		s.t.Fatal("no row is chosen")
	}
	return r
}

// paid writes n successful payments, one a minute back from t0, on two
// terminals; it returns their IDs newest first.
func paid(st *store.Store, n int) []store.ID {
	var ids []store.ID
	err := st.Batch(func(create func(*store.Operation) error) error {
		for i := range n {
			at := t0.Add(-time.Duration(n-i) * time.Minute)
			op := store.NewPayment("kaspi", providers.New(int64(100+i), providers.KZT), "", false, at)
			op.Started(providers.Status{Ref: fmt.Sprintf("p%d", i)}, at)
			op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR,
				TransactionID: fmt.Sprintf("5047%05d", i), Cheque: &providers.Cheque{TerminalID: fmt.Sprintf("3145296%d", i%2)}}, at)
			if err := create(&op); err != nil {
				return err
			}
			ids = append(ids, op.ID)
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	slices.Reverse(ids)
	return ids
}

func TestScrollingHoldsAWindowAndVisitsEveryRowInOrder(t *testing.T) {
	var ids []store.ID
	s := newScreen(t, "en", 100, func(st *store.Store) { ids = paid(st, 1000) })
	down := s.walk("down", len(ids))
	if !slices.Equal(down, ids) {
		t.Fatalf("down the list: %d rows, not the list in order", len(down))
	}
	s.press("down") // past the end: stays
	if s.chosen().ID != ids[len(ids)-1] || s.m.older {
		t.Fatalf("past the end: %v, older %v", s.chosen().ID, s.m.older)
	}
	up := s.walk("up", len(ids))
	slices.Reverse(up)
	if !slices.Equal(up, ids) {
		t.Fatal("up the list: not the list in order")
	}
	if s.m.newer {
		t.Fatal("at the top, the screen thinks there are newer rows")
	}
}

// walk presses key n-1 times and returns the rows chosen on the way,
// checking the screen never holds more than its window.
func (s *screen) walk(key string, n int) []store.ID {
	s.t.Helper()
	var ids []store.ID
	for i := range n {
		if i > 0 {
			s.press(key)
		}
		if len(s.m.rows) > maxRows {
			s.t.Fatalf("%s, row %d: the screen holds %d rows", key, i, len(s.m.rows))
		}
		ids = append(ids, s.chosen().ID)
	}
	return ids
}

func TestPagingAndEnds(t *testing.T) {
	var ids []store.ID
	s := newScreen(t, "en", 100, func(st *store.Store) { ids = paid(st, 700) })
	page := s.m.visibleRows()
	for range 5 {
		s.press("pgdown")
	}
	if got, want := s.chosen().ID, ids[5*page]; got != want {
		t.Fatalf("five pages down: receipt %v, want %v", got, want)
	}
	s.press("end")
	if s.chosen().ID != ids[len(ids)-1] || len(s.m.rows) > maxRows {
		t.Fatalf("end: receipt %v, %d rows held", s.chosen().ID, len(s.m.rows))
	}
	s.press("pgup")
	if got, want := s.chosen().ID, ids[len(ids)-1-page]; got != want {
		t.Fatalf("a page up from the end: receipt %v, want %v", got, want)
	}
	s.press("home")
	if s.chosen().ID != ids[0] || s.m.newer {
		t.Fatalf("home: receipt %v", s.chosen().ID)
	}
}

// A refund that takes its time: the Refunds tab shows it pending, then
// done, without a key pressed; the totals follow.
func TestRefundStatusMovesOnTheScreen(t *testing.T) {
	var refund store.Operation
	s := newScreen(t, "en", 100, func(st *store.Store) {
		ids := paid(st, 3)
		p, _ := st.Get(ids[0])
		refund = store.NewRefund(p, providers.New(50, providers.KZT), "", t0.Add(-10*time.Second))
		if err := st.CreateRefund(&refund); err != nil {
			t.Fatal(err)
		}
		refund.Started(providers.Status{Ref: "r1"}, t0)
		if err := st.Save(&refund); err != nil {
			t.Fatal(err)
		}
	})
	s.press("tab")
	if r := s.chosen(); r.ID != refund.ID || r.State != store.StatePending || s.m.totals.Refunds != 0 {
		t.Fatalf("refunds tab: %+v, totals %+v", r, s.m.totals)
	}
	s.press("down") // the cursor stays on its row through a refresh
	refund.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: "x"}, t0)
	if err := s.c.Store.Save(&refund); err != nil {
		t.Fatal(err)
	}
	s.clk.Advance(RefreshEvery)
	s.settle()
	if r := s.chosen(); r.ID != refund.ID || r.State != store.StateSuccess || s.m.totals.Refunds != 1 {
		t.Fatalf("after a refresh: %+v, totals %+v", r, s.m.totals)
	}
	if !strings.Contains(s.m.View(), "done") {
		t.Fatal("the screen does not say done")
	}
}

// The detail is read again while it is open, and never comes back once
// left.
func TestDetailFollowsItsPaymentAndStaysClosed(t *testing.T) {
	var ids []store.ID
	s := newScreen(t, "en", 100, func(st *store.Store) { ids = paid(st, 2) })
	s.press("enter")
	if s.m.detail == nil || s.m.detail.op.ID != ids[0] || s.m.detail.left.Minor != 101 {
		t.Fatalf("detail: %+v", s.m.detail)
	}
	p, _ := s.c.Store.Get(ids[0])
	r := store.NewRefund(p, providers.New(40, providers.KZT), "", t0)
	if err := s.c.Store.CreateRefund(&r); err != nil {
		t.Fatal(err)
	}
	s.clk.Advance(RefreshEvery)
	s.settle()
	if len(s.m.detail.refunds) != 1 || s.m.detail.left.Minor != 61 {
		t.Fatalf("after a refund: %d refunds, %v left", len(s.m.detail.refunds), s.m.detail.left)
	}
	// Left while a read is on its way: its answer does not reopen it.
	s.clk.Advance(RefreshEvery)
	s.send(tea.KeyPressMsg{Code: tea.KeyEscape})
	s.settle()
	if s.m.detail != nil {
		t.Fatal("a late answer reopened the detail")
	}
}

func TestTerminalFilterStepsThroughThePeriodsTerminals(t *testing.T) {
	s := newScreen(t, "en", 100, func(st *store.Store) {
		paid(st, 10)
		failed := store.NewPayment("kaspi", providers.New(900, providers.KZT), "", false, t0.Add(-30*time.Second))
		st.Create(&failed)
		failed.Started(providers.Status{Ref: "f"}, t0)
		failed.ApplyStatus(providers.Status{State: providers.StateFail}, t0)
		st.Save(&failed)
	})
	if len(s.m.rows) != 11 {
		t.Fatalf("%d rows", len(s.m.rows))
	}
	for _, want := range []string{"31452960", "31452961", ""} {
		s.press("t")
		if s.m.query.Terminal != want {
			t.Fatalf("terminal filter %q, want %q", s.m.query.Terminal, want)
		}
		n := 0
		for _, r := range s.m.rows {
			if want != "" && r.Terminal != want {
				t.Fatalf("filter %s shows a row of %s", want, r.Terminal)
			}
			n++
		}
		if wantN := map[string]int{"31452960": 5, "31452961": 5, "": 11}[want]; n != wantN || s.m.totals.Payments != min(wantN, 10) {
			t.Fatalf("filter %q: %d rows, %d paid, want %d", want, n, s.m.totals.Payments, wantN)
		}
	}
}

func TestPeriodTooLongIsRefusedAndChangesNothing(t *testing.T) {
	s := newScreen(t, "en", 100, func(st *store.Store) { paid(st, 5) })
	before := s.m.query
	s.press("d", "2026-10-01 2026-11-23", "enter")
	if !strings.Contains(s.m.message, "54 days") || s.m.query.From != before.From || len(s.m.rows) != 5 {
		t.Fatalf("message %q, query %+v, %d rows", s.m.message, s.m.query, len(s.m.rows))
	}
	s.press("esc")
	s.press("d", "2026-10-20 2026-11-23", "enter")
	if s.m.message != "" || s.m.query.Days() != 35 || s.m.input != noInput {
		t.Fatalf("35 days: message %q, %d days", s.m.message, s.m.query.Days())
	}
}

// The period is typed as the screen shows it or in ISO form, with or
// without a dash between; the screen shows it one way.
func TestPeriodInEitherForm(t *testing.T) {
	s := newScreen(t, "ru", 100, func(st *store.Store) { paid(st, 5) })
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local), time.Date(2026, 11, 23, 0, 0, 0, 0, time.Local)
	for i, typed := range []string{"01.11.2026 23.11.2026", "2026-11-01 2026-11-23", "1.11.2026 – 23.11.2026", "01.11.2026 - 2026-11-23"} {
		s.press("d")
		if i > 0 && !strings.Contains(ansi.Strip(s.m.View()), "> 01.11.2026 23.11.2026") {
			t.Fatalf("the field does not offer the period as the screen writes it:\n%s", ansi.Strip(s.m.View()))
		}
		s.press(typed, "enter")
		if s.m.message != "" || !s.m.query.From.Equal(from) || !s.m.query.To.Equal(to) {
			t.Fatalf("%q: message %q, period %v – %v", typed, s.m.message, s.m.query.From, s.m.query.To)
		}
		if v := ansi.Strip(s.m.View()); !strings.Contains(v, "01.11.2026 – 23.11.2026") || strings.Contains(v, "2026-11") {
			t.Fatalf("%q shows:\n%s", typed, v)
		}
	}
	s.press("d", "32.11.2026", "enter")
	if s.m.message != s.c.T("history.period_format") || !s.m.query.From.Equal(from) {
		t.Fatalf("a day that is not: message %q, from %v", s.m.message, s.m.query.From)
	}
}

func TestSearchAsYouType(t *testing.T) {
	var ids []store.ID
	s := newScreen(t, "en", 100, func(st *store.Store) { ids = paid(st, 300) })
	s.press("/", "5047001")
	if len(s.m.rows) != pageSize || s.m.totals.Payments != 100 {
		t.Fatalf("5047001: %d rows, %d in all, want 100", len(s.m.rows), s.m.totals.Payments)
	}
	s.press("23")
	if len(s.m.rows) != 1 || s.chosen().Number != "504700123" {
		t.Fatalf("504700012: %+v", s.m.rows)
	}
	s.press("esc")
	if s.m.query.Search != "" || len(s.m.rows) != min(300, pageSize) || s.chosen().ID != ids[0] {
		t.Fatalf("search left: %q, %d rows", s.m.query.Search, len(s.m.rows))
	}
}

// Every line fits the terminal, in both languages and on both tabs; the
// terminal column shows where there is room.
func TestLinesFitTheTerminal(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		for _, width := range []int{80, 120} {
			s := newScreen(t, lang, width, func(st *store.Store) {
				ids := paid(st, 40)
				p, _ := st.Get(ids[0])
				r := store.NewRefund(p, providers.New(50, providers.KZT), "", t0)
				st.CreateRefund(&r)
			})
			for range 2 {
				view := s.m.View()
				for _, l := range strings.Split(view, "\n") {
					if w := lipgloss.Width(l) + 2; w > width {
						t.Fatalf("%s at %d: a line of %d: %q", lang, width, w, ansi.Strip(l))
					}
				}
				if has := strings.Contains(view, "  "+s.c.T("history.col_terminal")+"  "); has != (width >= 100) {
					t.Fatalf("%s at %d: terminal column shown %v\n%s", lang, width, has, ansi.Strip(view))
				}
				s.press("tab")
			}
		}
	}
}

// paidLongAgo writes a card payment, 307299990000, forty days before t0.
func paidLongAgo(st *store.Store) {
	old := store.NewPayment("kaspi", providers.New(777, providers.KZT), "", false, t0.AddDate(0, 0, -40))
	st.Create(&old)
	old.Started(providers.Status{Ref: "old"}, old.Created)
	old.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodCard, TransactionID: "307299990000"}, old.Created)
	st.Save(&old)
}

// A number from another day: the screen names where it is, and Enter,
// even pressed before the search has answered, moves the period there.
func TestSearchFindsANumberInAnotherPeriod(t *testing.T) {
	s := newScreen(t, "en", 100, func(st *store.Store) {
		paid(st, 3)
		paidLongAgo(st)
	})
	s.press("/", "3072999")
	if len(s.m.rows) != 0 || s.m.elsewhere == nil || !strings.Contains(s.m.View(), "14.10.2026") {
		t.Fatalf("rows %d, elsewhere %+v", len(s.m.rows), s.m.elsewhere)
	}
	s.press("esc", "/")
	// Typed and Enter at once: the answer comes after the key.
	for _, r := range "3072999" {
		s.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	s.send(tea.KeyPressMsg{Code: tea.KeyEnter})
	s.settle()
	if len(s.m.rows) != 1 || s.chosen().Number != "307299990000" || s.m.query.Days() != 1 || s.m.input != noInput {
		t.Fatalf("after Enter: %d rows, period %v–%v", len(s.m.rows), s.m.query.From, s.m.query.To)
	}
}

// r on a payment that took money asks for its refund; on anything else
// it does nothing.
func TestRefundFromTheRow(t *testing.T) {
	var ids []store.ID
	s := newScreen(t, "en", 100, func(st *store.Store) {
		ids = paid(st, 2)
		failed := store.NewPayment("kaspi", providers.New(900, providers.KZT), "", false, t0.Add(-30*time.Second))
		st.Create(&failed)
		failed.Started(providers.Status{Ref: "f"}, t0)
		failed.ApplyStatus(providers.Status{State: providers.StateFail}, t0)
		st.Save(&failed)
	})
	refundKey := tea.KeyPressMsg{Code: 'r', Text: "r"}
	if s.chosen().State != store.StateFailed {
		t.Fatal("the newest row should be the failed payment")
	}
	if _, cmd := s.m.Update(refundKey); cmd != nil {
		t.Fatal("r on a failed payment did something")
	}
	s.press("down")
	_, cmd := s.m.Update(refundKey)
	if cmd == nil {
		t.Fatal("r on a paid row did nothing")
	}
	var asked []RefundMsg
	for _, msg := range msgsOf(cmd) {
		if r, ok := msg.(RefundMsg); ok {
			asked = append(asked, r)
		}
	}
	if len(asked) != 1 || asked[0].Payment != ids[0] {
		t.Fatalf("r asked for %+v", asked)
	}
}

// msgsOf runs cmd and the commands it batches, and returns their messages.
func msgsOf(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var msgs []tea.Msg
		for _, c := range batch {
			msgs = append(msgs, msgsOf(c)...)
		}
		return msgs
	}
	return []tea.Msg{msg}
}

// Leaving the screen stops its refresh: nothing is left waiting on the
// clock, and coming back starts one loop again.
func TestLeavingStopsTheRefresh(t *testing.T) {
	s := newScreen(t, "en", 100, func(st *store.Store) { paid(st, 3) })
	if s.clk.Waiters() != 1 {
		t.Fatalf("%d timers while shown", s.clk.Waiters())
	}
	s.press("esc")
	// The loop sees its end on its own goroutine: wait for it to go.
	deadline := time.Now().Add(5 * time.Second)
	for s.clk.Waiters() != 0 || s.running.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("left: %d timers, %d commands still running", s.clk.Waiters(), s.running.Load())
		}
		s.settle()
		runtime.Gosched()
	}
	m, cmd := s.m.Resume()
	s.m = m
	s.run(cmd)
	s.settle()
	if s.clk.Waiters() != 1 || len(s.m.rows) != 3 {
		t.Fatalf("back: %d timers, %d rows", s.clk.Waiters(), len(s.m.rows))
	}
}

// The cursor moves up while the older page is on its way: the trim of
// that page must not push the cursor below 0.
func TestKeysTypedAheadOfAnOlderPageKeepTheCursorOnARow(t *testing.T) {
	s := newScreen(t, "en", 100, func(st *store.Store) { paid(st, 400) })
	for len(s.m.rows) < maxRows {
		s.press("down")
	}
	for i := 0; !s.m.loading; i++ { // down until the older page is asked for
		if i > 200 {
			t.Fatal("setup: no page asked for")
		}
		s.send(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	for range 10 { // typed ahead of the answer
		s.send(tea.KeyPressMsg{Code: tea.KeyPgUp})
	}
	s.settle()
	if s.m.cursor < 0 || s.m.cursor >= len(s.m.rows) {
		t.Errorf("cursor %d outside %d rows", s.m.cursor, len(s.m.rows))
	}
}

// The mirror image: the cursor moves down while the newer page loads.
func TestKeysTypedAheadOfANewerPageKeepTheChosenRow(t *testing.T) {
	s := newScreen(t, "en", 100, func(st *store.Store) { paid(st, 400) })
	for len(s.m.rows) < maxRows {
		s.press("down")
	}
	for range 3 { // past the window: newer is set
		s.press("pgdown")
	}
	if !s.m.newer {
		t.Fatal("setup: newer not set")
	}
	for i := 0; !s.m.loading; i++ {
		if i > 200 {
			t.Fatal("setup: no newer page asked for")
		}
		s.send(tea.KeyPressMsg{Code: tea.KeyUp})
	}
	for range 10 {
		s.send(tea.KeyPressMsg{Code: tea.KeyPgDown})
	}
	want, _ := s.m.selected()
	s.settle()
	got, ok := s.m.selected()
	if !ok || got.ID != want.ID {
		t.Fatalf("cursor %d of %d rows: chosen %v (ok %v), was %v", s.m.cursor, len(s.m.rows), got.ID, ok, want.ID)
	}
}

// The window empties on a refresh (its rows left the status filter)
// while rows above it remain: Up must not index an empty window.
func TestARefreshThatEmptiesTheWindowStartsAtTheTop(t *testing.T) {
	var ops []store.Operation
	s := newScreen(t, "en", 100, func(st *store.Store) {
		for i := range 60 {
			at := t0.Add(-time.Duration(60-i) * time.Minute)
			op := store.NewPayment("kaspi", providers.New(int64(100+i), providers.KZT), "", false, at)
			if err := st.Create(&op); err != nil {
				t.Fatal(err)
			}
			op.Started(providers.Status{Ref: "p"}, at)
			if err := st.Save(&op); err != nil {
				t.Fatal(err)
			}
			ops = append(ops, op)
		}
	})
	s.press("s", "s", "s") // the ones still open
	if len(s.m.rows) != pageSize {
		t.Fatalf("setup: %d rows", len(s.m.rows))
	}
	s.press("end")
	if !s.m.newer || len(s.m.rows) != pageSize {
		t.Fatalf("setup: end: newer %v, %d rows", s.m.newer, len(s.m.rows))
	}
	for _, op := range ops[:50] { // the oldest 50 are settled
		op.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: "x"}, t0)
		if err := s.c.Store.Save(&op); err != nil {
			t.Fatal(err)
		}
	}
	s.clk.Advance(RefreshEvery)
	s.settle()
	s.press("up")
	if len(s.m.rows) == 0 {
		t.Fatal("ten open operations above, none shown")
	}
}

// At 80 columns, the period's input line runs past the terminal in Russian.
func TestPeriodInputFits80Columns(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		s := newScreen(t, lang, 80, func(st *store.Store) { paid(st, 5) })
		s.press("d")
		for _, l := range strings.Split(s.m.View(), "\n") {
			if w := lipgloss.Width(l) + 2; w > 80 {
				t.Errorf("%s: a line of %d: %q", lang, w, strings.TrimRight(ansi.Strip(l), " "))
			}
		}
	}
}

// The elsewhere hint and the search line at 70 columns.
func TestSearchLinesFit70Columns(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		s := newScreen(t, lang, 70, func(st *store.Store) {
			paid(st, 3)
			paidLongAgo(st)
		})
		s.press("/", "3072999")
		for _, l := range strings.Split(s.m.View(), "\n") {
			if w := lipgloss.Width(l) + 2; w > 70 {
				t.Errorf("%s: a line of %d: %q", lang, w, strings.TrimRight(ansi.Strip(l), " "))
			}
		}
	}
}

// An answer from the screen's previous opening carries a gen the new
// opening reuses (New starts gen at 0 again), and is taken in.
func TestAnswersToAnEarlierOpeningAreDropped(t *testing.T) {
	s := newScreen(t, "en", 100, func(st *store.Store) {
		ids := paid(st, 3)
		p, _ := st.Get(ids[0])
		r := store.NewRefund(p, providers.New(50, providers.KZT), "", t0)
		st.CreateRefund(&r)
	})
	// Tab asks for the refunds (gen 2); its answer is slow to come.
	m, slow := s.m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	s.m = m
	s.press("esc") // left for the sale screen
	m, cmd := s.m.Open()
	s.m = m
	s.run(cmd)
	s.settle()
	s.press("m") // the method filter: gen 2 again
	late := slow().(pageMsg)
	s.m, _ = s.m.Update(late)
	for _, r := range s.m.rows {
		if r.Kind != s.m.query.Kind {
			t.Fatalf("the %s tab shows a %s: an answer of the earlier opening was taken in", s.m.query.Kind, r.Kind)
		}
	}
}

// A new payment arrives while the cursor is on the window's last row:
// the refresh reads as many rows as before from the top, the chosen row
// falls out, and the cursor lands on another payment.
func TestARefreshKeepsTheChosenRowWhenRowsArriveOnTop(t *testing.T) {
	s := newScreen(t, "en", 100, func(st *store.Store) { paid(st, 60) })
	for range 59 {
		s.press("down")
	}
	if s.m.older || len(s.m.rows) != 60 {
		t.Fatalf("setup: older %v, %d rows", s.m.older, len(s.m.rows))
	}
	was := s.chosen()
	op := store.NewPayment("kaspi", providers.New(999, providers.KZT), "", false, t0)
	if err := s.c.Store.Create(&op); err != nil {
		t.Fatal(err)
	}
	s.clk.Advance(RefreshEvery)
	s.settle()
	if got := s.chosen(); got.ID != was.ID {
		t.Fatalf("after a refresh the cursor is on receipt %v, was on %v", got.Receipt(), was.Receipt())
	}
}

// A refund's number typed on the Payments tab: the screen names the
// refund, and Enter shows it on the Refunds tab.
func TestSearchFindsARefundFromThePaymentsTab(t *testing.T) {
	var refund store.Operation
	s := newScreen(t, "en", 100, func(st *store.Store) {
		ids := paid(st, 3)
		p, _ := st.Get(ids[0])
		refund = store.NewRefund(p, providers.New(50, providers.KZT), "", t0.AddDate(0, 0, -3))
		st.CreateRefund(&refund)
	})
	s.press("/", refund.Receipt())
	if s.m.elsewhere == nil || s.m.elsewhere.ID != refund.ID {
		t.Fatalf("elsewhere: %+v", s.m.elsewhere)
	}
	s.press("enter")
	if s.m.query.Kind != store.KindRefund || len(s.m.rows) != 1 || s.chosen().ID != refund.ID {
		t.Fatalf("after Enter: %s tab, %d rows", s.m.query.Kind, len(s.m.rows))
	}
}

// Two exports of the same period, the second with a filter: both files
// are kept, each named by and holding what its list showed; the same
// export again gets a number rather than overwrite.
func TestExportsNeverOverwrite(t *testing.T) {
	s := newScreen(t, "en", 100, func(st *store.Store) { paid(st, 6) })
	s.press("e")
	first := s.m.message
	s.press("t", "e") // one terminal: half the rows
	second := s.m.message
	dir := filepath.Join(filepath.Dir(s.c.Store.Path()), "exports")
	files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	if len(files) != 2 || !strings.Contains(first, "6 rows") || !strings.Contains(second, "3 rows") || !strings.Contains(second, "-31452960.csv") {
		t.Fatalf("files %v; said %q and %q", files, first, second)
	}
	s.press("e")
	if !strings.Contains(s.m.message, "-31452960-2.csv") {
		t.Fatalf("the same export again: %q", s.m.message)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", f, fi.Mode(), err)
		}
	}
}

// A payment with more refunds than the screen has lines: the detail keeps
// its title, says how much lies above and below, and End and Home go to
// either end.
func TestALongDetailScrolls(t *testing.T) {
	s := newScreen(t, "en", 100, func(st *store.Store) {
		ids := paid(st, 1)
		p, _ := st.Get(ids[0])
		for i := range 30 {
			r := store.NewRefund(p, providers.New(1, providers.KZT), "", t0.Add(time.Duration(i)*time.Second))
			if err := st.CreateRefund(&r); err != nil {
				t.Fatal(err)
			}
		}
	})
	s.press("enter")
	view := s.m.View()
	if lipgloss.Height(view) > s.c.Height-chrome || !strings.Contains(view, "receipt 000001") || !strings.Contains(view, "more lines (↓)") || strings.Contains(view, "(↑)") {
		t.Fatalf("top of the detail, %d lines:\n%s", lipgloss.Height(view), ansi.Strip(view))
	}
	s.press("end")
	view = s.m.View()
	if !strings.Contains(view, "receipt 000001") || strings.Contains(view, "(↓)") || !strings.Contains(view, "more lines (↑)") || !strings.Contains(view, "000031") {
		t.Fatalf("end of the detail:\n%s", ansi.Strip(view))
	}
	s.press("home")
	if view = s.m.View(); strings.Contains(view, "(↑)") {
		t.Fatalf("home:\n%s", ansi.Strip(view))
	}
}
