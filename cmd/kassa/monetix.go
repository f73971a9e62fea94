package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/monetix"
	monetixsim "github.com/kassa-till/kassa/providers/monetix/sim"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
)

// saleRetries is how many times a sale the Gate refused as "try again"
// (314, 601, 602) is sent again by itself, 5 s apart, within the call's
// 30 s.
const saleRetries = 2

// secretMonetixKey is where the Monetix project's secret key is kept in
// the data file (0600), given once with `kassa key monetix`.
const secretMonetixKey = "monetix.secret"

// MonetixConfig is how the till takes Click QR through the Monetix Gate.
// The secret key is not here: it is given once with `kassa key monetix`.
type MonetixConfig struct {
	URL     string `toml:"url"`
	Project int64  `toml:"project"`
	// CallbackListen is the till's own listener for the Gate's callbacks
	// (the QR and the outcome come only that way); CallbackURL the public
	// address that reaches it, whose path the listener serves.
	CallbackListen string `toml:"callback_listen"`
	CallbackURL    string `toml:"callback_url"`
	// CallbackCert and CallbackKey make the listener speak HTTPS itself.
	CallbackCert string `toml:"callback_cert"`
	CallbackKey  string `toml:"callback_key"`
	// Refunds: the project has refunds enabled at Monetix; otherwise they
	// are made in the Monetix dashboard.
	Refunds bool `toml:"refunds"`
}

func bindMonetixFlags(fs *flag.FlagSet, m *MonetixConfig) {
	fs.StringVar(&m.URL, "monetix-url", m.URL, "flag.monetix-url URL")
	fs.Int64Var(&m.Project, "monetix-project", m.Project, "flag.monetix-project")
	fs.StringVar(&m.CallbackListen, "monetix-callback-listen", m.CallbackListen, "flag.monetix-callback-listen ADDR")
	fs.StringVar(&m.CallbackURL, "monetix-callback-url", m.CallbackURL, "flag.monetix-callback-url URL")
	fs.StringVar(&m.CallbackCert, "monetix-callback-cert", m.CallbackCert, "flag.monetix-callback-cert FILE")
	fs.StringVar(&m.CallbackKey, "monetix-callback-key", m.CallbackKey, "flag.monetix-callback-key FILE")
	fs.BoolVar(&m.Refunds, "monetix-refunds", m.Refunds, "flag.monetix-refunds")
}

// on reports whether the till takes Click QR.
func (m MonetixConfig) on() bool { return m.Project != 0 }

func (m MonetixConfig) validate(cat *locale.Catalog) error {
	if !m.on() {
		if m.URL != "" || m.CallbackListen != "" || m.CallbackURL != "" {
			return usageErr(cat.T("cli.monetix_need_project"), nil)
		}
		return nil
	}
	if m.Project < 0 {
		return usageErr(cat.T("cli.monetix_project", m.Project), nil)
	}
	if m.URL != "" {
		if u, err := url.Parse(m.URL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			return usageErr(cat.T("cli.monetix_url", m.URL), err)
		}
	}
	if m.CallbackListen != "" {
		if _, _, err := net.SplitHostPort(m.CallbackListen); err != nil {
			return usageErr(cat.T("cli.monetix_listen", m.CallbackListen), err)
		}
	}
	if m.CallbackURL != "" {
		if u, err := url.Parse(m.CallbackURL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			return usageErr(cat.T("cli.monetix_callback_url", m.CallbackURL), err)
		}
	}
	if (m.CallbackCert == "") != (m.CallbackKey == "") {
		return usageErr(cat.T("cli.monetix_cert_pair"), nil)
	}
	return nil
}

// callbacksSet is an error unless the till can hear the Gate: the QR and
// the outcome come only by callback.
func (m MonetixConfig) callbacksSet(cat *locale.Catalog) error {
	if m.CallbackListen == "" || m.CallbackURL == "" {
		return usageErr(cat.T("cli.monetix_need_callback"), nil)
	}
	return nil
}

