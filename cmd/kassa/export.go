package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kassa-till/kassa/store"
)

// openStore opens the data file the flags name, without a POS: for the
// manager's commands.
func openStore(args []string, extra ...func(*flag.FlagSet)) (*store.Store, error) {
	cfg, _, err := loadConfig("kassa", args, extra...)
	if err != nil {
		return nil, err
	}
	path := cfg.DB
	if path == "" {
		path = filepath.Join(dataDir(), "kassa.db")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	st, err := store.Open(path)
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%s is open in another kassa; close that one first", path)
	}
	return st, err
}

// runExport writes a period's payments or refunds as CSV.
func runExport(args []string, out io.Writer) error {
	var from, to, kind, file string
	st, err := openStore(args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "first day, YYYY-MM-DD")
		fs.StringVar(&to, "to", "", "last day, YYYY-MM-DD, included; at most 35 days in all")
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
		return fmt.Errorf("--kind %q: use payments or refunds", kind)
	}
	if q.From, err = store.ParseDay(from); err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	if q.To, err = store.ParseDay(to); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	var long *store.PeriodTooLongError
	switch err := q.Validate(); {
	case errors.As(err, &long):
		return fmt.Errorf("%s to %s is %d days; export at most %d at a time", from, to, long.Days, long.Max)
	case errors.Is(err, store.ErrPeriodBackwards):
		return fmt.Errorf("%s to %s: the period ends before it starts", from, to)
	case err != nil:
		return err
	}
	if file == "" {
		file = fmt.Sprintf("kassa-%s-%s-%s.csv", kind, from, to)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	rows, err := st.WriteCSV(f, q)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(file) // half a statement reads as a whole one
		return err
	}
	abs, _ := filepath.Abs(file)
	fmt.Fprintf(out, "%d %s written to %s\n", rows, kind, abs)
	return nil
}
