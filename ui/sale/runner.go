package sale

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
)

// Runner carries out the machine's effects: the only place the sale does IO.
type Runner struct {
	Store    *store.Store
	Provider providers.Provider
	Clock    clock.Clock
	// CallTimeout bounds one provider request.
	CallTimeout time.Duration
}

// Cmds turns effects into commands.
func (r Runner) Cmds(effects []Effect) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(effects))
	for _, e := range effects {
		cmds = append(cmds, r.Cmd(e))
	}
	return tea.Batch(cmds...)
}

// Cmd turns one effect into a command.
func (r Runner) Cmd(e Effect) tea.Cmd {
	switch e := e.(type) {
	case CreateOp:
		return func() tea.Msg { return r.Create(e.Op) }
	case StartOp:
		return func() tea.Msg { return r.Start(e.Op) }
	case PollOp:
		return func() tea.Msg { r.wait(e.After); return r.Poll(e.Op) }
	case ResolveOp:
		return func() tea.Msg { r.wait(e.After); return r.Resolve(e.Op) }
	case SaveOp:
		return func() tea.Msg { return SavedMsg{Op: e.Op, Err: r.Store.Save(&e.Op)} }
	}
	panic(fmt.Sprintf("sale: unknown effect %T", e))
}

func (r Runner) wait(d time.Duration) {
	if d > 0 {
		<-r.Clock.After(d)
	}
}

func (r Runner) ctx() (context.Context, context.CancelFunc) {
	d := r.CallTimeout
	if d <= 0 {
		d = 15 * time.Second
	}
	return context.WithTimeout(context.Background(), d)
}

// Create writes the operation ahead of the provider call. A refund is
// checked against what is left of its payment in the same write.
func (r Runner) Create(op store.Operation) CreatedMsg {
	var err error
	if op.Kind == store.KindRefund {
		err = r.Store.CreateRefund(&op)
	} else {
		err = r.Store.Create(&op)
	}
	return CreatedMsg{Op: op, Err: err}
}

// Start sends the operation and stores the provider's handle the moment it
// arrives. A refusal is stored too.
func (r Runner) Start(op store.Operation) StartedMsg {
	ctx, cancel := r.ctx()
	defer cancel()
	var (
		started providers.Started
		err     error
	)
	switch op.Kind {
	case store.KindPayment:
		started, err = r.Provider.StartPayment(ctx, providers.PaymentRequest{
			OperationID: op.Receipt(), Amount: op.Amount,
		})
	case store.KindRefund:
		var payment store.Operation
		if payment, err = r.Store.Get(op.PaymentID); err == nil {
			started, err = r.Provider.StartRefund(ctx, providers.RefundRequest{
				OperationID: op.Receipt(), Amount: op.Amount, Method: payment.Method,
				TransactionID: payment.TransactionID, PaymentRef: payment.Ref,
			})
		}
	}
	at := r.Clock.Now()
	if err != nil {
		op.Refused(err, at)
	} else {
		op.Started(started, at)
	}
	return StartedMsg{Op: op, At: at, Err: err, SaveErr: r.Store.Save(&op)}
}

// Poll asks for the status and stores what changed.
func (r Runner) Poll(op store.Operation) PolledMsg {
	ctx, cancel := r.ctx()
	defer cancel()
	st, err := r.Provider.Status(ctx, op.Ref)
	at := r.Clock.Now()
	if err != nil {
		return PolledMsg{Op: op, At: at, Err: err}
	}
	op.ApplyStatus(st, at)
	return PolledMsg{Op: op, At: at, SaveErr: r.Store.Save(&op)}
}

// Resolve asks the provider to settle an unknown outcome. The attempt is
// stored before the call, so the spacing holds even when the till dies
// while the provider is answering.
func (r Runner) Resolve(op store.Operation) ResolvedMsg {
	op.Resolving(r.Clock.Now())
	if err := r.Store.Save(&op); err != nil {
		return ResolvedMsg{Op: op, At: r.Clock.Now(), Err: err, SaveErr: err}
	}
	ctx, cancel := r.ctx()
	defer cancel()
	st, err := r.Provider.Resolve(ctx, op.Ref)
	at := r.Clock.Now()
	if err != nil {
		return ResolvedMsg{Op: op, At: at, Err: err}
	}
	op.ApplyStatus(st, at)
	return ResolvedMsg{Op: op, At: at, SaveErr: r.Store.Save(&op)}
}
