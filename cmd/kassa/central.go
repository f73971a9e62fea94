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

// runCentral is kassa central init: the central database's schema,
// created or brought up to date.
func runCentral(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "init" {
		cat := catalogFor(langFlag(args))
		sub := ""
		if len(args) > 0 {
			sub = args[0]
		}
		return usageErr(cat.T("cli.unknown_command", strings.TrimSpace("central "+sub)), nil)
	}
	cfg, _, err := loadConfig("kassa central init", args[1:])
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
