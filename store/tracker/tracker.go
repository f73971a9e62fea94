// Package tracker owns the lifecycle of every open operation of the till:
// payments being waited for, refunds that take hours, operations a person
// handed over, and what an earlier run left open. Screens and commands
// only start, cancel, hand over and watch.
//
// Each operation is followed by a Machine, a pure state machine that takes
// the provider's answers as messages and answers with effects (write
// ahead, start, poll, resolve, cancel, save). The Tracker carries the
// effects out, one operation per goroutine, on the injected clock, writes
// every answer to the store before it tells anyone, and publishes each
// new state to its subscribers. A restart loses nothing: Resume takes up
// every open operation from the data file, and no operation is ever
// started twice by the tracker itself.
package tracker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
)

// Tracker follows the till's open operations.
type Tracker struct {
	st  *store.Store
	reg *providers.Registry
	clk clock.Clock

	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu      sync.Mutex
	follows map[store.ID]*follower
	// ended keeps the last state of operations no longer followed, for a
	// Get that comes just after the end (a few hundred at most).
	ended map[store.ID]Machine
	subs  map[*Subscription]struct{}
	// fiscal holds the paid payments whose fiscal data is being asked
	// for, each with when its pause ends (zero while it asks).
	fiscal map[store.ID]time.Time
	// busy counts followers doing IO or deciding, rather than waiting on
	// the clock: tests wait for it to reach zero before moving the clock.
	busy int
}

type follower struct {
	m    Machine
	p    providers.Provider
	asks chan ask
	gone chan struct{} // closed when the follower stops
	// wakeAt is when the follower's pause ends; zero while it works.
	wakeAt time.Time
	// pub is the state last published: written, and told to subscribers.
	pub Machine
}

func newFollower(m Machine, p providers.Provider) *follower {
	return &follower{m: m, p: p, asks: make(chan ask), gone: make(chan struct{})}
}

type askKind int

const (
	askCancel askKind = iota
	askHandOver
	askSettle
	askEvent
)

// ask is a person's word about a followed operation, handed to its
// follower so that one goroutine alone writes an open operation.
type ask struct {
	kind   askKind
	check  store.Check
	tx     string
	status providers.Status // an event's
	reply  chan error
}

// New returns a tracker over st and reg's providers on clk.
func New(st *store.Store, reg *providers.Registry, clk clock.Clock) *Tracker {
	ctx, stop := context.WithCancel(context.Background())
	return &Tracker{st: st, reg: reg, clk: clk, ctx: ctx, stop: stop,
		follows: map[store.ID]*follower{}, ended: map[store.ID]Machine{}, subs: map[*Subscription]struct{}{},
		fiscal: map[store.ID]time.Time{}}
}

// Store is the data file the tracker writes.
func (t *Tracker) Store() *store.Store { return t.st }

// Providers is the till's registry.
func (t *Tracker) Providers() *providers.Registry { return t.reg }

// Clock is the tracker's clock.
func (t *Tracker) Clock() clock.Clock { return t.clk }

// Close stops following and ends every subscription: operations stay
// open in the data file and the next start takes them up.
func (t *Tracker) Close() {
	t.stop()
	t.wg.Wait()
	t.mu.Lock()
	subs := make([]*Subscription, 0, len(t.subs))
	for s := range t.subs {
		subs = append(subs, s)
	}
	t.mu.Unlock()
	for _, s := range subs {
		s.Close()
	}
}

// BusyError refuses an operation on a provider that runs one at a time
// while another of its operations still holds the till.
type BusyError struct{ Op store.Operation }

func (e *BusyError) Error() string {
	return fmt.Sprintf("tracker: %s is still busy with operation %s", e.Op.Provider, e.Op.Receipt())
}

// ErrUnknownProvider is returned for a provider the till does not run.
var ErrUnknownProvider = errors.New("tracker: no such provider on this till")

// ErrNotFollowed is returned for an operation the tracker does not follow.
var ErrNotFollowed = errors.New("tracker: the operation is not open")

// ErrCannotCancel is returned when the operation cannot be withdrawn now.
var ErrCannotCancel = errors.New("tracker: the operation cannot be cancelled")

// Pay writes a payment ahead and starts it at provider. The machine it
// returns is Starting, or NotStarted when it could not be written.
func (t *Tracker) Pay(provider string, amount providers.Money, cashier string, training bool) (Machine, error) {
	return t.PaySale(provider, amount, providers.Sale{}, cashier, training)
}

