package escpos

import (
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/store"
)

// ReportDoc is a shift report (X or Z) as paper takes it: laid out for the
// profile's columns by receipts.ReportLines, in the words of the catalog
// w, and cut.
func ReportDoc(sh store.Shift, p Profile, w receipts.Words) (*Doc, error) {
	lines, err := receipts.ReportLines(sh, options(p, w))
	if err != nil {
		return nil, err
	}
	d := &Doc{}
	d.Lines(lines...)
	d.Cut()
	return d, nil
}
