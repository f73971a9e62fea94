package refund

import (
	"fmt"

	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// View draws the screen body.
func (m Model) View() string {
	if m.phase == choosing {
		return m.viewChoosing()
	}
	return m.viewFinding()
}

func (m Model) problemLine() []string {
	if text := m.amount.Refusal(m.c.T); text != "" && m.phase == choosing {
		return []string{"", m.c.Styles.Problem.Render(m.wrap(text))}
	}
	if m.problem == "" {
		return nil
	}
	return []string{"", m.c.Styles.Problem.Render(m.wrap(m.problem))}
}

// wrap breaks a sentence to the terminal's width, within the root's margin.
func (m Model) wrap(s string) string {
	return m.c.Wrap(s)
}

func (m Model) viewFinding() string {
	s := m.c.Styles
	parts := []string{
		s.Title.Render(m.c.T("refund.title")),
		"",
		s.Label.Render(m.wrap(m.c.TFor(m.c.Providers.First().Info().Name, "refund.number_label"))),
		m.number.View(),
	}
	parts = append(parts, m.problemLine()...)
	list, when := m.listed(), "15:04"
	if m.several != nil {
		// They may be of other days: a training file kept across runs.
		parts = append(parts, "", s.Label.Render(m.wrap(m.c.T("refund.several", m.several[0].TransactionID))))
		when = "02.01.2006 15:04"
	} else {
		parts = append(parts, "", s.Label.Render(m.wrap(m.c.T("refund.today"))))
	}
	if len(list) == 0 {
		parts = append(parts, s.Muted.Render(m.wrap(m.c.T("refund.today_none"))))
	}
	rw := common.ReceiptWidth(list)
	parts = append(parts, m.c.ListWindow(len(list), m.cursor, max(m.c.Height-16, 5), func(i int) string {
		op := list[i]
		return fmt.Sprintf("%-*s  %s  %12s  %-8s  %s", rw, op.Receipt(), op.Created.Format(when),
			m.c.Money(op.Amount), m.c.TFor(op.Provider, "receipt.method_"+string(op.Method)), op.TransactionID)
	})...)
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

func (m Model) viewChoosing() string {
	s, p := m.c.Styles, m.payment
	row := func(label, value string) string { return s.Label.Render(fmt.Sprintf("%-22s", label)) + value }
	parts := []string{
		s.Title.Render(m.c.T("refund.of_receipt", p.Receipt())),
		"",
		row(m.c.T("refund.paid_at"), p.Created.Format("02.01.2006 15:04")),
		row(m.c.T("refund.paid"), m.c.Money(p.Amount)),
		row(m.c.T("refund.method"), m.c.TFor(p.Provider, "receipt.method_"+string(p.Method))),
		row(m.c.T("refund.transaction"), p.TransactionID),
	}
	if len(m.refunds) > 0 {
		parts = append(parts, "", s.Label.Render(m.c.T("refund.earlier")))
		rw := common.ReceiptWidth(m.refunds)
		for _, r := range m.refunds {
			parts = append(parts, fmt.Sprintf("  %-*s  %s  %12s  %s", rw, r.Receipt(), r.Created.Format("02.01 15:04"),
				m.c.Money(r.Amount), m.c.T("refund.state."+refundState(r.State))))
		}
	}
	parts = append(parts, "", row(m.c.T("refund.left"), s.Amount.Render(m.c.Money(m.left))))
	if m.refundable() {
		shown := m.amount.Shown(m.c.T("number.group"), m.c.T("number.decimal"))
		parts = append(parts, "", s.Label.Render(m.c.T("refund.amount_label")),
			s.AmountBox.Width(36).Render(s.Amount.Render(shown+m.c.T("number.before_currency")+m.c.Symbol(m.left.Currency))),
			s.Muted.Render(m.wrap(m.c.TFor(p.Provider, "refund.hint_"+string(p.Method)))))
	}
	parts = append(parts, m.problemLine()...)
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// refundState groups a refund's state into what a cashier needs to know.
func refundState(s store.State) string {
	switch s {
	case store.StateSuccess:
		return "done"
	case store.StateFailed, store.StateRefused:
		return "failed"
	case store.StateUnknown, store.StateNeedsCheck, store.StateTimeout, store.StateCreated:
		return "unknown"
	}
	return "pending"
}

// Title is the screen's state for the terminal's title bar.
func (m Model) Title() string {
	if m.phase == choosing {
		return m.c.T("title.refund_choose", m.payment.Receipt())
	}
	if m.several != nil {
		return m.c.N("title.refund_several", len(m.several), len(m.several), m.several[0].TransactionID)
	}
	return m.c.T("title.refund_find", len(m.today))
}
