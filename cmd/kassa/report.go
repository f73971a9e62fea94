package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/receipts/escpos"
	"github.com/kassa-till/kassa/receipts/printer"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// runReport is kassa report x|z|show: the shift so far (X, changes
// nothing), the shift closed (Z, stored in the data file) or a stored Z
// again. Without --out it is the paper's text on standard output; --out
// writes the totals as CSV, --print prints the paper. A Z is made before
// it is written or printed, so either failing leaves it stored, to show
// again with kassa report show --z N.
func runReport(args []string, in io.Reader, out io.Writer) error {
	what := ""
	if len(args) > 0 {
		what = args[0]
	}
	if what != "x" && what != "z" && what != "show" {
		return usageErr(catalogFor(langFlag(args)).T("report.which"), nil)
	}
	var file string
	var print bool
	var z int
	var w who
	cfg, _, err := loadConfig("kassa report "+what, args[1:], func(fs *flag.FlagSet) {
		bindWho(fs, &w, what == "z")
		fs.StringVar(&file, "out", "", "flag.report.out FILE")
		fs.BoolVar(&print, "print", false, "flag.report.print")
		if what == "show" {
			fs.IntVar(&z, "z", 0, "flag.report.z N")
		}
	})
	if err != nil {
		return err
	}
	cat := catalogFor(cfg.Lang)
	if z < 0 {
		return usageErr(cat.T("report.z_number", z), nil)
	}
	// What could refuse the output is checked before a Z closes the shift.
	var paper *reportPrinter
	if print {
		if paper, err = newReportPrinter(cfg.Printer, cat); err != nil {
			return err
		}
	}
	if file != "" {
		if _, err := freeName(file, true, cat); err != nil {
			return err
		}
	}

	books, closeBooks, err := openShiftBooks(cfg.dataFile(), cat, w, newPINReader(in, out, cat), what)
	if err != nil {
		return err
	}
	defer closeBooks()
	var sh store.Shift
	switch what {
	case "x":
		sh, err = books.XReport(time.Now())
	case "z":
		sh, err = books.CloseShift(cfg.Cashier, "", time.Now())
	case "show":
		sh, err = storedZ(books, z)
	}
	switch {
	case errors.Is(err, store.ErrNotFound) && z > 0:
		return usageErr(cat.T("report.no_z", cfg.dataFile(), z), err)
	case errors.Is(err, store.ErrNotFound):
		return usageErr(cat.T("report.none_yet", cfg.dataFile()), err)
	case err != nil:
		return booksErr(cat.T("cli.db_failed", cfg.dataFile(), err), err)
	}

	if file == "" && paper == nil {
		lines, err := receipts.ReportLines(sh, receipts.Options{Width: reportWidth(cfg.Printer), T: cat.T, Amount: cat.Amount})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(out, strings.Join(lines, "\n"))
		return err
	}
	if what == "z" {
		fmt.Fprintln(out, cat.T("report.closed", sh.Z))
	}
	if sh.Long {
		fmt.Fprintln(out, cat.T("report.long_cli"))
	}
	if file != "" {
		name, err := writeExport(file, true, cat, func(w io.Writer) error {
			return store.WriteShiftCSV(w, sh, common.ShiftCSVFormat(cat))
		})
		if err != nil {
			return err
		}
		abs, _ := filepath.Abs(name)
		fmt.Fprintln(out, cat.T("report.written", abs))
	}
	if paper != nil {
		return paper.print(sh, out)
	}
	return nil
}

// storedZ is the Z report numbered z, the last one for 0.
func storedZ(books shiftBooks, z int) (store.Shift, error) {
	if z > 0 {
		return books.ZReport(z)
	}
	last, err := books.ZReports(1)
	if err == nil && len(last) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Shift{}, err
	}
	return last[0], nil
}

// reportWidth is the paper's columns, as the printer config has them:
// 48 on 80 mm paper, 32 on 58 mm.
func reportWidth(p PrinterConfig) int {
	if prof, err := escpos.NewProfile(p.Paper); err == nil {
		return prof.Columns
	}
	return 48
}

