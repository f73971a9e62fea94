package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/octo"
	octosim "github.com/kassa-till/kassa/providers/octo/sim"
	"github.com/kassa-till/kassa/store"
)

// Where OCTO's two credentials are kept in the data file (0600), each
// given once: octo_secret with `kassa key octo`, the notifications'
// unique_key with `kassa key octo-notify`.
const (
	secretOctoKey    = "octo.secret"
	secretOctoNotify = "octo.notify"
)

// OctoConfig is how the till takes OCTO payments with their fiscal
// receipts. The secret and the notification key are not here: they are
// given once with `kassa key octo` and `kassa key octo-notify`.
type OctoConfig struct {
	URL    string `toml:"url"`
	ShopID int64  `toml:"shop_id"`
	// Test asks OCTO for test payments (the shop's test mode).
	Test bool `toml:"test"`
	// NotifyListen and NotifyURL are the till's optional listener for
	// OCTO's notifications and the public address that reaches it: with
	// them a payment is known sooner; without, the till polls.
	NotifyListen string `toml:"notify_listen"`
	NotifyURL    string `toml:"notify_url"`
	NotifyCert   string `toml:"notify_cert"`
	NotifyKey    string `toml:"notify_key"`
	// Language is the pay page's: uz, ru or en.
	Language string `toml:"language"`
	// DefaultPhone or DefaultEmail is where the fiscal receipt goes when
	// the customer gives no phone.
	DefaultPhone string `toml:"default_phone"`
	DefaultEmail string `toml:"default_email"`
	// Products are the shop's products as OCTO registered them, in the
	// order the cashier picks them (1–9).
	Products []OctoProduct `toml:"products"`
}

// OctoProduct is one [[octo.products]] table. NDS is a pointer so that a
// missing nds is told from a VAT of 0.
type OctoProduct struct {
	Name        string `toml:"name"`
	SPIC        string `toml:"spic"`
	PackageCode string `toml:"package_code"`
	NDS         *int   `toml:"nds"`
	INN         string `toml:"inn"`
	PINFL       string `toml:"pinfl"`
}

// maxOctoProducts is as many as the cashier picks with one digit.
const maxOctoProducts = 9

func bindOctoFlags(fs *flag.FlagSet, o *OctoConfig) {
	fs.StringVar(&o.URL, "octo-url", o.URL, "flag.octo-url URL")
	fs.Int64Var(&o.ShopID, "octo-shop-id", o.ShopID, "flag.octo-shop-id")
	fs.BoolVar(&o.Test, "octo-test", o.Test, "flag.octo-test")
	fs.StringVar(&o.NotifyListen, "octo-notify-listen", o.NotifyListen, "flag.octo-notify-listen ADDR")
	fs.StringVar(&o.NotifyURL, "octo-notify-url", o.NotifyURL, "flag.octo-notify-url URL")
	fs.StringVar(&o.NotifyCert, "octo-notify-cert", o.NotifyCert, "flag.octo-notify-cert FILE")
	fs.StringVar(&o.NotifyKey, "octo-notify-key", o.NotifyKey, "flag.octo-notify-key FILE")
}

// on reports whether the till takes OCTO payments.
func (o OctoConfig) on() bool { return o.ShopID != 0 }

func (o OctoConfig) validate(cat *locale.Catalog) error {
	if !o.on() {
		if o.URL != "" || o.NotifyListen != "" || o.NotifyURL != "" || len(o.Products) > 0 {
			return usageErr(cat.T("cli.octo_need_shop"), nil)
		}
		return nil
	}
	if o.ShopID < 0 {
		return usageErr(cat.T("cli.octo_shop_id", o.ShopID), nil)
	}
	if o.URL != "" {
		if u, err := url.Parse(o.URL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			return usageErr(cat.T("cli.octo_url", o.URL), err)
		}
	}
	if (o.NotifyListen == "") != (o.NotifyURL == "") {
		return usageErr(cat.T("cli.octo_notify_pair"), nil)
	}
	if o.NotifyListen != "" {
		if _, _, err := net.SplitHostPort(o.NotifyListen); err != nil {
			return usageErr(cat.T("cli.octo_listen", o.NotifyListen), err)
		}
		if u, err := url.Parse(o.NotifyURL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			return usageErr(cat.T("cli.octo_notify_url", o.NotifyURL), err)
		}
	}
	if (o.NotifyCert == "") != (o.NotifyKey == "") {
		return usageErr(cat.T("cli.octo_cert_pair"), nil)
	}
	switch o.Language {
	case "", "uz", "ru", "en":
	default:
		return usageErr(cat.T("cli.octo_language", o.Language), nil)
	}
	if o.DefaultPhone != "" && o.DefaultEmail != "" {
		return usageErr(cat.T("cli.octo_two_defaults"), nil)
	}
	if _, err := o.contact(); err != nil {
		return usageErr(cat.T("cli.octo_default_contact", o.DefaultPhone+o.DefaultEmail), err)
	}
	if len(o.Products) > maxOctoProducts {
		return usageErr(cat.N("cli.octo_too_many_products", len(o.Products), len(o.Products), maxOctoProducts), nil)
	}
	_, err := o.products(cat)
	return err
}

