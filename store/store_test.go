package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kassa.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func tenge(n int64) providers.Money { return providers.New(n, providers.KZT) }

func TestPaymentRoundTripSurvivesReopen(t *testing.T) {
	s, path := openTemp(t)
	op := NewPayment("kaspi", tenge(1500), "Aigerim", false, t0)
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	if op.ID != 1 || op.Receipt() != "000001" {
		t.Fatalf("first operation got id %d receipt %s", op.ID, op.Receipt())
	}
	op.Started(providers.Started{Ref: "1678090451700", Status: providers.Status{State: providers.StatePending, Stage: providers.StageStarting, Detail: "Initialize"}}, t0.Add(time.Second))
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	cheque := &providers.Cheque{StoreName: "Kaspi Mark", OrderNumber: "504711333", Method: providers.MethodQR, Amount: "1 500 ₸"}
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Stage: providers.StageDone, Detail: "QrTransactionSuccess",
		Method: providers.MethodQR, TransactionID: "504711333", Cheque: cheque, Raw: []byte(`{"status":"success"}`)}, t0.Add(20*time.Second))
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Get(op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != StateSuccess || got.Amount != tenge(1500) || got.Ref != "1678090451700" ||
		got.TransactionID != "504711333" || got.Cheque == nil || *got.Cheque != *cheque || string(got.Raw) != `{"status":"success"}` {
		t.Fatalf("round trip lost data: %+v", got)
	}
	if !got.Finished.Equal(t0.Add(20 * time.Second)) {
		t.Errorf("finished = %v", got.Finished)
	}
	if n := len(got.History); n != 4 {
		t.Errorf("history has %d events, want created, pending, stage change, success: %+v", n, got.History)
	}
	byTx, err := s2.ByReference("kaspi", "504711333")
	if err != nil || byTx.ID != op.ID {
		t.Fatalf("by transaction id: %v %v", byTx.ID, err)
	}
	byRef, err := s2.ByReference("kaspi", "1678090451700")
	if err != nil || byRef.ID != op.ID {
		t.Fatalf("by process id: %v %v", byRef.ID, err)
	}
	if _, err := s2.ByReference("kaspi", "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing reference: %v", err)
	}
}

func TestDataFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kassa.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	if err := s.PutSecret("kaspi.token", map[string]string{"access": "x"}); err != nil {
		t.Fatal(err)
	}
	var tok map[string]string
	if ok, err := s.Secret("kaspi.token", &tok); !ok || err != nil || tok["access"] != "x" {
		t.Fatalf("secret: %v %v %v", ok, err, tok)
	}
}

func TestWidenedFileIsMadePrivateAgain(t *testing.T) {
	s, path := openTemp(t)
	s.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v after reopen, want 0600", fi.Mode().Perm())
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	_, path := openTemp(t)
	if _, err := Open(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}

func TestUnfinishedTracksOpenStates(t *testing.T) {
	s, _ := openTemp(t)
	mk := func() Operation {
		op := NewPayment("kaspi", tenge(100), "", false, t0)
		if err := s.Create(&op); err != nil {
			t.Fatal(err)
		}
		return op
	}
	created := mk()
	pending := mk()
	pending.Started(providers.Started{Ref: "p"}, t0)
	unknown := mk()
	unknown.Started(providers.Started{Ref: "u"}, t0)
	unknown.ApplyStatus(providers.Status{State: providers.StateUnknown, Message: "Операция прервана"}, t0)
	done := mk()
	done.Started(providers.Started{Ref: "d"}, t0)
	done.ApplyStatus(providers.Status{State: providers.StateFail}, t0)
	refused := mk()
	refused.Refused(&providers.Error{Kind: providers.ErrBusy, Code: "107"}, t0)
	check := mk()
	check.Refused(&providers.Error{Kind: providers.ErrNoAnswer}, t0)
	for _, op := range []*Operation{&pending, &unknown, &done, &refused, &check} {
		if err := s.Save(op); err != nil {
			t.Fatal(err)
		}
	}
	open, err := s.Unfinished()
	if err != nil {
		t.Fatal(err)
	}
	var ids []ID
	for _, op := range open {
		ids = append(ids, op.ID)
	}
	want := []ID{created.ID, pending.ID, unknown.ID}
	if len(ids) != len(want) {
		t.Fatalf("unfinished = %v, want %v", ids, want)
	}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("unfinished = %v, want %v", ids, want)
		}
	}
	if refused.State != StateRefused || check.State != StateNeedsCheck {
		t.Fatalf("refused %s, no answer %s", refused.State, check.State)
	}
	if refused.Error == nil || refused.Error.Code != "107" {
		t.Fatalf("refusal error not kept: %+v", refused.Error)
	}
}

