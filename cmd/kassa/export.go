package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
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
// that has the data file open, or from the file itself. On a till with
// people it is for whom [approval] lets export (a manager, or --user with
// --approver), and audited.
func runExport(args []string, out io.Writer) error { return runExportFrom(args, os.Stdin, out) }

func runExportFrom(args []string, in io.Reader, out io.Writer) error {
	var from, to, kind, file string
	var w who
	cfg, _, err := loadConfig("kassa", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "flag.export.from YYYY-MM-DD")
		fs.StringVar(&to, "to", "", "flag.export.to YYYY-MM-DD")
		fs.StringVar(&kind, "kind", "payments", "flag.export.kind payments|refunds")
		fs.StringVar(&file, "out", "", "flag.export.out FILE")
		bindWho(fs, &w, true)
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
	if q.From, q.To, to, err = parsePeriod(cat, from, to); err != nil {
		return err
	}
	given := file != ""
	if !given {
		file = fmt.Sprintf("kassa-%s-%s-%s.csv", kind, from, to)
	}
	if flagValue(args, "central") != "" {
		return exportCentral(cfg, args, q, kind, file, given, out)
	}
	format := common.CSVFormat(cat)
	name, rows, err := exportCSV(csvExport{
		cfg: cfg, cat: cat, who: w, in: in, out: out, file: file, given: given,
		need: func(by store.Person) bool { return cfg.Approval.Needs(store.ActionExport, by) },
		what: exportWhat(q.Kind), q: q,
		tillPath: "/export", tillQuery: url.Values{"kind": {string(q.Kind)}}, format: format,
		direct: func(st *store.Store, w io.Writer) (int, error) { return st.WriteCSV(w, q, format) },
	})
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(name)
	fmt.Fprintln(out, cat.T("cli.exported_"+kind, cat.Number(int64(rows)), abs))
	return nil
}

// csvExport is an export kassa export or kassa audit export makes: of
// what over q's period, for whom need allows, to file (given: named with
// --out), in format. The till that has the data file open writes it at
// tillPath with tillQuery; direct writes it from the file.
type csvExport struct {
	cfg       Config
	cat       *locale.Catalog
	who       who
	in        io.Reader
	out       io.Writer
	file      string
	given     bool
	need      needs
	what      string
	q         store.Query
	tillPath  string
	tillQuery url.Values
	format    any
	direct    func(*store.Store, io.Writer) (int, error)
}

// exportCSV makes e: a till that answers holds the file, so asking it
// first spares the wait for a lock that would not come, and it checks who
// asks itself; else the file is opened and who asks checked here. Either
// way the export is audited once written. It returns the file written
// and its rows.
func exportCSV(e csvExport) (string, int, error) {
	cat := e.cat
	var writeCSV func(io.Writer) (int, error)
	if hc := tillClient(e.cfg.dataFile()); hc != nil {
		ask, err := readAsk(e.who, newPINReader(e.in, e.out, cat), e.cfg.Lang)
		if err != nil {
			return "", 0, err
		}
		writeCSV = func(w io.Writer) (int, error) { return tillCSV(hc, w, e.tillPath, e.tillQuery, e.q, e.format, ask) }
	} else {
		st, err := openDataFile(e.cfg.dataFile(), cat)
		if err != nil {
			return "", 0, err // locked: a headless command, or an older kassa
		}
		defer st.Close()
		a, err := authorize(st, cat, e.who, newPINReader(e.in, e.out, cat), store.ActionExport, e.need, time.Now())
		if err != nil {
			return "", 0, err
		}
		writeCSV = func(w io.Writer) (int, error) {
			rows, err := e.direct(st, w)
			if err == nil {
				err = auditExport(st, a, e.what, e.q, time.Now())
			}
			return rows, err
		}
	}
	var rows int
	name, err := writeExport(e.file, e.given, cat, func(w io.Writer) (err error) {
		rows, err = writeCSV(w)
		return err
	})
	return name, rows, err
}

// parsePeriod reads --from and --to (default today) as YYYY-MM-DD days,
// both included, at most store.MaxPeriod of them; to comes back as used.
func parsePeriod(cat *locale.Catalog, from, to string) (first, last time.Time, toText string, err error) {
	if first, err = store.ParseDay(from); err != nil {
		return first, last, to, usageErr(cat.T("cli.bad_day", "--from", from), err)
	}
	if to == "" {
		to = time.Now().Format("2006-01-02")
	}
	if last, err = store.ParseDay(to); err != nil {
		return first, last, to, usageErr(cat.T("cli.bad_day", "--to", to), err)
	}
	var long *store.PeriodTooLongError
	switch err := (store.Query{From: first, To: last}).Validate(); {
	case errors.As(err, &long):
		return first, last, to, usageErr(cat.N("cli.export_too_long", long.Days, from, to, long.Days, long.Max), err)
	case errors.Is(err, store.ErrPeriodBackwards):
		return first, last, to, usageErr(cat.T("cli.export_backwards", from, to), err)
	case err != nil:
		return first, last, to, usageErr(err.Error(), err)
	}
	return first, last, to, nil
}

// What an export's audit entry says it exported, before the period.
const exportAudit = "audit"

func exportWhat(k store.Kind) string {
	if k == store.KindRefund {
		return "refunds"
	}
	return "payments"
}

// auditExport records an export of what over q's period by a.
func auditExport(st *store.Store, a acting, what string, q store.Query, now time.Time) error {
	return st.Audit(store.AuditEntry{At: now, Kind: store.AuditExport, Who: a.by.Name, Approver: a.approver.Name,
		Detail: what + " " + q.From.Format(time.DateOnly) + " " + q.To.Format(time.DateOnly)})
}

// readAsk reads the PINs of the people w names, the user's first, for a
// request to the till: it checks them itself.
func readAsk(w who, pins *pinReader, lang string) (tillAsk, error) {
	ask := tillAsk{lang: lang, user: w.user, approver: w.approver}
	var err error
	if w.user != "" {
		if ask.userPIN, err = pins.pinOf(w.user); err != nil {
			return ask, err
		}
	}
	if w.approver != "" {
		ask.approverPIN, err = pins.pinOf(w.approver)
	}
	return ask, err
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
	var refused *refusedByTill
	if errors.As(err, &refused) {
		return "", usageErr(refused.msg, err) // who asked, not the file
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
