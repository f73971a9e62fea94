package tracker

import (
	"context"
	"errors"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// The IO behind each effect: one provider call or one write, answered
// with the message the machine takes. Calls that may hold money are never
// cut short by the till (a start, a resolve, a cancel); a status call may
// be, since asking again is harmless.

func (t *Tracker) create(op store.Operation) CreatedMsg {
	var err error
	if op.Kind == store.KindRefund {
		// Checked against what is left of its payment in the same write.
		err = t.st.CreateRefund(&op)
	} else {
		err = t.st.Create(&op)
	}
	return CreatedMsg{Op: op, Err: err}
}

func callContext(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		d = 15 * time.Second
	}
	return context.WithTimeout(parent, d)
}

// start sends the operation and stores the provider's handle the moment it
// arrives. A refusal is stored too.
func (t *Tracker) start(p providers.Provider, op store.Operation) StartedMsg {
	ctx, cancel := callContext(context.WithoutCancel(t.ctx), p.Info().CallTimeout)
	defer cancel()
	req := providers.Request{
		Kind: op.Handle().Kind, OperationID: op.Handle().OperationID, Amount: op.Amount,
	}
	if op.Sale != nil {
		req.Sale = *op.Sale
	}
	var (
		st  providers.Status
		err error
	)
	if op.Kind == store.KindRefund {
		var payment store.Operation
		if payment, err = t.st.Get(op.PaymentID); err == nil {
			req.Payment, req.Method, req.TransactionID = payment.Handle(), payment.Method, payment.TransactionID
			st, err = p.Start(ctx, req)
		}
	} else {
		st, err = p.Start(ctx, req)
	}
	at := t.clk.Now()
	if err != nil {
		op.Refused(err, at)
	} else {
		op.Started(st, at)
	}
	return StartedMsg{Op: op, At: at, Err: err, SaveErr: t.st.Save(&op)}
}

// poll asks for the status and stores what changed. ctx may be cut short
// by the cashier or the customer's deadline.
func (t *Tracker) poll(ctx context.Context, p providers.Provider, op store.Operation) PolledMsg {
	info := p.Info()
	timeout := info.StatusTimeout
	if timeout <= 0 {
		timeout = info.CallTimeout
	}
	ctx, cancel := callContext(ctx, timeout)
	defer cancel()
	st, err := p.Status(ctx, op.Handle())
	at := t.clk.Now()
	if err != nil {
		return PolledMsg{Op: op, At: at, Err: err}
	}
	op.ApplyStatus(st, at)
	return PolledMsg{Op: op, At: at, SaveErr: t.st.Save(&op)}
}

// resolve asks the provider to settle an unknown outcome. The attempt is
// stored before the call, so the spacing holds even when the till dies
// while the provider is answering.
func (t *Tracker) resolve(p providers.Provider, op store.Operation) ResolvedMsg {
	r, ok := p.(providers.Resolver)
	if !ok {
		return ResolvedMsg{Op: op, At: t.clk.Now(), Err: &providers.Error{Kind: providers.ErrUnsupported}}
	}
	op.Resolving(t.clk.Now())
	if err := t.st.Save(&op); err != nil {
		return ResolvedMsg{Op: op, At: t.clk.Now(), Err: err, SaveErr: err}
	}
	ctx, cancel := callContext(context.WithoutCancel(t.ctx), p.Info().CallTimeout)
	defer cancel()
	st, err := r.Resolve(ctx, op.Handle())
	at := t.clk.Now()
	if err != nil {
		return ResolvedMsg{Op: op, At: at, Err: err}
	}
	op.ApplyStatus(st, at)
	return ResolvedMsg{Op: op, At: at, SaveErr: t.st.Save(&op)}
}

// cancelOp withdraws the operation at the provider.
func (t *Tracker) cancelOp(p providers.Provider, op store.Operation) CancelledMsg {
	c, ok := p.(providers.Canceller)
	if !ok {
		return CancelledMsg{Op: op, At: t.clk.Now(), Err: &providers.Error{Kind: providers.ErrUnsupported}}
	}
	ctx, cancel := callContext(context.WithoutCancel(t.ctx), p.Info().CallTimeout)
	defer cancel()
	err := c.Cancel(ctx, op.Handle())
	return CancelledMsg{Op: op, At: t.clk.Now(), Err: err}
}

// errStopped is what a call given up because the tracker stopped says.
var errStopped = errors.New("tracker: stopped")
