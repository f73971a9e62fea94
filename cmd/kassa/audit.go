package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// runAudit is kassa audit verify|export: the audit log's chain checked,
// or written out as CSV.
func runAudit(args []string, in io.Reader, out io.Writer) error {
	if len(args) == 0 || len(args[0]) > 0 && args[0][0] == '-' {
		return usageErr(catalogFor(langFlag(args)).T("audit.which"), nil)
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(args[1:], out)
	case "export":
		return runAuditExport(args[1:], in, out)
	}
	return usageErr(catalogFor(langFlag(args)).T("audit.which_not", args[0]), nil)
}

// runAuditVerify checks the audit log's chain, through the till that has
// the data file open or from the file itself: exit 0 when it holds, 4
// with its first break when it does not.
func runAuditVerify(args []string, out io.Writer) error {
	cfg, _, err := loadConfig("kassa audit verify", args)
	if err != nil {
		return err
	}
	cat, path := catalogFor(cfg.Lang), cfg.dataFile()
	v, asked, err := tillVerify(path)
	if !asked {
		var st *store.Store
		if st, err = openDataFile(path, cat); err != nil {
			return err
		}
		v.Entries, v.Broken, err = st.VerifyAudit()
		st.Close()
	}
	if err != nil {
		return booksErr(cat.T("cli.db_failed", path, err), err)
	}
	if v.Broken == nil {
		fmt.Fprintln(out, cat.N("audit.holds", v.Entries, v.Entries))
		return nil
	}
	fmt.Fprintln(out, breakText(cat, *v.Broken))
	fmt.Fprintln(out, cat.N("audit.broken_then", v.Entries, v.Entries, path))
	return &exitError{code: exitBooks} // the books cannot be taken as written
}

// breakText says where and how the audit chain does not hold.
func breakText(cat *locale.Catalog, b store.AuditBreak) string {
	reason := cat.T("audit.reason." + reasonKey(b.Reason))
	if b.At.IsZero() {
		return cat.T("audit.broken", b.Seq, reason)
	}
	return cat.T("audit.broken_at", b.Seq, b.At.Local().Format("02.01.2006 15:04:05"), reason)
}

func reasonKey(reason string) string {
	if reason == store.BreakOutOfOrder {
		return "out_of_order"
	}
	return reason
}

// runAuditExport writes a period of the audit log as CSV, for a manager:
// through the till that has the data file open, or from the file itself.
// The export is audited too.
func runAuditExport(args []string, in io.Reader, out io.Writer) error {
	var from, to, file string
	var w who
	cfg, _, err := loadConfig("kassa audit export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "flag.export.from YYYY-MM-DD")
		fs.StringVar(&to, "to", "", "flag.export.to YYYY-MM-DD")
		fs.StringVar(&file, "out", "", "flag.audit.out FILE")
		bindWho(fs, &w, true)
	})
	if err != nil {
		return err
	}
	cat := catalogFor(cfg.Lang)
	var q store.Query
	if q.From, q.To, to, err = parsePeriod(cat, from, to); err != nil {
		return err
	}
	given := file != ""
	if !given {
		file = fmt.Sprintf("kassa-audit-%s-%s.csv", from, to)
	}
	format := common.AuditCSVFormat(cat)
	name, rows, err := exportCSV(csvExport{
		cfg: cfg, cat: cat, who: w, in: in, out: out, file: file, given: given,
		need: alwaysManager, what: exportAudit, q: q,
		tillPath: "/audit/export", tillQuery: url.Values{}, format: format,
		direct: func(st *store.Store, w io.Writer) (int, error) { return st.WriteAuditCSV(w, q.From, q.To, "", format) },
	})
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(name)
	fmt.Fprintln(out, cat.T("audit.exported", cat.Number(int64(rows)), abs))
	return nil
}