// PaySale is Pay with what a provider that registers the fiscal receipt
// needs (the product and the customer's contact), written ahead with the
// payment. Outside training, such a payment's fiscal data is asked for
// once it is paid.
func (t *Tracker) PaySale(provider string, amount providers.Money, sale providers.Sale, cashier string, training bool) (Machine, error) {
	p, ok := t.reg.Get(provider)
	if !ok {
		return Machine{}, fmt.Errorf("%w: %s", ErrUnknownProvider, provider)
	}
	op := store.NewPayment(provider, amount, cashier, training, t.clk.Now())
	if sale != (providers.Sale{}) {
		op.Sale = &sale
	}
	_, fiscal := p.(providers.Fiscalizer)
	// A training receipt is never fiscalized (SPEC §6).
	op.FiscalWanted = fiscal && !training
	return t.begin(p, op)
}

// Refund writes a refund of amount from payment ahead, checked against what
// is left of it in the same write, and starts it at the payment's provider.
func (t *Tracker) Refund(payment store.Operation, amount providers.Money, cashier string) (Machine, error) {
	return t.RefundApproved(payment, amount, cashier, "")
}

// RefundApproved is Refund approved by a manager (approver, "" for none):
// the refund and its audit entry name both people.
func (t *Tracker) RefundApproved(payment store.Operation, amount providers.Money, cashier, approver string) (Machine, error) {
	p, ok := t.reg.Get(payment.Provider)
	if !ok {
		return Machine{}, fmt.Errorf("%w: %s", ErrUnknownProvider, payment.Provider)
	}
	if !p.Info().Refunds {
		// Nothing is written or sent: the provider's refunds are made
		// elsewhere (the Monetix dashboard).
		return Machine{}, fmt.Errorf("%w: %s", ErrRefundsNotOffered, payment.Provider)
	}
	op := store.NewRefund(payment, amount, cashier, t.clk.Now())
	op.Approver = approver
	return t.begin(p, op)
}

// ErrRefundsNotOffered refuses a refund at a provider whose refunds the
// till cannot make.
var ErrRefundsNotOffered = errors.New("tracker: this provider's refunds are not made from the till")

func (t *Tracker) begin(p providers.Provider, op store.Operation) (Machine, error) {
	info := p.Info()
	t.mu.Lock()
	if info.OneAtATime {
		for _, f := range t.follows {
			if f.m.Op.Provider == info.Name && f.m.Holds() {
				t.mu.Unlock()
				return Machine{}, &BusyError{Op: f.m.Op}
			}
		}
	}
	m, eff := t.prepare(Machine{Info: info}, p).Begin(op, t.clk.Now())
	// The write ahead happens before Pay returns: once it does, the
	// operation exists and a crash cannot lose it.
	m, eff = m.Update(t.create(firstOf[CreateOp](eff).Op))
	if m.Phase == NotStarted {
		t.mu.Unlock()
		return m, m.Err
	}
	f := newFollower(m, p)
	t.follows[m.Op.ID] = f
	t.busy++
	t.wg.Add(1)
	t.mu.Unlock()
	go t.run(f, eff)
	return m, nil
}

func firstOf[E Effect](eff []Effect) E {
	for _, e := range eff {
		if e, ok := e.(E); ok {
			return e
		}
	}
	panic(fmt.Sprintf("tracker: no %T among %#v", *new(E), eff))
}

// prepare gives a machine its provider's capabilities and the tracker's clock.
func (t *Tracker) prepare(m Machine, p providers.Provider) Machine {
	m.Elapsed = t.clk.Sub
	_, m.CanCancel = p.(providers.Canceller)
	_, m.CanResolve = p.(providers.Resolver)
	return m
}

// Resume takes up every operation the data file holds open that the till
// is not following yet and whose provider it runs, and returns them. Those
// sent without an answer go to a person; the rest are asked about.
func (t *Tracker) Resume() ([]Machine, error) {
	ops, err := t.st.Unfinished()
	if err != nil {
		return nil, err
	}
	if err := t.fiscalizeDue(); err != nil {
		return nil, err
	}
	var taken []Machine
	for _, op := range ops {
		if !Resumable(op) {
			continue
		}
		if m, ok := t.follow(op); ok {
			taken = append(taken, m)
		}
	}
	return taken, nil
}

