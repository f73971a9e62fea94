package sale

import (
	"errors"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/common"
)

// Receipt builds the receipt of a finished operation from what was stored.
func Receipt(c *common.Common, op store.Operation) (receipts.Receipt, error) {
	kind, err := receipts.KindFor(op.Provider, op.Kind == store.KindRefund, op.Method)
	if err != nil {
		return receipts.Receipt{}, err
	}
	shop := receipts.Shop{Name: c.Shop.Name, Address: c.Shop.Address, BIN: c.Shop.BIN}
	r := receipts.Receipt{
		Kind: kind, Number: op.Receipt(), Time: op.Finished, Shop: shop, Cashier: op.Cashier,
		Provider: c.T("provider." + op.Provider), Training: op.Training, Amount: op.Amount, Fiscal: op.Fiscal,
		Ref: op.Ref, PaymentNumber: op.PaymentNumber,
	}
	// The till's name is the first part of the operation's id.
	if till, _, ok := strings.Cut(op.OperationID, "-"); ok {
		r.Till = till
	}
	if op.Cheque != nil {
		r.Cheque = *op.Cheque
		// A till set up without shop details prints the POS's, where the
		// provider sends them (Kaspi does, UzQR does not).
		if r.Shop.Name == "" && op.Cheque.StoreName != "" {
			r.Shop = receipts.Shop{Name: op.Cheque.StoreName, Address: strings.Trim(op.Cheque.City+", "+op.Cheque.Address, ", "), BIN: op.Cheque.BIN}
		}
	}
	if op.Kind == store.KindRefund {
		r.Original = op.PaymentID.Receipt()
	}
	if op.Sale != nil {
		r.Product, r.Contact = op.Sale.Product, op.Sale.Contact
	}
	if r.Product == "" && op.Kind == store.KindPayment && c.Providers != nil {
		// A sale that named none was of the provider's first product.
		if p, ok := c.Providers.Get(op.Provider); ok {
			if fz, ok := p.(providers.Fiscalizer); ok && len(fz.Products()) > 0 {
				r.Product = fz.Products()[0]
			}
		}
	}
	r.FiscalPending, r.NotFiscalized = op.FiscalDue(), op.NotFiscalized()
	return r, nil
}

// receiptLines lays out the receipt as it will print, or says which
// mandatory field the provider did not send.
func (m Follow) receiptLines(op store.Operation) []string {
	r, err := Receipt(m.c, op)
	var lines []string
	if err == nil {
		lines, err = receipts.Render(r, receipts.Options{Width: m.c.ReceiptWidth, T: m.c.T, Amount: m.c.Cat.Amount})
	}
	var missing *receipts.MissingError
	switch {
	case errors.As(err, &missing):
		return m.problemLines(m.c.T("receipt.missing", strings.Join(missing.Fields, ", ")))
	case err != nil:
		return m.problemLines(m.c.T("receipt.missing", err.Error()))
	}
	return lines
}

func (m Follow) problemLines(s string) []string {
	return strings.Split(m.c.Styles.Bad.Render(lipgloss.NewStyle().Width(m.c.ReceiptWidth).Render(s)), "\n")
}

// syncReceipt loads the receipt of a newly finished operation into the
// scrollable box, sized to the terminal.
func (m Follow) syncReceipt() Follow {
	if m.phase() != tracker.Paid {
		m.receiptFor = 0
		return m
	}
	if m.receiptFor != m.m.Op.ID || m.receiptFiscal != fiscalKey(m.m.Op) {
		// Laid out again when the fiscal data comes: the block replaces
		// the note where it goes.
		fresh := m.receiptFor != m.m.Op.ID
		m.receipt.SetContentLines(m.receiptLines(m.m.Op))
		if fresh {
			m.receipt.GotoTop()
		}
		m.receiptFor, m.receiptFiscal = m.m.Op.ID, fiscalKey(m.m.Op)
	}
	m.receipt.SetWidth(m.c.ReceiptWidth)
	room := m.c.Height - 8
	if left := m.paidSummary(); m.stacked(left) {
		// Under the summary: what the header, the summary and the line
		// after it, the box's border, the scroll hint and the help line
		// leave.
		room = m.c.Height - 4 - lipgloss.Height(left) - 1 - 1 - 2 - 1
	}
	m.receipt.SetHeight(min(m.receipt.TotalLineCount(), max(room, 4)))
	return m
}

// receiptView draws the receipt box, with a hint when it scrolls.
func (m Follow) receiptView() string {
	box := m.c.Styles.Receipt.Render(m.receipt.View())
	if m.receipt.TotalLineCount() > m.receipt.Height() {
		box = lipgloss.JoinVertical(lipgloss.Left, box, m.c.Styles.Muted.Render(m.c.T("sale.receipt_scroll")))
	}
	return box
}
