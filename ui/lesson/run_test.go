package lesson

import (
	"testing"
	"time"

	"github.com/kassa-till/kassa/assets/lessons"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func finished(kind store.Kind, amount int64, state store.State, id, parent store.ID) store.Operation {
	op := store.Operation{ID: id, Kind: kind, Amount: providers.New(amount, providers.KZT), State: state, PaymentID: parent}
	return op
}

func TestShippedLessonsLoad(t *testing.T) {
	names := lessons.Shipped()
	if len(names) < 3 {
		t.Fatalf("shipped lessons: %v", names)
	}
	for _, n := range names {
		l, err := lessons.Load(n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for i, s := range l.Steps {
			if s.Say.In("ru") == s.Say.In("en") {
				t.Errorf("%s step %d has no Russian text", n, i+1)
			}
		}
	}
	if _, err := lessons.Load("no-such-lesson"); err == nil {
		t.Fatal("a missing lesson loaded")
	}
}

// A trainee who makes mistakes on purpose gets each one named.
func TestScoreOfATraineeWhoMakesMistakes(t *testing.T) {
	l, err := lessons.Load("2-refunds")
	if err != nil {
		t.Fatal(err)
	}
	r := Start(l)
	// Step 1: sells the kettle right.
	r = r.Observe(finished(store.KindPayment, 9900, store.StateSuccess, 1, 0))
	// Step 2: refunds 200 instead of 2 000.
	r = r.Observe(finished(store.KindRefund, 200, store.StateSuccess, 2, 1))
	// Step 3: sells the toaster right.
	r = r.Observe(finished(store.KindPayment, 15000, store.StateSuccess, 3, 0))
	// Step 4: refunds the toaster's amount from the kettle's payment.
	r = r.Observe(finished(store.KindRefund, 15000, store.StateRefused, 0, 1))
	if !r.Done() || r.Score() != 2 {
		t.Fatalf("done %v score %d: %+v", r.Done(), r.Score(), r.Results)
	}
	if res := r.Results[1]; res.Right || res.Why != "lesson.wrong_amount" {
		t.Fatalf("step 2: %+v", res)
	}
	if res := r.Results[3]; res.Right || res.Why != "lesson.wrong_payment" || res.Args[0] != "000003" {
		t.Fatalf("step 4: %+v", res)
	}
	if r.Observe(finished(store.KindPayment, 1, store.StateSuccess, 9, 0)).Score() != 2 {
		t.Fatal("an operation after the end changed the score")
	}
}

func TestOutcomesAndWrongKind(t *testing.T) {
	l, _ := lessons.Load("3-when-things-go-wrong")
	r := Start(l)
	declined := finished(store.KindPayment, 3000, store.StateFailed, 1, 0)
	declined.Detail = "QrTransactionFailure"
	r = r.Observe(declined)
	timedOut := finished(store.KindPayment, 1200, store.StateFailed, 2, 0)
	timedOut.Stage = providers.StageCancelled // the POS gave up first
	r = r.Observe(timedOut)
	r = r.Observe(finished(store.KindRefund, 800, store.StateRefused, 0, 1)) // a refund, not a payment
	r = r.Observe(finished(store.KindPayment, 800, store.StateFailed, 4, 0)) // expected paid
	want := []bool{true, true, false, false}
	for i, res := range r.Results {
		if res.Right != want[i] {
			t.Errorf("step %d right %v, want %v (%+v)", i+1, res.Right, want[i], res)
		}
	}
	if r.Results[2].Why != "lesson.wrong_do_pay" || r.Results[3].Why != "lesson.wrong_outcome" {
		t.Fatalf("%+v", r.Results)
	}
}

func TestBadLessonFilesAreRefusedClearly(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/bad.toml"
	writeFile(t, path, `title = {en = "x"}
[[step]]
say = {en = "a"}
customer = "teleports"
do = "sell"
amount = 0
expect = "happy"
[[step]]
say = {en = "b"}
customer = "qr"
do = "refund"
refund_of = 5
amount = 10
expect = "refunded"
`)
	_, err := lessons.Load(path)
	if err == nil {
		t.Fatal("bad lesson loaded")
	}
	for _, want := range []string{"teleports", "sell", "amount", "happy", "refund_of"} {
		if !contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
}

func TestWrongPaymentIsNamedBeforeTheAmount(t *testing.T) {
	l, _ := lessons.Load("2-refunds")
	r := Start(l)
	r = r.Observe(finished(store.KindPayment, 9900, store.StateSuccess, 1, 0))
	r = r.Observe(finished(store.KindRefund, 2000, store.StateSuccess, 2, 1))
	r = r.Observe(finished(store.KindPayment, 15000, store.StateSuccess, 3, 0))
	r = r.Observe(finished(store.KindRefund, 7900, store.StateSuccess, 4, 1)) // the kettle's rest
	if res := r.Results[3]; res.Why != "lesson.wrong_payment" {
		t.Fatalf("%+v", res)
	}
}
