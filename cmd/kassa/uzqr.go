package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/uzqr"
	uzsim "github.com/kassa-till/kassa/providers/uzqr/sim"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// secretUzQRKey is where the API key of the till's dynamic QR is kept in
// the data file (0600), given once with `kassa key uzqr`.
const secretUzQRKey = "uzqr.api_key"

func (u UzQRConfig) validate(cat *locale.Catalog) error {
	if u.URL == "" {
		return nil
	}
	if !validPOSURL(u.URL) {
		return usageErr(cat.T("cli.uzqr_url", u.URL), nil)
	}
	if err := uzqr.CheckQRName(u.QR); err != nil {
		return usageErr(cat.T("cli.uzqr_qr", u.QR), err)
	}
	if u.INN != "" {
		if err := uzqr.CheckINN(u.INN); err != nil {
			return usageErr(cat.T("cli.uzqr_inn", u.INN), err)
		}
	}
	if u.ScanTimeout.Duration <= 0 {
		return usageErr(cat.T("cli.timeouts"), nil)
	}
	return nil
}

// uzqrProvider is the UzQR provider of a real till: the gateway the config
// names, with the API key the data file keeps.
func uzqrProvider(u UzQRConfig, st *store.Store) (*uzqr.Provider, error) {
	var key string
	if _, err := st.Secret(secretUzQRKey, &key); err != nil {
		return nil, err
	}
	return uzqr.New(uzqr.Options{URL: u.URL, QRName: u.QR, INN: u.INN, APIKey: uzqr.Secret(key), ScanTimeout: u.ScanTimeout.Duration})
}

// uzCustomerNames lists what the demo's UzQR customer can be told to do.
func uzCustomerNames() []string {
	names := make([]string, len(uzsim.Behaviours))
	for i, b := range uzsim.Behaviours {
		names[i] = string(b)
	}
	return names
}

func parseUzCustomer(name string) (uzsim.Behaviour, error) {
	for _, b := range uzsim.Behaviours {
		if string(b) == name {
			return b, nil
		}
	}
	return "", fmt.Errorf("demo customer %q: use one of %s", name, strings.Join(uzCustomerNames(), ", "))
}

// demoQRName is the dynamic QR of the demo's Uzbek shop.
const demoQRName = "DEMO_1"

// startDemoUzQR runs the UzQR box simulator inside the process for an
// Uzbek shop's demo, knowing the payments earlier runs took from the
// training file's books, and the provider on it.
func startDemoUzQR(d DemoConfig, clk clock.Clock, st *store.Store) (*uzsim.Sim, *uzsim.Server, *uzqr.Provider, error) {
	customer := d.Customer
	if customer == "" {
		customer = string(uzsim.Pay)
	}
	behaviour, err := parseUzCustomer(customer)
	if err != nil {
		return nil, nil, nil, err
	}
	payments, err := uzBooks(st)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("demo UzQR: %w", err)
	}
	s := uzsim.New(uzsim.Options{Clock: clk, Default: uzsim.Customer{Does: behaviour, Delay: d.Delay.Duration},
		DefaultRefund: uzsim.RefundScript{Ends: uzsim.RefundDone, After: 20 * time.Second},
		QRName:        demoQRName, Payments: payments,
		// Ids of another run must not come again: the seed differs each run.
		Seed: rand.Uint64()})
	srv, err := s.Start("127.0.0.1:0")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("demo UzQR: %w", err)
	}
	p, err := uzqr.New(uzqr.Options{URL: srv.URL(), QRName: demoQRName})
	if err != nil {
		srv.Close()
		return nil, nil, nil, err
	}
	return s, srv, p, nil
}

// uzBooks is what the demo's box took in earlier runs, from the training
// file's books: each paid invoice's pay_id and amount, less its refunds.
func uzBooks(st *store.Store) ([]uzsim.Payment, error) {
	paid := map[store.ID]int{}
	refunded := map[store.ID]int64{}
	var payments []uzsim.Payment
	err := st.EachRow(func(r store.Row) bool {
		if r.Provider != uzqr.Name {
			return true
		}
		switch {
		case r.Kind == store.KindPayment && r.State == store.StateSuccess && r.Number != "":
			paid[r.ID] = len(payments)
			payments = append(payments, uzsim.Payment{PayID: r.Number, Amount: r.Amount.Minor})
		case r.Kind == store.KindRefund && r.State.Holds():
			refunded[r.PaymentID] += r.Amount.Minor
		}
		return true
	})
	for id, sum := range refunded {
		if i, ok := paid[id]; ok {
			payments[i].Refunded = sum
		}
	}
	return payments, err
}