// follow starts following an open operation read from the store, unless
// it is followed already or its provider is not the till's.
func (t *Tracker) follow(op store.Operation) (Machine, bool) {
	p, ok := t.reg.Get(op.Provider)
	if !ok {
		return Machine{}, false
	}
	t.mu.Lock()
	if _, followed := t.follows[op.ID]; followed {
		t.mu.Unlock()
		return Machine{}, false
	}
	m, eff := t.prepare(Machine{Info: p.Info()}, p).Resume(op, t.clk.Now())
	f := newFollower(m, p)
	t.follows[op.ID] = f
	t.busy++
	t.wg.Add(1)
	t.mu.Unlock()
	go t.run(f, eff)
	return m, true
}

// ErrUnknownOperation is Deliver's answer to an event about no operation
// of this till.
var ErrUnknownOperation = errors.New("tracker: no such operation on this till")

// Deliver applies what a provider's callback said about one of the till's
// operations, through the same path as a poll answer: written before
// Deliver returns, so the callback may then be acknowledged. A repeat
// changes nothing. An event about an operation the till stopped waiting
// for still lands: a payment that went through after the till gave up on
// it is kept as a payment that arrived late, for a person to keep or
// refund.
func (t *Tracker) Deliver(ctx context.Context, provider string, e providers.Event) error {
	op, err := t.find(provider, e.Handle)
	if err != nil {
		return err
	}
	if err := t.tell(op.ID, ask{kind: askEvent, status: e.Status}); !errors.Is(err, ErrNotFollowed) {
		return err
	}
	if op.State.Open() {
		// Not followed yet (the start's resume is still to come): follow it
		// now, and tell its follower.
		t.follow(op)
		if err := t.tell(op.ID, ask{kind: askEvent, status: e.Status}); !errors.Is(err, ErrNotFollowed) {
			return err
		}
		if op, err = t.st.Get(op.ID); err != nil {
			return err
		}
	}
	return t.late(op, e.Status)
}

// find is the operation an event is about: by the till's operation id,
// whose last part is the receipt number, or by the provider's ref.
func (t *Tracker) find(provider string, h providers.Handle) (store.Operation, error) {
	if h.OperationID != "" {
		if i := strings.LastIndexByte(h.OperationID, '-'); i >= 0 {
			if n, err := strconv.ParseUint(h.OperationID[i+1:], 10, 64); err == nil {
				op, err := t.st.Get(store.ID(n))
				if err == nil && op.Provider == provider && op.Handle().OperationID == h.OperationID {
					return op, nil
				}
			}
		}
		return store.Operation{}, fmt.Errorf("%w: %s", ErrUnknownOperation, h.OperationID)
	}
	op, err := t.st.ByReference(provider, h.Ref)
	if errors.Is(err, store.ErrNotFound) {
		return op, fmt.Errorf("%w: %s", ErrUnknownOperation, h.Ref)
	}
	return op, err
}

// late records an event about an operation no longer followed. Only a
// success changes anything: the money moved after all.
func (t *Tracker) late(op store.Operation, st providers.Status) error {
	if st.State != providers.StateSuccess || op.State == store.StateSuccess {
		return nil // a repeat, or news the books already hold
	}
	now := t.clk.Now()
	op.ArrivedLate(st, now)
	if err := t.st.Save(&op); err != nil {
		return err
	}
	defer t.fiscalize(op)
	p, _ := t.reg.Get(op.Provider)
	m := Machine{Phase: Paid, Op: op, Now: now}
	if p != nil {
		m.Info = p.Info()
	}
	t.publishEnded(m)
	return nil
}

// Resumable reports whether an operation left open by an earlier run is
// one the tracker takes up by itself: one with a provider handle whose
// outcome is still to be learned, or one sent without an answer, which
// goes to a person. One the till stopped waiting for waits for a person.
func Resumable(op store.Operation) bool {
	switch op.State {
	case store.StatePending, store.StateUnknown, store.StateCreated:
		return true
	}
	return false
}

// Get returns the machine of a followed operation, or the last state of
// one followed until a moment ago.
func (t *Tracker) Get(id store.ID) (Machine, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f, ok := t.follows[id]; ok {
		return f.pub, true
	}
	m, ok := t.ended[id]
	return m, ok
}

