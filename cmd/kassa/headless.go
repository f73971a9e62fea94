package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/octo"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/amount"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/refund"
	"github.com/kassa-till/kassa/ui/sale"
)

// errOutcome marks a run that ended without the money moving as asked;
// the line printed before it says why.
var errOutcome = errors.New("the operation did not succeed")

// runPay takes one payment without the screen: the same tracker as the
// till's, written ahead and resumable, for scripts and for the crash
// tests. Operations an earlier run left open are followed up first, so a
// payment is never started while another's outcome is unknown. On a till
// with people, --user and their PIN say who takes it.
func runPay(args []string, out io.Writer) error { return runPayFrom(args, os.Stdin, out) }

func runPayFrom(args []string, stdin io.Reader, out io.Writer) error {
	var amountText, provider, product, contact string
	var w who
	c, _, closeTill, err := openTill(args, false, func(fs *flag.FlagSet) {
		fs.StringVar(&amountText, "amount", "", "flag.pay.amount AMOUNT")
		fs.StringVar(&provider, "provider", "", "flag.pay.provider NAME")
		fs.StringVar(&product, "product", "", "flag.pay.product NAME")
		fs.StringVar(&contact, "contact", "", "flag.pay.contact PHONE")
		bindWho(fs, &w, false)
	})
	if err != nil {
		return err
	}
	defer closeTill()
	signed, err := authorize(c.Store, c.Cat, w, newPINReader(stdin, out, c.Cat), "pay", nil, c.Clock.Now())
	if err != nil {
		return err
	}
	if signed.by.Name != "" {
		c.Cashier = signed.by.Name
	}
	if _, err := recoverAll(c, out); err != nil {
		return err
	}
	in := amount.New(c.Currency()).Paste(amountText)
	a, problem := in.Value()
	if text := sale.ProblemText(c, in, problem, providers.Money{}); text != "" {
		fmt.Fprintln(out, text)
		return errUsageSaid
	}
	if provider == "" {
		fit := c.Providers.For(a)
		if len(fit) == 0 {
			m := sale.NewModel(c)
			fmt.Fprintln(out, m.Outside(a))
			return errUsageSaid
		}
		provider = fit[0].Info().Name
	}
	var details providers.Sale
	if p, ok := c.Providers.Get(provider); ok {
		if fz, ok := p.(providers.Fiscalizer); ok {
			if details, err = fiscalSale(c, fz, product, contact, out); err != nil {
				return err
			}
		}
	}
	m, err := c.Tracker.PaySale(provider, a, details, c.Cashier, c.Demo)
	if err != nil {
		return notBegun(c, m, err, out)
	}
	return finish(c, m, out)
}

// fiscalSale is what --product and --contact name, checked before
// anything is written or sent.
func fiscalSale(c *common.Common, fz providers.Fiscalizer, product, contact string, out io.Writer) (providers.Sale, error) {
	var s providers.Sale
	names := fz.Products()
	if product != "" {
		if n, err := strconv.Atoi(product); err == nil && n >= 1 && n <= len(names) {
			s.Product = names[n-1]
		} else if slices.Contains(names, product) {
			s.Product = product
		} else {
			fmt.Fprintln(out, c.T("cli.pay_product", product, len(names)))
			return s, errUsageSaid
		}
	}
	if contact != "" {
		if _, err := octo.ParseContact(contact); err != nil {
			fmt.Fprintln(out, c.T("cli.pay_contact", contact))
			return s, errUsageSaid
		}
		s.Contact = contact
	}
	return s, nil
}

// notBegun says why the tracker did not take an operation: nothing was
// sent, and where the data file could not be written, the books say so.
func notBegun(c *common.Common, m tracker.Machine, err error, out io.Writer) error {
	var busy *tracker.BusyError
	switch {
	case errors.Is(err, tracker.ErrUnknownProvider):
		fmt.Fprintln(out, err)
		return errUsageSaid
	case errors.As(err, &busy):
		fmt.Fprintln(out, c.ErrorText(err))
		return errOutcome
	case errors.Is(err, store.ErrOverRefund), errors.Is(err, store.ErrNotRefundable):
		fmt.Fprintln(out, c.ErrorText(err))
		return errOutcome
	}
	fmt.Fprintln(out, sale.Line(c, m))
	return booksErr(c.T("cli.db_failed", c.Store.Path(), err), err)
}

