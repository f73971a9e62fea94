package sale

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// View draws the screen body for the current phase. The root model adds
// the header and the help line.
func (m Model) View() string {
	var parts []string
	switch m.machine.Phase {
	case Entry:
		parts = m.viewEntry()
	case Starting, Waiting:
		parts = m.viewWaiting()
	case Resolving:
		parts = m.viewResolving()
	case Paid:
		parts = m.viewPaid()
	case Declined:
		parts = m.viewDeclined()
	case NotStarted:
		parts = m.viewNotStarted()
	case Check:
		parts = m.viewCheck()
	case TimedOut:
		parts = m.viewTimedOut()
	}
	if err := m.machine.SaveErr; err != nil {
		parts = append(parts, "", m.c.Styles.Bad.Render(m.wrap(m.c.T("sale.save_failed", err.Error()))))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// width is the room for a line of text: inside a box's border and
// padding, within the root's margin, so a box fits the terminal.
func (m Model) width() int {
	w := m.c.Width - 6
	if w > 76 {
		w = 76
	}
	if w < 30 {
		w = 30
	}
	return w
}

func (m Model) wrap(s string) string { return lipgloss.NewStyle().Width(m.width()).Render(s) }

func (m Model) viewEntry() []string {
	s, mc := m.c.Styles, m.machine
	cur := mc.Info.Currency
	shown := "0"
	if mc.Input != "" {
		shown = groupInput(mc.Input)
	}
	box := s.AmountBox.Width(min(m.width(), 36)).Render(s.Amount.Render(shown + " " + cur.Symbol))
	hint := m.c.T("sale.hint_terminal")
	if mc.Info.QRShownBy == providers.DisplayTill {
		hint = m.c.T("sale.hint_till")
	}
	parts := []string{
		s.Title.Render(m.c.T("sale.title")),
		"",
		s.Label.Render(m.c.T("sale.amount_label")),
		box,
		"",
		s.Muted.Render(m.wrap(hint)),
	}
	if mc.Problem != NoProblem {
		parts = append(parts, "", s.Problem.Render(m.wrap(m.problemText(mc.Problem))))
	}
	return parts
}

func (m Model) problemText(p InputProblem) string {
	info := m.machine.Info
	switch p {
	case ProblemEmpty:
		return m.c.T("problem.empty")
	case ProblemZero:
		return m.c.T("problem.zero")
	case ProblemTooSmall:
		return m.c.T("problem.too_small", m.c.Money(info.MinAmount))
	case ProblemTooLarge:
		return m.c.T("problem.too_large", m.c.Money(info.MaxAmount))
	}
	return m.c.T("problem.format")
}

// groupInput groups what the cashier typed in thousands, keeping a
// trailing decimal point visible while they type.
func groupInput(in string) string {
	intPart, frac, dot := strings.Cut(in, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	if dot {
		b.WriteString("." + frac)
	}
	return b.String()
}

// heading is the line naming the operation in flight: "Payment 1 500 ₸ · receipt 000042".
func (m Model) heading() string {
	op := m.machine.Op
	title := m.c.T("sale.payment_of", m.c.Money(op.Amount))
	if op.Kind == store.KindRefund {
		title = m.c.T("sale.refund_of", m.c.Money(op.Amount))
	}
	line := m.c.Styles.Title.Render(title)
	if op.ID != 0 {
		line += m.c.Styles.Muted.Render("  ·  " + m.c.T("sale.receipt_no", op.Receipt()))
	}
	return line
}

func (m Model) viewWaiting() []string {
	s, mc := m.c.Styles, m.machine
	parts := []string{m.heading(), ""}
	if mc.Phase == Starting {
		return append(parts, m.spinner.View()+" "+m.kt("sale.starting"))
	}
	stage := mc.Op.Stage
	if stage == "" {
		stage = providers.StageStarting
	}
	parts = append(parts, m.spinner.View()+" "+m.kt("stage."+string(stage)))
	left, confirming := mc.TimeLeft()
	if left < 0 {
		left = 0
	}
	countdown := m.c.T("sale.left_scan", clockText(left))
	if confirming {
		countdown = m.c.T("sale.left_confirm", clockText(left))
	}
	parts = append(parts, "  "+s.Countdown.Render(countdown), "")
	if mc.Failing > 0 {
		parts = append(parts, s.Warn.Render(m.wrap(m.c.T("sale.no_answer", mc.Failing))),
			s.Muted.Render(m.wrap(m.errorText(mc.Err))), "")
	}
	if mc.Info.QRShownBy == providers.DisplayTerminal {
		parts = append(parts, s.Muted.Render(m.wrap(m.c.T("sale.cancel_on_terminal"))))
	}
	return parts
}

func (m Model) viewResolving() []string {
	s, mc := m.c.Styles, m.machine
	body := []string{
		s.Warn.Render(m.c.T("unknown.title")),
		m.wrap(m.kt("unknown.body")),
	}
	if mc.Op.Message != "" {
		body = append(body, "", m.wrap(m.c.T("sale.provider_said", mc.Op.Message)))
	}
	body = append(body, "", m.wrap(m.spinner.View()+" "+m.c.T("unknown.asking", int(mc.Info.ResolveEvery/time.Second))))
	if mc.Err != nil {
		body = append(body, s.Muted.Render(m.wrap(m.errorText(mc.Err))))
	}
	return []string{m.heading(), "", s.WarnBox.Render(lipgloss.JoinVertical(lipgloss.Left, body...))}
}

func (m Model) viewPaid() []string {
	s, op := m.c.Styles, m.machine.Op
	title := m.c.T("paid.title", m.c.Money(op.Amount))
	if op.Kind == store.KindRefund {
		title = m.c.T("paid.refund_title", m.c.Money(op.Amount))
	}
	summary := []string{s.OK.Render(title), ""}
	if op.Method != "" {
		summary = append(summary, s.Label.Render(m.c.T("paid.method"))+" "+m.c.T("receipt.method_"+string(op.Method)))
	}
	if op.TransactionID != "" {
		summary = append(summary, s.Label.Render(m.c.T("paid.transaction"))+" "+op.TransactionID)
	}
	summary = append(summary, s.Label.Render(m.c.T("paid.receipt"))+" "+op.Receipt())
	left := lipgloss.JoinVertical(lipgloss.Left, summary...)
	receipt := m.receiptView()
	// Side by side where the terminal is wide enough, one under the other
	// where it is not.
	if lipgloss.Width(left)+lipgloss.Width(receipt)+4 <= m.c.Width-2 {
		return []string{lipgloss.JoinHorizontal(lipgloss.Top, lipgloss.NewStyle().Width(lipgloss.Width(left)+4).Render(left), receipt)}
	}
	return []string{left, "", receipt}
}

func (m Model) viewDeclined() []string {
	s, op := m.c.Styles, m.machine.Op
	body := []string{s.Bad.Render(m.kt("declined.title")), m.wrap(m.kt("declined.body"))}
	if op.Message != "" {
		body = append(body, "", m.wrap(m.c.T("sale.provider_said", op.Message)))
	}
	return []string{m.heading(), "", s.BadBox.Render(lipgloss.JoinVertical(lipgloss.Left, body...))}
}

func (m Model) viewNotStarted() []string {
	s := m.c.Styles
	// Nothing moved, then why and what to do about it.
	body := []string{
		s.Bad.Render(m.kt("notstarted.title")),
		m.wrap(m.kt("notstarted.body")),
		"",
		m.wrap(m.errorText(m.machine.Err)),
	}
	return []string{m.heading(), "", s.BadBox.Render(lipgloss.JoinVertical(lipgloss.Left, body...))}
}

func (m Model) viewCheck() []string {
	s := m.c.Styles
	body := []string{s.Warn.Render(m.kt("check.title")), m.wrap(m.kt("check.body"))}
	if m.machine.Err != nil {
		body = append(body, "", s.Muted.Render(m.wrap(m.errorText(m.machine.Err))))
	}
	return []string{m.heading(), "", s.WarnBox.Render(lipgloss.JoinVertical(lipgloss.Left, body...))}
}

func (m Model) viewTimedOut() []string {
	s, mc := m.c.Styles, m.machine
	title, limit := m.c.T("timeout.scan_title"), mc.Info.ScanTimeout
	if _, confirming := mc.TimeLeft(); confirming {
		title, limit = m.c.T("timeout.confirm_title"), mc.Info.ConfirmTimeout
	}
	body := []string{s.Warn.Render(title), m.wrap(m.c.T("timeout.body", clockText(limit)))}
	return []string{m.heading(), "", s.WarnBox.Render(lipgloss.JoinVertical(lipgloss.Left, body...))}
}

// kt is T with the refund's own wording where the catalog has one
// (key + "_refund"), so one screen serves payments and refunds.
func (m Model) kt(key string, args ...any) string {
	if m.machine.Op.Kind == store.KindRefund && m.c.Cat.Has(key+"_refund") {
		return m.c.T(key+"_refund", args...)
	}
	return m.c.T(key, args...)
}

// errorText is the cashier's sentence for an error, with the provider's
// own words after it when it gave any.
func (m Model) errorText(err error) string {
	if err == nil {
		return ""
	}
	var over *store.OverRefundError
	if errors.As(err, &over) {
		return m.c.T("refund.over", m.c.Money(over.Left))
	}
	if errors.Is(err, store.ErrNotRefundable) {
		return m.c.T("refund.not_paid")
	}
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return m.c.T("error.store", err.Error())
	}
	text := m.c.T("error." + string(pe.Kind))
	switch {
	case pe.Text != "" && pe.Code != "":
		text += " " + m.c.T("error.provider_code", pe.Text, pe.Code)
	case pe.Text != "" && pe.HTTPStatus != 0:
		// Only words the provider sent are shown as its words; an error
		// with no answer carries the till's own text, which the sentence
		// above already says in the cashier's language.
		text += " " + m.c.T("error.provider_text", pe.Text)
	case pe.HTTPStatus != 0:
		text += " " + m.c.T("error.http", pe.HTTPStatus)
	}
	return text
}

// ErrorText is the cashier's sentence for an error, for commands.
func ErrorText(c *common.Common, err error) string { return Model{c: c}.errorText(err) }

// clockText shows a duration as m:ss.
func clockText(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	return fmt.Sprintf("%d:%02d", secs/60, secs%60)
}

// Title is the sale's state in a few words, for the terminal's title bar:
// a cashier who switched windows still sees that a payment is waiting.
func (m Model) Title() string {
	op := m.machine.Op
	switch m.machine.Phase {
	case Starting, Waiting:
		return m.kt("title.waiting", m.c.Money(op.Amount))
	case Resolving:
		return m.kt("title.unknown", m.c.Money(op.Amount))
	case Paid:
		return m.kt("title.paid", m.c.Money(op.Amount))
	case Declined:
		return m.kt("title.declined", m.c.Money(op.Amount))
	case NotStarted:
		return m.kt("title.notstarted", m.c.Money(op.Amount))
	case Check:
		return m.kt("title.check", m.c.Money(op.Amount))
	case TimedOut:
		return m.kt("title.timeout", m.c.Money(op.Amount))
	}
	return m.kt("title.entry")
}

// Line is the machine's state as one line of text, for `kassa pay` and
// logs: what the screen's title says, and why where it says more.
func Line(c *common.Common, mc Machine) string {
	m := Model{c: c, machine: mc}
	switch mc.Phase {
	case Entry:
		if mc.Problem != NoProblem {
			return m.problemText(mc.Problem)
		}
	case Waiting:
		stage := mc.Op.Stage
		if stage == "" {
			stage = providers.StageStarting
		}
		return m.Title() + " · " + m.kt("stage."+string(stage))
	case Resolving:
		return m.Title() + " · " + mc.Op.Message
	case Declined:
		return m.Title() + " · " + mc.Op.Message
	case NotStarted, Check:
		return m.Title() + " · " + m.errorText(mc.Err)
	}
	return m.Title()
}
