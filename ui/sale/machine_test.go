package sale

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func kaspiInfo() providers.Info {
	return providers.Info{
		Name: "kaspi", Currency: providers.KZT, PollEvery: time.Second, ResolveEvery: 10 * time.Second,
		ScanTimeout: 180 * time.Second, ConfirmTimeout: 60 * time.Second,
		MinAmount: providers.New(1, providers.KZT), MaxAmount: providers.New(10_000_000, providers.KZT),
	}
}

func typed(m Machine, s string) Machine {
	for _, r := range s {
		m = m.Type(r)
	}
	return m
}

// started drives a machine from entry to Waiting for amount, as the runner
// would answer, and returns it with the time it started.
func started(t *testing.T, amount string) Machine {
	t.Helper()
	m := typed(New(kaspiInfo(), "Aigerim", false), amount)
	m, eff := m.Submit(t0)
	create := only[CreateOp](t, eff)
	op := create.Op
	op.ID = 7
	m, eff = m.Update(CreatedMsg{Op: op})
	start := only[StartOp](t, eff)
	if start.Op.ID != 7 {
		t.Fatalf("start of op %d", start.Op.ID)
	}
	op.Started(providers.Started{Ref: "1678090451700", Status: providers.Status{State: providers.StatePending, Stage: providers.StageStarting}}, t0)
	m, eff = m.Update(StartedMsg{Op: op, At: t0})
	if m.Phase != Waiting {
		t.Fatalf("after start: phase %v", m.Phase)
	}
	if p := only[PollOp](t, eff); p.After != time.Second {
		t.Fatalf("first poll after %v, want 1s", p.After)
	}
	return m
}

func only[E Effect](t *testing.T, eff []Effect) E {
	t.Helper()
	if len(eff) != 1 {
		t.Fatalf("effects %#v, want one %T", eff, *new(E))
	}
	e, ok := eff[0].(E)
	if !ok {
		t.Fatalf("effect %T, want %T", eff[0], *new(E))
	}
	return e
}

// answer applies a provider status to the machine's operation as the runner
// does, at t0+after.
func answer(m Machine, after time.Duration, st providers.Status) (Machine, []Effect) {
	op := m.Op
	op.ApplyStatus(st, t0.Add(after))
	return m.Update(PolledMsg{Op: op, At: t0.Add(after)})
}

func wait(stage providers.Stage, detail string) providers.Status {
	return providers.Status{State: providers.StatePending, Stage: stage, Detail: detail}
}

func TestAmountEntry(t *testing.T) {
	cases := []struct {
		name    string
		keys    string
		input   string
		problem InputProblem
	}{
		{"plain", "1500", "1500", NoProblem},
		{"letters ignored", "1a5b0", "150", NoProblem},
		{"no decimal point for tenge", "12.5", "125", NoProblem},
		{"leading zeros dropped", "0007", "7", NoProblem},
		{"zero refused", "0", "0", ProblemZero},
		{"empty refused", "", "", ProblemEmpty},
		{"over the bound refused", "10000001", "10000001", ProblemTooLarge},
		{"at the bound accepted", "10000000", "10000000", NoProblem},
		{"digits capped", "9999999999999999", "999999999999", ProblemTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := typed(New(kaspiInfo(), "", false), c.keys)
			if m.Input != c.input {
				t.Fatalf("input %q, want %q", m.Input, c.input)
			}
			m2, eff := m.Submit(t0)
			if m2.Problem != c.problem {
				t.Fatalf("problem %v, want %v", m2.Problem, c.problem)
			}
			if c.problem != NoProblem && (len(eff) != 0 || m2.Phase != Entry) {
				t.Fatalf("bad amount started something: %v %#v", m2.Phase, eff)
			}
			if c.problem == NoProblem && only[CreateOp](t, eff).Op.State != store.StateCreated {
				t.Fatal("payment not written ahead")
			}
		})
	}
}

func TestEditingKeys(t *testing.T) {
	m := typed(New(kaspiInfo(), "", false), "123")
	m = m.Backspace()
	if m.Input != "12" {
		t.Fatalf("backspace: %q", m.Input)
	}
	m = m.Clear()
	if m.Input != "" {
		t.Fatalf("clear: %q", m.Input)
	}
	m = m.Backspace()
	if m.Input != "" {
		t.Fatal("backspace on empty")
	}
}

