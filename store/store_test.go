package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
	op.Started(providers.Status{Ref: "1678090451700", State: providers.StatePending, Stage: providers.StageStarting, Detail: "Initialize"}, t0.Add(time.Second))
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

// A file that cannot be opened is named once: the error reaches a person.
func TestOpenErrorNamesThePathOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-folder", "kassa.db")
	_, err := Open(path)
	if !errors.Is(err, fs.ErrNotExist) || strings.Count(err.Error(), path) != 1 {
		t.Fatalf("%v", err)
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
	pending.Started(providers.Status{Ref: "p"}, t0)
	unknown := mk()
	unknown.Started(providers.Status{Ref: "u"}, t0)
	unknown.ApplyStatus(providers.Status{State: providers.StateUnknown, Message: "Операция прервана"}, t0)
	done := mk()
	done.Started(providers.Status{Ref: "d"}, t0)
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
	pay.Started(providers.Status{Ref: "1"}, t0)
	pay.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: "504711333", Method: providers.MethodQR}, t0)
	s.Save(&pay)

	refund := func(amount int64, final providers.State) Operation {
		r := NewRefund(pay, tenge(amount), "", t0)
		if err := s.Create(&r); err != nil {
			t.Fatal(err)
		}
		if final != "" {
			r.Started(providers.Status{Ref: "r"}, t0)
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
	timedOut.Started(providers.Status{Ref: "t"}, t0)
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
	if err := training.Wipe("", "", time.Now()); err != nil {
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

// Every operation gets an id unique across tills: the till's name and its
// receipt number. A new file names its till; a wiped one takes a new name,
// since its receipt numbers start again.
func TestOperationIDsNameTheTill(t *testing.T) {
	s, path := openTemp(t)
	till := s.Till()
	if !TillNamePattern.MatchString(till) {
		t.Fatalf("till name %q", till)
	}
	op := NewPayment("uzqr", providers.New(150000, providers.UZS), "", false, t0)
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	if op.OperationID != till+"-000001" || op.Handle().OperationID != op.OperationID {
		t.Fatalf("operation id %q, till %q", op.OperationID, till)
	}
	if err := s.SetTill("CASH 1"); err == nil {
		t.Fatal("a till name with a space was taken")
	}
	if err := s.SetTill("CASH_1"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Till() != "CASH_1" {
		t.Fatalf("till name after reopening: %q", s.Till())
	}
	second := NewPayment("uzqr", providers.New(150000, providers.UZS), "", false, t0)
	if err := s.Create(&second); err != nil {
		t.Fatal(err)
	}
	if second.OperationID != "CASH_1-000002" {
		t.Fatalf("operation id %q", second.OperationID)
	}
	if err := s.Wipe("", "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if s.Till() == "CASH_1" || !TillNamePattern.MatchString(s.Till()) {
		t.Fatalf("till name after a wipe: %q", s.Till())
	}
	// An operation written before ids existed is addressed by its receipt.
	old := Operation{ID: 42, Kind: KindRefund, Ref: "p"}
	if h := old.Handle(); h.OperationID != "000042" || h.Kind != providers.KindRefund || h.Ref != "p" {
		t.Fatalf("handle %+v", h)
	}
}

// paidWith stores a successful payment with that payment number.
func paidWith(t *testing.T, s *Store, provider string, amount int64, number string, at time.Time) Operation {
	t.Helper()
	op := NewPayment(provider, tenge(amount), "", true, at)
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	op.Started(providers.Status{Ref: "p" + number + at.Format("150405")}, at)
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: number}, at)
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	return op
}

func TestPaymentsNumberedFindsEveryPaymentWithTheNumber(t *testing.T) {
	s, _ := openTemp(t)
	first := paidWith(t, s, "kaspi", 100, "504711333", t0)
	paidWith(t, s, "kaspi", 200, "504711334", t0.Add(time.Minute))
	// A refund quoting the number, another provider's payment with it, and
	// a number it is the start of: none of them is a payment numbered so.
	r := NewRefund(first, tenge(50), "", t0.Add(2*time.Minute))
	if err := s.CreateRefund(&r); err != nil {
		t.Fatal(err)
	}
	r.Started(providers.Status{Ref: "r1"}, r.Created)
	r.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: "504711333"}, r.Created)
	if err := s.Save(&r); err != nil {
		t.Fatal(err)
	}
	paidWith(t, s, "uzqr", 300, "504711333", t0.Add(3*time.Minute))
	paidWith(t, s, "kaspi", 400, "5047113330", t0.Add(4*time.Minute))
	again := paidWith(t, s, "kaspi", 500, "504711333", t0.Add(5*time.Minute))

	got, err := s.PaymentsNumbered("kaspi", "504711333")
	if err != nil || len(got) != 2 || got[0].ID != first.ID || got[1].ID != again.ID {
		t.Fatalf("%v: %+v", err, got)
	}
	if got, err := s.PaymentsNumbered("kaspi", "42"); err != nil || len(got) != 0 {
		t.Fatalf("a number nobody has: %v %+v", err, got)
	}
}

func TestEachRowReadsEveryOperationOldestFirst(t *testing.T) {
	s, _ := openTemp(t)
	// Across more days than a history period may cover.
	for i := range 40 {
		paidWith(t, s, "kaspi", int64(i+1), fmt.Sprintf("5047%05d", i), t0.AddDate(0, 0, i))
	}
	var amounts []int64
	err := s.EachRow(func(r Row) bool {
		amounts = append(amounts, r.Amount.Minor)
		return r.Kind == KindPayment && r.State == StateSuccess && r.Number != ""
	})
	if err != nil || len(amounts) != 40 || amounts[0] != 1 || amounts[39] != 40 {
		t.Fatalf("%v: %v", err, amounts)
	}
	n := 0
	s.EachRow(func(Row) bool { n++; return n < 3 })
	if n != 3 {
		t.Fatalf("went on after false: %d rows", n)
	}
}

// A payment whose outcome was unknown, with the POS's words about it, and
// then paid: its message is the final answer's, not the earlier stage's,
// which the history keeps with the event it came with.
func TestASuccessLeavesNoEarlierMessage(t *testing.T) {
	s, _ := openTemp(t)
	op := NewPayment("kaspi", tenge(12500), "", false, t0)
	s.Create(&op)
	op.Started(providers.Status{Ref: "p1"}, t0)
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
	failed.Started(providers.Status{Ref: "p2"}, t0)
	failed.ApplyStatus(providers.Status{State: providers.StateUnknown, Message: "Нет связи"}, t0.Add(5*time.Second))
	failed.ApplyStatus(providers.Status{State: providers.StateFail, Message: "Сатып алушы сатып алуды жойды"}, t0.Add(15*time.Second))
	if failed.Message != "Сатып алушы сатып алуды жойды" {
		t.Fatalf("failed with the message %q", failed.Message)
	}
}
