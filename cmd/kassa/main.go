// Command kassa is a keyboard-only cash register for QR and card payments.
//
//	kassa                       the till; with no config and no --kaspi-url, the demo
//	kassa demo                  the till on a built-in Smart POS simulator and a demo data file
//	kassa sim kaspi --listen A  a Smart POS simulator on its own, for trying a till against
//	kassa sim uzqr --listen A   a UzQR fiscal box simulator on its own
//
// Global flags (--config, --db, --lang, …) go before or after the command:
// kassa --config x --lang ru pay --amount 5.
//
// Every command ends with one of these exit codes (the README's table says
// the same):
//
//	0  done as asked
//	1  the money did not move as asked: declined, refused, timed out (also a
//	   pairing or connection test that did not succeed)
//	2  bad usage: a flag, an argument or the config file, or a person
//	   refused (unknown, wrong PIN, locked, no manager's approval); nothing
//	   was done
//	3  something is left for a person: an operation needs checking on the
//	   POS or its outcome is unknown (F4 lists them)
//	4  the books could not be written: the data file could not be opened,
//	   read or written, or is damaged; or its audit log does not hold
//	   (kassa audit verify)
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/assets/lessons"
	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/providers/monetix"
	"github.com/kassa-till/kassa/providers/octo"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/display"
	"github.com/kassa-till/kassa/ui/settings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	cmd, args := splitCommand(args)
	var err error
	switch cmd {
	case "":
		err = runTill(args, false)
	case "demo":
		err = runTill(args, true)
	case "sim":
		err = runSim(args, os.Stdout, stderr)
	case "pay":
		err = runPay(args, os.Stdout)
	case "refund":
		err = runRefund(args, os.Stdout)
	case "recover":
		err = runRecover(args, os.Stdout)
	case "pair":
		err = runPair(args, os.Stdin, os.Stdout)
	case "check":
		if len(args) > 0 && args[0] == "uzqr" {
			err = runCheckUzQR(args[1:], os.Stdout)
		} else if len(args) > 0 && args[0] == "monetix" {
			err = runCheckMonetix(args[1:], os.Stdout)
		} else if len(args) > 0 && args[0] == "octo" {
			err = runCheckOcto(args[1:], os.Stdout)
		} else {
			err = runCheck(args, os.Stdout)
		}
	case "key":
		err = runKey(args, os.Stdin, os.Stdout)
	case "export":
		err = runExport(args, os.Stdout)
	case "central":
		err = runCentral(args, os.Stdout)
	case "history":
		err = runHistory(args)
	case "user":
		err = runUser(args, os.Stdin, os.Stdout)
	case "audit":
		err = runAudit(args, os.Stdin, os.Stdout)
	case "report":
		err = runReport(args, os.Stdin, os.Stdout)
	case "gen":
		err = runGen(args, os.Stdout, stderr)
	case "db":
		err = runDB(args, os.Stdout)
	case "print":
		err = runPrint(args, os.Stdout)
	case "display":
		err = runDisplay(args)
	case "help":
		err = runHelp(args, os.Stdout)
	default:
		err = usageErr(catalogFor(langFlag(args)).T("cli.unknown_command", cmd), nil)
	}
	if said(err) {
		return exitCode(err) // the lines printed already say why
	}
	if err != nil {
		fmt.Fprintln(stderr, "kassa:", err)
	}
	return exitCode(err)
}

// Exit codes: see the package comment.
const (
	exitDone     = 0
	exitNotMoved = 1
	exitUsage    = 2
	exitPerson   = 3
	exitBooks    = 4
)

// exitError is an error that knows its exit code. An empty message means
// the lines printed already say what happened.
type exitError struct {
	code  int
	msg   string
	cause error
}

func (e *exitError) Error() string {
	if e.msg == "" && e.cause != nil {
		return e.cause.Error()
	}
	return e.msg
}

func (e *exitError) Unwrap() error { return e.cause }

// usageErr is a mistake in the flags, the arguments or the config file,
// said in msg; cause, when not nil, is what it was found by.
func usageErr(msg string, cause error) error { return &exitError{exitUsage, msg, cause} }

