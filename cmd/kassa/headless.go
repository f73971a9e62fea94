package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/refund"
	"github.com/kassa-till/kassa/ui/sale"
)

// errOutcome marks a run that ended without the money moving as asked;
// the line printed before it says why.
var errOutcome = errors.New("the operation did not succeed")

// runPay takes one payment without the screen: the same workflow, written
// ahead and resumable, for scripts and for the crash tests. Operations an
// earlier run left open are followed up first, so a payment is never
// started while another's outcome is unknown.
func runPay(args []string, out io.Writer) error {
	var amount string
	c, _, closeTill, err := openTill(args, false, func(fs *flag.FlagSet) {
		fs.StringVar(&amount, "amount", "", "amount to take, in tenge")
	})
	if err != nil {
		return err
	}
	defer closeTill()
	if err := recoverAll(c, out); err != nil {
		return err
	}
	info := c.Provider.Info()
	m := sale.New(info, c.Cashier, c.Demo)
	for _, r := range amount {
		m = m.Type(r)
	}
	m, eff := m.Submit(c.Clock.Now())
	if m.Phase == sale.Entry {
		fmt.Fprintln(out, sale.Line(c, m))
		return errOutcome
	}
	return finish(c, m, eff, out)
}

// finish runs a started operation to its outcome and prints its receipt.
func finish(c *common.Common, m sale.Machine, eff []sale.Effect, out io.Writer) error {
	m = sale.Drive(m, eff, runner(c), reporter(c, out))
	if m.Phase != sale.Paid {
		return errOutcome
	}
	printReceipt(c, m, out)
	return nil
}

// runRefund returns money from a payment found by its receipt number or
// payment number (Kaspi orderNumber or rrn), without the screen.
func runRefund(args []string, out io.Writer) error {
	var number, amount string
	c, _, closeTill, err := openTill(args, false, func(fs *flag.FlagSet) {
		fs.StringVar(&number, "payment", "", "receipt number or payment number of the payment")
		fs.StringVar(&amount, "amount", "", "amount to refund, in tenge")
	})
	if err != nil {
		return err
	}
	defer closeTill()
	if err := recoverAll(c, out); err != nil {
		return err
	}
	payment, err := refund.Find(c.Store, c.Provider.Info().Name, number)
	if err != nil {
		fmt.Fprintln(out, refund.Problem(c, err))
		return errOutcome
	}
	a, err := providers.ParseMajor(amount, payment.Amount.Currency)
	if err != nil || a.Minor <= 0 {
		fmt.Fprintln(out, c.T("problem.format"))
		return errOutcome
	}
	m, eff := sale.New(c.Provider.Info(), c.Cashier, c.Demo).SubmitRefund(payment, a, c.Clock.Now())
	return finish(c, m, eff, out)
}

// runRecover follows up every operation an earlier run left open and exits.
func runRecover(args []string, out io.Writer) error {
	c, _, closeTill, err := openTill(args, false)
	if err != nil {
		return err
	}
	defer closeTill()
	return recoverAll(c, out)
}

func recoverAll(c *common.Common, out io.Writer) error {
	ops, err := c.Store.Unfinished()
	if err != nil {
		return err
	}
	for _, op := range ops {
		if !sale.Recoverable(op) || op.Provider != c.Provider.Info().Name {
			continue
		}
		fmt.Fprintln(out, c.T("recover.taking_up", op.Receipt()))
		m, eff := sale.New(c.Provider.Info(), c.Cashier, c.Demo).Resume(op, c.Clock.Now())
		sale.Drive(m, eff, runner(c), reporter(c, out))
	}
	return nil
}

func runner(c *common.Common) sale.Runner {
	return sale.Runner{Store: c.Store, Provider: c.Provider, Clock: c.Clock}
}

// reporter prints a line whenever what the cashier would see changes.
func reporter(c *common.Common, out io.Writer) func(sale.Machine) {
	last := ""
	return func(m sale.Machine) {
		if line := sale.Line(c, m); line != last {
			fmt.Fprintln(out, line)
			last = line
		}
	}
}

func printReceipt(c *common.Common, m sale.Machine, out io.Writer) {
	r, err := sale.NewModel(c).Receipt(m.Op)
	if err != nil {
		return
	}
	lines, err := receipts.Render(r, receipts.Options{Width: c.ReceiptWidth, T: c.T})
	if err != nil {
		var missing *receipts.MissingError
		if errors.As(err, &missing) {
			fmt.Fprintln(out, c.T("receipt.missing", strings.Join(missing.Fields, ", ")))
		}
		return
	}
	fmt.Fprintln(out, strings.Join(lines, "\n"))
}