func TestDecimalsWhereTheCurrencyHasThem(t *testing.T) {
	info := kaspiInfo()
	info.Currency, info.MinAmount, info.MaxAmount = providers.UZS, providers.Money{}, providers.Money{}
	m := typed(New(info, "", false), "1500,505")
	if m.Input != "1500.50" {
		t.Fatalf("input %q", m.Input)
	}
	a, p := m.Amount()
	if p != NoProblem || a.Minor != 150050 {
		t.Fatalf("amount %v %v", a, p)
	}
}

func TestSubmitWritesAheadWithTheAmount(t *testing.T) {
	m := typed(New(kaspiInfo(), "Aigerim", true), "1500")
	m, eff := m.Submit(t0)
	op := only[CreateOp](t, eff).Op
	if m.Phase != Starting || op.Amount != providers.New(1500, providers.KZT) || op.Kind != store.KindPayment ||
		op.Cashier != "Aigerim" || !op.Training || op.Provider != "kaspi" || !op.Created.Equal(t0) {
		t.Fatalf("phase %v op %+v", m.Phase, op)
	}
	// Keys while busy do nothing.
	if m2 := m.Type('5').Next(); m2.Phase != Starting || m2.Input != "1500" {
		t.Fatal("busy machine accepted keys")
	}
	m2, eff := m.Submit(t0)
	if len(eff) != 0 || m2.Phase != Starting {
		t.Fatal("second Enter started a second payment")
	}
}

func TestQRSuccess(t *testing.T) {
	m := started(t, "1500")
	m, eff := answer(m, 1*time.Second, wait(providers.StageWaitScan, "WaitUser"))
	only[PollOp](t, eff)
	if left, confirming := m.TimeLeft(); left != 179*time.Second || confirming {
		t.Fatalf("time left %v confirming %v", left, confirming)
	}
	m, _ = answer(m, 20*time.Second, wait(providers.StageWaitConfirm, "WaitForQrConfirmation"))
	if left, confirming := m.TimeLeft(); left != 60*time.Second || !confirming {
		t.Fatalf("after scan: time left %v confirming %v", left, confirming)
	}
	cheque := &providers.Cheque{OrderNumber: "504711333", Method: providers.MethodQR}
	m, eff = answer(m, 25*time.Second, providers.Status{State: providers.StateSuccess, Stage: providers.StageDone,
		Method: providers.MethodQR, TransactionID: "504711333", Cheque: cheque})
	if m.Phase != Paid || len(eff) != 0 {
		t.Fatalf("phase %v effects %#v", m.Phase, eff)
	}
	if m.Op.TransactionID != "504711333" || m.Op.Method != providers.MethodQR || m.Op.Cheque != cheque {
		t.Fatalf("op %+v", m.Op)
	}
	m = m.Next()
	if m.Phase != Entry || m.Input != "" || m.Op.ID != 0 {
		t.Fatalf("Enter after success: %+v", m)
	}
}

func TestCardSuccess(t *testing.T) {
	m := started(t, "2000")
	for i, st := range []providers.Status{
		wait(providers.StageWaitScan, "WaitUser"),
		wait(providers.StageCard, "ProcessingCard"),
		wait(providers.StagePIN, "WaitForPinCode"),
		wait(providers.StageCard, "ProcessingCard"),
	} {
		var eff []Effect
		m, eff = answer(m, time.Duration(i+1)*time.Second, st)
		only[PollOp](t, eff)
	}
	m, _ = answer(m, 6*time.Second, providers.Status{State: providers.StateSuccess, Stage: providers.StageDone,
		Method: providers.MethodCard, TransactionID: "307208187011"})
	if m.Phase != Paid || m.Op.TransactionID != "307208187011" || m.Op.Method != providers.MethodCard {
		t.Fatalf("phase %v op %+v", m.Phase, m.Op)
	}
}

func TestDecline(t *testing.T) {
	m := started(t, "1500")
	m, eff := answer(m, 5*time.Second, providers.Status{State: providers.StateFail, Stage: providers.StageDone,
		Detail: "QrTransactionFailure", Message: "Покупатель отменил покупку"})
	if m.Phase != Declined || len(eff) != 0 || m.Op.Message != "Покупатель отменил покупку" || m.Op.State != store.StateFailed {
		t.Fatalf("phase %v op %+v", m.Phase, m.Op)
	}
	if m.Next().Phase != Entry {
		t.Fatal("Enter after decline does not start a new sale")
	}
}