// finish follows a started operation to its outcome and prints its receipt.
func finish(c *common.Common, m tracker.Machine, out io.Writer) error {
	m, err := c.Tracker.Wait(context.Background(), m.Op.ID, reporter(c, out))
	if err != nil {
		return err
	}
	if m.SaveErr != nil {
		// Never reported as done when the books do not say so.
		fmt.Fprintln(out, c.T("cli.not_written", m.Op.Receipt(), m.SaveErr))
		return booksErr(c.T("cli.db_failed", c.Store.Path(), m.SaveErr), m.SaveErr)
	}
	if m.Phase != tracker.Paid {
		// A refund the provider took and follows for hours, or an
		// operation handed over, is still open: its outcome is not known.
		return outcomeErr(m.Op)
	}
	if m.Op.FiscalDue() {
		// The receipt is printed with its fiscal block, or says why not.
		fmt.Fprintln(out, c.T("cli.fiscal_waiting", m.Op.Receipt()))
		op, err := c.Tracker.WaitFiscal(context.Background(), m.Op.ID)
		if err != nil {
			return err
		}
		m.Op = op
	}
	printReceipt(c, m, out)
	if c.Printer != nil && c.Printer.Auto() {
		// The sale is done whatever the printer says: it is told, and
		// the history keeps that the receipt did not print.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := c.Printer.PrintReceipt(ctx, m.Op, false); err != nil {
			fmt.Fprintln(out, c.T("cli.not_printed", m.Op.Receipt(), c.PrinterError(err)))
		} else {
			fmt.Fprintln(out, c.T("cli.printed", m.Op.Receipt()))
		}
	}
	return nil
}

// runRefund returns money from a payment found by its receipt number or
// payment number (Kaspi orderNumber or rrn), without the screen. On a till
// with people, --user and their PIN say who refunds, and --approver with
// theirs which manager approves where [approval] asks for one.
func runRefund(args []string, out io.Writer) error { return runRefundFrom(args, os.Stdin, out) }

func runRefundFrom(args []string, stdin io.Reader, out io.Writer) error {
	var number, amountText string
	var w who
	c, cfg, closeTill, err := openTill(args, false, func(fs *flag.FlagSet) {
		fs.StringVar(&number, "payment", "", "flag.refund.payment N")
		fs.StringVar(&amountText, "amount", "", "flag.refund.amount AMOUNT")
		bindWho(fs, &w, true)
	})
	if err != nil {
		return err
	}
	defer closeTill()
	// Whether a manager must approve depends on the amount: in the till's
	// money, read before anyone's PIN is.
	typed := amount.New(c.Currency()).Paste(amountText)
	asked, problem := typed.Value()
	if text := sale.ProblemText(c, typed, problem, providers.Money{}); text != "" {
		fmt.Fprintln(out, text)
		return errUsageSaid
	}
	need := func(by store.Person) bool { return cfg.Approval.NeedsRefund(asked, by) }
	signed, err := authorize(c.Store, c.Cat, w, newPINReader(stdin, out, c.Cat), store.ActionRefund, need, c.Clock.Now())
	if err != nil {
		return err
	}
	cashier := c.Cashier
	if signed.by.Name != "" {
		cashier = signed.by.Name
	}
	if _, err := recoverAll(c, out); err != nil {
		return err
	}
	payment, err := refund.Find(c.Store, c.Providers.Names(), number)
	if err != nil {
		fmt.Fprintln(out, refund.Problem(c, err))
		return errOutcome
	}
	in := amount.New(payment.Amount.Currency).Paste(amountText)
	a, problem := in.Value()
	if text := sale.ProblemText(c, in, problem, providers.Money{}); text != "" {
		fmt.Fprintln(out, text)
		return errUsageSaid
	}
	m, err := c.Tracker.RefundApproved(payment, a, cashier, signed.approver.Name)
	if errors.Is(err, tracker.ErrRefundsNotOffered) {
		fmt.Fprintln(out, c.TFor(payment.Provider, "refund.not_offered"))
		return errOutcome
	}
	if err != nil {
		return notBegun(c, m, err, out)
	}
	return finish(c, m, out)
}