// Following lists the machines of every followed operation.
func (t *Tracker) Following() []Machine {
	t.mu.Lock()
	defer t.mu.Unlock()
	ms := make([]Machine, 0, len(t.follows))
	for _, f := range t.follows {
		if f.pub.Seq > 0 {
			ms = append(ms, f.pub)
		}
	}
	return ms
}

// Quiet reports whether every follower is waiting on the clock for a
// moment still to come (or gone): nothing will change until the clock
// moves. For tests on a fake clock.
func (t *Tracker) Quiet() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.busy != 0 {
		return false
	}
	now := t.clk.Now()
	for _, f := range t.follows {
		// A pause that is due is a follower about to wake.
		if !f.wakeAt.After(now) {
			return false
		}
	}
	return t.fiscalWaiting(now)
}

// Cancel withdraws a payment the customer has not paid, where its
// provider can: the till then reads how it ended.
func (t *Tracker) Cancel(id store.ID) error { return t.tell(id, ask{kind: askCancel}) }

// HandOver moves an operation the till cannot settle now to the
// operations to check; the till goes on asking about it.
func (t *Tracker) HandOver(id store.ID) error { return t.tell(id, ask{kind: askHandOver}) }

// Settle records a person's verdict on an operation only a person can
// settle: through its follower when it is followed, else in the store.
func (t *Tracker) Settle(id store.ID, c store.Check, transactionID string) (store.Operation, error) {
	err := t.tell(id, ask{kind: askSettle, check: c, tx: transactionID})
	if !errors.Is(err, ErrNotFollowed) {
		if err != nil {
			return store.Operation{}, err
		}
		return t.st.Get(id)
	}
	op, err := t.st.Get(id)
	if err != nil {
		return op, err
	}
	if err := op.Checked(c, transactionID); err != nil {
		return op, err
	}
	if err := t.st.Save(&op); err != nil {
		return op, err
	}
	// Paid, by a person's word: its fiscal receipt is still to be had.
	t.fiscalize(op)
	return op, nil
}

func (t *Tracker) tell(id store.ID, a ask) error {
	t.mu.Lock()
	f, ok := t.follows[id]
	t.mu.Unlock()
	if !ok {
		return ErrNotFollowed
	}
	a.reply = make(chan error, 1)
	select {
	case f.asks <- a:
	case <-f.gone:
		return ErrNotFollowed
	case <-t.ctx.Done():
		return errStopped
	}
	select {
	case err := <-a.reply:
		return err
	case <-t.ctx.Done():
		return errStopped
	}
}

// run carries out one operation's effects until the machine asks for no
// more, then lets it go.
func (t *Tracker) run(f *follower, queue []Effect) {
	defer t.wg.Done()
	defer func() {
		// Before this follower stops counting as busy, so a test never
		// sees a rest between the payment and its fiscal data.
		t.fiscalize(f.pub.Op)
		t.mu.Lock()
		delete(t.follows, f.m.Op.ID)
		if len(t.ended) >= 256 {
			clear(t.ended)
		}
		t.ended[f.m.Op.ID] = f.pub
		t.busy--
		t.mu.Unlock()
		close(f.gone)
	}()
	// What is published is written: the saves a state asks for are made
	// before anyone hears of it.
	queue = t.saveFirst(f, queue)
	t.publish(t.snapshot(f))
	for len(queue) > 0 {
		e := queue[0]
		queue = queue[1:]
		msg, a, rest := t.do(f, e)
		if t.ctx.Err() != nil {
			return
		}
		t.mu.Lock()
		var more []Effect
		if msg != nil {
			f.m, more = f.m.Update(msg)
		}
		if a != nil {
			var after []Effect
			var superseded bool
			f.m, after, superseded = t.apply(f.m, *a)
			more = append(more, after...)
			if !superseded && rest != nil {
				more = append(more, rest)
			}
		}
		t.mu.Unlock()
		queue = t.saveFirst(f, append(more, queue...))
		t.publish(t.snapshot(f))
	}
}

// saveFirst makes the saves at the head of queue and returns the rest.
func (t *Tracker) saveFirst(f *follower, queue []Effect) []Effect {
	for len(queue) > 0 {
		save, ok := queue[0].(SaveOp)
		if !ok || save.After > 0 {
			break
		}
		queue = queue[1:]
		op := save.Op
		msg := SavedMsg{Op: op, Err: t.st.Save(&op)}
		t.mu.Lock()
		var more []Effect
		f.m, more = f.m.Update(msg)
		t.mu.Unlock()
		queue = append(more, queue...)
	}
	return queue
}