func TestScanTimeout(t *testing.T) {
	m := started(t, "1500")
	m, eff := answer(m, 179*time.Second, wait(providers.StageWaitScan, "WaitUser"))
	only[PollOp](t, eff)
	m, eff = answer(m, 180*time.Second, wait(providers.StageWaitScan, "WaitUser"))
	if m.Phase != TimedOut {
		t.Fatalf("phase %v at 180 s", m.Phase)
	}
	save := only[SaveOp](t, eff)
	if save.Op.State != store.StateTimeout || !save.Op.State.Open() {
		t.Fatalf("timed out op stored as %s", save.Op.State)
	}
}

func TestConfirmTimeoutCountsFromTheScan(t *testing.T) {
	m := started(t, "1500")
	m, _ = answer(m, 150*time.Second, wait(providers.StageWaitConfirm, "WaitForQrConfirmation"))
	// Past the 180 s scan timeout, but the customer scanned: 60 s to confirm.
	m, eff := answer(m, 200*time.Second, wait(providers.StageWaitConfirm, "WaitForQrConfirmation"))
	only[PollOp](t, eff)
	m, eff = answer(m, 210*time.Second, wait(providers.StageWaitConfirm, "WaitForQrConfirmation"))
	if m.Phase != TimedOut {
		t.Fatalf("phase %v at 60 s after the scan", m.Phase)
	}
	only[SaveOp](t, eff)
}

// Training at speed 20: the stamps are wall time, the customer's time and
// the spacing of resolve calls pass 20 times faster, and the machine keeps
// its clock into the next sale.
func TestTimeoutsRunOnTheTillsClock(t *testing.T) {
	training := clock.NewScaledOn(clock.NewFake(t0), 20)
	m := typed(New(kaspiInfo(), "", true), "1500")
	m.Elapsed = training.Sub
	m, eff := m.Submit(t0)
	op := only[CreateOp](t, eff).Op
	op.ID = 7
	m, _ = m.Update(CreatedMsg{Op: op})
	op.Started(providers.Started{Ref: "p"}, t0)
	m, _ = m.Update(StartedMsg{Op: op, At: t0})
	m, eff = answer(m, time.Second, wait(providers.StageWaitScan, "WaitUser"))
	if left, _ := m.TimeLeft(); left != 160*time.Second {
		t.Fatalf("1 s of wall time at speed 20 left %v of the 180 s", left)
	}
	only[PollOp](t, eff)
	m, eff = answer(m, 9*time.Second, wait(providers.StageWaitScan, "WaitUser"))
	if m.Phase != TimedOut || !only[SaveOp](t, eff).Op.Updated.Equal(t0.Add(9*time.Second)) {
		t.Fatalf("at 9 s of wall time: %v %#v", m.Phase, eff)
	}
	if m.Next().Elapsed == nil {
		t.Fatal("the next sale lost the clock")
	}

	unknown := op
	unknown.ApplyStatus(providers.Status{State: providers.StateUnknown}, t0)
	unknown.Resolving(t0)
	m, eff = m.Next().Resume(unknown, t0.Add(250*time.Millisecond)) // 5 s of training time
	if r := only[ResolveOp](t, eff); r.After != 5*time.Second {
		t.Fatalf("next resolve after %v of the clock's time, want 5 s", r.After)
	}
}

func TestTimeoutsAreSettable(t *testing.T) {
	info := kaspiInfo()
	info.ScanTimeout = 30 * time.Second
	m := typed(New(info, "", false), "5")
	m, eff := m.Submit(t0)
	op := only[CreateOp](t, eff).Op
	op.ID = 1
	m, _ = m.Update(CreatedMsg{Op: op})
	op.Started(providers.Started{Ref: "1"}, t0)
	m, _ = m.Update(StartedMsg{Op: op, At: t0})
	m, _ = answer(m, 30*time.Second, wait(providers.StageWaitScan, "WaitUser"))
	if m.Phase != TimedOut {
		t.Fatalf("phase %v", m.Phase)
	}
}

func TestNoAnswerNeverTimesOut(t *testing.T) {
	m := started(t, "1500")
	for i := 1; i <= 300; i++ {
		var eff []Effect
		m, eff = m.Update(PolledMsg{Op: m.Op, At: t0.Add(time.Duration(i) * time.Second),
			Err: &providers.Error{Kind: providers.ErrUnreachable}})
		only[PollOp](t, eff)
	}
	if m.Phase != Waiting || m.Failing != 300 {
		t.Fatalf("after 300 s without answers: phase %v failing %d", m.Phase, m.Failing)
	}
	m, _ = answer(m, 301*time.Second, providers.Status{State: providers.StateSuccess, Stage: providers.StageDone})
	if m.Phase != Paid || m.Failing != 0 || m.Err != nil {
		t.Fatalf("answer after the outage: %v %d %v", m.Phase, m.Failing, m.Err)
	}
}