// booksErr is a data file that could not be opened, read or written.
func booksErr(msg string, cause error) error { return &exitError{exitBooks, msg, cause} }

// errForPerson ends a run that left an operation for a person to check;
// errUsageSaid one refused for its arguments. The lines printed say why.
var (
	errForPerson = &exitError{code: exitPerson}
	errUsageSaid = &exitError{code: exitUsage}
)

// exitCode is the exit code err ends the process with.
func exitCode(err error) int {
	var e *exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitDone
	case errors.As(err, &e):
		return e.code
	}
	return exitNotMoved // errOutcome, and whatever else stopped a command
}

// said reports whether err's lines were printed already (the usage, for
// --help).
func said(err error) bool {
	var e *exitError
	return errors.Is(err, errOutcome) || errors.Is(err, flag.ErrHelp) || errors.As(err, &e) && e.msg == "" && e.cause == nil
}

// outcomeErr is how a command that ran an operation ends, by what the
// data file says of it.
func outcomeErr(op store.Operation) error {
	switch op.State {
	case store.StateSuccess:
		return nil
	case store.StateNeedsCheck, store.StateUnknown, store.StatePending, store.StateCreated:
		return errForPerson
	}
	return errOutcome // declined, refused, timed out: no money moved
}

// recovered counts what following up an earlier run's operations came to.
type recovered struct {
	settled   int // taken up and brought to an outcome
	forPerson int // taken up and left for a person to check on the POS
	going     int // refunds the provider took that go on for hours
}

func (r *recovered) add(m tracker.Machine) {
	switch {
	case m.Background && !m.Op.NeedsPerson() && m.Op.State.Open():
		r.going++
	case m.Op.State.Open() || m.Op.NeedsPerson():
		r.forPerson++
	default:
		r.settled++
	}
}

// report says what recovery did and how many operations wait for a
// person, this run's and earlier ones; errForPerson when any do.
func (r recovered) report(c *common.Common, out io.Writer) error {
	if r.settled+r.forPerson+r.going == 0 {
		fmt.Fprintln(out, c.T("recover.none"))
	} else {
		fmt.Fprintln(out, c.T("recover.done", r.settled+r.forPerson+r.going, r.settled, r.forPerson))
	}
	if r.going > 0 {
		fmt.Fprintln(out, c.N("recover.going", r.going, r.going))
	}
	waiting, err := c.Store.NeedingPerson(0)
	if err != nil {
		return booksErr(c.T("cli.db_failed", c.Store.Path(), err), err)
	}
	if len(waiting) > 0 {
		fmt.Fprintln(out, c.NFor(c.Providers.First().Info().Name, "recover.waiting", len(waiting), len(waiting)))
		return errForPerson
	}
	return nil
}

// splitCommand finds the command among the arguments: it may follow
// global flags (kassa --config x --lang ru pay --amount 5). Those flags are
// handed to the command after its own first argument when that is not a
// flag (pair kaspi, sim kaspi), so every command parses them as its own.
func splitCommand(args []string) (string, []string) {
	fs := flag.NewFlagSet("kassa", flag.ContinueOnError)
	cfg := defaults()
	bindFlags(fs, &cfg)
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			before, after := args[:i:i], args[i+1:]
			var rest []string
			if len(after) > 0 && !strings.HasPrefix(after[0], "-") {
				rest = append(rest, after[0])
				after = after[1:]
			}
			rest = append(append(rest, before...), after...)
			return a, rest
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if f == nil {
			break // not a global flag: the till's own parse says so
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !hasValue && !(ok && b.IsBoolFlag()) {
			i++ // its value
		}
	}
	return "", args
}

// savedLanguage is the language the settings screen kept in the data
// file, "" where none is kept (or one this kassa does not speak), or when
// --lang was given.
func savedLanguage(st *store.Store, flagGiven bool) (string, error) {
	var lang string
	if flagGiven {
		return "", nil
	}
	ok, err := st.Setting(settings.LanguageSetting, &lang)
	if err != nil || !ok {
		return "", err
	}
	if _, err := locale.Load(lang); err != nil {
		return "", nil
	}
	return lang, nil
}

