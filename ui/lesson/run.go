// Package lesson runs a training lesson: it says what the next customer
// wants, scripts that customer on the simulator, and checks each operation
// the trainee finishes against the step, right or wrong and why.
package lesson

import (
	"github.com/kassa-till/kassa/assets/lessons"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// Result is how the trainee did on one step.
type Result struct {
	Step  int // 1-based
	Right bool
	// Why is the catalog key explaining a wrong step, with its arguments.
	Why  string
	Args []any
}

// Run is a lesson in progress. It is a value: Observe returns the next.
type Run struct {
	Lesson  lessons.Lesson
	Results []Result
	// payments remembers which operation each payment step made, so a
	// refund step can check it refunded the right one.
	payments map[int]store.ID
}

// Start begins a lesson.
func Start(l lessons.Lesson) Run { return Run{Lesson: l, payments: map[int]store.ID{}} }

// Done reports whether every step has been tried.
func (r Run) Done() bool { return len(r.Results) >= len(r.Lesson.Steps) }

// Step is the step in progress (1-based), and it.
func (r Run) Step() (int, lessons.Step) {
	n := len(r.Results)
	if n >= len(r.Lesson.Steps) {
		return n, lessons.Step{}
	}
	return n + 1, r.Lesson.Steps[n]
}

// Score counts the right steps.
func (r Run) Score() int {
	right := 0
	for _, res := range r.Results {
		if res.Right {
			right++
		}
	}
	return right
}

// Outcome names what became of an operation in a lesson's words.
func Outcome(op store.Operation) string {
	refund := op.Kind == store.KindRefund
	switch op.State {
	case store.StateSuccess:
		if refund {
			return "refunded"
		}
		return "paid"
	case store.StateFailed:
		// The till withdrew it: at the cashier's word, or at the QR's end.
		if len(op.History) > 0 {
			switch op.History[len(op.History)-1].Note {
			case store.NoteCancelled:
				return "cancelled"
			case store.NoteExpired:
				return "timed_out"
			}
		}
		// The POS gives up on a customer who never scans at the same time
		// as the till: its cancellation is the timeout seen from its side.
		if op.Stage == providers.StageCancelled || op.Detail == "ProcessCancelled" {
			return "timed_out"
		}
		return "declined"
	case store.StateTimeout:
		return "timed_out"
	case store.StateNeedsCheck:
		return "check"
	}
	return "not_started"
}

// Observe checks an operation the trainee finished against the step in
// progress and moves on. An operation refused before it was stored has
// no ID; it still counts as the trainee's attempt.
func (r Run) Observe(op store.Operation) Run {
	if r.Done() {
		return r
	}
	n, step := r.Step()
	res := Result{Step: n, Right: true}
	wantKind := store.KindPayment
	if step.Do == "refund" {
		wantKind = store.KindRefund
	}
	// Amounts are written in major units: tenge, or soums.
	cur := r.Lesson.Currency()
	want := providers.Money{Minor: step.Amount, Currency: cur}
	for range cur.Digits {
		want.Minor *= 10
	}
	got := Outcome(op)
	switch {
	case op.Kind != wantKind:
		res = Result{Step: n, Why: "lesson.wrong_do_" + step.Do}
	case wantKind == store.KindRefund && op.PaymentID != r.payments[step.RefundOf]:
		// The payment first: refunding the wrong one is the bigger mistake.
		res = Result{Step: n, Why: "lesson.wrong_payment", Args: []any{r.payments[step.RefundOf].Receipt()}}
	case op.Amount.Minor != want.Minor:
		res = Result{Step: n, Why: "lesson.wrong_amount", Args: []any{op.Amount, want}}
	case got != step.Expect:
		res = Result{Step: n, Why: "lesson.wrong_outcome", Args: []any{"lesson.outcome." + step.Expect, "lesson.outcome." + got}}
	}
	if wantKind == store.KindPayment && op.Kind == store.KindPayment {
		r.payments = clonePayments(r.payments)
		r.payments[n] = op.ID
	}
	r.Results = append(append([]Result(nil), r.Results...), res)
	return r
}

func clonePayments(m map[int]store.ID) map[int]store.ID {
	c := make(map[int]store.ID, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}
