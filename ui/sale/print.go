package sale

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
)

// printTimeout bounds one job from the screen: the printer's own
// timeouts are shorter; this is the last word.
const printTimeout = 30 * time.Second

type (
	printedMsg struct {
		op  store.Operation
		err error
	}
	slipMsg struct {
		id  store.ID
		err error
	}
)

// printCmd prints op's receipt without holding the screen.
func (f Follow) printCmd(op store.Operation, copy bool) tea.Cmd {
	print := f.c.PrintAudited(op, copy)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), printTimeout)
		defer cancel()
		stored, err := print(ctx)
		if stored.ID == 0 {
			stored = op
		}
		return printedMsg{op: stored, err: err}
	}
}

// autoPrint prints a finished operation's receipt once, by itself, where
// the till says so: a fiscal one once its fiscal data came (or never
// will), so the paper carries the fiscal block.
func (f Follow) autoPrint() (Follow, tea.Cmd) {
	op := f.m.Op
	if f.c.Printer == nil || !f.c.Printer.Auto() || f.phase() != tracker.Paid || f.printing ||
		f.autoPrinted == op.ID || !op.Printed.IsZero() || op.PrintError != "" || op.FiscalDue() {
		return f, nil
	}
	f.printing, f.autoPrinted, f.printErr = true, op.ID, nil
	return f, f.printCmd(op, false)
}

// reprint prints the receipt again: a copy once one came out.
func (f Follow) reprint() (Follow, tea.Cmd) {
	if f.c.Printer == nil || f.printing || f.phase() != tracker.Paid {
		return f, nil
	}
	f.printing, f.printErr = true, nil
	return f, f.printCmd(f.m.Op, !f.m.Op.Printed.IsZero())
}

// printSlip prints the QR the customer scans, for one who scans paper.
func (f Follow) printSlip() (Follow, tea.Cmd) {
	if f.c.Printer == nil || f.m.Op.QR == nil || f.slipping {
		return f, nil
	}
	p, op := f.c.Printer, f.m.Op
	f.slipping, f.slipErr = true, nil
	return f, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), printTimeout)
		defer cancel()
		return slipMsg{id: op.ID, err: p.PrintQR(ctx, op)}
	}
}

// printLine says how the receipt's printing stands, "" without a printer.
func (f Follow) printLine() string {
	s, c, op := f.c.Styles, f.c, f.m.Op
	switch {
	case c.Printer == nil:
		return ""
	case f.printing:
		return s.Muted.Render(narrow(c.T("sale.printing")))
	case f.printErr != nil || op.PrintError != "":
		why := op.PrintError
		if f.printErr != nil {
			why = c.PrinterError(f.printErr)
		}
		return s.Bad.Render(narrow(c.T("sale.not_printed", why)))
	case !op.Printed.IsZero():
		return s.OK.Render(narrow(c.T("sale.printed")))
	}
	return ""
}