func TestUnknownResolvesWithSpacing(t *testing.T) {
	for _, final := range []providers.State{providers.StateSuccess, providers.StateFail} {
		t.Run(string(final), func(t *testing.T) {
			m := started(t, "1500")
			m, eff := answer(m, 30*time.Second, providers.Status{State: providers.StateUnknown, Stage: providers.StageCancelled,
				Message: "Операция прервана"})
			if m.Phase != Resolving || only[ResolveOp](t, eff).After != 0 {
				t.Fatalf("phase %v effects %#v", m.Phase, eff)
			}
			if m.Next().Phase != Resolving {
				t.Fatal("a new sale could start while the outcome is unknown")
			}
			if _, e := m.Type('1').Submit(t0.Add(31 * time.Second)); len(e) != 0 {
				t.Fatal("a payment started while the outcome is unknown")
			}
			// The runner records each attempt; the next waits 10 s from it.
			op := m.Op
			op.Resolving(t0.Add(31 * time.Second))
			op.ApplyStatus(providers.Status{State: providers.StateUnknown}, t0.Add(31*time.Second))
			m, eff = m.Update(ResolvedMsg{Op: op, At: t0.Add(31 * time.Second)})
			if r := only[ResolveOp](t, eff); r.After != 10*time.Second {
				t.Fatalf("next resolve after %v, want 10s", r.After)
			}
			// No internet on the POS: keep trying, spaced.
			op = m.Op
			op.Resolving(t0.Add(41 * time.Second))
			m, eff = m.Update(ResolvedMsg{Op: op, At: t0.Add(41 * time.Second), Err: &providers.Error{Kind: providers.ErrNoInternet, Code: "100"}})
			if r := only[ResolveOp](t, eff); r.After != 10*time.Second || m.Phase != Resolving {
				t.Fatalf("after 100: %v %v", m.Phase, r.After)
			}
			op = m.Op
			op.Resolving(t0.Add(51 * time.Second))
			op.ApplyStatus(providers.Status{State: final, Stage: providers.StageDone}, t0.Add(51*time.Second))
			m, eff = m.Update(ResolvedMsg{Op: op, At: t0.Add(51 * time.Second)})
			want := map[providers.State]Phase{providers.StateSuccess: Paid, providers.StateFail: Declined}[final]
			if m.Phase != want || len(eff) != 0 {
				t.Fatalf("phase %v, want %v", m.Phase, want)
			}
		})
	}
}

func TestResolveOfAFinalProcessReadsTheStatus(t *testing.T) {
	m := started(t, "1500")
	m, _ = answer(m, 5*time.Second, providers.Status{State: providers.StateUnknown})
	m, eff := m.Update(ResolvedMsg{Op: m.Op, At: t0.Add(6 * time.Second), Err: &providers.Error{Kind: providers.ErrNotResolvable, Code: "103"}})
	if m.Phase != Waiting {
		t.Fatalf("phase %v", m.Phase)
	}
	only[PollOp](t, eff)
}

func TestProcessLostNeedsAPerson(t *testing.T) {
	m := started(t, "1500")
	m, eff := m.Update(PolledMsg{Op: m.Op, At: t0.Add(2 * time.Second), Err: &providers.Error{Kind: providers.ErrNotFound, Code: "101"}})
	if m.Phase != Check || only[SaveOp](t, eff).Op.State != store.StateNeedsCheck {
		t.Fatalf("phase %v effects %#v", m.Phase, eff)
	}
}

func TestStartRefusals(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		phase Phase
		state store.State
	}{
		{"busy 107", &providers.Error{Kind: providers.ErrBusy, Code: "107", Text: "Could not register transaction. Last operation was not completed."}, NotStarted, store.StateRefused},
		{"blocked 106", &providers.Error{Kind: providers.ErrBlocked, Code: "106", HTTPStatus: 400}, NotStarted, store.StateRefused},
		{"http 500", &providers.Error{Kind: providers.ErrProvider, Code: "999", HTTPStatus: 500}, NotStarted, store.StateRefused},
		{"unreachable", &providers.Error{Kind: providers.ErrUnreachable}, NotStarted, store.StateRefused},
		{"no answer", &providers.Error{Kind: providers.ErrNoAnswer}, Check, store.StateNeedsCheck},
		{"malformed JSON", &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: 200}, Check, store.StateNeedsCheck},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := typed(New(kaspiInfo(), "", false), "1500")
			m, eff := m.Submit(t0)
			op := only[CreateOp](t, eff).Op
			op.ID = 3
			m, _ = m.Update(CreatedMsg{Op: op})
			op.Refused(c.err, t0)
			m, eff = m.Update(StartedMsg{Op: op, At: t0, Err: c.err})
			if m.Phase != c.phase || m.Op.State != c.state || len(eff) != 0 || !reflect.DeepEqual(m.Err, c.err) {
				t.Fatalf("phase %v state %v effects %#v err %v", m.Phase, m.Op.State, eff, m.Err)
			}
			if m.Next().Phase != Entry {
				t.Fatal("Enter does not return to a new sale")
			}
		})
	}
}

