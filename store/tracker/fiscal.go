package tracker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// A provider that registers the fiscal receipt (a Fiscalizer) may not have
// it the moment the payment succeeds (seed 002): the till asks again,
// spaced out, for FiscalPatience after the payment, then marks the payment
// "not fiscalized" for a person to ask again (AskFiscal). The schedule is
// kept with the operation, so a restart goes on where it stopped.
const FiscalPatience = 10 * time.Minute

// fiscalSpacing is the wait after the n-th unanswered try.
func fiscalSpacing(tries int) time.Duration {
	steps := []time.Duration{0, 2 * time.Second, 3 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second}
	if tries < len(steps) {
		return steps[tries]
	}
	return time.Minute
}

// ErrNotFiscal refuses AskFiscal for an operation whose fiscal receipt is
// not the provider's to register, or which is not paid.
var ErrNotFiscal = errors.New("tracker: the provider registers no fiscal receipt for this operation")

// fiscalizeDue takes up, at the start, every paid payment whose fiscal
// data an earlier run was still asking for.
func (t *Tracker) fiscalizeDue() error {
	ops, err := t.st.FiscalDue()
	if err != nil {
		return err
	}
	for _, op := range ops {
		t.fiscalize(op)
	}
	return nil
}

// AskFiscal asks again for the fiscal data of a paid payment marked "not
// fiscalized" (or still being asked for), as from the history: the till
// starts asking anew, with FiscalPatience from now.
func (t *Tracker) AskFiscal(id store.ID) (store.Operation, error) {
	op, err := t.st.Get(id)
	if err != nil {
		return op, err
	}
	p, ok := t.reg.Get(op.Provider)
	if !ok {
		return op, fmt.Errorf("%w: %s", ErrUnknownProvider, op.Provider)
	}
	if _, ok := p.(providers.Fiscalizer); !ok || !op.FiscalWanted || op.Kind != store.KindPayment || op.State != store.StateSuccess {
		return op, ErrNotFiscal
	}
	if op.Fiscal != nil {
		return op, nil
	}
	t.mu.Lock()
	_, asking := t.fiscal[id]
	t.mu.Unlock()
	if asking {
		return op, nil
	}
	op, err = t.st.Modify(id, func(op *store.Operation) error {
		op.FiscalMissing, op.FiscalTries, op.FiscalAsked = time.Time{}, 0, time.Time{}
		// Patience counts from now, not from the payment.
		op.FiscalSince = t.clk.Now()
		return nil
	})
	if err != nil {
		return op, err
	}
	t.fiscalize(op)
	return op, nil
}

// fiscalize starts asking for op's fiscal data, unless that is under way
// or not due.
func (t *Tracker) fiscalize(op store.Operation) {
	p, ok := t.reg.Get(op.Provider)
	if !ok || !op.FiscalDue() {
		return
	}
	fz, ok := p.(providers.Fiscalizer)
	if !ok {
		return
	}
	t.mu.Lock()
	if _, asking := t.fiscal[op.ID]; asking || t.ctx.Err() != nil {
		t.mu.Unlock()
		return
	}
	t.fiscal[op.ID] = time.Time{}
	t.busy++
	t.wg.Add(1)
	t.mu.Unlock()
	go t.askFiscal(p, fz, op)
}

// askFiscal asks until the fiscal data comes or patience runs out. Every
// answer is written, and published as the payment's latest state.
func (t *Tracker) askFiscal(p providers.Provider, fz providers.Fiscalizer, op store.Operation) {
	defer t.wg.Done()
	defer func() {
		t.mu.Lock()
		delete(t.fiscal, op.ID)
		t.busy--
		t.mu.Unlock()
	}()
	info := p.Info()
	for {
		now := t.clk.Now()
		since := op.FiscalSince
		if since.IsZero() {
			since = op.Finished
		}
		if !since.IsZero() && t.clk.Sub(now, since) >= FiscalPatience && op.FiscalTries > 0 {
			gaveUp, err := t.st.Modify(op.ID, func(o *store.Operation) error {
				if o.FiscalDue() {
					o.FiscalMissing = now
				}
				return nil
			})
			if err == nil {
				t.publishEnded(Machine{Phase: Paid, Op: gaveUp, Now: now, Info: info})
			}
			return
		}
		if wait := t.clk.Sub(t.clk.Add(op.FiscalAsked, fiscalSpacing(op.FiscalTries)), now); !op.FiscalAsked.IsZero() && wait > 0 {
			if !t.fiscalPause(op.ID, wait) {
				return
			}
			continue
		}
		ctx, cancel := callContext(t.ctx, info.CallTimeout)
		f, callErr := fz.Fiscalize(ctx, op.Handle())
		cancel()
		if t.ctx.Err() != nil {
			return
		}
		at := t.clk.Now()
		var err error
		op, err = t.st.Modify(op.ID, func(o *store.Operation) error {
			if !o.FiscalDue() {
				return errFiscalSettled
			}
			o.FiscalAsked = at
			o.FiscalTries++
			if callErr != nil {
				o.FiscalError = fiscalErrorText(callErr)
				return nil
			}
			o.Fiscal, o.FiscalError = &f, ""
			return nil
		})
		if err != nil {
			// Settled meanwhile, or the file refused the write: what is
			// written stands, and the next start asks again if due.
			return
		}
		t.publishEnded(Machine{Phase: Paid, Op: op, Now: at, Info: info})
		if op.Fiscal != nil {
			return
		}
	}
}

var errFiscalSettled = errors.New("tracker: the fiscal data is no longer due")

func fiscalErrorText(err error) string {
	var pe *providers.Error
	if errors.As(err, &pe) && pe.Text != "" {
		return pe.Text
	}
	return err.Error()
}

// fiscalPause waits d on the clock, marked as quiet for tests; false when
// the tracker stopped.
func (t *Tracker) fiscalPause(id store.ID, d time.Duration) bool {
	timer := t.clk.NewTimer(d)
	t.mu.Lock()
	t.busy--
	t.fiscal[id] = t.clk.Add(t.clk.Now(), d)
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.busy++
		t.fiscal[id] = time.Time{}
		t.mu.Unlock()
	}()
	select {
	case <-timer.C:
		return true
	case <-t.ctx.Done():
		timer.Stop()
		return false
	}
}

// fiscalWaiting reports whether every fiscal ask waits for a moment still
// to come; t.mu is held.
func (t *Tracker) fiscalWaiting(now time.Time) bool {
	for _, wakeAt := range t.fiscal {
		if !wakeAt.After(now) {
			return false
		}
	}
	return true
}

// WaitFiscal waits until the till stops asking for the fiscal data of the
// payment id by itself (it came, or patience ran out), and returns the
// payment as stored then.
func (t *Tracker) WaitFiscal(ctx context.Context, id store.ID) (store.Operation, error) {
	sub := t.Subscribe()
	defer sub.Close()
	for {
		op, err := t.st.Get(id)
		if err != nil || !op.FiscalDue() {
			return op, err
		}
		t.mu.Lock()
		_, asking := t.fiscal[id]
		t.mu.Unlock()
		if !asking {
			// Due, but nobody asks (its provider is not this till's).
			return op, nil
		}
		if _, err := sub.Wait(ctx); err != nil {
			return op, err
		}
	}
}