// contact is the shop's default contact for the fiscal receipt.
func (o OctoConfig) contact() (octo.Contact, error) {
	if o.DefaultEmail != "" {
		return octo.ParseContact(o.DefaultEmail)
	}
	phone := strings.Join(strings.Fields(o.DefaultPhone), "")
	if phone != "" && !strings.HasPrefix(phone, "+") {
		phone = "+" + phone
	}
	return octo.ParseContact(phone)
}

// products are the configured products, each checked: one missing a
// field is refused, naming the product (by its place when it has no name)
// and the field.
func (o OctoConfig) products(cat *locale.Catalog) ([]octo.Product, error) {
	var out []octo.Product
	names := map[string]bool{}
	for i, p := range o.Products {
		which := p.Name
		if strings.TrimSpace(which) == "" {
			which = fmt.Sprintf("#%d", i+1)
		}
		if p.NDS == nil && strings.TrimSpace(p.Name) != "" {
			// Told apart from a VAT of 0 only here: octo.Product has an int.
			return nil, usageErr(cat.T("cli.octo_product_missing", which, "nds"), nil)
		}
		nds := 0
		if p.NDS != nil {
			nds = *p.NDS
		}
		pr := octo.Product{Name: p.Name, SPIC: p.SPIC, PackageCode: p.PackageCode, NDS: nds, INN: p.INN, PINFL: p.PINFL}
		var bad *octo.ProductError
		if err := pr.Validate(); errors.As(err, &bad) && bad.Both {
			return nil, usageErr(cat.T("cli.octo_product_both", which), err)
		} else if errors.As(err, &bad) {
			return nil, usageErr(cat.T("cli.octo_product_missing", which, bad.Field), err)
		} else if err != nil {
			return nil, usageErr(err.Error(), err)
		}
		if names[p.Name] {
			return nil, usageErr(cat.T("cli.octo_product_twice", p.Name), nil)
		}
		names[p.Name] = true
		out = append(out, pr)
	}
	return out, nil
}