// runTill runs the till, in demo mode when asked or when nothing says
// where a real POS is.
func runTill(args []string, demo bool) error {
	c, cfg, closeTill, err := openTill(args, demo)
	if err != nil {
		return err
	}
	defer closeTill()
	market := "kz"
	if c.Currency() == providers.UZS {
		market = "uz"
	}
	if err := signInOn(c, cfg.Approval, market); err != nil {
		return dataFileErr(c.Store.Path(), c.Cat, err)
	}
	var backup func() (store.BackupFile, error)
	if !c.Demo {
		// Training files are the trainer's to wipe: no copies of them.
		b := startBackups(cfg.backups(c.Store.Path()), c.Store, c.Clock, cfg.Backup.Every.Duration)
		defer b.Close()
		c.Backups, backup = b, b.Take
	}
	// Without the socket the till still sells; only `kassa export` and
	// `kassa db backup` have to wait for it to close, and `kassa display`
	// waits for the next till.
	var show http.Handler
	if displaySupported {
		show = display.Handler(c.Tracker, c.Shop.Name)
	}
	if !c.Demo {
		pusher, stop, err := startCentral(cfg, c.Cat, c.Store, c.Clock)
		if err != nil {
			return err
		}
		defer stop()
		if pusher != nil {
			c.Central = pusher
		}
	}
	if stop, err := serveControl(c.Store, cfg.Approval, backup, show); err != nil {
		fmt.Fprintln(os.Stderr, c.T("cli.control_failed", err))
	} else {
		defer stop()
	}
	_, err = tea.NewProgram(ui.New(c), ui.WithKeyInput()).Run()
	return err
}

// openTill reads the config and opens what a till runs on: the catalog,
// the data file and the provider. In demo mode the provider is the
// built-in simulator and the data file is the demo one.
func openTill(args []string, demo bool, extra ...func(*flag.FlagSet)) (*common.Common, Config, func(), error) {
	return openTillOn(clock.Real{}, args, demo, extra...)
}