// reportPrinter prints shift reports on the printer the config and the
// flags name, as kassa print test does.
type reportPrinter struct {
	cat     *locale.Catalog
	device  string
	dev     printer.Printer
	profile escpos.Profile
}

func newReportPrinter(cfg PrinterConfig, cat *locale.Catalog) (*reportPrinter, error) {
	if cfg.Device == "" {
		return nil, usageErr(cat.T("cli.printer_none"), nil)
	}
	prof, err := cfg.profile(cat)
	if err != nil {
		return nil, err
	}
	dev, err := printer.New(cfg.Device, printer.Options{})
	if err != nil {
		return nil, usageErr(cat.T("cli.printer_bad", err), err)
	}
	return &reportPrinter{cat: cat, device: cfg.Device, dev: dev, profile: prof}, nil
}

func (p *reportPrinter) print(sh store.Shift, out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := printReport(ctx, p.dev, p.profile, p.cat, sh); err != nil {
		fmt.Fprintln(out, p.cat.T("report.print_failed", p.device, err))
		return &exitError{code: exitNotMoved}
	}
	fmt.Fprintln(out, p.cat.T("report.printed", p.device))
	return nil
}

// printReport prints sh on dev, laid out for prof in the words of w.
func printReport(ctx context.Context, dev printer.Printer, prof escpos.Profile, w receipts.Words, sh store.Shift) error {
	doc, err := escpos.ReportDoc(sh, prof, w)
	if err != nil {
		return err
	}
	data, _, err := escpos.Bytes(prof, doc)
	if err != nil {
		return err
	}
	_, err = dev.Print(ctx, data)
	return err
}

// shiftBooks is where shift reports are read and a Z is made: the data
// file, or the till that holds it open.
type shiftBooks interface {
	XReport(at time.Time) (store.Shift, error)
	CloseShift(by, approver string, at time.Time) (store.Shift, error)
	ZReports(n int) ([]store.Shift, error)
	ZReport(z int) (store.Shift, error)
}

var _ shiftBooks = (*store.Store)(nil)

// openShiftBooks asks the till that has the data file db open, where one
// answers on its socket, else opens the file. Where the file has people,
// w says who asks, with their PINs from pins: anyone for an X report or a
// stored Z, a manager (or a cashier with a manager's approval) to close
// the shift; the Z is then theirs, whatever the config's cashier.
func openShiftBooks(db string, cat *locale.Catalog, w who, pins *pinReader, what string) (shiftBooks, func(), error) {
	if hc := tillClient(db); hc != nil {
		ask, err := readAsk(w, pins, cat.Lang)
		return tillShifts{hc, ask}, func() {}, err
	}
	st, err := openDataFile(db, cat)
	if err != nil {
		return nil, nil, err
	}
	closeBooks := func() { st.Close() }
	action, need := reportAction(what)
	a, err := authorize(st, cat, w, pins, action, need, time.Now())
	if err != nil {
		closeBooks()
		return nil, nil, err
	}
	if a.by.Name == "" {
		return st, closeBooks, nil // a till without people
	}
	return actingShifts{st, a}, closeBooks, nil
}

// reportAsker is askerMay for kassa report what.
func reportAsker(st *store.Store, w http.ResponseWriter, r *http.Request, what string) (acting, bool) {
	action, need := reportAction(what)
	return askerMay(st, w, r, action, need)
}

// reportAction is what kassa report what asks of who runs it: only a
// manager closes a shift.
func reportAction(what string) (string, needs) {
	if what == "z" {
		return store.ActionCloseShift, alwaysManager
	}
	return store.AuditXReport, nil
}

// actingShifts is the data file's shift reports as the people who signed
// in for the command make them: a Z is closed in their names.
type actingShifts struct {
	*store.Store
	a acting
}

func (b actingShifts) CloseShift(_, _ string, at time.Time) (store.Shift, error) {
	return b.Store.CloseShift(b.a.by.Name, b.a.approver.Name, at)
}

