package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/central"
	"github.com/kassa-till/kassa/ui/common"
)

// CentralConfig is the chain's central PostgreSQL database the till sends
// its operations to (the [central] table). The password is never here:
// PGPASSWORD or a password file (PGPASSFILE, ~/.pgpass) gives it, as for
// psql.
type CentralConfig struct {
	URL string `toml:"url"`
	// Shop is the shop's name there; empty: [shop] name.
	Shop string `toml:"shop"`
	// Till is the till's name there; empty: the till's own name (--till).
	Till string `toml:"till"`
}

func bindCentralFlags(fs *flag.FlagSet, c *CentralConfig) {
	fs.StringVar(&c.URL, "central", c.URL, "flag.central URL")
	fs.StringVar(&c.Shop, "shop", c.Shop, "flag.shop NAME")
}

// validate refuses a URL that holds a password or that cannot be read.
func (c CentralConfig) validate(cat *locale.Catalog) error {
	if c.URL == "" {
		return nil
	}
	if _, err := central.ParseURL(c.URL); err != nil {
		return centralURLErr(cat, err)
	}
	return nil
}

func centralURLErr(cat *locale.Catalog, err error) error {
	if errors.Is(err, central.ErrPasswordInURL) {
		// The URL itself is not repeated: it holds the password.
		return usageErr(cat.T("central.password_in_url"), err)
	}
	return usageErr(cat.T("central.bad_url", err), err)
}

// centralShop is the shop the till is filed under centrally.
func (c Config) centralShop() string {
	if c.Central.Shop != "" {
		return c.Central.Shop
	}
	return c.Shop.Name
}

// connectCentral opens the central database the config names, for a
// manager's command.
func connectCentral(ctx context.Context, cfg Config, cat *locale.Catalog) (*pgx.Conn, error) {
	if cfg.Central.URL == "" {
		return nil, usageErr(cat.T("central.no_url"), nil)
	}
	pc, err := central.ParseURL(cfg.Central.URL)
	if err != nil {
		return nil, centralURLErr(cat, err)
	}
	conn, err := pgx.ConnectConfig(ctx, pc)
	if err != nil {
		return nil, booksErr(cat.T("central.connect_failed", err), err)
	}
	return conn, nil
}

// runCentral is kassa central init|totals.
func runCentral(args []string, out io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "init":
		return runCentralInit(args[1:], out)
	case "totals":
		return runCentralTotals(args[1:], out)
	}
	return usageErr(catalogFor(langFlag(args)).T("cli.unknown_command", strings.TrimSpace("central "+sub)), nil)
}

// runCentralInit creates the central database's schema or brings it up
// to date.
func runCentralInit(args []string, out io.Writer) error {
	cfg, _, err := loadConfig("kassa central init", args)
	if err != nil {
		return err
	}
	cat := catalogFor(cfg.Lang)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := connectCentral(ctx, cfg, cat)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	applied, err := central.Migrate(ctx, conn)
	for _, v := range applied {
		fmt.Fprintln(out, cat.T("central.applied", fmt.Sprintf("%04d", v)))
	}
	if err != nil {
		return booksErr(cat.T("central.init_failed", err), err)
	}
	if len(applied) == 0 {
		fmt.Fprintln(out, cat.T("central.up_to_date"))
	}
	return nil
}

// startCentral runs the pusher of the till's changes to the central
// database in the background, when one is configured; stop ends it. A
// sale never waits for it: the outbox is written with each change, and
// the pusher sends it when the database is there.
func startCentral(cfg Config, cat *locale.Catalog, st *store.Store, c clock.Clock) (p *central.Pusher, stop func(), err error) {
	if cfg.Central.URL == "" {
		return nil, func() {}, nil
	}
	pc, err := central.ParseURL(cfg.Central.URL)
	if err != nil {
		return nil, nil, centralURLErr(cat, err)
	}
	if cfg.centralShop() == "" {
		return nil, nil, usageErr(cat.T("central.no_shop"), nil)
	}
	till := cfg.Central.Till
	if till == "" {
		till = st.Till()
	}
	p, err = central.NewPusher(st, pc, cfg.centralShop(), till, c)
	if err != nil {
		return nil, nil, booksErr(cat.T("cli.db_failed", st.Path(), err), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx)
	}()
	return p, func() { cancel(); <-done }, nil
}

// exportCentral is kassa export --central: the period's payments or
// refunds of every till of the chain (or of the shop and till the command
// line names), with their shop and till.
func exportCentral(cfg Config, args []string, q store.Query, kind, file string, given bool, out io.Writer) error {
	cat := catalogFor(cfg.Lang)
	cq := central.Query{From: q.From, To: q.To, Kind: q.Kind,
		Shop: flagValue(args, "shop"), Till: flagValue(args, "till")}
	ctx := context.Background()
	conn, err := connectCentral(ctx, cfg, cat)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	format := common.CSVFormat(cat)
	var rows int
	name, err := writeExport(file, given, cat, func(w io.Writer) (err error) {
		rows, err = central.WriteCSV(ctx, conn, w, cq, format, cat.T("central.csv_shop"), cat.T("central.csv_till"))
		return err
	})
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(name)
	fmt.Fprintln(out, cat.T("cli.exported_"+kind, cat.Number(int64(rows)), abs))
	return nil
}

// runCentralTotals writes what each till of the chain (or of the shop
// and till the command line names) took over a period, per provider and
// currency, and when each last reached the server.
func runCentralTotals(args []string, out io.Writer) error {
	var from, to string
	cfg, _, err := loadConfig("kassa central totals", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "flag.export.from YYYY-MM-DD")
		fs.StringVar(&to, "to", "", "flag.export.to YYYY-MM-DD")
	})
	if err != nil {
		return err
	}
	cat := catalogFor(cfg.Lang)
	q := central.Query{Shop: flagValue(args, "shop"), Till: flagValue(args, "till")}
	if q.From, q.To, _, err = parsePeriod(cat, from, to); err != nil {
		return err
	}
	ctx := context.Background()
	conn, err := connectCentral(ctx, cfg, cat)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	totals, err := central.Totals(ctx, conn, q)
	if err != nil {
		return booksErr(cat.T("central.read_failed", err), err)
	}
	tills, err := central.Tills(ctx, conn, q.Shop, q.Till)
	if err != nil {
		return booksErr(cat.T("central.read_failed", err), err)
	}
	amount := func(m providers.Money) string {
		return cat.Amount(m.Minor, m.Currency.Digits, m.Currency.Code, m.Currency.Symbol)
	}
	if len(totals) == 0 {
		fmt.Fprintln(out, cat.T("central.no_totals"))
	}
	for _, t := range totals {
		fmt.Fprintln(out, cat.T("central.totals_line", t.Shop, t.Till, cat.T("provider."+t.Provider),
			cat.Number(int64(t.Payments)), amount(t.Paid), cat.Number(int64(t.Refunds)), amount(t.Refunded), amount(t.Net())))
	}
	now := time.Now()
	for _, t := range tills {
		key := "central.till_seen"
		if now.Sub(t.Seen) > central.SilentAfter {
			key = "central.till_silent"
		}
		fmt.Fprintln(out, cat.T(key, t.Shop, t.Till, t.Seen.In(time.Local).Format("2006-01-02 15:04")))
	}
	return nil
}