// openTillOn is openTill on the wall clock wall, which tests give as a
// Fake; training's faster clock runs on it.
func openTillOn(wall clock.Clock, args []string, demo bool, extra ...func(*flag.FlagSet)) (*common.Common, Config, func(), error) {
	cfg, _, err := loadConfig("kassa", args, extra...)
	if err != nil {
		return nil, cfg, nil, err
	}
	if cfg.Kaspi.URL == "" && !cfg.uzbek() {
		demo = true
	}
	// An Uzbek shop's till is one whose gateway is UzQR, Monetix or OCTO;
	// a demo's says so.
	market := "kz"
	if cfg.uzbek() && !demo || demo && cfg.Demo.Market == "uz" {
		market = "uz"
	}
	cat, err := locale.Load(cfg.Lang)
	if err != nil {
		return nil, cfg, nil, err
	}
	clk := wall
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}

	dbPath := cfg.DB
	switch {
	case demo && market == "uz":
		// Its own training file: its books are in soums.
		dbPath = inDataDir("demo-uz.db")
	case demo:
		// Training never touches the real POS or the real data file,
		// whatever the config and flags say.
		dbPath = inDataDir("demo.db")
	case dbPath == "":
		dbPath = inDataDir("kassa.db")
	}
	st, err := openDataFile(dbPath, cat)
	if err != nil {
		return nil, cfg, nil, err
	}
	closers = append(closers, func() { st.Close() })
	// The language the settings screen chose wins over the config file's,
	// unless --lang is given.
	if saved, err := savedLanguage(st, cfg.langFlag); err != nil {
		closeAll()
		return nil, cfg, nil, booksErr(cat.T("error.store", err.Error()), err)
	} else if saved != "" {
		cfg.Lang, cat = saved, locale.MustLoad(saved)
	}
	if cfg.Till != "" && !demo {
		if err := st.SetTill(cfg.Till); err != nil {
			closeAll()
			return nil, cfg, nil, booksErr(cat.T("cli.db_failed", st.Path(), err), err)
		}
	}
	var scaled *clock.Scaled
	if demo {
		scaled = clock.NewScaledOn(wall, cfg.Demo.Speed)
		clk = scaled
	}

	var (
		provs    []providers.Provider
		provider providers.Provider // the one before the others
		// serve hands the callbacks the listeners hear to the tracker,
		// once it is there.
		serve    []func(*tracker.Tracker)
		trainer  common.Trainer
		term     common.Terminal
		gateway  common.Gateway
		insecure bool
	)
	switch {
	case market == "uz" && demo:
		s, srv, p, err := startDemoUzQR(cfg.Demo, clk, st)
		if err != nil {
			closeAll()
			return nil, cfg, nil, err
		}
		closers = append(closers, func() { srv.Close() })
		mx, msrv, mp, dl, err := startDemoMonetix(cfg.Demo, clk)
		if err != nil {
			closeAll()
			return nil, cfg, nil, err
		}
		ox, osrv, op, err := startDemoOcto(cfg.Demo, clk)
		if err != nil {
			closeAll()
			return nil, cfg, nil, err
		}
		provider, trainer = p, &uzTrainer{sim: s, mx: mx, ox: ox, clock: scaled, store: st, delay: cfg.Demo.Delay.Duration}
		closers = append(closers, func() { msrv.Close() }, dl.Close, func() { osrv.Close() })
		provs = append(provs, mp, op)
		serve = append(serve, func(tr *tracker.Tracker) { dl.serve(monetix.Name, mp, tr) })
	case market == "uz":
		if cfg.UzQR.URL != "" {
			p, err := uzqrProvider(cfg.UzQR, st)
			if err != nil {
				closeAll()
				return nil, cfg, nil, usageErr(err.Error(), err)
			}
			provider, gateway = p, &uzqrGateway{cfg: cfg.UzQR, provider: p, store: st}
		}
		if cfg.Monetix.on() {
			m := cfg.Monetix
			if err := m.callbacksSet(cat); err != nil {
				closeAll()
				return nil, cfg, nil, err
			}
			log, closeLog, err := noteLog(st)
			if err != nil {
				closeAll()
				return nil, cfg, nil, booksErr(cat.T("cli.db_failed", st.Path(), err), err)
			}
			closers = append(closers, closeLog)
			p, err := monetixProvider(m, st, clk, log)
			if err != nil {
				closeAll()
				return nil, cfg, nil, usageErr(err.Error(), err)
			}
			provs = append(provs, p)
			l, err := listenCallbacks(m.CallbackListen, m.callbackPath(), m.CallbackCert, m.CallbackKey)
			if err != nil {
				closeAll()
				return nil, cfg, nil, usageErr(cat.T("cli.monetix_listen_failed", m.CallbackListen, err), err)
			}
			closers = append(closers, l.Close)
			serve = append(serve, func(tr *tracker.Tracker) { l.serve(monetix.Name, p, tr) })
		}
		if cfg.Octo.on() {
			o := cfg.Octo
			log, closeLog, err := noteLog(st)
			if err != nil {
				closeAll()
				return nil, cfg, nil, booksErr(cat.T("cli.db_failed", st.Path(), err), err)
			}
			closers = append(closers, closeLog)
			p, err := octoProvider(o, st, clk, log, cat)
			if err != nil {
				closeAll()
				return nil, cfg, nil, err
			}
			provs = append(provs, p)
			if o.NotifyListen != "" {
				l, err := listenCallbacks(o.NotifyListen, o.notifyPath(), o.NotifyCert, o.NotifyKey)
				if err != nil {
					closeAll()
					return nil, cfg, nil, usageErr(cat.T("cli.octo_listen_failed", o.NotifyListen, err), err)
				}
				closers = append(closers, l.Close)
				serve = append(serve, func(tr *tracker.Tracker) { l.serve(octo.Name, p, tr) })
			}
		}
	default:
		kcfg := cfg.Kaspi
		var demoSim *sim.Sim
		if demo {
			var srv *sim.Server
			demoSim, srv, err = startDemoPOS(cfg.Demo, clk, st)
			if err != nil {
				closeAll()
				return nil, cfg, nil, err
			}
			closers = append(closers, func() { srv.Close() })
			kcfg.URL = srv.URL()
		}
		configured := kcfg.URL
		if !demo {
			saved, err := savedAddress(st)
			if err != nil {
				closeAll()
				return nil, cfg, nil, err
			}
			if saved != "" {
				kcfg.URL = saved
			}
		}
		client, session, err := kaspiClient(kcfg, st, clk)
		if err != nil {
			closeAll()
			return nil, cfg, nil, err
		}
		provider = kaspi.New(client, kaspi.Options{
			ScanTimeout: cfg.Kaspi.ScanTimeout.Duration, ConfirmTimeout: cfg.Kaspi.ConfirmTimeout.Duration,
		})
		insecure = kcfg.secured() && kcfg.Insecure
		if demo {
			trainer = &kaspiTrainer{sim: demoSim, clock: scaled, store: st, delay: cfg.Demo.Delay.Duration}
		} else {
			term = &terminal{cfg: kcfg, client: client, session: session, store: st, configured: configured, next: kcfg.URL}
		}
	}
	if provider != nil {
		provs = append([]providers.Provider{provider}, provs...)
	}
	for _, p := range provs {
		if !idsFit(st, p.Info()) {
			closeAll()
			return nil, cfg, nil, usageErr(cat.T("cli.till_too_long", st.Till(), p.Info().MaxIDLength), nil)
		}
	}
	reg, err := providers.NewRegistry(provs...)
	if err != nil {
		closeAll()
		return nil, cfg, nil, err
	}
	tr := tracker.New(st, reg, clk)
	// The tracker stops before the data file closes; a callback heard
	// after that is answered 500, and its provider sends it again.
	closers = append(closers, tr.Close)
	for _, start := range serve {
		start(tr)
	}
	c := &common.Common{
		Cat: cat, Styles: common.DefaultStyles(), Keys: common.NewKeyMap(cat), Clock: clk,
		Store: st, Providers: reg, Tracker: tr, Lang: cfg.Lang, Shop: cfg.Shop, Cashier: cfg.Cashier, Demo: demo,
		ReceiptWidth: cfg.ReceiptWidth, Insecure: insecure, Terminal: term, Gateway: gateway,
	}
	if demo {
		c.Trainer = trainer
		if c.Shop == (common.Shop{}) && market == "uz" {
			c.Shop = demoUzShop
		}
		if cfg.Demo.Lesson != "" {
			l, err := lessons.Load(cfg.Demo.Lesson)
			if err != nil {
				closeAll()
				if errors.Is(err, lessons.ErrUnknown) {
					return nil, cfg, nil, usageErr(cat.T("cli.lesson_unknown", cfg.Demo.Lesson, strings.Join(lessons.Shipped(), ", ")), err)
				}
				return nil, cfg, nil, usageErr(cat.T("cli.lesson_bad", cfg.Demo.Lesson, err), err)
			}
			if l.Market != market {
				closeAll()
				return nil, cfg, nil, usageErr(cat.T("cli.lesson_market", l.Name, l.Market, l.Market), nil)
			}
			c.Lesson = &l
		}
		c.IgnoredReal = cfg.Kaspi.URL != "" || cfg.UzQR.URL != "" || cfg.DB != ""
	}
	// The printer the settings screen saved wins over the config file's
	// [printer], unless --printer is given.
	if cfg.Printer, err = savedPrinter(st, cfg.Printer, cfg.printerFlag); err != nil {
		closeAll()
		return nil, cfg, nil, booksErr(cat.T("error.store", err.Error()), err)
	}
	c.PrinterSetup = &printerSetup{c: c, cat: cat, cfg: cfg.Printer}
	if cfg.Printer.Device != "" {
		p, err := newTillPrinter(cfg.Printer, c, cat)
		if err != nil {
			closeAll()
			return nil, cfg, nil, err
		}
		c.Printer = p
	}
	return c, cfg, closeAll, nil
}

