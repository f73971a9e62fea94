package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	cat, err := locale.Load(cfg.Lang)
	if err != nil {
		return nil, nil, err
	}
	path := cfg.DB
	if path == "" {
		path = filepath.Join(dataDir(), "kassa.db")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, err
	}
	st, err := store.Open(path)
	if errors.Is(err, store.ErrLocked) {
		return nil, nil, errors.New(cat.T("cli.locked", path))
	}
	if err == nil {
		err = upgrade(st, cat)
	}
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

// runExport writes a period's payments or refunds as CSV.
func runExport(args []string, out io.Writer) error {
	var from, to, kind, file string
	st, cat, err := openStore(args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "first day, YYYY-MM-DD")
		fs.StringVar(&to, "to", "", "last day, YYYY-MM-DD, included; at most 35 days in all; default today")
		fs.StringVar(&kind, "kind", "payments", "payments or refunds")
		fs.StringVar(&file, "out", "", "CSV file to write; default kassa-KIND-FROM-TO.csv")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	q := store.Query{Kind: store.KindPayment}
	switch kind {
	case "payments":
	case "refunds":
		q.Kind = store.KindRefund
	default:
		return errors.New(cat.T("cli.export_kind", kind))
	}
	if q.From, err = store.ParseDay(from); err != nil {
		return errors.New(cat.T("cli.bad_day", "--from", from))
	}
	if to == "" {
		to = time.Now().Format("2006-01-02")
	}
	if q.To, err = store.ParseDay(to); err != nil {
		return errors.New(cat.T("cli.bad_day", "--to", to))
	}
	var long *store.PeriodTooLongError
	switch err := q.Validate(); {
	case errors.As(err, &long):
		return errors.New(cat.T("cli.export_too_long", from, to, long.Days, long.Max))
	case errors.Is(err, store.ErrPeriodBackwards):
		return errors.New(cat.T("cli.export_backwards", from, to))
	case err != nil:
		return err
	}
	if file == "" {
		file = fmt.Sprintf("kassa-%s-%s-%s.csv", kind, from, to)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	rows, err := st.WriteCSV(f, q, common.CSVFormat(cat))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(file) // half a statement reads as a whole one
		return err
	}
	abs, _ := filepath.Abs(file)
	fmt.Fprintln(out, cat.T("cli.exported_"+kind, common.Count(rows), abs))
	return nil
}
