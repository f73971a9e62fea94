package tracker

import (
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/octo"
	octosim "github.com/kassa-till/kassa/providers/octo/sim"
	"github.com/kassa-till/kassa/store"
)

var (
	fish  = octo.Product{Name: "Tuzlangan baliq", SPIC: "00305001001000000", PackageCode: "1425207", NDS: 1, INN: "123456"}
	bread = octo.Product{Name: "Non", SPIC: "01901001001000000", PackageCode: "1500001", PINFL: "123451246"}
)

// octoRig is a till with OCTO on its simulator, on a fake clock.
type octoRig struct {
	*rig
	osim *octosim.Sim
}

func newOctoRig(t *testing.T, fiscalLate bool) *octoRig {
	t.Helper()
	clk := clock.NewFake(t0)
	reg := []octosim.Product{}
	for _, p := range []octo.Product{fish, bread} {
		reg = append(reg, octosim.Product{SPIC: p.SPIC, PackageCode: p.PackageCode, NDS: p.NDS, INN: p.INN, PINFL: p.PINFL})
	}
	s := octosim.New(octosim.Options{Clock: clk, ShopID: 7, Secret: "s", Products: reg, FiscalLate: fiscalLate,
		Default: octosim.Customer{Does: octosim.Pay, Delay: 5 * time.Second}})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "kassa.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := octo.New(octo.Options{URL: srv.URL, ShopID: 7, Secret: "s", Clock: clk, Products: []octo.Product{fish, bread},
		Contact: octo.Contact{Phone: "998901234567"}})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, clk: clk, store: st, path: path, url: srv.URL, tr: New(st, providers.MustRegistry(p), clk)}
	t.Cleanup(func() { r.tr.Close(); r.store.Close() })
	return &octoRig{rig: r, osim: s}
}

// until moves the clock from pause to pause until ok holds of the stored
// operation.
func (r *octoRig) until(id store.ID, ok func(store.Operation) bool) store.Operation {
	r.t.Helper()
	for i := 0; i < 2000; i++ {
		r.settle()
		op, err := r.store.Get(id)
		if err != nil {
			r.t.Fatal(err)
		}
		if ok(op) {
			return op
		}
		d, more := r.clk.Next()
		if !more {
			r.t.Fatalf("nothing waited for; operation %+v", op)
		}
		r.clk.Advance(d)
	}
	r.t.Fatal("never")
	return store.Operation{}
}

// The sale's product and contact are written ahead and sent; once paid,
// the fiscal data is asked for until it comes, spaced out, and kept.
func TestFiscalDataAskedUntilItComes(t *testing.T) {
	r := newOctoRig(t, true)
	m, err := r.tr.PaySale("octo", providers.New(1_500_000, providers.UZS), providers.Sale{Product: "Non", Contact: "+998931112233"}, "Dilnoza", false)
	if err != nil {
		t.Fatal(err)
	}
	op, _ := r.store.Get(m.Op.ID)
	if op.Sale == nil || op.Sale.Product != "Non" || !op.FiscalWanted {
		t.Fatalf("written ahead: %+v", op)
	}
	paid := r.until(m.Op.ID, func(op store.Operation) bool { return op.State == store.StateSuccess && op.FiscalTries >= 3 })
	if paid.Fiscal != nil || paid.FiscalError == "" || !paid.FiscalDue() {
		t.Fatalf("not ready yet: %+v", paid)
	}
	if due, _ := r.store.FiscalDue(); len(due) != 1 {
		t.Fatalf("due: %d", len(due))
	}
	if err := r.osim.ReleaseFiscal(paid.Ref); err != nil {
		t.Fatal(err)
	}
	done := r.until(m.Op.ID, func(op store.Operation) bool { return op.Fiscal != nil })
	if done.Fiscal.QRCodeURL == "" || done.Fiscal.FiscalSign == "" || done.FiscalDue() {
		t.Fatalf("fiscal: %+v", done.Fiscal)
	}
	if due, _ := r.store.FiscalDue(); len(due) != 0 {
		t.Fatalf("still due: %d", len(due))
	}
	if got, ok := r.tr.Get(m.Op.ID); !ok || got.Op.Fiscal == nil {
		t.Fatal("the fiscal data was not published")
	}
}

