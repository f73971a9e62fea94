package store

import (
	"encoding/csv"
	"io"

	"github.com/kassa-till/kassa/providers"
)

// Start writes the byte-order mark and the header of an export in f
// (labels where there is one for each of the codes) and returns the
// writer of its rows: for an export written from elsewhere (the chain's,
// package central) that reads as the till's own.
func (f CSVFormat) Start(w io.Writer, codes, labels []string) (*csv.Writer, error) {
	return f.start(w, codes, labels)
}

// Record is r as a row of the till's export in f, the columns of
// CSVHeader, with fiscal its registered fiscal receipt.
func (f CSVFormat) Record(r Row, fiscal providers.Fiscal) []string {
	record := make([]string, len(CSVHeader))
	csvRecord(record, r, fiscal, f)
	return record
}