func TestWriteAheadFailureSendsNothing(t *testing.T) {
	m := typed(New(kaspiInfo(), "", false), "1500")
	m, eff := m.Submit(t0)
	op := only[CreateOp](t, eff).Op
	m, eff = m.Update(CreatedMsg{Op: op, Err: errDisk})
	if m.Phase != NotStarted || len(eff) != 0 {
		t.Fatalf("phase %v effects %#v", m.Phase, eff)
	}
}

func TestStaleMessagesAreIgnored(t *testing.T) {
	m := started(t, "1500")
	other := m.Op
	other.ID = 99
	other.ApplyStatus(providers.Status{State: providers.StateSuccess}, t0)
	m2, eff := m.Update(PolledMsg{Op: other, At: t0})
	if m2.Phase != Waiting || len(eff) != 0 {
		t.Fatal("an answer about another operation moved the sale")
	}
}

func TestResume(t *testing.T) {
	base := store.NewPayment("kaspi", providers.New(1500, providers.KZT), "", false, t0)
	base.ID = 5

	pending := base
	pending.Started(providers.Started{Ref: "p"}, t0)
	m, eff := New(kaspiInfo(), "", false).Resume(pending, t0.Add(time.Minute))
	if m.Phase != Waiting || only[PollOp](t, eff).Op.Ref != "p" {
		t.Fatalf("pending: %v %#v", m.Phase, eff)
	}

	unknown := pending
	unknown.ApplyStatus(providers.Status{State: providers.StateUnknown}, t0)
	unknown.Resolving(t0.Add(55 * time.Second))
	m, eff = New(kaspiInfo(), "", false).Resume(unknown, t0.Add(time.Minute))
	if r := only[ResolveOp](t, eff); m.Phase != Resolving || r.After != 5*time.Second {
		t.Fatalf("unknown: %v after %v, want the 10 s spacing kept across the restart", m.Phase, r.After)
	}

	m, eff = New(kaspiInfo(), "", false).Resume(base, t0.Add(time.Minute))
	if m.Phase != Check || only[SaveOp](t, eff).Op.State != store.StateNeedsCheck {
		t.Fatalf("created without a handle: %v %#v", m.Phase, eff)
	}
}

type diskError struct{}

func (diskError) Error() string { return "disk full" }

var errDisk error = diskError{}

func TestThePOSGivingUpAtTheTimeoutReadsAsATimeout(t *testing.T) {
	m := started(t, "1500")
	m, _ = answer(m, 180*time.Second, providers.Status{State: providers.StateFail, Stage: providers.StageCancelled,
		Detail: "ProcessCancelled", Message: "Күту уақыты өтті"})
	if m.Phase != TimedOut || m.Op.State != store.StateFailed {
		t.Fatalf("phase %v state %v", m.Phase, m.Op.State)
	}
	m2 := started(t, "1500")
	m2, _ = answer(m2, 30*time.Second, providers.Status{State: providers.StateFail, Stage: providers.StageCancelled})
	if m2.Phase != Declined {
		t.Fatalf("a cancellation before the timeout: %v", m2.Phase)
	}
}

func TestNoAnswerShowsNoProviderWords(t *testing.T) {
	c := &common.Common{Cat: locale.MustLoad("ru")}
	got := ErrorText(c, &providers.Error{Kind: providers.ErrUnreachable, Text: "cannot connect to the Smart POS"})
	if strings.Contains(got, "cannot connect") || !strings.Contains(got, "не может связаться") {
		t.Fatalf("%q", got)
	}
	got = ErrorText(c, &providers.Error{Kind: providers.ErrProvider, HTTPStatus: 502, Text: "Bad Gateway"})
	if !strings.Contains(got, "Bad Gateway") {
		t.Fatalf("the provider's own words are lost: %q", got)
	}
}
