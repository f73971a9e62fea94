package common

import (
	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
)

// ShiftCSVFormat is the CSV of a shift report as a spreadsheet in the
// catalog's language reads it: the history export's separators and words,
// the [csv.report] header and the cashier column's words.
func ShiftCSVFormat(cat *locale.Catalog) store.ShiftCSVFormat {
	f := store.ShiftCSVFormat{CSVFormat: CSVFormat(cat), Till: cat.T("csv.report.till"), NoCashier: cat.T("csv.report.no_cashier")}
	for _, col := range store.ShiftCSVHeader {
		f.Header = append(f.Header, cat.T("csv.report."+col))
	}
	return f
}
