// Command kassa is a keyboard-only cash register for QR and card payments.
//
//	kassa                       the till; with no config and no --kaspi-url, the demo
//	kassa demo                  the till on a built-in Smart POS simulator and a demo data file
//	kassa sim kaspi --listen A  a Smart POS simulator on its own, for trying a till against
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/assets/lessons"
	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui"
	"github.com/kassa-till/kassa/ui/common"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "":
		err = runTill(args, false)
	case "demo":
		err = runTill(args, true)
	case "sim":
		err = runSim(args, stderr)
	case "pay":
		err = runPay(args, os.Stdout)
	case "refund":
		err = runRefund(args, os.Stdout)
	case "recover":
		err = runRecover(args, os.Stdout)
	case "pair":
		err = runPair(args, os.Stdout)
	case "check":
		err = runCheck(args, os.Stdout)
	case "export":
		err = runExport(args, os.Stdout)
	case "gen":
		err = runGen(args, os.Stdout)
	case "help":
		usage(nil)
		return 0
	default:
		err = fmt.Errorf("unknown command %q; try kassa help", cmd)
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errOutcome) {
		return 1 // the lines printed already say why
	}
	if err != nil {
		fmt.Fprintln(stderr, "kassa:", err)
		return 1
	}
	return 0
}

func usage(fs *flag.FlagSet) {
	fmt.Fprint(os.Stderr, `kassa — a keyboard-only till for Kaspi Smart POS payments

  kassa [flags]                      run the till; with no config file and no --kaspi-url it runs the demo
  kassa demo [flags]                 run the till on a built-in Smart POS simulator, with a demo data file
  kassa pay --amount N [flags]       take one payment without the screen (for scripts)
  kassa refund --payment N --amount A  refund A from the payment with receipt or payment number N
  kassa export --from D --to D [--kind payments|refunds] [--out FILE]   CSV of at most 35 days
  kassa gen --count N --db PATH      write N realistic operations, to try the history on a big shop
  kassa recover [flags]              follow up operations an earlier run left unfinished, then exit
  kassa pair kaspi --name NAME       pair the till with a Smart POS whose integration protection is on (HTTPS)
  kassa check kaspi [flags]          connection test: ask the Smart POS its terminal id, serial and POS number
  kassa sim kaspi --listen ADDR      run a Smart POS simulator on its own (--tls for HTTPS with tokens)

Flags (each may also be set in the config file):
`)
	if fs == nil {
		fs = flag.NewFlagSet("kassa", flag.ContinueOnError)
		cfg := defaults()
		bindFlags(fs, &cfg)
	}
	fs.SetOutput(os.Stderr)
	fs.PrintDefaults()
}

// runTill runs the till, in demo mode when asked or when nothing says
// where a real POS is.
func runTill(args []string, demo bool) error {
	c, _, closeTill, err := openTill(args, demo)
	if err != nil {
		return err
	}
	defer closeTill()
	_, err = tea.NewProgram(ui.New(c)).Run()
	return err
}

