package display

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
)

func machine(id store.ID, kind store.Kind, phase tracker.Phase, seq uint64, minor int64) tracker.Machine {
	return tracker.Machine{Phase: phase, Seq: seq, Info: providers.Info{Name: "uzqr", QRShownBy: providers.DisplayTill},
		Op: store.Operation{ID: id, Kind: kind, Provider: "uzqr", Amount: providers.New(minor, providers.UZS),
			QR: &providers.QR{Payload: "QR-" + string(rune('0'+id))}}}
}

// The newest operation that holds the till wins; the end of the one
// shown stays for OutcomeFor; an older one's end, a refund's, or an
// operation handed over show nothing.
func TestFeedShowsTheNewestOperation(t *testing.T) {
	clk := clock.NewFake(t0)
	f := newFeed("Doʻkon", clk)
	expect := func(what string, screen Screen, minor int64) {
		t.Helper()
		s, _ := f.state()
		if s.Screen != screen || s.Amount.Minor != minor || s.Shop != "Doʻkon" {
			t.Fatalf("%s: %+v, want %s of %d", what, s, screen, minor)
		}
	}
	expect("nothing yet", Idle, 0)

	f.take(machine(1, store.KindPayment, tracker.Waiting, 1, 100))
	expect("a payment", Pay, 100)
	if s, _ := f.state(); s.QR != "QR-1" || s.Stage != Waiting {
		t.Fatalf("%+v", s)
	}
	f.take(machine(2, store.KindPayment, tracker.Starting, 1, 200))
	expect("a newer payment", Pay, 200)
	if s, _ := f.state(); s.QR != "" || s.Stage != Starting {
		t.Fatalf("a QR before the payment waits: %+v", s)
	}
	f.take(machine(1, store.KindPayment, tracker.Paid, 2, 100))
	expect("the older one ended", Pay, 200)
	f.take(machine(2, store.KindPayment, tracker.Waiting, 3, 200), machine(2, store.KindPayment, tracker.Starting, 2, 200))
	if s, _ := f.state(); s.Stage != Waiting {
		t.Fatalf("an older state was taken over a newer one: %+v", s)
	}
	f.take(machine(2, store.KindPayment, tracker.Declined, 4, 200))
	expect("declined", Declined, 200)
	clk.Advance(OutcomeFor - time.Second)
	if _, wake := f.state(); wake != time.Second {
		t.Fatalf("wakes in %v", wake)
	}
	expect("declined still", Declined, 200)
	clk.Advance(time.Second)
	expect("back to idle", Idle, 0)

	// The next payment cuts the outcome short.
	f.take(machine(3, store.KindPayment, tracker.Waiting, 1, 300), machine(3, store.KindPayment, tracker.Paid, 2, 300))
	expect("paid", Paid, 300)
	f.take(machine(4, store.KindPayment, tracker.Waiting, 1, 400))
	expect("the next payment", Pay, 400)

	// Handed over: the cashier deals with it; the customer sees idle.
	over := machine(4, store.KindPayment, tracker.Waiting, 2, 400)
	over.Background = true
	f.take(over)
	expect("handed over", Idle, 0)

	// A refund: its amount while it holds the till, then nothing.
	f.take(machine(5, store.KindRefund, tracker.Waiting, 1, 500))
	expect("a refund", Refund, 500)
	if s, _ := f.state(); s.QR != "" || s.Provider != "" {
		t.Fatalf("a refund shows more than its amount: %+v", s)
	}
	f.take(machine(5, store.KindRefund, tracker.Paid, 2, 500))
	expect("the refund went through", Idle, 0)

	// A payment that arrived late, never shown as holding the till.
	f.take(machine(6, store.KindPayment, tracker.Paid, 1, 600))
	expect("a late payment", Idle, 0)
}

// A line of the stream says only what the customer needs.
func TestStateSaysNoMore(t *testing.T) {
	clk := clock.NewFake(t0)
	m := machine(7, store.KindPayment, tracker.Waiting, 1, 15000000)
	m.Info.ScanTimeout = 3 * time.Minute
	m.Op.Created, m.Now = t0.Add(-time.Minute), t0
	m.Op.QR.Expires = t0.Add(4 * time.Minute)
	m.Op.Ref, m.Op.OperationID, m.Op.TransactionID, m.Op.Message = "INV-SECRET", "KASSA1-000007", "TX-1", "provider words"
	m.Op.Cashier = "Dilnoza"
	s, ok := Of(m, "Doʻkon", clk)
	if !ok {
		t.Fatal("not shown")
	}
	line, _ := json.Marshal(s)
	for _, secret := range []string{"INV-SECRET", "KASSA1", "000007", "TX-1", "provider words", "Dilnoza"} {
		if strings.Contains(string(line), secret) {
			t.Errorf("the line tells %q: %s", secret, line)
		}
	}
	var keys map[string]any
	json.Unmarshal(line, &keys)
	for k := range keys {
		switch k {
		case "screen", "shop", "amount", "provider", "stage", "qr", "expires", "left_ms":
		default:
			t.Errorf("the line has %q: %s", k, line)
		}
	}
	if left, ok := s.Left(); !ok || left != 2*time.Minute {
		t.Errorf("left %v %v: %s", left, ok, line)
	}
}
