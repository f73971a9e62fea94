package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// openStore opens the data file the flags name, without a POS, and the
// catalog of the language they name: for the manager's commands.
func openStore(args []string, extra ...func(*flag.FlagSet)) (*store.Store, *locale.Catalog, error) {
	cfg, _, err := loadConfig("kassa", args, extra...)
	if err != nil {
		return nil, nil, err
	}
	cat := catalogFor(cfg.Lang)
	st, err := openDataFile(cfg.dataFile(), cat)
	return st, cat, err
}

// upgrade brings a data file written by an older kassa up to date, saying
// so first: on a big file it takes a while, once.
func upgrade(st *store.Store, cat *locale.Catalog) error {
	if !st.NeedsUpgrade() {
		return nil
	}
	fmt.Fprintln(os.Stderr, cat.T("cli.upgrading", st.Path()))
	if err := st.Upgrade(); err != nil {
		st.Close()
		return err
	}
	return nil
}

// runExport writes a period's payments or refunds as CSV: through the till
// that has the data file open, or from the file itself.
func runExport(args []string, out io.Writer) error {
	var from, to, kind, file string
	cfg, _, err := loadConfig("kassa", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "first day, YYYY-MM-DD")
		fs.StringVar(&to, "to", "", "last day, YYYY-MM-DD, included; at most 35 days in all; default today")
		fs.StringVar(&kind, "kind", "payments", "payments or refunds")
		fs.StringVar(&file, "out", "", "CSV file to write; default kassa-KIND-FROM-TO.csv")
	})
	if err != nil {
		return err
	}
	cat := catalogFor(cfg.Lang)
	q := store.Query{Kind: store.KindPayment}
	switch kind {
	case "payments":
	case "refunds":
		q.Kind = store.KindRefund
	default:
		return usageErr(cat.T("cli.export_kind", kind), nil)
	}
	if q.From, err = store.ParseDay(from); err != nil {
		return usageErr(cat.T("cli.bad_day", "--from", from), err)
	}
	if to == "" {
		to = time.Now().Format("2006-01-02")
	}
	if q.To, err = store.ParseDay(to); err != nil {
		return usageErr(cat.T("cli.bad_day", "--to", to), err)
	}
	var long *store.PeriodTooLongError
	switch err := q.Validate(); {
	case errors.As(err, &long):
		return usageErr(cat.T("cli.export_too_long", from, to, long.Days, long.Max), err)
	case errors.Is(err, store.ErrPeriodBackwards):
		return usageErr(cat.T("cli.export_backwards", from, to), err)
	case err != nil:
		return usageErr(err.Error(), err)
	}

	// A till that answers holds the file: asking it first spares the wait
	// for a lock that would not come.
	writeCSV := tillExport(cfg.dataFile())
	if writeCSV == nil {
		st, err := openDataFile(cfg.dataFile(), cat)
		if err != nil {
			return err // locked: a headless command, or an older kassa
		}
		defer st.Close()
		writeCSV = st.WriteCSV
	}

	given := file != ""
	if !given {
		file = fmt.Sprintf("kassa-%s-%s-%s.csv", kind, from, to)
	}
	f, err := createExport(file, given, cat)
	if err != nil {
		return err
	}
	rows, err := writeCSV(f, q, common.CSVFormat(cat))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name()) // half a statement reads as a whole one
		return booksErr(cat.T("cli.export_failed", f.Name(), err), err)
	}
	abs, _ := filepath.Abs(f.Name())
	fmt.Fprintln(out, cat.T("cli.exported_"+kind, common.Count(rows), abs))
	return nil
}

// createExport creates the CSV file, mode 0600, never over an earlier
// one: a name given with --out that exists is refused, the default name
// becomes name-2, name-3… as the history screen's exports do.
func createExport(name string, given bool, cat *locale.Catalog) (*os.File, error) {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for n := 1; ; n++ {
		try := name
		if n > 1 {
			try = fmt.Sprintf("%s-%d%s", base, n, ext)
		}
		f, err := os.OpenFile(try, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		switch {
		case err == nil:
			return f, nil
		case errors.Is(err, fs.ErrExist) && given:
			return nil, usageErr(cat.T("cli.export_exists", name), err)
		case errors.Is(err, fs.ErrExist) && n < 1000:
			continue
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the sentence names the file
		}
		return nil, usageErr(cat.T("cli.export_create", try, err), err)
	}
}