// notifyPath is the path the listener serves: the notify URL's.
func (o OctoConfig) notifyPath() string {
	u, err := url.Parse(o.NotifyURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// octoProvider is the OCTO provider of a real till: the shop the config
// names, with the credentials the data file keeps.
func octoProvider(o OctoConfig, st *store.Store, clk clock.Clock, log *slog.Logger, cat *locale.Catalog) (*octo.Provider, error) {
	var secret, notify string
	if _, err := st.Secret(secretOctoKey, &secret); err != nil {
		return nil, err
	}
	if _, err := st.Secret(secretOctoNotify, &notify); err != nil {
		return nil, err
	}
	if secret == "" {
		return nil, usageErr(cat.T("cli.octo_no_key"), nil)
	}
	products, err := o.products(cat)
	if err != nil {
		return nil, err
	}
	contact, err := o.contact()
	if err != nil {
		return nil, usageErr(err.Error(), err)
	}
	return octo.New(octo.Options{URL: o.URL, ShopID: o.ShopID, Secret: octo.Secret(secret), NotifyKey: octo.Secret(notify),
		NotifyURL: o.NotifyURL, Test: o.Test, Language: o.Language, Products: products, Contact: contact,
		Clock: clk, Log: log})
}

// Demo's OCTO: the shop's products, registered at the simulator, and one
// that is not, so a trainee sees the 403 of seed 002 in full.
var demoOctoProducts = []octo.Product{
	{Name: "Non", SPIC: "01901001001000000", PackageCode: "1500001", NDS: 1, INN: "302010203"},
	{Name: "Tuzlangan baliq", SPIC: "00305001001000000", PackageCode: "1425207", NDS: 1, INN: "302010203"},
	{Name: "Choy (roʻyxatda yoʻq)", SPIC: "10901001001000000", PackageCode: "1500002", NDS: 1, INN: "302010203"},
}

// startDemoOcto runs the OCTO simulator inside the process for an Uzbek
// shop's demo, with the provider on it. The demo polls: training takes no
// notifications.
func startDemoOcto(d DemoConfig, clk clock.Clock) (*octosim.Sim, *octosim.Server, *octo.Provider, error) {
	const shop, secret = 10001, "demo-secret"
	var registered []octosim.Product
	for _, p := range demoOctoProducts[:2] {
		registered = append(registered, octosim.Product{SPIC: p.SPIC, PackageCode: p.PackageCode, NDS: p.NDS, INN: p.INN, PINFL: p.PINFL})
	}
	s := octosim.New(octosim.Options{Clock: clk, ShopID: shop, Secret: secret, Products: registered,
		Default: octosim.Customer{Does: octosim.Pay, Delay: d.Delay.Duration}})
	srv, err := s.Start("127.0.0.1:0")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("demo OCTO: %w", err)
	}
	p, err := octo.New(octo.Options{URL: srv.URL(), ShopID: shop, Secret: secret, Products: demoOctoProducts,
		Contact: octo.Contact{Phone: "998712000000"}, Clock: clk})
	if err != nil {
		srv.Close()
		return nil, nil, nil, err
	}
	return s, srv, p, nil
}

// runCheckOcto asks OCTO about a transaction that cannot exist: an answer
// that is not "wrong secret" proves OCTO answers and takes the shop id and
// secret.
func runCheckOcto(args []string, out io.Writer) error {
	cfg, _, err := loadConfig("kassa check octo", args)
	if err != nil {
		return err
	}
	cat := catalogFor(cfg.Lang)
	if !cfg.Octo.on() {
		return usageErr(cat.T("cli.octo_need_shop"), nil)
	}
	st, err := openDataFile(cfg.dataFile(), cat)
	if err != nil {
		return err
	}
	defer st.Close()
	host := cfg.Octo.URL
	if host == "" {
		host = octo.DefaultURL
	}
	fmt.Fprintln(out, cat.T("cli.octo_checking", host, cfg.Octo.ShopID))
	var secret, notify string
	if ok, _ := st.Secret(secretOctoKey, &secret); !ok || secret == "" {
		fmt.Fprintln(out, cat.T("cli.octo_no_key"))
		return &exitError{code: exitNotMoved}
	}
	fmt.Fprintln(out, cat.T("cli.octo_key", keyTail(secret)))
	p, err := octoProvider(cfg.Octo, st, clock.Real{}, nil, cat)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Check(ctx); err != nil {
		fmt.Fprintln(out, cat.T("cli.octo_check_failed", err))
		return &exitError{code: exitNotMoved}
	}
	fmt.Fprintln(out, cat.T("cli.octo_check_ok"))
	fmt.Fprintln(out, cat.N("cli.octo_products", len(cfg.Octo.Products), len(cfg.Octo.Products)))
	if cfg.Octo.NotifyURL == "" {
		fmt.Fprintln(out, cat.T("cli.octo_no_notify"))
		return nil
	}
	if ok, _ := st.Secret(secretOctoNotify, &notify); !ok || notify == "" {
		fmt.Fprintln(out, cat.T("cli.octo_no_notify_key"))
		return &exitError{code: exitNotMoved}
	}
	fmt.Fprintln(out, cat.T("cli.octo_notify", cfg.Octo.NotifyURL, cfg.Octo.NotifyListen, cfg.Octo.notifyPath()))
	return nil
}

// runSimOcto runs the OCTO simulator on its own until interrupted.
func runSimOcto(args []string, out, stderr io.Writer) error {
	names := stringsOf(octosim.Behaviours)
	fs := newSimFlags("kassa sim octo")
	listen := fs.String("listen", "127.0.0.1:9089", "flag.sim.listen ADDR")
	shop := fs.Int64("shop-id", 10001, "flag.sim-octo.shop-id")
	secret := fs.String("secret", "secret", "flag.sim-octo.secret TEXT")
	notifyKey := fs.String("notify-key", "unique", "flag.sim-octo.notify-key TEXT")
	products := fs.String("products", "", "flag.sim-octo.products FILE")
	customer := fs.String("customer", "pay", "flag.sim-octo.customer NAME")
	delay := fs.Duration("delay", 5*time.Second, "flag.sim.delay")
	fiscalLate := fs.Bool("fiscal-late", false, "flag.sim-octo.fiscal-late")
	flat := fs.Bool("flat", false, "flag.sim-octo.flat")
	if err := parseSimFlags(fs, args, out, stderr); err != nil {
		return err
	}
	var does octosim.Behaviour
	for _, b := range octosim.Behaviours {
		if string(b) == *customer {
			does = b
		}
	}
	if does == "" {
		return fmt.Errorf("customer %q: use one of %s", *customer, strings.Join(names, ", "))
	}
	opts := octosim.Options{ShopID: *shop, Secret: *secret, NotifyKey: *notifyKey, FiscalLate: *fiscalLate,
		Default: octosim.Customer{Does: does, Delay: *delay}}
	if *flat {
		opts.Shape = octosim.ShapeFlat
	}
	if *products != "" {
		cfg, _, err := loadConfig("kassa sim octo", []string{"--config", *products})
		if err != nil {
			return err
		}
		for _, p := range cfg.Octo.Products {
			nds := 0
			if p.NDS != nil {
				nds = *p.NDS
			}
			opts.Products = append(opts.Products, octosim.Product{SPIC: p.SPIC, PackageCode: p.PackageCode, NDS: nds, INN: p.INN, PINFL: p.PINFL})
		}
	}
	srv, err := octosim.New(opts).Start(*listen)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stderr, "OCTO simulator on %s, shop %d (API /prepare_payment, /refund, /fiscal-data; pay pages /pay/; steering /sim/)\n", srv.URL(), *shop)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}