// demoUzShop is the Uzbek demo's shop, for receipts that name one.
var demoUzShop = common.Shop{Name: "Oʻquv doʻkoni", Address: "Toshkent sh., Amir Temur koʻchasi 15", BIN: "301234567"}

// startDemoPOS runs the Smart POS simulator inside the process on a
// loopback port for demo mode. It knows what the demo's POS took in
// earlier runs from the training file's books.
func startDemoPOS(d DemoConfig, clk clock.Clock, st *store.Store) (*sim.Sim, *sim.Server, error) {
	customer := d.Customer
	if customer == "" {
		customer = string(sim.PayQR)
	}
	behaviour, err := parseCustomer(customer)
	if err != nil {
		return nil, nil, err
	}
	payments, used, err := books(st, kaspi.Name)
	if err != nil {
		return nil, nil, fmt.Errorf("demo POS: %w", err)
	}
	s := sim.New(sim.Options{Clock: clk, Default: sim.Customer{Does: behaviour, Delay: d.Delay.Duration},
		Payments: payments, Used: used})
	srv, err := s.Start("127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("demo POS: %w", err)
	}
	return s, srv, nil
}

func customerNames() []string {
	return []string{string(sim.PayQR), string(sim.PayCard), string(sim.Decline), string(sim.NeverScan),
		string(sim.ScanNoConfirm), string(sim.UnknownThenSuccess), string(sim.UnknownThenFail)}
}

