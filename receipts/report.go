package receipts

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// Shift report label keys ([report] in the catalogs). Provider names are
// the catalog's "provider.<name>".
const (
	ReportXTitle      = "report.x_title" // "X REPORT"
	ReportZTitle      = "report.z_title" // "Z REPORT No. %d"
	ReportNonFiscal   = "report.non_fiscal"
	ReportShift       = "report.shift" // the shift's number
	ReportTill        = "report.till"
	ReportPrevious    = "report.previous" // the previous Z's time
	ReportNoPrevious  = "report.no_previous"
	ReportFirst       = "report.first" // the first operation's time
	ReportLast        = "report.last"
	ReportAt          = "report.at" // the report's time
	ReportReceipts    = "report.receipts"
	ReportRange       = "report.range" // "%s – %s"
	ReportNoReceipts  = "report.no_receipts"
	ReportClosedBy    = "report.closed_by"
	ReportApprovedBy  = "report.approved_by"
	ReportLong        = "report.long"
	ReportWholeTill   = "report.whole_till"
	ReportCashier     = "report.cashier" // "CASHIER: %s"
	ReportNoCashier   = "report.no_cashier"
	ReportMethodQR    = "report.method_qr"
	ReportMethodCard  = "report.method_card"
	ReportMethodNone  = "report.method_none"
	ReportPayments    = "report.payments" // "Payments: %d"
	ReportRefunds     = "report.refunds"  // "Refunds: %d"
	ReportNet         = "report.net"
	ReportTotalNet    = "report.total_net"
	ReportNothing     = "report.nothing" // no payment or refund
	ReportFailed      = "report.failed"
	ReportCancelled   = "report.cancelled"
	ReportTimedOut    = "report.timed_out"
	ReportUnknown     = "report.unknown"
	ReportOpen        = "report.open"
	ReportNeedsPerson = "report.needs_person"
	ReportAudit       = "report.audit"
)

var reportKeys = []string{
	LabelTraining, ReportXTitle, ReportZTitle, ReportNonFiscal, ReportShift, ReportTill, ReportPrevious, ReportNoPrevious,
	ReportFirst, ReportLast, ReportAt, ReportReceipts, ReportRange, ReportNoReceipts, ReportClosedBy, ReportApprovedBy, ReportLong,
	ReportWholeTill, ReportCashier, ReportNoCashier, ReportMethodQR, ReportMethodCard, ReportMethodNone,
	ReportPayments, ReportRefunds, ReportNet, ReportTotalNet, ReportNothing,
	ReportFailed, ReportCancelled, ReportTimedOut, ReportUnknown, ReportOpen, ReportNeedsPerson, ReportAudit,
}

// ReportKeys lists every key ReportLines may pass to Options.T, besides
// "provider.<name>", so a catalog test can prove each language has them.
func ReportKeys() []string { return slices.Clone(reportKeys) }