// After FiscalPatience the payment is "not fiscalized" and the till stops
// asking; a person's ask starts it again. A restart in between goes on.
func TestNotFiscalizedThenAskedAgain(t *testing.T) {
	r := newOctoRig(t, true)
	m, err := r.tr.PaySale("octo", providers.New(500_000, providers.UZS), providers.Sale{}, "Dilnoza", false)
	if err != nil {
		t.Fatal(err)
	}
	r.until(m.Op.ID, func(op store.Operation) bool { return op.FiscalTries >= 2 })
	// A restart: the new tracker takes the asking up from the data file.
	r.tr.Close()
	p, _ := r.tr.Providers().Get("octo")
	r.tr = New(r.store, providers.MustRegistry(p), r.clk)
	if _, err := r.tr.Resume(); err != nil {
		t.Fatal(err)
	}
	missing := r.until(m.Op.ID, func(op store.Operation) bool { return op.NotFiscalized() })
	if r.clk.Sub(missing.FiscalMissing, missing.Finished) < FiscalPatience {
		t.Fatalf("gave up after %v", r.clk.Sub(missing.FiscalMissing, missing.Finished))
	}
	rows, _, err := r.store.Page(store.Query{From: t0.Add(-time.Hour), To: t0.Add(time.Hour)}, nil, 10)
	if err != nil || len(rows) != 1 || rows[0].Fiscal != store.FiscalMissing {
		t.Fatalf("row %+v %v", rows, err)
	}
	r.settle()
	if _, more := r.clk.Next(); more {
		t.Fatal("still asking after giving up")
	}
	if err := r.osim.ReleaseFiscal(missing.Ref); err != nil {
		t.Fatal(err)
	}
	if _, err := r.tr.AskFiscal(m.Op.ID); err != nil {
		t.Fatal(err)
	}
	done := r.until(m.Op.ID, func(op store.Operation) bool { return op.Fiscal != nil })
	rows, _, _ = r.store.Page(store.Query{From: t0.Add(-time.Hour), To: t0.Add(time.Hour)}, nil, 10)
	if done.NotFiscalized() || rows[0].Fiscal != store.FiscalDone {
		t.Fatalf("after asking again: %+v row %+v", done, rows[0])
	}
}

// A training payment is never fiscalized.
func TestTrainingNeverFiscalized(t *testing.T) {
	r := newOctoRig(t, false)
	m, err := r.tr.PaySale("octo", providers.New(500_000, providers.UZS), providers.Sale{}, "Dilnoza", true)
	if err != nil {
		t.Fatal(err)
	}
	paid := r.until(m.Op.ID, func(op store.Operation) bool { return op.State == store.StateSuccess })
	r.settle()
	if paid, _ = r.store.Get(paid.ID); paid.Fiscal != nil || paid.FiscalWanted || r.osim.Requests(octo.PathFiscal) != 0 {
		t.Fatalf("training fiscalized: %+v", paid)
	}
	if _, err := r.tr.AskFiscal(m.Op.ID); err != ErrNotFiscal {
		t.Fatalf("ask: %v", err)
	}
}

