package history

import (
	"context"
	"sync"
	"testing"

	"github.com/kassa-till/kassa/receipts/printer"
	"github.com/kassa-till/kassa/store"
)

// roll is a printer for the history's tests: it records each job's copy
// flag, and refuses while out is set, as the till's printer records the
// outcome on the operation.
type roll struct {
	st   *store.Store
	mu   sync.Mutex
	jobs []bool
	out  bool
}

func (r *roll) Auto() bool { return false }

func (r *roll) PrintQR(context.Context, store.Operation) error { return nil }
func (r *roll) PrintReport(context.Context, store.Shift) error { return nil }

func (r *roll) PrintReceipt(_ context.Context, op store.Operation, copy bool) (store.Operation, error) {
	r.mu.Lock()
	out := r.out
	if !out {
		r.jobs = append(r.jobs, copy)
	}
	r.mu.Unlock()
	stored, err := r.st.Modify(op.ID, func(o *store.Operation) error {
		if out {
			o.PrintError = "out of paper"
		} else {
			o.Printed, o.Prints, o.PrintError = t0, o.Prints+1, ""
		}
		return nil
	})
	if out {
		return stored, &printer.Error{Kind: printer.ErrPaperOut}
	}
	return stored, err
}

// p in a payment's detail prints its receipt: refused while out of paper
// (the detail says so and keeps it), then printed, then printed as a copy.
func TestReprintFromTheHistory(t *testing.T) {
	o := newOctoShop(t)
	ts := o.screen("en", o.reg, o.tr)
	r := &roll{st: o.st, out: true}
	ts.c.Printer = r
	ts.press("enter")
	if !ts.helps(ts.c.Keys.Print) {
		t.Fatalf("the help does not offer p: %v", ts.m.ShortHelp())
	}
	ts.press("p")
	ts.shows(t, "history.d_printed", "NOT PRINTED: out of paper", "Not printed: The printer is out of paper")
	r.mu.Lock()
	r.out = false
	r.mu.Unlock()
	ts.press("p")
	ts.shows(t, "printed 23.11.2026")
	ts.press("p")
	if len(r.jobs) != 2 || r.jobs[0] || !r.jobs[1] {
		t.Fatalf("jobs %v: the first printed is the original, the next a copy", r.jobs)
	}
	if op, _ := o.st.Get(o.paid.ID); op.Prints != 2 || op.PrintError != "" {
		t.Fatalf("stored %+v", op)
	}
}