func TestRefundableCountsUnresolvedRefunds(t *testing.T) {
	s, _ := openTemp(t)
	pay := NewPayment("kaspi", tenge(1000), "", false, t0)
	s.Create(&pay)
	if left, _ := s.Refundable(pay.ID); left.Minor != 0 {
		t.Fatalf("unfinished payment refundable %v", left)
	}
	pay.Started(providers.Started{Ref: "1"}, t0)
	pay.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: "504711333", Method: providers.MethodQR}, t0)
	s.Save(&pay)

	refund := func(amount int64, final providers.State) Operation {
		r := NewRefund(pay, tenge(amount), "", t0)
		if err := s.Create(&r); err != nil {
			t.Fatal(err)
		}
		if final != "" {
			r.Started(providers.Started{Ref: "r"}, t0)
			r.ApplyStatus(providers.Status{State: final, TransactionID: "504711333"}, t0)
			s.Save(&r)
		}
		return r
	}
	refund(300, providers.StateSuccess)
	refund(200, providers.StateFail)
	refund(100, providers.StateUnknown)
	r := refund(50, "")
	r.Refused(&providers.Error{Kind: providers.ErrBusy}, t0)
	s.Save(&r)

	left, err := s.Refundable(pay.ID)
	if err != nil {
		t.Fatal(err)
	}
	if left != tenge(600) {
		t.Fatalf("left %v, want 600: 1000 - 300 done - 100 unknown", left)
	}
	rs, _ := s.Refunds(pay.ID)
	if len(rs) != 4 || rs[0].Method != providers.MethodQR || rs[0].PaymentID != pay.ID {
		t.Fatalf("refunds: %+v", rs)
	}
	// A refund carries the payment's transactionId; the payment must still
	// be what that number finds.
	if got, _ := s.ByReference("kaspi", "504711333"); got.ID != pay.ID {
		t.Fatalf("transaction id finds %d, want payment %d", got.ID, pay.ID)
	}
}