// ReportLines lays a shift report (X or Z) out as lines of at most
// opts.Width columns, in the words of opts.T and the money of opts.Amount.
// Times are printed in the zone of the report's time, so a stored Z reads
// as it did when it was made.
//
// The lines go: the training banner when training; the title and the
// non-fiscal line; the shift's number (an X's), till, previous Z, first and last operation,
// the report's time, the receipts and who closed it; the warning of a long
// shift; the whole till's money by provider and method, its net in each
// currency, and its counts; the same for each cashier; the audit log's
// head when set; the non-fiscal line again and the training banner.
func ReportLines(sh store.Shift, opts Options) ([]string, error) {
	if !slices.Contains(Widths, opts.Width) {
		return nil, fmt.Errorf("receipts: width %d: use 32, 42 or 48", opts.Width)
	}
	if opts.T == nil {
		return nil, fmt.Errorf("receipts: no translator for the labels")
	}
	cs := cmp.Or(opts.Charset, UTF8)
	if !cs.known() {
		return nil, fmt.Errorf("receipts: unknown charset %q", cs)
	}
	l := layout{w: opts.Width, t: opts.T, cs: cs, tenge: tengeFor(cs, opts.TengeAs), noTenge: opts.NoTenge}
	if opts.NoTenge {
		l.tenge = cmp.Or(opts.TengeAs, "T")
	}
	money := func(m providers.Money) string {
		sym := cmp.Or(m.Currency.Symbol, m.Currency.Code)
		if opts.Amount != nil {
			return opts.Amount(m.Minor, m.Currency.Digits, m.Currency.Code, sym)
		}
		return m.Grouped() + " " + sym
	}
	when := func(t time.Time) string { return t.In(sh.At.Location()).Format(timeLayout) }

	if sh.Training {
		l.center(l.label(LabelTraining))
		l.blank()
	}
	if sh.Z > 0 {
		l.center(l.t(ReportZTitle, sh.Z))
	} else {
		l.center(l.label(ReportXTitle))
	}
	l.center(l.label(ReportNonFiscal))
	l.rule('-')
	if sh.Z == 0 { // a Z's title has the number
		l.pair(l.label(ReportShift), strconv.Itoa(sh.Number))
	}
	l.pair(l.label(ReportTill), sh.Till)
	if sh.Started.IsZero() {
		l.pair(l.label(ReportPrevious), l.label(ReportNoPrevious))
	} else {
		l.pair(l.label(ReportPrevious), when(sh.Started))
	}
	if !sh.First.IsZero() {
		l.pair(l.label(ReportFirst), when(sh.First))
		l.pair(l.label(ReportLast), when(sh.Last))
	}
	l.pair(l.label(ReportAt), when(sh.At))
	if sh.FirstReceipt == 0 {
		l.pair(l.label(ReportReceipts), l.label(ReportNoReceipts))
	} else {
		l.pair(l.label(ReportReceipts), l.t(ReportRange, sh.FirstReceipt.Receipt(), sh.LastReceipt.Receipt()))
	}
	l.pair(l.label(ReportClosedBy), sh.ClosedBy)
	if sh.ApprovedBy != "" {
		l.pair(l.label(ReportApprovedBy), sh.ApprovedBy)
	}
	if sh.Long {
		l.blank()
		l.center(l.label(ReportLong))
	}

	l.rule('=')
	l.center(l.label(ReportWholeTill))
	l.totals(sh.Total, money)
	for _, c := range sh.Cashiers {
		name := c.Cashier
		if name == "" {
			name = l.label(ReportNoCashier)
		}
		l.rule('=')
		l.center(l.t(ReportCashier, name))
		l.totals(c, money)
	}
	l.rule('=')
	l.pair(l.label(ReportAudit), sh.AuditHead)
	l.center(l.label(ReportNonFiscal))
	if sh.Training {
		l.blank()
		l.center(l.label(LabelTraining))
	}
	return l.lines, nil
}

// totals writes the money of t line by line, its net in each currency,
// and its counts.
func (l *layout) totals(t store.ShiftTotals, money func(providers.Money) string) {
	l.rule('-')
	if len(t.Lines) == 0 {
		l.center(l.label(ReportNothing))
	}
	for i, ln := range t.Lines {
		if i > 0 {
			l.blank()
		}
		l.wrapped(l.t("provider."+ln.Provider) + " · " + l.label(methodLabel(ln.Method)))
		l.pair(l.t(ReportPayments, ln.Payments), money(ln.Paid))
		l.pair(l.t(ReportRefunds, ln.Refunds), money(ln.Refunded))
		l.pair(l.label(ReportNet), money(ln.Net))
	}
	if len(t.Lines) > 0 {
		l.rule('-')
		for _, net := range t.Net() {
			l.pair(l.label(ReportTotalNet), money(net))
		}
	}
	l.rule('-')
	for _, c := range []struct {
		key string
		n   int
	}{
		{ReportFailed, t.Failed}, {ReportCancelled, t.Cancelled}, {ReportTimedOut, t.TimedOut},
		{ReportUnknown, t.Unknown}, {ReportOpen, t.Open}, {ReportNeedsPerson, t.NeedsPerson},
	} {
		l.pair(l.label(c.key), strconv.Itoa(c.n))
	}
}

// wrapped writes s from the left, wrapped at spaces to the width.
func (l *layout) wrapped(s string) { l.lines = append(l.lines, l.wrap(l.text(s))...) }

func methodLabel(m providers.Method) string {
	switch m {
	case providers.MethodQR:
		return ReportMethodQR
	case providers.MethodCard:
		return ReportMethodCard
	}
	return ReportMethodNone
}