func (t *Tracker) snapshot(f *follower) Machine {
	t.mu.Lock()
	defer t.mu.Unlock()
	return f.m
}

// apply takes a person's word into the machine; superseded says the
// effect it interrupted is no longer wanted. A hand-over or a verdict is
// written before the person hears it was taken.
func (t *Tracker) apply(m Machine, a ask) (Machine, []Effect, bool) {
	now := t.clk.Now()
	switch a.kind {
	case askCancel:
		next, eff := m.Cancel(now)
		if len(eff) == 0 {
			a.reply <- ErrCannotCancel
			return m, nil, false
		}
		a.reply <- nil
		return next, eff, true
	case askHandOver, askSettle:
		var (
			next Machine
			err  error
		)
		if a.kind == askHandOver {
			next, _ = m.HandOver(now)
		} else if next, _, err = m.Settle(a.check, a.tx); err != nil {
			a.reply <- err
			return m, nil, false
		}
		op := next.Op
		if err := t.st.Save(&op); err != nil {
			a.reply <- err
			return m, nil, false
		}
		next.Op = op
		a.reply <- nil
		return next, nil, a.kind == askSettle
	case askEvent:
		// A callback's news, as a status answer: written before the
		// provider hears it was taken.
		op := m.Op
		op.ApplyStatus(a.status, now)
		err := t.st.Save(&op)
		next, eff := m.Update(PolledMsg{Op: op, At: now, SaveErr: err})
		a.reply <- err
		if next.Phase == m.Phase && next.Phase == Starting {
			// It came before the start's answer: that answer goes on.
			return next, nil, false
		}
		return next, eff, true
	}
	a.reply <- fmt.Errorf("tracker: unknown ask %d", a.kind)
	return m, nil, false
}

// do carries out one effect. A person's word arriving meanwhile comes back
// as a; rest is what is left of the effect if the word does not supersede
// it (the rest of a pause), nil when the effect is done.
func (t *Tracker) do(f *follower, e Effect) (msg any, a *ask, rest Effect) {
	switch e := e.(type) {
	case StartOp:
		return t.call(f, func(context.Context) any { return t.start(f.p, e.Op) })
	case PollOp:
		if a, left := t.pause(f, e.After); a != nil {
			return nil, a, PollOp{Op: e.Op, After: left}
		}
		return t.statusCall(f, e.Op)
	case ResolveOp:
		if a, left := t.pause(f, e.After); a != nil {
			return nil, a, ResolveOp{Op: e.Op, After: left}
		}
		return t.call(f, func(context.Context) any { return t.resolve(f.p, e.Op) })
	case CancelOp:
		if a, left := t.pause(f, e.After); a != nil {
			return nil, a, CancelOp{Op: e.Op, After: left}
		}
		return t.call(f, func(context.Context) any { return t.cancelOp(f.p, e.Op) })
	case SaveOp:
		if a, left := t.pause(f, e.After); a != nil {
			return nil, a, SaveOp{Op: e.Op, After: left}
		}
		op := e.Op
		return SavedMsg{Op: op, Err: t.st.Save(&op)}, nil, nil
	case CreateOp:
		return t.create(e.Op), nil, nil
	}
	panic(fmt.Sprintf("tracker: unknown effect %T", e))
}

// pause waits d on the clock, unless a person's word comes first: then it
// returns the word and how much of the pause is left.
func (t *Tracker) pause(f *follower, d time.Duration) (*ask, time.Duration) {
	if d <= 0 {
		return nil, 0
	}
	// The pause is in the clock's time, which training runs faster than
	// the wall time its stamps are in.
	start := t.clk.Now()
	timer := t.clk.NewTimer(d)
	t.idle(f, t.clk.Add(start, d))
	defer t.idle(f, time.Time{})
	select {
	case <-timer.C:
		return nil, 0
	case a := <-f.asks:
		timer.Stop()
		return &a, max(d-t.clk.Sub(t.clk.Now(), start), 0)
	case <-t.ctx.Done():
		timer.Stop()
		return nil, 0
	}
}

// idle marks f as pausing until wakeAt, or as working again (zero).
func (t *Tracker) idle(f *follower, wakeAt time.Time) {
	t.mu.Lock()
	if !wakeAt.IsZero() {
		t.busy--
	} else {
		t.busy++
	}
	f.wakeAt = wakeAt
	t.mu.Unlock()
}

