package history

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/store"
)

// View draws the screen body.
func (m Model) View() string {
	if m.detail != nil {
		return m.viewDetail()
	}
	s := m.c.Styles
	tab := func(label string, on bool) string {
		if on {
			return s.Selected.Render("[" + label + "]")
		}
		return s.Muted.Render(" " + label + " ")
	}
	q := m.query
	tabs := tab(m.c.T("history.payments"), q.Kind == store.KindPayment) + " " + tab(m.c.T("history.refunds"), q.Kind == store.KindRefund)
	method := m.c.T("history.method_all")
	if q.Method != "" {
		method = m.c.T("receipt.method_" + string(q.Method))
	}
	filters := s.Label.Render(m.c.T("history.period")) + " " + q.From.Format("02.01.2006") + " – " + q.To.Format("02.01.2006") +
		s.Label.Render("   "+m.c.T("history.method")) + " " + method +
		s.Label.Render("   "+m.c.T("history.status")) + " " + m.c.T(statusName(q.States))
	if q.Search != "" {
		filters += s.Label.Render("   "+m.c.T("history.search")) + " " + q.Search
	}
	parts := []string{tabs, filters}
	switch m.input {
	case searching:
		parts = append(parts, s.Label.Render(m.c.T("history.search_prompt"))+" "+m.text.View())
	case choosingPeriod:
		parts = append(parts, s.Label.Render(m.c.T("history.period_prompt"))+" "+m.text.View())
	}
	t := m.totals
	parts = append(parts, s.Muted.Render(m.c.T("history.totals", t.Payments, m.c.Money(t.Paid), t.Refunds, m.c.Money(t.Refunded), m.c.Money(t.Net()))), "")
	head := fmt.Sprintf("%-16s %13s  %-11s %-8s %-9s %-7s %-13s %s", m.c.T("history.col_time"), m.c.T("history.col_amount"),
		m.c.T("history.col_status"), m.c.T("history.col_method"), m.c.T("history.col_terminal"), m.c.T("history.col_receipt"),
		m.c.T("history.col_number"), m.c.T("history.col_original"))
	parts = append(parts, s.Label.Render("  "+head))
	if len(m.rows) == 0 {
		parts = append(parts, s.Muted.Render("  "+m.c.T("history.empty")))
	}
	rows := max(m.c.Height-18, 5)
	parts = append(parts, m.c.ListWindow(len(m.rows), m.cursor, rows, func(i int) string {
		r := m.rows[i]
		orig := ""
		if r.PaymentID != 0 {
			orig = r.PaymentID.Receipt()
		}
		return fmt.Sprintf("%-16s %13s  %-11s %-8s %-9s %-7s %-13s %s", r.Created.Format("02.01.2006 15:04"), m.c.Money(r.Amount),
			m.c.T("history.state."+string(r.State)), m.c.T("receipt.method_"+string(r.Method)), r.Terminal, r.Receipt(), r.Number, orig)
	})...)
	if m.message != "" {
		style := s.OK
		if m.problem {
			style = s.Problem
		}
		parts = append(parts, "", style.Width(max(min(m.c.Width-4, 100), 30)).Render(m.message))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

func (m Model) viewDetail() string {
	s, d := m.c.Styles, m.detail
	if d.err != nil {
		return s.Problem.Render(m.c.T("error.store", d.err.Error()))
	}
	op := d.op
	row := func(label, value string) string {
		if value == "" {
			return ""
		}
		return s.Label.Render(fmt.Sprintf("%-22s", m.c.T(label))) + value
	}
	lines := []string{
		s.Title.Render(m.c.T("history.detail_title", m.c.T("history.kind."+string(op.Kind)), op.Receipt())),
		"",
		row("history.d_amount", m.c.Money(op.Amount)),
		row("history.d_state", m.c.T("history.state."+string(op.State))),
		row("history.d_created", op.Created.Format("02.01.2006 15:04:05")),
		row("history.d_provider", m.c.T("provider."+op.Provider)),
		row("history.d_method", string(op.Method)),
		row("history.d_number", op.TransactionID),
		row("history.d_ref", op.Ref),
		row("history.d_message", op.Message),
		row("history.d_cashier", op.Cashier),
	}
	if op.PaymentID != 0 {
		lines = append(lines, row("history.d_original", op.PaymentID.Receipt()))
	}
	if op.Check != nil {
		lines = append(lines, row("history.d_check", op.Check.Note))
	}
	if c := op.Cheque; c != nil {
		lines = append(lines, "", s.Label.Render(m.c.T("history.d_cheque")))
		for _, kv := range [][2]string{{"storeName", c.StoreName}, {"city", c.City}, {"address", c.Address}, {"bin", c.BIN},
			{"terminalId", c.TerminalID}, {"orderNumber", c.OrderNumber}, {"rrn", c.RRN}, {"cardMask", c.CardMask}, {"icc", c.ICC},
			{"authorizationCode", c.AuthorizationCode}, {"hostResponseCode", c.HostResponseCode}, {"amount", c.Amount},
			{"date", c.Date}, {"status", c.Status}} {
			if kv[1] != "" {
				lines = append(lines, fmt.Sprintf("  %-20s %s", kv[0], kv[1]))
			}
		}
	}
	if len(d.refunds) > 0 {
		lines = append(lines, "", s.Label.Render(m.c.T("history.d_refunds")))
		for _, r := range d.refunds {
			lines = append(lines, fmt.Sprintf("  %s  %s  %12s  %s", r.Receipt(), r.Created.Format("02.01.2006 15:04"),
				m.c.Money(r.Amount), m.c.T("history.state."+string(r.State))))
		}
	}
	var kept []string
	for _, l := range lines {
		if l != "" || (len(kept) > 0 && kept[len(kept)-1] != "") {
			kept = append(kept, l)
		}
	}
	return strings.TrimRight(lipgloss.JoinVertical(lipgloss.Left, kept...), "\n")
}
