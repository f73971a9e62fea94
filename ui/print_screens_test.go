package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kassa-till/kassa/receipts/printer"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// paper is a printer for screen tests: it records each job (copy or not)
// and fails while down is set, recording the failure on the operation as
// the till's printer does.
type paper struct {
	st   *store.Store
	mu   sync.Mutex
	jobs []bool
	down error
	// reports is every shift report printed.
	reports []store.Shift
}

func (p *paper) Auto() bool { return true }

func (p *paper) PrintReceipt(_ context.Context, op store.Operation, copy bool) (store.Operation, error) {
	p.mu.Lock()
	down := p.down
	if down == nil {
		p.jobs = append(p.jobs, copy)
	}
	p.mu.Unlock()
	return p.st.Modify(op.ID, func(o *store.Operation) error {
		if down != nil {
			o.PrintError = "paper out"
			return nil
		}
		o.Printed, o.Prints, o.PrintError = t0, o.Prints+1, ""
		return nil
	})
}

func (p *paper) PrintQR(context.Context, store.Operation) error { return nil }
func (p *paper) PrintReport(_ context.Context, sh store.Shift) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reports = append(p.reports, sh)
	return nil
}

func (p *paper) printed() []bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bool(nil), p.jobs...)
}

// The receipt prints by itself once paid; a printer out of paper is told
// on the screen and the sale is done all the same; p prints it again once
// the paper is in, marked as a copy after one came out.
func TestScreenReceiptPrintsByItself(t *testing.T) {
	var pp *paper
	k := newTillWith(t, func(c *common.Common) {
		pp = &paper{st: c.Store, down: &printer.Error{Kind: printer.ErrPaperOut}}
		c.Printer = pp
	})
	k.payFor("1500", 6, "1 500 ₸ paid")
	k.eventually("the print was tried", func() bool { op, _ := k.store.Get(1); return op.PrintError != "" })
	if len(pp.printed()) != 0 {
		t.Fatal("printed while out of paper")
	}
	pp.mu.Lock()
	pp.down = nil
	pp.mu.Unlock()
	// p is taken once the screen has heard how the last print went; until
	// then it is ignored, so it is pressed until a job comes.
	press := func(what string, jobs int) {
		k.eventually(what, func() bool {
			if len(pp.printed()) < jobs {
				k.tm.Type("p")
				time.Sleep(20 * time.Millisecond)
			}
			return len(pp.printed()) >= jobs
		})
	}
	press("printed again", 1)
	press("a copy", 2)
	if got := pp.printed(); got[0] || !got[1] {
		t.Fatalf("copies %v: the first that came out is the original", got)
	}
	s := k.screen()
	if !strings.Contains(s, "Receipt printed.") {
		t.Fatalf("screen:\n%s", s)
	}
	if op, _ := k.store.Get(1); op.State != store.StateSuccess || op.Prints != 2 {
		t.Fatalf("stored %+v", op)
	}
}
