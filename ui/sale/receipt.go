package sale

import (
	"github.com/kassa-till/kassa/store"
)

// receiptView draws the receipt of a finished operation.
func (m Model) receiptView(op store.Operation) []string {
	if op.Cheque == nil {
		return nil
	}
	c := op.Cheque
	return []string{m.c.Styles.Receipt.Render(c.StoreName + "\n" + c.Address + "\n" + c.Amount + "\n" + c.OrderNumber + c.RRN)}
}