func TestRecentIsNewestFirst(t *testing.T) {
	s, _ := openTemp(t)
	for i := range 5 {
		op := NewPayment("kaspi", tenge(int64(i+1)), "", false, t0.Add(time.Duration(i)*time.Minute))
		s.Create(&op)
	}
	ops, err := s.Recent(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 3 || ops[0].Amount.Minor != 5 || ops[2].Amount.Minor != 3 {
		t.Fatalf("recent: %+v", ops)
	}
}

func TestSaveRequiresCreate(t *testing.T) {
	s, _ := openTemp(t)
	op := NewPayment("kaspi", tenge(1), "", false, t0)
	if err := s.Save(&op); err == nil {
		t.Fatal("save of an uncreated operation succeeded")
	}
	op.ID = 99
	if err := s.Save(&op); !errors.Is(err, ErrNotFound) {
		t.Fatalf("save of unknown id: %v", err)
	}
}

func TestSettings(t *testing.T) {
	s, _ := openTemp(t)
	var v string
	if ok, err := s.Setting("shop.name", &v); ok || err != nil {
		t.Fatalf("unset setting: %v %v", ok, err)
	}
	s.PutSetting("shop.name", "Дүкен")
	if ok, _ := s.Setting("shop.name", &v); !ok || v != "Дүкен" {
		t.Fatalf("setting = %q", v)
	}
}

func TestCheckedByAPerson(t *testing.T) {
	s, _ := openTemp(t)
	lost := NewPayment("kaspi", tenge(700), "", false, t0)
	s.Create(&lost)
	lost.NeedsCheck("interrupted", t0)
	s.Save(&lost)
	timedOut := NewPayment("kaspi", tenge(300), "", false, t0)
	s.Create(&timedOut)
	timedOut.Started(providers.Started{Ref: "t"}, t0)
	timedOut.TimedOut(t0)
	s.Save(&timedOut)
	paid := NewPayment("kaspi", tenge(100), "", false, t0)
	s.Create(&paid)

	ops, err := s.NeedingPerson(10)
	if err != nil || len(ops) != 2 || ops[0].ID != timedOut.ID || ops[1].ID != lost.ID {
		t.Fatalf("needing a person: %+v %v", ops, err)
	}
	if err := paid.Checked(Check{At: t0, Note: "x"}, ""); err == nil {
		t.Fatal("an operation that needs no check was checked")
	}
	if err := lost.Checked(Check{At: t0, Paid: true, Note: "  "}, ""); err != ErrNoteRequired {
		t.Fatalf("check without a note: %v", err)
	}
	if err := lost.Checked(Check{At: t0.Add(time.Hour), By: "Manager", Paid: true, Note: "paid in POS history, order 504711999"}, "504711999"); err != nil {
		t.Fatal(err)
	}
	s.Save(&lost)
	timedOut.Checked(Check{At: t0, Paid: false, Note: "not in POS history"}, "")
	s.Save(&timedOut)

	if ops, _ := s.NeedingPerson(10); len(ops) != 0 {
		t.Fatalf("still needing a person: %+v", ops)
	}
	got, _ := s.Get(lost.ID)
	if got.State != StateSuccess || got.Check == nil || got.Check.Note != "paid in POS history, order 504711999" || got.TransactionID != "504711999" {
		t.Fatalf("checked as paid: %+v", got)
	}
	// The event says a person checked it, as a code the screens put in
	// the reader's language, with the person's words apart.
	if e := got.History[len(got.History)-1]; e.Note != NoteChecked || e.Text != "paid in POS history, order 504711999" || e.State != StateSuccess {
		t.Fatalf("the check's event: %+v", e)
	}
	if got, _ := s.ByReference("kaspi", "504711999"); got.ID != lost.ID {
		t.Fatal("the payment number from the POS history does not find it")
	}
	if got, _ := s.Get(timedOut.ID); got.State != StateFailed || got.Check.Paid {
		t.Fatalf("checked as not paid: %+v", got)
	}
	if open, _ := s.Unfinished(); len(open) != 1 || open[0].ID != paid.ID {
		t.Fatalf("unfinished: %+v", open)
	}
}

func TestWipeEmptiesOnlyItsOwnFile(t *testing.T) {
	training, _ := openTemp(t)
	real, _ := openTemp(t)
	for _, s := range []*Store{training, real} {
		op := NewPayment("kaspi", tenge(100), "", s == training, t0)
		s.Create(&op)
		s.PutSetting("x", 1)
	}
	if err := training.Wipe(); err != nil {
		t.Fatal(err)
	}
	if ops, _ := training.Recent(10); len(ops) != 0 {
		t.Fatalf("training file still has %d operations", len(ops))
	}
	if ok, _ := training.Setting("x", new(int)); ok {
		t.Fatal("training settings survived the wipe")
	}
	op := NewPayment("kaspi", tenge(5), "", true, t0)
	if training.Create(&op); op.ID != 1 {
		t.Fatalf("receipt numbers do not start again: %d", op.ID)
	}
	if ops, _ := real.Recent(10); len(ops) != 1 {
		t.Fatal("the real file was touched")
	}
}

// A payment whose outcome was unknown, with the POS's words about it, and
// then paid: its message is the final answer's, not the earlier stage's,
// which the history keeps with the event it came with.
func TestASuccessLeavesNoEarlierMessage(t *testing.T) {
	s, _ := openTemp(t)
	op := NewPayment("kaspi", tenge(12500), "", false, t0)
	s.Create(&op)
	op.Started(providers.Started{Ref: "p1"}, t0)
	op.ApplyStatus(providers.Status{State: providers.StateUnknown, Stage: providers.StageCancelled, Message: "Операция жойылды"}, t0.Add(5*time.Second))
	op.ApplyStatus(providers.Status{State: providers.StateUnknown}, t0.Add(15*time.Second))
	if op.Message != "Операция жойылды" {
		t.Fatalf("an answer that changes nothing took the message away: %q", op.Message)
	}
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Stage: providers.StageDone, TransactionID: "504711333"}, t0.Add(25*time.Second))
	s.Save(&op)
	got, err := s.Get(op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != StateSuccess || got.Message != "" {
		t.Fatalf("paid with the message %q (%s)", got.Message, got.State)
	}
	var said []string
	for _, e := range got.History {
		if e.Message != "" {
			said = append(said, string(e.State)+": "+e.Message)
		}
	}
	if len(said) != 1 || said[0] != "unknown: Операция жойылды" {
		t.Fatalf("the history keeps %q", said)
	}

	// A failure keeps its own words.
	failed := NewPayment("kaspi", tenge(500), "", false, t0)
	s.Create(&failed)
	failed.Started(providers.Started{Ref: "p2"}, t0)
	failed.ApplyStatus(providers.Status{State: providers.StateUnknown, Message: "Нет связи"}, t0.Add(5*time.Second))
	failed.ApplyStatus(providers.Status{State: providers.StateFail, Message: "Сатып алушы сатып алуды жойды"}, t0.Add(15*time.Second))
	if failed.Message != "Сатып алушы сатып алуды жойды" {
		t.Fatalf("failed with the message %q", failed.Message)
	}
}
