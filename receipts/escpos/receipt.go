package escpos

import (
	"github.com/kassa-till/kassa/receipts"
)

// ReceiptDoc is a receipt as paper takes it: laid out for the profile's
// columns by receipts.Render (every mandatory field, TRAINING at both ends
// in training), with copyLabel as a heading at both ends of a reprint, the
// fiscal receipt's QR after its block, and the cut, in the words of the
// catalog w.
func ReceiptDoc(r receipts.Receipt, p Profile, w receipts.Words, copyLabel string) (*Doc, error) {
	lines, err := receipts.Render(r, options(p, w))
	if err != nil {
		return nil, err
	}
	d := &Doc{}
	if copyLabel != "" {
		d.Heading(copyLabel)
	}
	d.Lines(lines...)
	if f := r.Fiscal; f != nil && f.QRCodeURL != "" && !r.Training {
		d.QR(f.QRCodeURL)
	}
	if copyLabel != "" {
		d.Heading(copyLabel)
	}
	d.Cut()
	return d, nil
}

// options lay text out for the profile in the words of w. In text mode
// no code page has ₸: the shop's word replaces it before layout, so
// "тенге" is measured, not squeezed in after.
func options(p Profile, w receipts.Words) receipts.Options {
	return receipts.Options{Width: p.Columns, T: w.T, Amount: w.Amount, TengeAs: p.Tenge, NoTenge: p.Mode == Text}
}

// QRSlip is a slip with the customer's QR to scan from paper: who is paid,
// the amount, the QR and what to do, each line already in the reader's
// words.
func QRSlip(p Profile, heading string, lines []string, payload string, foot string) *Doc {
	d := &Doc{}
	d.Heading(heading)
	for _, l := range lines {
		d.Styled(l, Style{Align: Center})
	}
	d.QR(payload)
	if foot != "" {
		d.Styled(foot, Style{Align: Center})
	}
	d.Cut()
	return d
}