// call runs a provider call that is never cut short; a person's word
// arriving meanwhile is taken after it.
func (t *Tracker) call(f *follower, fn func(context.Context) any) (any, *ask, Effect) {
	done := make(chan any, 1)
	go func() { done <- fn(t.ctx) }()
	select {
	case msg := <-done:
		return msg, nil, nil
	case a := <-f.asks:
		return <-done, &a, nil
	}
}

// statusCall asks the provider how the operation stands. The call may be
// held open by the provider; the cashier's cancel and the customer's
// deadline cut it short, since asking again is harmless.
func (t *Tracker) statusCall(f *follower, op store.Operation) (any, *ask, Effect) {
	t.mu.Lock()
	m := f.m
	t.mu.Unlock()
	ctx, cancel := context.WithCancel(t.ctx)
	defer cancel()
	done := make(chan PolledMsg, 1)
	start := t.clk.Now()
	go func() {
		msg := t.poll(ctx, f.p, op)
		msg.Took = t.clk.Sub(t.clk.Now(), start)
		done <- msg
	}()

	var deadline <-chan time.Time
	if m.CanCancel && m.HasDeadline() && m.Phase == Waiting {
		left, _ := m.TimeLeft(t.clk.Now())
		timer := t.clk.NewTimer(max(left, 0))
		defer timer.Stop()
		deadline = timer.C
	}
	select {
	case msg := <-done:
		return msg, nil, nil
	case a := <-f.asks:
		if a.kind == askCancel || a.kind == askEvent {
			// A callback's news does not wait for a status call that may
			// be held open for minutes (or that the provider holds until
			// its callback is answered): the call is cut short.
			cancel()
			<-done // what a call cut short says is not news
			return nil, &a, PollOp{Op: op}
		}
		return <-done, &a, nil
	case at := <-deadline:
		cancel()
		if msg := <-done; msg.Err == nil {
			return msg, nil, nil // it answered just in time
		}
		return DeadlineMsg{ID: op.ID, At: at}, nil, nil
	}
}

// Subscription receives every new state of the followed operations. It
// keeps only the latest state of each, so a slow reader never holds the
// tracker up and never reads a state older than one it has read.
type Subscription struct {
	t       *Tracker
	mu      sync.Mutex
	pending map[store.ID]Machine
	order   []store.ID
	signal  chan struct{}
	done    chan struct{}
	once    sync.Once
	// waiting is set while a Wait is blocked with nothing to return: the
	// reader has taken in everything published so far.
	waiting bool
}

// Subscribe returns a new subscription; Close it when done.
func (t *Tracker) Subscribe() *Subscription {
	s := &Subscription{t: t, pending: map[store.ID]Machine{}, signal: make(chan struct{}, 1), done: make(chan struct{})}
	t.mu.Lock()
	t.subs[s] = struct{}{}
	t.mu.Unlock()
	return s
}

// publishEnded tells subscribers of an operation no longer followed, whose
// books changed (a payment that arrived late).
func (t *Tracker) publishEnded(m Machine) {
	t.mu.Lock()
	if prev, ok := t.ended[m.Op.ID]; ok {
		m.Seq = prev.Seq
	}
	m.Seq++
	t.ended[m.Op.ID] = m
	subs := make([]*Subscription, 0, len(t.subs))
	for s := range t.subs {
		subs = append(subs, s)
	}
	t.mu.Unlock()
	for _, s := range subs {
		s.put(m)
	}
}

func (t *Tracker) publish(m Machine) {
	t.mu.Lock()
	if f, ok := t.follows[m.Op.ID]; ok {
		f.m.Seq++
		m.Seq = f.m.Seq
		f.pub = m
	}
	subs := make([]*Subscription, 0, len(t.subs))
	for s := range t.subs {
		subs = append(subs, s)
	}
	t.mu.Unlock()
	for _, s := range subs {
		s.put(m)
	}
}