// runRecover follows up every operation an earlier run left open, says
// what came of them and exits.
func runRecover(args []string, out io.Writer) error {
	c, _, closeTill, err := openTill(args, false)
	if err != nil {
		return err
	}
	defer closeTill()
	done, err := recoverAll(c, out)
	if err != nil {
		return err
	}
	return done.report(c, out)
}

// recoverAll follows every operation an earlier run left open until none
// holds the till, and counts what came of them.
func recoverAll(c *common.Common, out io.Writer) (recovered, error) {
	var done recovered
	taken, err := c.Tracker.Resume()
	if err != nil {
		return done, booksErr(c.T("cli.db_failed", c.Store.Path(), err), err)
	}
	for _, m := range taken {
		fmt.Fprintln(out, c.T("recover.taking_up", m.Op.Receipt()))
		m, err := c.Tracker.WaitAsked(context.Background(), m.Op.ID, reporter(c, out))
		if err != nil {
			return done, err
		}
		if m.SaveErr != nil {
			fmt.Fprintln(out, c.T("cli.not_written", m.Op.Receipt(), m.SaveErr))
			return done, booksErr(c.T("cli.db_failed", c.Store.Path(), m.SaveErr), m.SaveErr)
		}
		done.add(m)
	}
	// Paid payments whose fiscal data an earlier run was still asking for.
	due, err := c.Store.FiscalDue()
	if err != nil {
		return done, booksErr(c.T("cli.db_failed", c.Store.Path(), err), err)
	}
	for _, op := range due {
		fmt.Fprintln(out, c.T("cli.fiscal_waiting", op.Receipt()))
		op, err := c.Tracker.WaitFiscal(context.Background(), op.ID)
		if err != nil {
			return done, err
		}
		switch {
		case op.Fiscal != nil:
			fmt.Fprintln(out, c.T("cli.fiscal_done", op.Receipt(), op.Fiscal.ReceiptID))
		case op.NotFiscalized():
			fmt.Fprintln(out, c.T("cli.fiscal_missing", op.Receipt()))
		}
	}
	return done, nil
}

// reporter prints a line whenever what the cashier would see changes,
// and, as kassa check does, which flag fixes a certificate the till
// refused: the line alone would blame the network.
func reporter(c *common.Common, out io.Writer) func(tracker.Machine) {
	last, lastHint := "", ""
	return func(m tracker.Machine) {
		if line := sale.Line(c, m); line != last {
			fmt.Fprintln(out, line)
			last = line
		}
		if hint := certHint(c, m.Err); hint != "" && hint != lastHint {
			fmt.Fprintln(out, hint)
			lastHint = hint
		}
	}
}

func printReceipt(c *common.Common, m tracker.Machine, out io.Writer) {
	r, err := sale.Receipt(c, m.Op)
	if err != nil {
		return
	}
	lines, err := receipts.Render(r, receipts.Options{Width: c.ReceiptWidth, T: c.T, Amount: c.Cat.Amount})
	if err != nil {
		var missing *receipts.MissingError
		if errors.As(err, &missing) {
			fmt.Fprintln(out, c.T("receipt.missing", strings.Join(missing.Fields, ", ")))
		}
		return
	}
	fmt.Fprintln(out, strings.Join(lines, "\n"))
	if f := m.Op.Fiscal; f != nil && f.QRCodeURL != "" && !m.Op.Training {
		// Where the screen draws the fiscal QR, text says its link.
		fmt.Fprintln(out, f.QRCodeURL)
	}
}
