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
		fs.StringVar(&from, "from", "", "flag.export.from YYYY-MM-DD")
		fs.StringVar(&to, "to", "", "flag.export.to YYYY-MM-DD")
		fs.StringVar(&kind, "kind", "payments", "flag.export.kind payments|refunds")
		fs.StringVar(&file, "out", "", "flag.export.out FILE")
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
		return usageErr(cat.N("cli.export_too_long", long.Days, from, to, long.Days, long.Max), err)
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
	var rows int
	name, err := writeExport(file, given, cat, func(w io.Writer) (err error) {
		rows, err = writeCSV(w, q, common.CSVFormat(cat))
		return err
	})
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(name)
	fmt.Fprintln(out, cat.T("cli.exported_"+kind, cat.Number(int64(rows)), abs))
	return nil
}

// writeExport writes the CSV file, mode 0600, and returns its name. It
// never goes over an earlier file: a name given with --out that exists is
// refused, the default name becomes name-2, name-3… as the history
// screen's exports do. The rows go to a temporary file beside it, put in
// place only once complete, so an export that fails or is killed leaves no
// half a statement that reads as a whole one.
func writeExport(name string, given bool, cat *locale.Catalog, write func(io.Writer) error) (string, error) {
	name, err := freeName(name, given, cat)
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp") // 0600
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the sentence names the file
		}
		return "", usageErr(cat.T("cli.export_create", name, err), err)
	}
	defer os.Remove(tmp.Name()) // gone once placed; gone too if it failed
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", booksErr(cat.T("cli.export_failed", name, err), err)
	}
	for {
		err = place(tmp.Name(), name)
		if !errors.Is(err, fs.ErrExist) || given {
			break
		}
		// Taken meanwhile: the next free default name.
		if name, err = freeName(name, false, cat); err != nil {
			return "", err
		}
	}
	switch {
	case errors.Is(err, fs.ErrExist):
		return "", usageErr(cat.T("cli.export_exists", name), err)
	case err != nil:
		return "", booksErr(cat.T("cli.export_failed", name, err), err)
	}
	return name, nil
}

// freeName is name if no file has it, else for a default name the first
// name-N that is free; a given name that exists is refused.
func freeName(name string, given bool, cat *locale.Catalog) (string, error) {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for n := 1; n < 1000; n++ {
		try := name
		if n > 1 {
			try = fmt.Sprintf("%s-%d%s", base, n, ext)
		}
		_, err := os.Lstat(try)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return try, nil
		case err == nil && given:
			return "", usageErr(cat.T("cli.export_exists", name), fs.ErrExist)
		case err != nil:
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return "", usageErr(cat.T("cli.export_create", try, err), err)
		}
	}
	return "", usageErr(cat.T("cli.export_exists", name), fs.ErrExist)
}

// place puts the finished file tmp at name without ever replacing a file:
// a hard link fails on a name that exists, where a rename would overwrite
// it. Where links cannot be made (FAT on a USB stick), the name is taken
// first with O_EXCL and tmp renamed over that empty file, which is ours.
func place(tmp, name string) error {
	err := os.Link(tmp, name)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}
