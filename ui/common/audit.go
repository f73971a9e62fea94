package common

import (
	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
)

// AuditCSVFormat is the audit log's CSV in cat's language: its
// separators, the csv.audit header and the audit.kind words.
func AuditCSVFormat(cat *locale.Catalog) store.AuditCSVFormat {
	ops := CSVFormat(cat)
	f := store.AuditCSVFormat{Comma: ops.Comma, DecimalComma: ops.DecimalComma, Kinds: map[string]string{}}
	for _, col := range store.AuditCSVHeader {
		f.Header = append(f.Header, cat.T("csv.audit."+col))
	}
	for _, k := range store.AuditKinds {
		f.Kinds[k] = cat.T("audit.kind." + k)
	}
	return f
}