// The cashier gives up on a payment OCTO cannot withdraw: the till stops
// holding the screen and watches it; a customer who pays afterwards is a
// late payment for a person, one who never does ends with the ttl.
func TestGivenUpOctoPayment(t *testing.T) {
	for _, pays := range []bool{true, false} {
		r := newOctoRig(t, false)
		if pays {
			r.osim.Next(octosim.Customer{Does: octosim.Pay, Delay: 2 * time.Minute})
		} else {
			r.osim.Next(octosim.Customer{Does: octosim.Never})
		}
		m, err := r.tr.PaySale("octo", providers.New(500_000, providers.UZS), providers.Sale{}, "Dilnoza", false)
		if err != nil {
			t.Fatal(err)
		}
		r.until(m.Op.ID, func(op store.Operation) bool { return op.State == store.StatePending })
		if err := r.tr.Cancel(m.Op.ID); err != nil {
			t.Fatal(err)
		}
		op := r.until(m.Op.ID, func(op store.Operation) bool { return !op.GaveUp.IsZero() || !op.State.Open() })
		got, _ := r.tr.Get(m.Op.ID)
		if got.Holds() || !got.Background || op.GaveUp.IsZero() || op.State != store.StatePending {
			t.Fatalf("after giving up: phase %v background %v err %v %+v", got.Phase, got.Background, got.Err, op.GaveUp)
		}
		end := r.until(m.Op.ID, func(op store.Operation) bool { return !op.State.Open() })
		got, _ = r.tr.Get(m.Op.ID)
		switch {
		case pays && (end.State != store.StateSuccess || end.Late.IsZero() || !end.NeedsPerson() || got.Phase != Paid):
			t.Fatalf("paid after giving up: phase %v %+v", got.Phase, end)
		case !pays && (end.State != store.StateFailed || got.Phase != Cancelled || !end.Late.IsZero()):
			t.Fatalf("never paid: phase %v %+v", got.Phase, end)
		}
		if l := r.osim.Ledger(); len(l) != 1 {
			t.Fatalf("ledger %+v", l)
		}
	}
}

// A payment OCTO holds for capture is withdrawn with set_accept cancel.
func TestHeldOctoPaymentCancelled(t *testing.T) {
	r := newOctoRig(t, false)
	r.osim.Next(octosim.Customer{Does: octosim.Hold, Delay: 5 * time.Second})
	m, err := r.tr.PaySale("octo", providers.New(500_000, providers.UZS), providers.Sale{}, "Dilnoza", false)
	if err != nil {
		t.Fatal(err)
	}
	r.until(m.Op.ID, func(op store.Operation) bool { return op.Detail == octo.StatusWaitingForCapture })
	if err := r.tr.Cancel(m.Op.ID); err != nil {
		t.Fatal(err)
	}
	end := r.until(m.Op.ID, func(op store.Operation) bool { return !op.State.Open() })
	if got, _ := r.tr.Get(m.Op.ID); end.State != store.StateFailed || got.Phase != Cancelled || r.osim.Requests(octo.PathSetAccept) == 0 {
		t.Fatalf("phase %v %+v", got.Phase, end)
	}
}

// Killed between writing a payment ahead and hearing OCTO's answer: the
// restart asks OCTO by the till's own id instead of handing it to a
// person; one OCTO never heard of goes to a person; nothing is sent again.
func TestResumedOctoPaymentAskedByItsID(t *testing.T) {
	for _, reached := range []bool{true, false} {
		r := newOctoRig(t, false)
		op := store.NewPayment("octo", providers.New(500_000, providers.UZS), "Dilnoza", false, t0)
		op.FiscalWanted = true
		if err := r.store.Create(&op); err != nil {
			t.Fatal(err)
		}
		if reached {
			p, _ := r.tr.Providers().Get("octo")
			if _, err := p.Start(t.Context(), providers.Request{Kind: providers.KindPayment, OperationID: op.Handle().OperationID, Amount: op.Amount}); err != nil {
				t.Fatal(err)
			}
		}
		sent := r.osim.Requests(octo.PathPrepare)
		if _, err := r.tr.Resume(); err != nil {
			t.Fatal(err)
		}
		end := r.until(op.ID, func(op store.Operation) bool { return !op.State.Open() })
		switch {
		case reached && (end.State != store.StateSuccess || end.Ref == ""):
			t.Fatalf("reached OCTO: %+v", end)
		case !reached && end.State != store.StateNeedsCheck:
			t.Fatalf("never reached OCTO: %+v", end)
		}
		if l := r.osim.Ledger(); len(l) != map[bool]int{true: 1, false: 0}[reached] {
			t.Fatalf("ledger %+v", l)
		}
		if r.osim.Requests(octo.PathPrepare) == sent {
			t.Fatal("OCTO was never asked")
		}
	}
}