func (s *Subscription) put(m Machine) {
	s.mu.Lock()
	if _, ok := s.pending[m.Op.ID]; !ok {
		s.order = append(s.order, m.Op.ID)
	}
	s.pending[m.Op.ID] = m
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

// ErrClosed is returned by Wait on a closed subscription.
var ErrClosed = errors.New("tracker: subscription closed")

// Wait returns the states published since the last Wait, oldest change
// first, blocking until there is at least one.
func (s *Subscription) Wait(ctx context.Context) ([]Machine, error) {
	for {
		s.mu.Lock()
		if len(s.order) > 0 {
			ms := make([]Machine, 0, len(s.order))
			for _, id := range s.order {
				ms = append(ms, s.pending[id])
			}
			s.order, s.pending = nil, map[store.ID]Machine{}
			s.mu.Unlock()
			return ms, nil
		}
		s.waiting = true
		s.mu.Unlock()
		select {
		case <-s.signal:
		case <-s.done:
			return nil, ErrClosed
		case <-ctx.Done():
			s.setWaiting(false)
			return nil, ctx.Err()
		}
		s.setWaiting(false)
	}
}

func (s *Subscription) setWaiting(w bool) {
	s.mu.Lock()
	s.waiting = w
	s.mu.Unlock()
}

// Delivered reports whether every subscriber has taken in every state
// published so far and waits for more. For tests: with Quiet, it says a
// screen shows what the tracker knows.
func (t *Tracker) Delivered() bool {
	t.mu.Lock()
	subs := make([]*Subscription, 0, len(t.subs))
	for s := range t.subs {
		subs = append(subs, s)
	}
	t.mu.Unlock()
	for _, s := range subs {
		s.mu.Lock()
		idle := s.waiting && len(s.order) == 0
		s.mu.Unlock()
		if !idle {
			return false
		}
	}
	return true
}

// Close ends the subscription; a Wait in progress returns ErrClosed.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.t.mu.Lock()
		delete(s.t.subs, s)
		s.t.mu.Unlock()
		close(s.done)
	})
}

// Wait follows one operation until it no longer holds the till (an
// outcome, or on in the background) and returns that state, reporting
// every state on the way to report (nil: none).
func (t *Tracker) Wait(ctx context.Context, id store.ID, report func(Machine)) (Machine, error) {
	return t.wait(ctx, id, report, 1)
}

// WaitAsked is Wait that also waits for the provider's first answer about
// an operation that goes on in the background: `kassa recover` says where
// a refund of hours stands before it leaves it to go on.
func (t *Tracker) WaitAsked(ctx context.Context, id store.ID, report func(Machine)) (Machine, error) {
	return t.wait(ctx, id, report, 2)
}

// wait follows id until it no longer holds the till and at least seq
// states of it were published.
func (t *Tracker) wait(ctx context.Context, id store.ID, report func(Machine), seq uint64) (Machine, error) {
	sub := t.Subscribe()
	defer sub.Close()
	m, ok := t.Get(id)
	if !ok {
		return m, ErrNotFollowed
	}
	if report != nil && m.Seq > 0 {
		report(m)
	}
	// Seq 0: not published yet, so not written yet either.
	for m.Seq < seq && m.Phase.Busy() || m.Seq == 0 || m.Holds() {
		ms, err := sub.Wait(ctx)
		if err != nil {
			return m, err
		}
		for _, next := range ms {
			if next.Op.ID == id {
				m = next
				if report != nil {
					report(m)
				}
			}
		}
	}
	return m, nil
}

// LinkReceipt keeps the link of a paid payment's fiscal receipt (printed
// by the shop's fiscal register) and tells the payment's provider, where
// the provider keeps one. The link is written first, so it is not lost
// when the provider cannot be reached; the operation says whether the
// provider took it.
func (t *Tracker) LinkReceipt(id store.ID, url string) (store.Operation, error) {
	op, err := t.st.Get(id)
	if err != nil {
		return op, err
	}
	if op.Kind != store.KindPayment || op.State != store.StateSuccess {
		return op, store.ErrNotRefundable
	}
	p, ok := t.reg.Get(op.Provider)
	if !ok {
		return op, fmt.Errorf("%w: %s", ErrUnknownProvider, op.Provider)
	}
	linker, ok := p.(providers.ReceiptLinker)
	if !ok {
		return op, &providers.Error{Kind: providers.ErrUnsupported}
	}
	op.ReceiptURL = url
	if err := t.st.Save(&op); err != nil {
		return op, err
	}
	ctx, cancel := callContext(t.ctx, p.Info().CallTimeout)
	defer cancel()
	if err := linker.LinkReceipt(ctx, op.Handle(), url); err != nil {
		return op, err
	}
	op.ReceiptLinked = t.clk.Now()
	return op, t.st.Save(&op)
}