// openTill reads the config and opens what a till runs on: the catalog,
// the data file and the provider. In demo mode the provider is the
// built-in simulator and the data file is the demo one.
func openTill(args []string, demo bool, extra ...func(*flag.FlagSet)) (*common.Common, Config, func(), error) {
	cfg, _, err := loadConfig("kassa", args, extra...)
	if err != nil {
		return nil, cfg, nil, err
	}
	if cfg.Kaspi.URL == "" {
		demo = true
	}
	cat, err := locale.Load(cfg.Lang)
	if err != nil {
		return nil, cfg, nil, err
	}
	var clk clock.Clock = clock.Real{}
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}

	kaspiURL, dbPath := cfg.Kaspi.URL, cfg.DB
	var demoSim *sim.Sim
	var scaled *clock.Scaled
	if demo {
		// Training never touches the real POS or the real data file,
		// whatever the config and flags say.
		scaled = clock.NewScaled(cfg.Demo.Speed)
		clk = scaled
		var srv *sim.Server
		demoSim, srv, err = startDemoPOS(cfg.Demo, clk)
		if err != nil {
			return nil, cfg, nil, err
		}
		closers = append(closers, func() { srv.Close() })
		kaspiURL = srv.URL()
		dbPath = filepath.Join(dataDir(), "demo.db")
	} else if dbPath == "" {
		dbPath = filepath.Join(dataDir(), "kassa.db")
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		closeAll()
		return nil, cfg, nil, err
	}
	st, err := store.Open(dbPath)
	if err != nil {
		closeAll()
		if errors.Is(err, store.ErrLocked) {
			return nil, cfg, nil, errors.New(cat.T("cli.locked", dbPath))
		}
		return nil, cfg, nil, err
	}
	if err := upgrade(st, cat); err != nil {
		closeAll()
		return nil, cfg, nil, err
	}
	closers = append(closers, func() { st.Close() })

	kcfg := cfg.Kaspi
	kcfg.URL = kaspiURL
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
	provider := kaspi.New(client, kaspi.Options{
		ScanTimeout: cfg.Kaspi.ScanTimeout.Duration, ConfirmTimeout: cfg.Kaspi.ConfirmTimeout.Duration,
	})
	c := &common.Common{
		Cat: cat, Styles: common.DefaultStyles(), Keys: common.NewKeyMap(cat), Clock: clk,
		Store: st, Provider: provider, Lang: cfg.Lang, Shop: cfg.Shop, Cashier: cfg.Cashier, Demo: demo,
		ReceiptWidth: cfg.ReceiptWidth, Insecure: kcfg.secured() && kcfg.Insecure,
	}
	if demo {
		c.Trainer = &trainer{sim: demoSim, clock: scaled, store: st, delay: cfg.Demo.Delay.Duration}
		if cfg.Demo.Lesson != "" {
			l, err := lessons.Load(cfg.Demo.Lesson)
			if err != nil {
				closeAll()
				return nil, cfg, nil, err
			}
			c.Lesson = &l
		}
		c.IgnoredReal = cfg.Kaspi.URL != "" || cfg.DB != ""
	} else {
		c.Terminal = &terminal{cfg: kcfg, client: client, session: session, store: st, configured: configured, next: kcfg.URL}
	}
	return c, cfg, closeAll, nil
}

// startDemoPOS runs the Smart POS simulator inside the process on a
// loopback port for demo mode.
func startDemoPOS(d DemoConfig, clk clock.Clock) (*sim.Sim, *sim.Server, error) {
	behaviour, err := parseCustomer(d.Customer)
	if err != nil {
		return nil, nil, err
	}
	s := sim.New(sim.Options{Clock: clk, Default: sim.Customer{Does: behaviour, Delay: d.Delay.Duration}})
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
func runSim(args []string, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "kaspi" {
		return errors.New("usage: kassa sim kaspi --listen 127.0.0.1:8080 [--customer qr] [--delay 4s]")
	}
	fs := flag.NewFlagSet("kassa sim kaspi", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	customer := fs.String("customer", "qr", "what customers do unless told otherwise: "+strings.Join(customerNames(), ", "))
	delay := fs.Duration("delay", 4*time.Second, "how long a customer takes to act")
	useTLS := fs.Bool("tls", false, "serve HTTPS and require tokens, as a POS with integration protection on")
	lifetime := fs.Duration("token-lifetime", 24*time.Hour, "with --tls: how long an access token lives")
	allowAfter := fs.Duration("allow-after", 0, "how long after /v2/register someone presses «Allow» on the POS (3m or more: nobody does)")
	caOut := fs.String("ca-out", "sim-ca.pem", "with --tls: where to write the CA for the till to trust (--kaspi-ca)")
	if err := fs.Parse(args[1:]); err != nil {
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
