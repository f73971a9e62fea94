package sale

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
)

// phoneDigits is how many digits follow +998 in an Uzbek phone number.
const phoneDigits = 9

// details is what a provider that registers the fiscal receipt (OCTO)
// needs of a sale after its amount: the product sold, where the shop has
// several, then the customer's phone for the fiscal receipt.
type details struct {
	provider string
	amount   providers.Money
	products []string
	// product is the chosen one's index; -1 while the cashier picks.
	product  int
	fallback string // the shop's default contact; "" means none
	phone    string // the digits typed after +998
	problem  string // a catalog key: why Enter was refused
}

// needsDetails is the details step for provider, nil when it needs none.
func (m Model) needsDetails(provider string, a providers.Money) *details {
	p, ok := m.c.Providers.Get(provider)
	if !ok {
		return nil
	}
	fz, ok := p.(providers.Fiscalizer)
	if !ok {
		return nil
	}
	d := &details{provider: provider, amount: a, products: fz.Products(), fallback: fz.DefaultContact()}
	if len(d.products) > 1 {
		d.product = -1
	}
	return d
}

// sale is what the details say, for the tracker.
func (d *details) sale(contact string) providers.Sale {
	s := providers.Sale{Contact: contact}
	if d.product >= 0 && d.product < len(d.products) {
		s.Product = d.products[d.product]
	}
	return s
}

func (m Model) keyDetails(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k, d := m.c.Keys, *m.details
	d.problem = ""
	if d.product < 0 {
		switch {
		case key.Matches(msg, k.Back):
			m.details = nil
			return m, nil
		case len(msg.Text) == 1 && msg.Text[0] >= '1' && int(msg.Text[0]-'0') <= len(d.products):
			d.product = int(msg.Text[0] - '1')
		case msg.Text != "":
			d.problem = "sale.product_pick"
		}
		m.details = &d
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Back):
		if len(d.products) > 1 {
			d.product, d.phone = -1, ""
		} else {
			m.details = nil
			return m, nil
		}
	case key.Matches(msg, k.Delete):
		if d.phone != "" {
			d.phone = d.phone[:len(d.phone)-1]
		}
	case key.Matches(msg, k.Pay):
		switch {
		case d.phone == "" && d.fallback == "":
			d.problem = "sale.phone_needed"
		case d.phone == "":
			return m.startSale(d.provider, d.amount, d.sale(""))
		case len(d.phone) != phoneDigits:
			d.problem = "sale.phone_short"
		default:
			return m.startSale(d.provider, d.amount, d.sale("+998"+d.phone))
		}
	case msg.Text != "" && msg.Mod&^(tea.ModShift) == 0:
		for _, r := range msg.Text {
			switch {
			case r == ' ' || r == '-' || r == '(' || r == ')':
				// Typed as written on a card; not part of the number.
			case r >= '0' && r <= '9' && len(d.phone) < phoneDigits:
				d.phone += string(r)
			case r >= '0' && r <= '9':
				d.problem = "sale.phone_long"
			default:
				d.problem = "sale.phone_digits"
			}
		}
	}
	m.details = &d
	return m, nil
}

// pastePhone takes a pasted number: +998 and spaces are dropped.
func (d details) pastePhone(s string) details {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "+"), "998")
	for _, r := range s {
		if r >= '0' && r <= '9' && len(d.phone) < phoneDigits {
			d.phone += string(r)
		}
	}
	return d
}

// phoneShown is the number as typed so far, grouped as Uzbek numbers are
// written: +998 90 123 45 67, with the places still to type.
func phoneShown(digits string) string {
	groups := []int{2, 3, 2, 2}
	var b strings.Builder
	b.WriteString("+998")
	i := 0
	for _, n := range groups {
		b.WriteByte(' ')
		for range n {
			if i < len(digits) {
				b.WriteByte(digits[i])
			} else {
				b.WriteString("_")
			}
			i++
		}
	}
	return b.String()
}

func (m Model) viewDetails() string {
	s, c, d := m.c.Styles, m.c, m.details
	title := s.Title.Render(c.T("sale.details_title", c.T("provider."+d.provider), c.Money(d.amount)))
	parts := []string{title, ""}
	if d.product < 0 {
		parts = append(parts, s.Label.Render(c.T("sale.product_label")))
		for i, name := range d.products {
			parts = append(parts, fmt.Sprintf("  %d  %s", i+1, name))
		}
		parts = append(parts, "", s.Muted.Render(wrap(c, c.T("sale.product_hint"))))
	} else {
		if len(d.products) > 0 {
			parts = append(parts, s.Label.Render(c.T("sale.product_chosen", d.products[d.product])), "")
		}
		parts = append(parts, s.Label.Render(c.T("sale.phone_label")),
			s.AmountBox.Width(min(textWidth(c), 36)).Render(s.Amount.Render(phoneShown(d.phone))), "")
		hint := c.T("sale.phone_hint_default", d.fallback)
		if d.fallback == "" {
			hint = c.T("sale.phone_hint")
		}
		parts = append(parts, s.Muted.Render(wrap(c, hint)))
	}
	if d.problem != "" {
		parts = append(parts, "", s.Problem.Render(wrap(c, c.T(d.problem))))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

func (m Model) detailsHelp() []key.Binding {
	k := m.c.Keys
	if m.details.product < 0 {
		return []key.Binding{k.PickProduct, k.Back, k.Quit}
	}
	return []key.Binding{k.PhoneDigits, k.Pay, k.Delete, k.Back, k.Quit}
}

// hasFiscalQR reports whether the paid operation has a fiscal receipt
// whose QR the customer may scan.
func (f Follow) hasFiscalQR() bool {
	op := f.m.Op
	return f.phase() == tracker.Paid && !op.Training && op.Fiscal != nil && op.Fiscal.QRCodeURL != ""
}

// fiscalLine says how the paid payment's fiscal receipt stands, "" where
// its provider registers none.
func (f Follow) fiscalLine() string {
	s, op := f.c.Styles, f.m.Op
	switch {
	case op.Kind != store.KindPayment || !op.FiscalWanted:
		return ""
	case op.Fiscal != nil:
		return s.OK.Render(narrow(f.c.T("sale.fiscal_done", op.Fiscal.ReceiptID)))
	case op.NotFiscalized():
		return s.Bad.Render(narrow(f.c.T("sale.fiscal_missing")))
	}
	text := f.c.T("sale.fiscal_waiting")
	if op.FiscalError != "" {
		text += " " + f.c.T("sale.fiscal_said", op.FiscalError)
	}
	return s.Warn.Render(narrow(text))
}

// fiscalPanel is what stands beside the fiscal receipt's QR.
func (f Follow) fiscalPanel(wrapP func(string) string) []string {
	s, c, op := f.c.Styles, f.c, f.m.Op
	return []string{
		s.Brand.Render(c.T("sale.fiscal_qr_title")),
		"",
		wrapP(s.Title.Render(c.T("sale.fiscal_qr_amount", c.Money(op.Amount)))),
		s.Muted.Render(c.T("sale.receipt_no", op.Receipt())),
		"",
		wrapP(c.T("sale.fiscal_qr_scan")),
	}
}

// fiscalKey refreshes the receipt when the fiscal data changes.
func fiscalKey(op store.Operation) string {
	switch {
	case op.Fiscal != nil:
		return "done"
	case op.NotFiscalized():
		return "missing"
	}
	return op.FiscalError
}