// callbackPath is the path the listener serves: the callback URL's.
func (m MonetixConfig) callbackPath() string {
	u, err := url.Parse(m.CallbackURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// monetixProvider is the Click QR provider of a real till: the Gate the
// config names, with the secret the data file keeps.
func monetixProvider(m MonetixConfig, st *store.Store, clk clock.Clock, log *slog.Logger) (*monetix.Provider, error) {
	var key string
	if _, err := st.Secret(secretMonetixKey, &key); err != nil {
		return nil, err
	}
	return monetix.New(monetix.Options{URL: m.URL, ProjectID: m.Project, Secret: monetix.Secret(key),
		CallbackURL: m.CallbackURL, Refunds: m.Refunds, Clock: clk, Log: log, SaleRetries: saleRetries})
}

// callbackListener hears a Pusher's callbacks on its address at one
// path. It listens at once (its address may go into every sale) and hands
// each callback to the tracker once serve is called; before that a
// callback is answered 503 and the provider sends it again. The provider
// is answered 200 only once what the callback said is written.
type callbackListener struct {
	srv     *http.Server
	ln      net.Listener
	path    string
	handler atomicHandler
}

func listenCallbacks(addr, path, cert, key string) (*callbackListener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	l := &callbackListener{ln: ln, path: path}
	mux := http.NewServeMux()
	mux.Handle(path, &l.handler)
	// Timeouts: a callback is a few kilobytes; a slow or idle peer must
	// not hold the listener.
	l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 15 * time.Second, WriteTimeout: 15 * time.Second, IdleTimeout: time.Minute, ErrorLog: quietLog}
	go func() {
		if cert != "" {
			_ = l.srv.ServeTLS(ln, cert, key)
		} else {
			_ = l.srv.Serve(ln)
		}
	}()
	return l, nil
}

// serve hands the callbacks of the provider name to the tracker.
func (l *callbackListener) serve(name string, p providers.Pusher, tr *tracker.Tracker) {
	l.handler.set(p.Callbacks(func(ctx context.Context, e providers.Event) error {
		return tr.Deliver(ctx, name, e)
	}))
}

// URL is the listener's own address, for a provider on this machine.
func (l *callbackListener) URL() string { return "http://" + l.ln.Addr().String() + l.path }

func (l *callbackListener) Close() { l.srv.Close() }

// quietLog drops net/http's own lines (a peer's bad TLS handshake): they
// would land on the cashier's screen.
var quietLog = newQuietLog()

// noteLog is where a rejected callback is noted: a file beside the data
// file, 0600, never the screen (the secret is never in it).
func noteLog(st *store.Store) (*slog.Logger, func(), error) {
	f, err := os.OpenFile(st.Path()+".callbacks.log", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return slog.New(slog.NewTextHandler(f, nil)), func() { f.Close() }, nil
}

// startDemoMonetix runs the Monetix Gate simulator inside the process for
// an Uzbek shop's demo, with the provider on it; its callbacks reach the
// till's own listener on loopback once listen is called with the tracker.
func startDemoMonetix(d DemoConfig, clk clock.Clock) (*monetixsim.Sim, *monetixsim.Server, *monetix.Provider, *callbackListener, error) {
	// The listener's address goes into the sale as merchant_callback_url,
	// so it is taken first; the tracker is handed to it once it exists.
	dl, err := listenCallbacks("127.0.0.1:0", "/monetix", "", "")
	if err != nil {
		return nil, nil, nil, nil, err
	}
	const project, secret = 1234, "demo-secret"
	s := monetixsim.New(monetixsim.Options{Clock: clk, ProjectID: project, Secret: secret,
		Receiver: "OʻQUV DOʻKONI MCHJ", Account: "20208000900123456001", Bank: "Click"})
	s.SetDefault(monetixsim.Customer{Does: monetixsim.Pay, Delay: d.Delay.Duration})
	srv, err := s.Start("127.0.0.1:0")
	if err != nil {
		dl.Close()
		return nil, nil, nil, nil, fmt.Errorf("demo Click: %w", err)
	}
	p, err := monetix.New(monetix.Options{URL: srv.URL(), ProjectID: project, Secret: monetix.Secret(secret),
		CallbackURL: dl.URL(), Clock: clk, SaleRetries: saleRetries})
	if err != nil {
		srv.Close()
		dl.Close()
		return nil, nil, nil, nil, err
	}
	return s, srv, p, dl, nil
}

// runCheckMonetix asks the Gate about a payment that cannot exist: an
// answer "not found" proves the Gate answers and takes the signature.
func runCheckMonetix(args []string, out io.Writer) error {
	cfg, _, err := loadConfig("kassa check monetix", args)
	if err != nil {
		return err
	}
	cat := catalogFor(cfg.Lang)
	if !cfg.Monetix.on() {
		return usageErr(cat.T("cli.monetix_need_project"), nil)
	}
	st, err := openDataFile(cfg.dataFile(), cat)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := monetixProvider(cfg.Monetix, st, clock.Real{}, nil)
	if err != nil {
		return usageErr(err.Error(), err)
	}
	gate := cfg.Monetix.URL
	if gate == "" {
		gate = monetix.DefaultURL
	}
	fmt.Fprintln(out, cat.T("cli.monetix_checking", gate, cfg.Monetix.Project))
	var key string
	if ok, _ := st.Secret(secretMonetixKey, &key); !ok || key == "" {
		fmt.Fprintln(out, cat.T("cli.monetix_no_key"))
		return &exitError{code: exitNotMoved}
	}
	fmt.Fprintln(out, cat.T("cli.monetix_key", keyTail(key)))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Check(ctx); err != nil {
		fmt.Fprintln(out, cat.T("cli.monetix_check_failed", err))
		return &exitError{code: exitNotMoved}
	}
	fmt.Fprintln(out, cat.T("cli.monetix_check_ok"))
	if cfg.Monetix.CallbackURL == "" || cfg.Monetix.CallbackListen == "" {
		fmt.Fprintln(out, cat.T("cli.monetix_no_callback"))
		return &exitError{code: exitNotMoved}
	}
	fmt.Fprintln(out, cat.T("cli.monetix_callback", cfg.Monetix.CallbackURL, cfg.Monetix.CallbackListen, cfg.Monetix.callbackPath()))
	return nil
}

// runSimMonetix runs the Monetix Gate simulator on its own until
// interrupted.
func runSimMonetix(args []string, out, stderr io.Writer) error {
	names := stringsOf(monetixsim.Behaviours)
	fs := newSimFlags("kassa sim monetix")
	listen := fs.String("listen", "127.0.0.1:9088", "flag.sim.listen ADDR")
	callback := fs.String("callback-url", "", "flag.sim-monetix.callback-url URL")
	project := fs.Int64("project", 1234, "flag.sim-monetix.project")
	secret := fs.String("secret", "secret", "flag.sim-monetix.secret TEXT")
	customer := fs.String("customer", "pay", "flag.sim-monetix.customer NAME")
	delay := fs.Duration("delay", 5*time.Second, "flag.sim.delay")
	refunds := fs.Bool("refunds", false, "flag.sim-monetix.refunds")
	if err := parseSimFlags(fs, args, out, stderr); err != nil {
		return err
	}
	var does monetixsim.Behaviour
	for _, b := range monetixsim.Behaviours {
		if string(b) == *customer {
			does = b
		}
	}
	if does == "" {
		return fmt.Errorf("customer %q: use one of %s", *customer, strings.Join(names, ", "))
	}
	s := monetixsim.New(monetixsim.Options{ProjectID: *project, Secret: *secret, CallbackURL: *callback, Refunds: *refunds})
	s.SetDefault(monetixsim.Customer{Does: does, Delay: *delay})
	srv, err := s.Start(*listen)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stderr, "Monetix Gate simulator on %s, project %d (API /v2/payment/, steering /sim/); callbacks signed with the secret given\n", srv.URL(), *project)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}

var errNoTracker = errors.New("the till is starting")

// atomicHandler serves with the handler set last; 503 before one is.
type atomicHandler struct{ h atomic.Pointer[http.Handler] }

func (a *atomicHandler) set(h http.Handler) { a.h.Store(&h) }

func (a *atomicHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := a.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	http.Error(w, errNoTracker.Error(), http.StatusServiceUnavailable)
}

func newQuietLog() *log.Logger { return log.New(io.Discard, "", 0) }