// serveReports answers shift report requests on the till's socket, at the
// till's clock:
//
//	GET  /report/x            the X report
//	POST /report/z?by=NAME&approver=NAME  the Z report: the shift closed
//	GET  /report/z?z=N        the stored Z report N
//	GET  /report/z?last=N     the newest N stored, newest first
//
// Each answers a Shift (or a list) as JSON, 404 for a Z there is not.
func serveReports(mux *http.ServeMux, st *store.Store) {
	answer := func(w http.ResponseWriter, v any, err error) {
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Told from a till too old to know the path, which says 404 too.
			w.Header().Set(headerNoZ, "1")
			http.Error(w, err.Error(), http.StatusNotFound)
		case errors.Is(err, store.ErrDamaged):
			http.Error(w, err.Error(), http.StatusConflict)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(v)
		}
	}
	mux.HandleFunc("GET /report/x", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := reportAsker(st, w, r, "x"); !ok {
			return
		}
		sh, err := st.XReport(time.Now())
		answer(w, sh, err)
	})
	mux.HandleFunc("POST /report/z", func(w http.ResponseWriter, r *http.Request) {
		a, ok := reportAsker(st, w, r, "z")
		if !ok {
			return
		}
		by, approver := r.URL.Query().Get("by"), ""
		if a.by.Name != "" {
			by, approver = a.by.Name, a.approver.Name
		}
		sh, err := st.CloseShift(by, approver, time.Now())
		answer(w, sh, err)
	})
	mux.HandleFunc("GET /report/z", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := reportAsker(st, w, r, "show"); !ok {
			return
		}
		q := r.URL.Query()
		if q.Has("last") {
			n, err := strconv.Atoi(q.Get("last"))
			if err != nil {
				http.Error(w, "bad last", http.StatusBadRequest)
				return
			}
			list, err := st.ZReports(n)
			answer(w, list, err)
			return
		}
		z, err := strconv.Atoi(q.Get("z"))
		if err != nil {
			http.Error(w, "bad z", http.StatusBadRequest)
			return
		}
		sh, err := st.ZReport(z)
		answer(w, sh, err)
	})
}

// headerNoZ marks the till's answer that there is no such Z report.
const headerNoZ = "Kassa-No-Z"

// tillShifts is shiftBooks over the socket of the till that holds the
// data file, asked by the people ask names (the till checks their PINs);
// the till's clock gives the reports' time.
type tillShifts struct {
	hc  *http.Client
	ask tillAsk
}

func (b tillShifts) XReport(time.Time) (store.Shift, error) {
	var sh store.Shift
	return sh, b.call(http.MethodGet, "/report/x", nil, &sh)
}

func (b tillShifts) CloseShift(by, approver string, _ time.Time) (store.Shift, error) {
	var sh store.Shift
	return sh, b.call(http.MethodPost, "/report/z", url.Values{"by": {by}, "approver": {approver}}, &sh)
}

func (b tillShifts) ZReports(n int) ([]store.Shift, error) {
	var list []store.Shift
	return list, b.call(http.MethodGet, "/report/z", url.Values{"last": {strconv.Itoa(n)}}, &list)
}

func (b tillShifts) ZReport(z int) (store.Shift, error) {
	var sh store.Shift
	return sh, b.call(http.MethodGet, "/report/z", url.Values{"z": {strconv.Itoa(z)}}, &sh)
}

func (b tillShifts) call(method, path string, q url.Values, v any) error {
	if q == nil {
		q = url.Values{}
	}
	q.Set("lang", b.ask.lang)
	req, err := http.NewRequest(method, "http://till"+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	b.ask.sign(req)
	resp, err := b.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
		err := fmt.Errorf("the till answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
		switch {
		case resp.Header.Get(headerRefused) != "":
			return &refusedByTill{strings.TrimSpace(string(msg))}
		case resp.StatusCode == http.StatusNotFound && resp.Header.Get(headerNoZ) != "":
			return fmt.Errorf("%w: %v", store.ErrNotFound, err)
		case resp.StatusCode == http.StatusConflict:
			return fmt.Errorf("%w: %v", store.ErrDamaged, err)
		}
		return err
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