func parseCustomer(name string) (sim.Behaviour, error) {
	for _, n := range customerNames() {
		if n == name {
			return sim.Behaviour(n), nil
		}
	}
	return "", fmt.Errorf("demo customer %q: use one of %s", name, strings.Join(customerNames(), ", "))
}

// runSim runs a simulator on its own until interrupted.
func runSim(args []string, out, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "uzqr" {
		return runSimUzQR(args[1:], out, stderr)
	}
	if len(args) > 0 && args[0] == "monetix" {
		return runSimMonetix(args[1:], out, stderr)
	}
	if len(args) > 0 && args[0] == "octo" {
		return runSimOcto(args[1:], out, stderr)
	}
	if len(args) == 0 || args[0] != "kaspi" {
		return whichCommand("kassa sim", args, stderr)
	}
	fs := newSimFlags("kassa sim kaspi")
	listen := fs.String("listen", "127.0.0.1:8080", "flag.sim.listen ADDR")
	customer := fs.String("customer", "qr", "flag.sim-kaspi.customer NAME")
	delay := fs.Duration("delay", 4*time.Second, "flag.sim.delay")
	useTLS := fs.Bool("tls", false, "flag.sim-kaspi.tls")
	lifetime := fs.Duration("token-lifetime", 24*time.Hour, "flag.sim-kaspi.token-lifetime")
	allowAfter := fs.Duration("allow-after", 0, "flag.sim-kaspi.allow-after")
	caOut := fs.String("ca-out", "sim-ca.pem", "flag.sim-kaspi.ca-out FILE")
	if err := parseSimFlags(fs, args[1:], out, stderr); err != nil {
		return err
	}
	behaviour, err := parseCustomer(*customer)
	if err != nil {
		return err
	}
	s := sim.New(sim.Options{Default: sim.Customer{Does: behaviour, Delay: *delay}, RequireToken: *useTLS, TokenLifetime: *lifetime, RegisterAfter: *allowAfter})
	var srv *sim.Server
	if *useTLS {
		srv, err = s.StartTLS(*listen)
	} else {
		srv, err = s.Start(*listen)
	}
	if err != nil {
		return err
	}
	defer srv.Close()
	if *useTLS {
		if err := writeCA(*caOut, srv.CAPEM()); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "CA for --kaspi-ca written to %s; the certificate is for %s and 127.0.0.1\n", *caOut, sim.ServerName)
	}
	fmt.Fprintf(stderr, "Kaspi Smart POS simulator on %s (API /v2/, steering /sim/)\n", srv.URL())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}