// runKey takes a provider's secret once and keeps it in the data file:
// `kassa key uzqr` reads the API key the cabinet shows once. On a till
// with people it takes a manager (or --user with --approver, as
// [approval] says for keys), whose PINs come first on standard input; the
// change is audited, never the key.
func runKey(args []string, in io.Reader, out io.Writer) error {
	secrets := map[string]struct{ name, prompt string }{
		"uzqr":        {secretUzQRKey, "cli.key_prompt"},
		"monetix":     {secretMonetixKey, "cli.key_prompt_monetix"},
		"octo":        {secretOctoKey, "cli.key_prompt_octo"},
		"octo-notify": {secretOctoNotify, "cli.key_prompt_octo_notify"},
	}
	if len(args) == 0 || secrets[args[0]].name == "" {
		return usageErr(catalogFor(langFlag(args)).T("cli.key_which"), nil)
	}
	which := secrets[args[0]]
	var w who
	cfg, _, err := loadConfig("kassa key "+args[0], args[1:], func(fs *flag.FlagSet) { bindWho(fs, &w, true) })
	if err != nil {
		return err
	}
	cat, err := locale.Load(cfg.Lang)
	if err != nil {
		return err
	}
	st, err := openDataFile(cfg.dataFile(), cat)
	if err != nil {
		return err
	}
	defer st.Close()
	// One reader for the PINs and the key: each line is for whom it comes.
	lines := newPINReader(in, out, cat)
	need := func(by store.Person) bool { return cfg.Approval.Needs(store.ActionKeys, by) }
	now := time.Now()
	a, err := authorize(st, cat, w, lines, store.ActionKeys, need, now)
	if err != nil {
		return err
	}
	key, err := lines.read(cat.T(which.prompt))
	if err != nil && !errors.Is(err, errNoPIN) {
		return err
	}
	if key == "" {
		fmt.Fprintln(out, cat.T("cli.key_empty"))
		return errUsageSaid
	}
	e := store.AuditEntry{At: now, Who: a.by.Name, Approver: a.approver.Name}
	if err := st.PutSecretAudited(which.name, key, e); err != nil {
		return booksErr(cat.T("cli.db_failed", st.Path(), err), err)
	}
	fmt.Fprintln(out, cat.T("cli.key_stored", keyTail(key), st.Path()))
	return nil
}

// keyTail is all of a key a person is ever shown again: its last four
// characters.
func keyTail(key string) string {
	r := []rune(key)
	if len(r) <= 4 {
		return "…"
	}
	return "…" + string(r[len(r)-4:])
}

// runCheckUzQR says whether the gateway answers and takes the key: a
// status call for an invoice that cannot exist answers "not found" to a
// good key and "wrong key" to a bad one.
func runCheckUzQR(args []string, out io.Writer) error {
	cfg, _, err := loadConfig("kassa check uzqr", args)
	if err != nil {
		return err
	}
	cat, err := locale.Load(cfg.Lang)
	if err != nil {
		return err
	}
	if cfg.UzQR.URL == "" {
		fmt.Fprintln(out, cat.T("cli.uzqr_need_url"))
		return errUsageSaid
	}
	st, err := openDataFile(cfg.dataFile(), cat)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := uzqrProvider(cfg.UzQR, st)
	if err != nil {
		return usageErr(err.Error(), err)
	}
	var key string
	st.Secret(secretUzQRKey, &key)
	fmt.Fprintln(out, cat.T("cli.uzqr_checking", cfg.UzQR.URL, cfg.UzQR.QR))
	if key == "" {
		fmt.Fprintln(out, cat.T("cli.uzqr_no_key"))
	} else {
		fmt.Fprintln(out, cat.T("cli.uzqr_key", keyTail(key)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := &common.Common{Cat: cat}
	if err := p.Check(ctx); err != nil {
		fmt.Fprintln(out, cat.T("cli.uzqr_check_failed", c.ErrorFor(uzqr.Name, err)))
		return errOutcome
	}
	fmt.Fprintln(out, cat.T("cli.uzqr_check_ok"))
	return nil
}

// idsFit says whether the till's operation ids fit UzQR's
// external_id: the till's name, a dash and a receipt number of up to
// seven digits.
func idsFit(st *store.Store, info providers.Info) bool {
	return info.MaxIDLength == 0 || len(st.Till())+1+7 <= info.MaxIDLength
}

// uzqrGateway is the settings screen's hold on the till's UzQR gateway.
type uzqrGateway struct {
	cfg      UzQRConfig
	provider *uzqr.Provider
	store    *store.Store
}

func (g *uzqrGateway) Describe() common.GatewayInfo {
	var key string
	g.store.Secret(secretUzQRKey, &key)
	info := common.GatewayInfo{URL: g.cfg.URL, QRName: g.cfg.QR, INN: g.cfg.INN}
	if key != "" {
		info.KeyTail = keyTail(key)
	}
	return info
}

func (g *uzqrGateway) Check(ctx context.Context) error { return g.provider.Check(ctx) }

// SetKey keeps the key first: a key the data file does not hold would be
// lost at the next start.
func (g *uzqrGateway) SetKey(key string) error {
	if err := g.store.PutSecret(secretUzQRKey, key); err != nil {
		return err
	}
	g.provider.Client().SetAPIKey(uzqr.Secret(key))
	return nil
}
