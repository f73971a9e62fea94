package sale

import (
	"fmt"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/amount"
	"github.com/kassa-till/kassa/ui/common"
)

// textWidth is how wide the screen's sentences are: the terminal less the
// margins and a box's border and padding, at most 76.
func textWidth(c *common.Common) int { return min(max(c.Width-6, 30), 76) }

// narrow wraps a line of the paid summary, which the receipt stands beside.
func narrow(s string) string { return lipgloss.NewStyle().Width(36).Render(s) }

func wrap(c *common.Common, s string) string {
	return lipgloss.NewStyle().Width(textWidth(c)).Render(s)
}

// View draws the amount entry, or the list of methods the amount fits.
func (m Model) View() string {
	s, c := m.c.Styles, m.c
	if m.details != nil {
		return m.viewDetails()
	}
	if m.choices != nil {
		parts := []string{s.Title.Render(c.T("sale.choose_title", c.Money(m.amount))), ""}
		for i, p := range m.choices {
			line := fmt.Sprintf("%d  %s", i+1, c.T("provider."+p.Info().Name))
			if i == m.cursor {
				line = s.Selected.Render("▸ " + line)
			} else {
				line = "  " + line
			}
			parts = append(parts, line)
		}
		return lipgloss.JoinVertical(lipgloss.Left, append(parts, "", s.Muted.Render(wrap(c, c.T("sale.choose_hint"))))...)
	}
	box := s.AmountBox.Width(min(textWidth(c), 36)).Render(s.Amount.Render(m.input.Shown(c.T("number.group"), c.T("number.decimal")) + c.T("number.before_currency") + c.Symbol(c.Currency())))
	hint := c.T("sale.hint_terminal")
	if len(c.Providers.All()) > 1 {
		hint = c.T("sale.hint_choose")
	} else if c.Providers.First().Info().QRShownBy == providers.DisplayTill {
		hint = c.T("sale.hint_till")
	}
	parts := []string{
		s.Title.Render(c.T("sale.title")),
		"",
		s.Label.Render(c.T("sale.amount_label")),
		box,
		"",
		s.Muted.Render(wrap(c, hint)),
	}
	if text := m.problemText(); text != "" {
		parts = append(parts, "", s.Problem.Render(wrap(c, text)))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// problemText is why the last key was refused or the amount cannot be
// sent, "" when nothing is wrong.
func (m Model) problemText() string {
	return ProblemText(m.c, m.input, m.problem, m.limit)
}

// ProblemText is the cashier's sentence for an amount problem: the input's
// own (a key it refused), else the one found at Enter.
func ProblemText(c *common.Common, in amount.Input, p amount.Problem, limit providers.Money) string {
	if text := in.Refusal(c.T); text != "" {
		if in.Refusing() {
			text += " " + c.T("problem.take_back")
		}
		return text
	}
	switch {
	case p == amount.TooSmall || p == amount.TooLarge:
		return c.T(p.Key(), c.Money(limit))
	case p != amount.NoProblem:
		return c.T(p.Key())
	}
	return ""
}

// View draws the operation for its phase. The root adds the header and
// the help line.
func (f Follow) View() string {
	if f.showsQR() {
		return f.viewQR()
	}
	var parts []string
	switch f.phase() {
	case tracker.Starting, tracker.Waiting, tracker.Cancelling:
		parts = f.viewWaiting()
	case tracker.Resolving:
		parts = f.viewResolving()
	case tracker.Paid:
		parts = f.viewPaid()
	case tracker.Declined:
		parts = f.viewDeclined()
	case tracker.NotStarted:
		parts = f.viewNotStarted()
	case tracker.Check:
		parts = f.viewCheck()
	case tracker.TimedOut:
		parts = f.viewTimedOut()
	case tracker.Cancelled:
		parts = f.viewCancelled()
	}
	s := f.c.Styles
	switch {
	case f.m.Background && f.m.Phase.Busy() && !f.m.Op.GaveUp.IsZero():
		closes := ""
		if qr := f.m.Op.QR; qr != nil && !qr.Expires.IsZero() {
			closes = qr.Expires.Local().Format("15:04")
		}
		parts = append(parts, "", s.Warn.Render(f.wrap(f.kt("sale.gave_up", closes))))
	case f.m.Background && f.m.Phase.Busy():
		parts = append(parts, "", s.OK.Render(f.wrap(f.kt("sale.background"))))
	}
	if f.askErr != nil {
		parts = append(parts, "", s.Bad.Render(f.wrap(f.c.T("sale.ask_refused", f.errorText(f.askErr)))))
	}
	if err := f.m.SaveErr; err != nil {
		parts = append(parts, "", s.Bad.Render(f.wrap(f.c.T("sale.save_failed", err.Error()))))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

func (f Follow) wrap(s string) string { return wrap(f.c, s) }

// heading is the line naming the operation: "Payment of 1 500 ₸ · receipt 000042".
func (f Follow) heading() string {
	title := f.c.T("sale.payment_of", f.c.Money(f.amount))
	if f.kind == store.KindRefund {
		title = f.c.T("sale.refund_of", f.c.Money(f.amount))
	}
	line := f.c.Styles.Title.Render(title)
	if f.m.Op.ID != 0 {
		line += f.c.Styles.Muted.Render("  ·  " + f.c.T("sale.receipt_no", f.m.Op.Receipt()))
	}
	return line
}

func (f Follow) viewWaiting() []string {
	s, m := f.c.Styles, f.m
	parts := []string{f.heading(), ""}
	if f.phase() == tracker.Starting {
		return append(parts, f.spinner.View()+" "+f.kt("sale.starting"))
	}
	if m.Phase == tracker.Cancelling {
		key := "sale.cancelling"
		if m.Expired {
			key = "sale.expiring"
		}
		parts = append(parts, f.spinner.View()+" "+f.kt(key))
	} else {
		stage := m.Op.Stage
		if stage == "" {
			stage = providers.StageStarting
		}
		parts = append(parts, f.spinner.View()+" "+f.kt("stage."+string(stage)))
	}
	if !m.Background && m.Phase == tracker.Waiting {
		if countdown := f.countdown(); countdown != "" {
			parts = append(parts, "  "+s.Countdown.Render(countdown))
		}
	}
	parts = append(parts, "")
	if late := f.qrLate(); late > 0 {
		parts = append(parts, s.Warn.Render(f.wrap(f.kt("sale.no_qr", clockText(late)))), "")
	}
	if m.Failing > 0 {
		parts = append(parts, s.Warn.Render(f.wrap(f.kn("sale.no_answer", m.Failing, m.Failing))),
			s.Muted.Render(f.wrap(f.errorText(m.Err))), "")
	}
	if f.info().QRShownBy == providers.DisplayTerminal && m.Phase == tracker.Waiting && !m.Background {
		parts = append(parts, s.Muted.Render(f.wrap(f.c.T("sale.cancel_on_terminal"))))
	}
	return parts
}

// noQRAfter is how long a QR that comes by callback may take before the
// screen says it has not come: the Gate sends it within a second or two.
const noQRAfter = 20 * time.Second

// qrLate is how long the till has waited for a QR the provider sends
// after the start (Monetix, by callback), once that is past noQRAfter;
// 0 while it is not late, or has come.
func (f Follow) qrLate() time.Duration {
	m := f.m
	if m.Phase != tracker.Waiting || m.Background || f.info().QRShownBy != providers.DisplayTill ||
		m.Op.QR != nil && m.Op.QR.Payload != "" || m.Op.Created.IsZero() {
		return 0
	}
	if waited := later(f.now, m.Now).Sub(m.Op.Created); waited >= noQRAfter {
		return waited
	}
	return 0
}

// countdown is the time the customer has left, "" where none applies.
func (f Follow) countdown() string {
	left, confirming := f.m.TimeLeft(later(f.now, f.m.Now))
	if !f.m.HasDeadline() {
		return ""
	}
	left = max(left, 0)
	if confirming {
		return f.c.T("sale.left_confirm", clockText(left))
	}
	return f.c.T("sale.left_scan", clockText(left))
}

func (f Follow) viewResolving() []string {
	s, m := f.c.Styles, f.m
	body := []string{
		s.Warn.Render(f.kt("unknown.title")),
		f.wrap(f.kt("unknown.body")),
	}
	if m.Op.Message != "" {
		body = append(body, "", f.wrap(f.kt("sale.provider_said", m.Op.Message)))
	}
	body = append(body, "", f.wrap(f.spinner.View()+" "+f.kt("unknown.asking", int(m.Info.ResolveEvery/time.Second))))
	if m.Err != nil {
		body = append(body, s.Muted.Render(f.wrap(f.errorText(m.Err))))
	}
	return []string{f.heading(), "", f.box(s.WarnBox, body)}
}

// box draws a result box no wider than the terminal: the border and the
// padding take four columns beside the text.
func (f Follow) box(style lipgloss.Style, body []string) string {
	return style.Render(lipgloss.JoinVertical(lipgloss.Left, body...))
}

// paidSummary is what stands beside (or above) the receipt once paid.
func (f Follow) paidSummary() string {
	s, op := f.c.Styles, f.m.Op
	title := f.c.T("paid.title", f.c.Money(op.Amount))
	if op.Kind == store.KindRefund {
		title = f.c.T("paid.refund_title", f.c.Money(op.Amount))
	}
	summary := []string{s.OK.Render(title), ""}
	if op.Method != "" {
		summary = append(summary, s.Label.Render(f.c.T("paid.method"))+" "+f.c.TFor(op.Provider, "receipt.method_"+string(op.Method)))
	}
	if op.TransactionID != "" {
		summary = append(summary, s.Label.Render(f.c.T("paid.transaction"))+" "+op.TransactionID)
	}
	summary = append(summary, s.Label.Render(f.c.T("paid.receipt"))+" "+op.Receipt())
	if link := f.linkView(); link != "" {
		summary = append(summary, "", link)
	}
	if line := f.fiscalLine(); line != "" {
		summary = append(summary, "", line)
	}
	if line := f.printLine(); line != "" {
		summary = append(summary, "", line)
	}
	if f.hasFiscalQR() {
		summary = append(summary, s.Muted.Render(narrow(f.c.T("sale.fiscal_qr_hint"))))
	}
	return lipgloss.JoinVertical(lipgloss.Left, summary...)
}

// stacked reports whether the receipt goes under the summary: the
// terminal is too narrow for both side by side.
func (f Follow) stacked(left string) bool {
	return lipgloss.Width(left)+f.c.ReceiptWidth+4+4 > f.c.Width-2
}

func (f Follow) viewPaid() []string {
	left := f.paidSummary()
	receipt := f.receiptView()
	if !f.stacked(left) {
		return []string{lipgloss.JoinHorizontal(lipgloss.Top, lipgloss.NewStyle().Width(lipgloss.Width(left)+4).Render(left), receipt)}
	}
	return []string{left, "", receipt}
}

// linkView is the fiscal receipt's link: being typed, kept, or offered.
func (f Follow) linkView() string {
	s, op := f.c.Styles, f.m.Op
	switch {
	case f.linking:
		line := s.Label.Render(f.c.T("sale.link_label")) + "\n" + f.link.View()
		if f.linkErr != nil {
			line += "\n" + s.Bad.Render(f.wrap(f.c.T("sale.link_failed", f.errorText(f.linkErr))))
		}
		return line
	case !op.ReceiptLinked.IsZero():
		return s.OK.Render(f.c.T("sale.linked"))
	case op.ReceiptURL != "":
		return s.Warn.Render(narrow(f.c.T("sale.link_kept", f.errorText(f.linkErr))))
	case f.canLink():
		return s.Muted.Render(narrow(f.c.T("sale.link_hint")))
	}
	return ""
}

func (f Follow) viewDeclined() []string {
	s, op := f.c.Styles, f.m.Op
	body := []string{s.Bad.Render(f.kt("declined.title")), f.wrap(f.kt("declined.body"))}
	if op.Message != "" {
		body = append(body, "", f.wrap(f.kt("sale.provider_said", op.Message)))
	}
	return []string{f.heading(), "", f.box(s.BadBox, body)}
}

func (f Follow) viewNotStarted() []string {
	s := f.c.Styles
	// Nothing moved, then why and what to do about it.
	body := []string{
		s.Bad.Render(f.kt("notstarted.title")),
		f.wrap(f.kt("notstarted.body")),
		"",
		f.wrap(f.errorText(f.m.Err)),
	}
	return []string{f.heading(), "", f.box(s.BadBox, body)}
}

func (f Follow) viewCheck() []string {
	s := f.c.Styles
	body := []string{s.Warn.Render(f.kt("check.title")), f.wrap(f.kt("check.body"))}
	if f.m.Err != nil {
		body = append(body, "", s.Muted.Render(f.wrap(f.errorText(f.m.Err))))
	}
	return []string{f.heading(), "", f.box(s.WarnBox, body)}
}

func (f Follow) viewTimedOut() []string {
	s, m := f.c.Styles, f.m
	if m.Expired {
		body := []string{s.Warn.Render(f.kt("timeout.expired_title")), f.wrap(f.kt("timeout.expired_body", clockText(m.Info.ScanTimeout)))}
		return []string{f.heading(), "", f.box(s.WarnBox, body)}
	}
	title, limit := f.c.T("timeout.scan_title"), m.Info.ScanTimeout
	if _, confirming := m.TimeLeft(m.Now); confirming {
		title, limit = f.c.T("timeout.confirm_title"), m.Info.ConfirmTimeout
	}
	body := []string{s.Warn.Render(title), f.wrap(f.kt("timeout.body", clockText(limit)))}
	return []string{f.heading(), "", f.box(s.WarnBox, body)}
}

func (f Follow) viewCancelled() []string {
	s := f.c.Styles
	body := []string{s.Warn.Render(f.kt("cancelled.title")), f.wrap(f.kt("cancelled.body"))}
	return []string{f.heading(), "", f.box(s.WarnBox, body)}
}

// errorText is the cashier's sentence for an error, in the provider's
// words where it has them.
func (f Follow) errorText(err error) string { return f.c.ErrorFor(f.provider, err) }

// clockText shows a duration as m:ss.
func clockText(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	return fmt.Sprintf("%d:%02d", secs/60, secs%60)
}

// Line is the operation's state as one line of text, for `kassa pay` and
// logs: what the screen's title says, and why where it says more.
func Line(c *common.Common, m tracker.Machine) string {
	f := newFollow(c, m.Op.Kind, m.Op.Provider, m.Op.Amount)
	f.m, f.begun = m, true
	switch m.Phase {
	case tracker.Waiting, tracker.Resolving, tracker.Cancelling:
		// Said once, not at every try: the line stays until an answer.
		if m.Failing > 0 {
			return f.Title() + " · " + f.kt("sale.silent_since", m.FailingSince.Format("15:04:05"))
		}
	}
	switch m.Phase {
	case tracker.Waiting:
		stage := m.Op.Stage
		if stage == "" {
			stage = providers.StageStarting
		}
		return f.Title() + " · " + f.kt("stage."+string(stage))
	case tracker.Resolving, tracker.Declined:
		return f.Title() + " · " + m.Op.Message
	case tracker.NotStarted, tracker.Check:
		return f.Title() + " · " + f.errorText(m.Err)
	}
	return f.Title()
}
