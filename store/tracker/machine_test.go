package tracker

import (
	"reflect"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func kaspiInfo() providers.Info {
	return providers.Info{
		Name: "kaspi", Currency: providers.KZT, PollEvery: time.Second, ResolveEvery: 10 * time.Second,
		ScanTimeout: 180 * time.Second, ConfirmTimeout: 60 * time.Second,
		MinAmount: providers.New(1, providers.KZT), MaxAmount: providers.New(10_000_000, providers.KZT),
		OneAtATime: true, Refunds: true, PartialRefunds: true,
	}
}

// started drives a machine from its start to Waiting for a payment of
// amount tenge, as the tracker would answer, and returns it.
func started(t *testing.T, amount int64) Machine {
	t.Helper()
	m, eff := Machine{Info: kaspiInfo()}.Begin(store.NewPayment("kaspi", providers.New(amount, providers.KZT), "Aigerim", false, t0), t0)
	m.CanResolve = true
	create := only[CreateOp](t, eff)
	op := create.Op
	op.ID = 7
	m, eff = m.Update(CreatedMsg{Op: op})
	start := only[StartOp](t, eff)
	if start.Op.ID != 7 {
		t.Fatalf("start of op %d", start.Op.ID)
	}
	op.Started(providers.Status{Ref: "1678090451700", State: providers.StatePending, Stage: providers.StageStarting}, t0)
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

// answer applies a provider status to the machine's operation as the
// tracker does, at t0+after.
func answer(m Machine, after time.Duration, st providers.Status) (Machine, []Effect) {
	op := m.Op
	op.ApplyStatus(st, t0.Add(after))
	return m.Update(PolledMsg{Op: op, At: t0.Add(after)})
}

func wait(stage providers.Stage, detail string) providers.Status {
	return providers.Status{State: providers.StatePending, Stage: stage, Detail: detail}
}

func TestQRSuccess(t *testing.T) {
	m := started(t, 1500)
	m, eff := answer(m, 1*time.Second, wait(providers.StageWaitScan, "WaitUser"))
	only[PollOp](t, eff)
	if left, confirming := m.TimeLeft(m.Now); left != 179*time.Second || confirming {
		t.Fatalf("time left %v confirming %v", left, confirming)
	}
	m, _ = answer(m, 20*time.Second, wait(providers.StageWaitConfirm, "WaitForQrConfirmation"))
	if left, confirming := m.TimeLeft(m.Now); left != 60*time.Second || !confirming {
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
}

func TestCardSuccess(t *testing.T) {
	m := started(t, 2000)
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
	m := started(t, 1500)
	m, eff := answer(m, 5*time.Second, providers.Status{State: providers.StateFail, Stage: providers.StageDone,
		Detail: "QrTransactionFailure", Message: "Покупатель отменил покупку"})
	if m.Phase != Declined || len(eff) != 0 || m.Op.Message != "Покупатель отменил покупку" || m.Op.State != store.StateFailed {
		t.Fatalf("phase %v op %+v", m.Phase, m.Op)
	}
}

func TestScanTimeout(t *testing.T) {
	m := started(t, 1500)
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
	m := started(t, 1500)
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
// the spacing of resolve calls pass 20 times faster.
func TestTimeoutsRunOnTheTillsClock(t *testing.T) {
	training := clock.NewScaledOn(clock.NewFake(t0), 20)
	m, eff := Machine{Info: kaspiInfo()}.Begin(store.NewPayment("kaspi", providers.New(1500, providers.KZT), "", true, t0), t0)
	m.Elapsed = training.Sub
	op := only[CreateOp](t, eff).Op
	op.ID = 7
	m, _ = m.Update(CreatedMsg{Op: op})
	op.Started(providers.Status{Ref: "p"}, t0)
	m, _ = m.Update(StartedMsg{Op: op, At: t0})
	m, eff = answer(m, time.Second, wait(providers.StageWaitScan, "WaitUser"))
	if left, _ := m.TimeLeft(m.Now); left != 160*time.Second {
		t.Fatalf("1 s of wall time at speed 20 left %v of the 180 s", left)
	}
	only[PollOp](t, eff)
	m, eff = answer(m, 9*time.Second, wait(providers.StageWaitScan, "WaitUser"))
	if m.Phase != TimedOut || !only[SaveOp](t, eff).Op.Updated.Equal(t0.Add(9*time.Second)) {
		t.Fatalf("at 9 s of wall time: %v %#v", m.Phase, eff)
	}

	unknown := op
	unknown.ApplyStatus(providers.Status{State: providers.StateUnknown}, t0)
	unknown.Resolving(t0)
	_, eff = Machine{Info: kaspiInfo(), Elapsed: training.Sub, CanResolve: true}.Resume(unknown, t0.Add(250*time.Millisecond)) // 5 s of training time
	if r := only[ResolveOp](t, eff); r.After != 5*time.Second {
		t.Fatalf("next resolve after %v of the clock's time, want 5 s", r.After)
	}
}

func TestTimeoutsAreSettable(t *testing.T) {
	info := kaspiInfo()
	info.ScanTimeout = 30 * time.Second
	m, eff := Machine{Info: info}.Begin(store.NewPayment("kaspi", providers.New(5, providers.KZT), "", false, t0), t0)
	op := only[CreateOp](t, eff).Op
	op.ID = 1
	m, _ = m.Update(CreatedMsg{Op: op})
	op.Started(providers.Status{Ref: "1"}, t0)
	m, _ = m.Update(StartedMsg{Op: op, At: t0})
	m, _ = answer(m, 30*time.Second, wait(providers.StageWaitScan, "WaitUser"))
	if m.Phase != TimedOut {
		t.Fatalf("phase %v", m.Phase)
	}
}

func TestNoAnswerNeverTimesOut(t *testing.T) {
	m := started(t, 1500)
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
			m := started(t, 1500)
			m, eff := answer(m, 30*time.Second, providers.Status{State: providers.StateUnknown, Stage: providers.StageCancelled,
				Message: "Операция прервана"})
			if m.Phase != Resolving || only[ResolveOp](t, eff).After != 0 {
				t.Fatalf("phase %v effects %#v", m.Phase, eff)
			}
			if !m.Holds() {
				t.Fatal("an unknown outcome lets the till go on")
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

// The POS cannot actualize a card process whose outcome it lost (102):
// when the status read after that still says unknown, a person checks the
// POS history, rather than the till asking every 10 s for ever.
func TestAnOutcomeTheProviderCannotResolveGoesToAPerson(t *testing.T) {
	m := started(t, 1500)
	m, _ = answer(m, 5*time.Second, providers.Status{State: providers.StateUnknown})
	m, eff := m.Update(ResolvedMsg{Op: m.Op, At: t0.Add(6 * time.Second), Err: &providers.Error{Kind: providers.ErrNotResolvable, Code: "102"}})
	only[PollOp](t, eff)
	m, eff = answer(m, 6*time.Second, providers.Status{State: providers.StateUnknown})
	save := only[SaveOp](t, eff)
	if m.Phase != Check || save.Op.State != store.StateNeedsCheck || providers.KindOf(m.Err) != providers.ErrNotResolvable {
		t.Fatalf("phase %v state %v err %v", m.Phase, save.Op.State, m.Err)
	}
	if last := save.Op.History[len(save.Op.History)-1]; last.Note != store.NoteUnresolvable {
		t.Fatalf("last event %+v", last)
	}
}

func TestResolveOfAFinalProcessReadsTheStatus(t *testing.T) {
	m := started(t, 1500)
	m, _ = answer(m, 5*time.Second, providers.Status{State: providers.StateUnknown})
	m, eff := m.Update(ResolvedMsg{Op: m.Op, At: t0.Add(6 * time.Second), Err: &providers.Error{Kind: providers.ErrNotResolvable, Code: "103"}})
	if m.Phase != Waiting {
		t.Fatalf("phase %v", m.Phase)
	}
	only[PollOp](t, eff)
}

func TestProcessLostNeedsAPerson(t *testing.T) {
	m := started(t, 1500)
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
			m, eff := Machine{Info: kaspiInfo()}.Begin(store.NewPayment("kaspi", providers.New(1500, providers.KZT), "", false, t0), t0)
			op := only[CreateOp](t, eff).Op
			op.ID = 3
			m, _ = m.Update(CreatedMsg{Op: op})
			op.Refused(c.err, t0)
			m, eff = m.Update(StartedMsg{Op: op, At: t0, Err: c.err})
			if m.Phase != c.phase || m.Op.State != c.state || len(eff) != 0 || !reflect.DeepEqual(m.Err, c.err) {
				t.Fatalf("phase %v state %v effects %#v err %v", m.Phase, m.Op.State, eff, m.Err)
			}
		})
	}
}

func TestWriteAheadFailureSendsNothing(t *testing.T) {
	m, eff := Machine{Info: kaspiInfo()}.Begin(store.NewPayment("kaspi", providers.New(1500, providers.KZT), "", false, t0), t0)
	op := only[CreateOp](t, eff).Op
	m, eff = m.Update(CreatedMsg{Op: op, Err: errDisk})
	if m.Phase != NotStarted || len(eff) != 0 {
		t.Fatalf("phase %v effects %#v", m.Phase, eff)
	}
}

func TestStaleMessagesAreIgnored(t *testing.T) {
	m := started(t, 1500)
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
	pending.Started(providers.Status{Ref: "p"}, t0)
	m, eff := Machine{Info: kaspiInfo()}.Resume(pending, t0.Add(time.Minute))
	if m.Phase != Waiting || only[PollOp](t, eff).Op.Ref != "p" {
		t.Fatalf("pending: %v %#v", m.Phase, eff)
	}

	unknown := pending
	unknown.ApplyStatus(providers.Status{State: providers.StateUnknown}, t0)
	unknown.Resolving(t0.Add(55 * time.Second))
	m, eff = Machine{Info: kaspiInfo(), CanResolve: true}.Resume(unknown, t0.Add(time.Minute))
	if r := only[ResolveOp](t, eff); m.Phase != Resolving || r.After != 5*time.Second {
		t.Fatalf("unknown: %v after %v, want the 10 s spacing kept across the restart", m.Phase, r.After)
	}

	m, eff = Machine{Info: kaspiInfo()}.Resume(base, t0.Add(time.Minute))
	if m.Phase != Check || only[SaveOp](t, eff).Op.State != store.StateNeedsCheck {
		t.Fatalf("created without a handle: %v %#v", m.Phase, eff)
	}
}

type diskError struct{}

func (diskError) Error() string { return "disk full" }

var errDisk error = diskError{}

func TestThePOSGivingUpAtTheTimeoutReadsAsATimeout(t *testing.T) {
	m := started(t, 1500)
	m, _ = answer(m, 180*time.Second, providers.Status{State: providers.StateFail, Stage: providers.StageCancelled,
		Detail: "ProcessCancelled", Message: "Күту уақыты өтті"})
	if m.Phase != TimedOut || m.Op.State != store.StateFailed {
		t.Fatalf("phase %v state %v", m.Phase, m.Op.State)
	}
	m2 := started(t, 1500)
	m2, _ = answer(m2, 30*time.Second, providers.Status{State: providers.StateFail, Stage: providers.StageCancelled})
	if m2.Phase != Declined {
		t.Fatalf("a cancellation before the timeout: %v", m2.Phase)
	}
}

// uzqrInfo is a provider whose QR the till draws, which can withdraw an
// invoice and whose refunds take hours.
func uzqrInfo() providers.Info {
	return providers.Info{
		Name: "uzqr", Currency: providers.UZS, QRShownBy: providers.DisplayTill, PollEvery: 2 * time.Second,
		ScanTimeout: 180 * time.Second, Refunds: true, PartialRefunds: true, RefundsAsync: true, RefundPollEvery: 10 * time.Second,
	}
}

// waitingInvoice is a UzQR payment the gateway took, waiting for the customer.
func waitingInvoice(t *testing.T) Machine {
	t.Helper()
	m, eff := Machine{Info: uzqrInfo()}.Begin(store.NewPayment("uzqr", providers.New(1500000, providers.UZS), "", false, t0), t0)
	m.CanCancel = true
	op := only[CreateOp](t, eff).Op
	op.ID = 9
	m, _ = m.Update(CreatedMsg{Op: op})
	op.Started(providers.Status{Ref: "INVC1", State: providers.StatePending, QR: &providers.QR{Payload: "000201"}}, t0)
	m, eff = m.Update(StartedMsg{Op: op, At: t0})
	if m.Phase != Waiting || m.Op.QR == nil || m.Op.QR.Payload != "000201" {
		t.Fatalf("phase %v op %+v", m.Phase, m.Op)
	}
	if p := only[PollOp](t, eff); p.After != 2*time.Second {
		t.Fatalf("first poll after %v", p.After)
	}
	return m
}

func TestCancelAtTheCashiersWord(t *testing.T) {
	m := waitingInvoice(t)
	if _, eff := started(t, 1500).Cancel(t0); len(eff) != 0 {
		t.Fatal("a Smart POS payment was cancelled by the till")
	}
	m, eff := m.Cancel(t0.Add(10 * time.Second))
	if m.Phase != Cancelling || !m.Holds() {
		t.Fatalf("phase %v", m.Phase)
	}
	only[CancelOp](t, eff)
	// The gateway took the cancel: the status says how it ended.
	m, eff = m.Update(CancelledMsg{Op: m.Op, At: t0.Add(11 * time.Second)})
	only[PollOp](t, eff)
	m, eff = answer(m, 11*time.Second, providers.Status{State: providers.StatePending})
	if m.Phase != Cancelled || m.Op.State != store.StateFailed || only[SaveOp](t, eff).Op.State != store.StateFailed {
		t.Fatalf("phase %v state %v", m.Phase, m.Op.State)
	}
	if last := m.Op.History[len(m.Op.History)-1]; last.Note != store.NoteCancelled {
		t.Fatalf("last event %+v", last)
	}
}

// The customer paid in the same moment the cashier gave up: the gateway
// refuses the cancel (3002) and the payment wins.
func TestCancelThatRacesAPayment(t *testing.T) {
	m := waitingInvoice(t)
	m, _ = m.Cancel(t0.Add(10 * time.Second))
	m, eff := m.Update(CancelledMsg{Op: m.Op, At: t0.Add(11 * time.Second),
		Err: &providers.Error{Kind: providers.ErrNotResolvable, Code: "3002", Text: "Инвойс уже оплачен"}})
	only[PollOp](t, eff)
	m, eff = answer(m, 11*time.Second, providers.Status{State: providers.StateSuccess, TransactionID: "PAY1"})
	if m.Phase != Paid || len(eff) != 0 || m.Op.State != store.StateSuccess {
		t.Fatalf("phase %v state %v", m.Phase, m.Op.State)
	}
}

// A cancel that gets no answer is tried again, spaced: the invoice may
// still be payable.
func TestCancelWithoutAnAnswerIsTriedAgain(t *testing.T) {
	m := waitingInvoice(t)
	m, _ = m.Cancel(t0.Add(10 * time.Second))
	var last time.Duration
	for i := range 5 {
		var eff []Effect
		m, eff = m.Update(CancelledMsg{Op: m.Op, At: t0.Add(time.Duration(11+i) * time.Second), Err: &providers.Error{Kind: providers.ErrNoAnswer}})
		c := only[CancelOp](t, eff)
		if c.After < last {
			t.Fatalf("pause %v after %v: it should grow", c.After, last)
		}
		last = c.After
	}
	if m.Phase != Cancelling || m.Failing != 5 || last <= 2*time.Second {
		t.Fatalf("phase %v failing %d pause %v", m.Phase, m.Failing, last)
	}
}

// The QR's lifetime passes: the till cancels the invoice so the customer
// cannot pay it later, and says the customer did not pay.
func TestExpiredInvoiceIsCancelled(t *testing.T) {
	m := waitingInvoice(t)
	m, eff := answer(m, 179*time.Second, providers.Status{State: providers.StatePending})
	only[PollOp](t, eff)
	m, eff = answer(m, 180*time.Second, providers.Status{State: providers.StatePending})
	if m.Phase != Cancelling || !m.Expired {
		t.Fatalf("phase %v", m.Phase)
	}
	only[CancelOp](t, eff)
	m, _ = m.Update(CancelledMsg{Op: m.Op, At: t0.Add(181 * time.Second)})
	m, _ = answer(m, 181*time.Second, providers.Status{State: providers.StateFail})
	if m.Phase != TimedOut || m.Op.State != store.StateFailed {
		t.Fatalf("phase %v state %v", m.Phase, m.Op.State)
	}
	// A long-polled status call held past the deadline ends in the same.
	m = waitingInvoice(t)
	m, eff = m.Update(DeadlineMsg{ID: m.Op.ID, At: t0.Add(180 * time.Second)})
	if m.Phase != Cancelling || m.Failing != 0 {
		t.Fatalf("after the deadline: %v, failing %d", m.Phase, m.Failing)
	}
	only[CancelOp](t, eff)
}

// A refund the gateway accepted does not hold the till: it is followed in
// the background, less and less often, until done or failed.
func TestAsyncRefundGoesOnInTheBackground(t *testing.T) {
	payment := store.NewPayment("uzqr", providers.New(1500000, providers.UZS), "", false, t0)
	payment.ID = 3
	payment.State = store.StateSuccess
	m, eff := Machine{Info: uzqrInfo()}.Begin(store.NewRefund(payment, providers.New(500000, providers.UZS), "", t0), t0)
	op := only[CreateOp](t, eff).Op
	op.ID = 4
	m, _ = m.Update(CreatedMsg{Op: op})
	op.Started(providers.Status{Ref: "RF1", State: providers.StatePending}, t0)
	m, eff = m.Update(StartedMsg{Op: op, At: t0})
	if m.Phase != Waiting || m.Holds() || !m.Background {
		t.Fatalf("phase %v holds %v", m.Phase, m.Holds())
	}
	if p := only[PollOp](t, eff); p.After != 10*time.Second {
		t.Fatalf("first refund poll after %v", p.After)
	}
	// Hours later it is still pending: asked about every 5 minutes, never
	// given up on.
	m, eff = answer(m, 3*time.Hour, providers.Status{State: providers.StatePending})
	if p := only[PollOp](t, eff); p.After != 5*time.Minute || m.Phase != Waiting {
		t.Fatalf("after 3 hours: %v, next poll after %v", m.Phase, p.After)
	}
	m, _ = answer(m, 3*time.Hour+5*time.Minute, providers.Status{State: providers.StateFail})
	if m.Phase != Declined || m.Op.State != store.StateFailed {
		t.Fatalf("phase %v state %v", m.Phase, m.Op.State)
	}
}

func TestResumeAnAsyncRefundInTheBackground(t *testing.T) {
	op := store.NewRefund(store.Operation{ID: 3, Kind: store.KindPayment}, providers.New(500000, providers.UZS), "", t0)
	op.ID = 4
	op.Started(providers.Status{Ref: "RF1", State: providers.StatePending}, t0)
	m, eff := Machine{Info: uzqrInfo()}.Resume(op, t0.Add(time.Hour))
	if m.Phase != Waiting || m.Holds() {
		t.Fatalf("phase %v holds %v", m.Phase, m.Holds())
	}
	only[PollOp](t, eff)
}

func TestHandOverKeepsFollowing(t *testing.T) {
	m := started(t, 1500)
	m, eff := answer(m, 5*time.Second, providers.Status{State: providers.StateUnknown})
	only[ResolveOp](t, eff)
	m, eff = m.HandOver(t0.Add(6 * time.Second))
	if m.Holds() || !m.Op.NeedsPerson() || !m.Op.State.Open() {
		t.Fatalf("holds %v needs a person %v", m.Holds(), m.Op.NeedsPerson())
	}
	only[SaveOp](t, eff)
	m, eff, err := m.Settle(store.Check{At: t0.Add(time.Minute), Paid: true, Note: "in the POS history"}, "504711333")
	if err != nil {
		t.Fatal(err)
	}
	if m.Phase != Paid || m.Op.TransactionID != "504711333" || only[SaveOp](t, eff).Op.State != store.StateSuccess {
		t.Fatalf("settled: %v %+v", m.Phase, m.Op)
	}
}

// An outcome the data file would not take is written again, spaced,
// until it is: the till never leaves the books behind what it showed.
func TestAnUnwrittenOutcomeIsWrittenAgain(t *testing.T) {
	m := started(t, 1500)
	op := m.Op
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: "504711333"}, t0.Add(5*time.Second))
	m, eff := m.Update(PolledMsg{Op: op, At: t0.Add(5 * time.Second), SaveErr: errDisk})
	if m.Phase != Paid || m.SaveErr == nil {
		t.Fatalf("phase %v save error %v", m.Phase, m.SaveErr)
	}
	save := only[SaveOp](t, eff)
	if save.After <= 0 || save.Op.State != store.StateSuccess {
		t.Fatalf("save %+v", save)
	}
	m, eff = m.Update(SavedMsg{Op: save.Op, Err: errDisk})
	if again := only[SaveOp](t, eff); again.After <= save.After {
		t.Fatalf("the next try after %v, the first after %v: it should wait longer", again.After, save.After)
	}
	m, eff = m.Update(SavedMsg{Op: save.Op})
	if m.SaveErr != nil || len(eff) != 0 {
		t.Fatalf("after the write: %v %#v", m.SaveErr, eff)
	}
}

// Calls without an answer are counted from when the first went
// unanswered, so the till can say how long the provider has been silent.
func TestFailingSince(t *testing.T) {
	m := started(t, 1500)
	for i := 1; i <= 3; i++ {
		m, _ = m.Update(PolledMsg{Op: m.Op, At: t0.Add(time.Duration(i) * 5 * time.Second), Err: &providers.Error{Kind: providers.ErrNoAnswer}})
	}
	if m.Failing != 3 || !m.FailingSince.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("failing %d since %v", m.Failing, m.FailingSince)
	}
	m, _ = answer(m, 20*time.Second, wait(providers.StageWaitScan, "WaitUser"))
	if m.Failing != 0 || !m.FailingSince.IsZero() {
		t.Fatalf("after an answer: failing %d since %v", m.Failing, m.FailingSince)
	}
}
