package display

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	uzsim "github.com/kassa-till/kassa/providers/uzqr/sim"
	"github.com/kassa-till/kassa/ui/qrcode/qrscan"
)

var t0 = time.Date(2026, 11, 23, 14, 20, 0, 0, time.UTC)

// guard bounds a wait for a goroutine of the test: a hang, not a speed.
const guard = 30 * time.Second

// uzPayload is an UzQR payload as the box writes it (the short form, as
// a till at 80x24 can show it), with its real CRC.
func uzPayload(amount string) string {
	tlv := func(tag, v string) string { return fmt.Sprintf("%s%02d%s", tag, len(v), v) }
	s := tlv("00", "01") + tlv("01", "12") + tlv("26", tlv("00", "UZQR")+tlv("01", "612E4A0C9B7D4F21")) +
		tlv("52", "5411") + tlv("53", "860") + tlv("54", amount) + tlv("58", "UZ") +
		tlv("59", "KASSA DEMO SHOP") + tlv("60", "TASHKENT") + tlv("62", tlv("01", "7F3A9C21D4E6B805")) + "6304"
	return s + fmt.Sprintf("%04X", uzsim.CRC16([]byte(s)))
}

func waiting(payload string, left time.Duration) State {
	ms := left.Milliseconds()
	return State{Screen: Pay, Shop: "Oʻzbekiston doʻkoni", Amount: providers.New(15000000, providers.UZS),
		Provider: "uzqr", Stage: Waiting, QR: payload, Expires: t0.Add(3 * time.Minute), LeftMS: &ms}
}

// shown is what the model draws, as plain text without trailing blanks.
func shown(m Model) string {
	var lines []string
	for _, l := range strings.Split(ansi.Strip(m.View().Content), "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

// sized is a display that the till told st, in a window of w by h.
func sized(t *testing.T, lang string, w, h int, st State) Model {
	t.Helper()
	m := New(locale.MustLoad(lang), clock.NewFake(t0), nil, "")
	m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	return update(t, m, stateMsg{st: st})
}

func update(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	next, _ := m.Update(msg)
	return next.(Model)
}

// hasBlock reports whether the lines of block appear one under the other
// in screen, starting in the same column.
func hasBlock(screen string, block []string) bool {
	rows := strings.Split(screen, "\n")
	for i := 0; i+len(block) <= len(rows); i++ {
		for col := 0; ; col++ {
			at := strings.Index(rows[i][col:], strings.TrimRight(block[0], " "))
			if at < 0 {
				break
			}
			col += at
			cells := ansi.StringWidth(rows[i][:col])
			ok := true
			for k, want := range block[1:] {
				row := rows[i+1+k]
				got := ansi.Cut(row, cells, cells+ansi.StringWidth(want))
				if strings.TrimRight(got, " ") != strings.TrimRight(want, " ") {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// The QR a customer scans, beside the amount in big digits, at the two
// sizes of terminal a second monitor is likely to give.
func TestWaitingPaymentShowsQRAndBigAmount(t *testing.T) {
	payload := uzPayload("150000.00")
	for _, size := range []struct{ w, h, scale int }{{80, 24, 1}, {120, 40, 2}} {
		m := sized(t, "en", size.w, size.h, waiting(payload, 178*time.Second+500*time.Millisecond))
		s := shown(m)
		if got, err := qrscan.Decode(s); err != nil || got != payload {
			t.Fatalf("%dx%d: the QR says %q (%v), want %q:\n%s", size.w, size.h, got, err, payload, s)
		}
		big, _ := Big("150 000.00", size.scale)
		if !hasBlock(s, big) {
			t.Errorf("%dx%d: no amount in big digits at scale %d:\n%s", size.w, size.h, size.scale, s)
		}
		clock, _ := Big("2:59", 1)
		if !hasBlock(s, clock) {
			t.Errorf("%dx%d: no time left 2:59:\n%s", size.w, size.h, s)
		}
		for _, want := range []string{"soʻm", "UzQR", "Scan the QR code", "Oʻzbekiston doʻkoni"} {
			if !strings.Contains(s, want) {
				t.Errorf("%dx%d: lacks %q:\n%s", size.w, size.h, want, s)
			}
		}
		lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		if len(lines) > size.h {
			t.Errorf("%dx%d: %d lines", size.w, size.h, len(lines))
		}
		for i, l := range lines {
			if ansi.StringWidth(l) > size.w {
				t.Errorf("%dx%d: line %d is %d cells", size.w, size.h, i, ansi.StringWidth(l))
			}
		}
		if size.w == 80 {
			golden.RequireEqual(t, s)
		}
	}
}

// The time left counts down on the display's own clock between the
// till's words, and stops at 0:00.
func TestCountdownRunsOnItsOwnClock(t *testing.T) {
	clk := clock.NewFake(t0)
	m := New(locale.MustLoad("en"), clk, nil, "")
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	next, cmd := m.Update(stateMsg{st: waiting(uzPayload("150000.00"), 2500*time.Millisecond)})
	m = next.(Model)
	for _, want := range []string{"0:03", "0:02", "0:01", "0:00"} {
		big, _ := Big(want, 1)
		if !hasBlock(shown(m), big) {
			t.Fatalf("want %s:\n%s", want, shown(m))
		}
		if want == "0:00" {
			if cmd != nil {
				t.Fatal("the clock ticks on after the end")
			}
			break
		}
		if cmd == nil {
			t.Fatalf("no tick after %s", want)
		}
		got := make(chan tea.Msg, 1)
		go func() { got <- cmd() }()
		waitFor(t, func() bool { return clk.Waiters() == 1 })
		d, _ := clk.Next()
		clk.Advance(d)
		next, cmd = m.Update(<-got)
		m = next.(Model)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("never happened")
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// What the customer reads of each outcome, in their language, not the
// cashier's.
func TestOutcomesInTheCustomersLanguage(t *testing.T) {
	amount := providers.New(2500000, providers.UZS)
	cases := []struct {
		st   State
		lang string
		want []string
	}{
		{State{Screen: Idle, Shop: "Oʻzbekiston doʻkoni"}, "ru", []string{"Oʻzbekiston doʻkoni", "Добро пожаловать!"}},
		{State{Screen: Paid, Amount: amount}, "ru", []string{"Оплачено", "Спасибо за покупку!"}},
		{State{Screen: Paid, Amount: amount}, "en", []string{"Paid", "Thank you for your purchase!"}},
		{State{Screen: Declined, Amount: amount}, "ru", []string{"Оплата отклонена. Деньги не списаны."}},
		{State{Screen: TimedOut, Amount: amount}, "en", []string{"The time to pay ran out."}},
		{State{Screen: Cancelled, Amount: amount}, "en", []string{"The payment was cancelled."}},
		{State{Screen: Check, Amount: amount}, "ru", []string{"кассир проверяет оплату"}},
		{State{Screen: Refund, Amount: amount}, "ru", []string{"Возврат"}},
		{State{Screen: Pay, Amount: providers.New(12500, providers.KZT), Provider: "kaspi", Stage: Waiting}, "ru",
			[]string{"Kaspi Smart POS", "Оплатите, пожалуйста, на платёжном терминале"}},
	}
	for _, c := range cases {
		s := shown(sized(t, c.lang, 80, 24, c.st))
		for _, want := range c.want {
			if !strings.Contains(s, want) {
				t.Errorf("%s %s: lacks %q:\n%s", c.lang, c.st.Screen, want, s)
			}
		}
		if c.st.Screen != Idle {
			number := locale.MustLoad(c.lang).Decimal(c.st.Amount.Minor, c.st.Amount.Currency.Digits)
			if big, _ := Big(number, 2); !hasBlock(s, big) {
				t.Errorf("%s %s: no %s in big digits:\n%s", c.lang, c.st.Screen, number, s)
			}
		}
		if strings.Contains(s, "!display.") || strings.Contains(s, "%!") {
			t.Errorf("%s %s: a key or verb shows:\n%s", c.lang, c.st.Screen, s)
		}
	}
	// Tenge in the big font, symbol and all.
	s := shown(sized(t, "en", 80, 24, State{Screen: Paid, Amount: providers.New(12500, providers.KZT)}))
	if big, _ := Big("12 500 ₸", 2); !hasBlock(s, big) {
		t.Errorf("no 12 500 ₸ in big digits:\n%s", s)
	}
}

// A window too small for the QR says how big it must be, never draws a
// code that does not scan.
func TestWindowTooSmallForTheQR(t *testing.T) {
	s := shown(sized(t, "en", 60, 15, waiting(uzPayload("150000.00"), time.Minute)))
	if _, err := qrscan.Decode(s); err == nil {
		t.Fatalf("a code was drawn where none fits:\n%s", s)
	}
	if !strings.Contains(strings.Join(strings.Fields(s), " "), "too small for the QR code: make it at least") {
		t.Fatalf("no sentence:\n%s", s)
	}
}

func TestOnlyQQuits(t *testing.T) {
	m := sized(t, "en", 80, 24, State{Screen: Idle})
	for _, k := range []tea.KeyPressMsg{{Code: tea.KeyEnter}, {Code: 'x', Text: "x"}, {Code: tea.KeyEscape}} {
		if _, cmd := m.Update(k); cmd != nil {
			t.Errorf("%s does something", k)
		}
	}
	for _, k := range []tea.KeyPressMsg{{Code: 'q', Text: "q"}, {Code: 'c', Mod: tea.ModCtrl}} {
		if _, cmd := m.Update(k); cmd == nil {
			t.Errorf("%s does not quit", k)
		} else if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s does not quit", k)
		}
	}
}

// Every glyph reads as itself: no two draw the same at either scale.
func TestFontGlyphsDiffer(t *testing.T) {
	seen := map[string]rune{}
	for r := range glyphs {
		for _, scale := range []int{1, 2} {
			lines, ok := Big(string(r), scale)
			if !ok || len(lines) != map[int]int{1: 3, 2: 5}[scale] {
				t.Fatalf("%q at %d: %d lines, %v", r, scale, len(lines), ok)
			}
			key := fmt.Sprint(scale, lines)
			if other, dup := seen[key]; dup && r != ' ' && other != ' ' {
				t.Errorf("%q draws as %q at scale %d", r, other, scale)
			}
			seen[key] = r
		}
	}
	if _, ok := Big("12 $", 1); ok {
		t.Error("a character the font lacks was drawn")
	}
}

// The display follows the till: "not running" while no till answers,
// the till's screen once one does, and "not running" again when it
// goes, looking again every second on its own clock.
func TestDisplayFollowsTheTillAcrossRestarts(t *testing.T) {
	clk := clock.NewFake(t0)
	path := filepath.Join(shortDir(t), "kassa.db.sock")
	r := &rig{t: t, msgs: make(chan tea.Msg, 16)}
	r.m = New(locale.MustLoad("en"), clk, Socket(path), path)
	r.update(tea.WindowSizeMsg{Width: 80, Height: 24})
	r.spawn(r.m.Init())
	r.until("not running", func(m Model) bool { return strings.Contains(shown(m), "The till is not running") })
	if !strings.Contains(shown(r.m), path) {
		t.Fatalf("where it looks is not said:\n%s", shown(r.m))
	}

	// Nothing there at the next try either.
	r.until("a try", func(Model) bool { return clk.Waiters() == 1 })
	clk.Advance(RetryEvery)
	r.until("tried again", func(Model) bool { return clk.Waiters() == 1 })

	stop := serveStates(t, path, State{Screen: Idle, Shop: "Doʻkon"},
		State{Screen: Paid, Amount: providers.New(2500000, providers.UZS)})
	clk.Advance(RetryEvery)
	r.until("the till's screen", func(m Model) bool { return strings.Contains(shown(m), "Thank you for your purchase!") })

	stop()
	r.until("not running again", func(m Model) bool { return strings.Contains(shown(m), "The till is not running") })
	r.until("a try", func(Model) bool { return clk.Waiters() == 1 })
	serveStates(t, path, State{Screen: Idle, Shop: "Doʻkon"})
	clk.Advance(RetryEvery)
	r.until("the new till's screen", func(m Model) bool { return strings.Contains(shown(m), "Doʻkon") })
}

// A till that refuses this display (another user's) is said so.
func TestRefusedDisplaySaysWhy(t *testing.T) {
	clk := clock.NewFake(t0)
	path := filepath.Join(shortDir(t), "kassa.db.sock")
	listen(t, path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "only the till's own user may use its socket", http.StatusForbidden)
	}))
	r := &rig{t: t, msgs: make(chan tea.Msg, 16)}
	r.m = New(locale.MustLoad("en"), clk, Socket(path), path)
	r.update(tea.WindowSizeMsg{Width: 80, Height: 24})
	r.spawn(r.m.Init())
	r.until("refused", func(m Model) bool { return strings.Contains(shown(m), "it runs as another user") })
}

// shortDir is a folder whose socket paths fit the 108 bytes a unix
// socket's name may have.
func shortDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "kd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func listen(t *testing.T, path string, h http.Handler) func() {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return func() { srv.Close() }
}

// serveStates is a till that says states and then holds the stream open
// until stopped.
func serveStates(t *testing.T, path string, states ...State) (stop func()) {
	return listen(t, path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/display" {
			http.NotFound(w, r)
			return
		}
		for _, s := range states {
			fmt.Fprintf(w, "%s\n", must(s))
		}
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
}

func must(s State) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// rig runs a display's commands as the program would, each in its own
// goroutine, and hands their messages to the test.
type rig struct {
	t    *testing.T
	m    Model
	msgs chan tea.Msg
}

func (r *rig) spawn(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				r.spawn(c)
			}
			return
		}
		if msg != nil {
			r.msgs <- msg
		}
	}()
}

func (r *rig) update(msg tea.Msg) {
	next, cmd := r.m.Update(msg)
	r.m = next.(Model)
	r.spawn(cmd)
}

// until takes messages until cond holds of the model.
func (r *rig) until(what string, cond func(Model) bool) {
	r.t.Helper()
	timeout := time.After(guard)
	for !cond(r.m) {
		select {
		case msg := <-r.msgs:
			r.update(msg)
		case <-time.After(100 * time.Microsecond):
			// cond may be of the clock's waiters, not of a message
		case <-timeout:
			r.t.Fatalf("never happened: %s\n%s", what, shown(r.m))
		}
	}
}
