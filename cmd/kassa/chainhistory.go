package main

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store/central"
	"github.com/kassa-till/kassa/ui"
	"github.com/kassa-till/kassa/ui/common"
)

// runHistory is kassa history --central URL [--shop S] [--till T]: the
// history screen over the chain's central database. It needs no data
// file and changes nothing; the shop and till on the command line are
// where it opens (the [central] table's are this till's own, not a
// filter).
func runHistory(args []string) error {
	cfg, _, err := loadConfig("kassa history", args)
	if err != nil {
		return err
	}
	cat := catalogFor(cfg.Lang)
	if cfg.Central.URL == "" {
		return usageErr(cat.T("central.no_url"), nil)
	}
	pc, err := central.ParseURL(cfg.Central.URL)
	if err != nil {
		return centralURLErr(cat, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	books, err := central.OpenBooks(ctx, pc)
	if err != nil {
		return booksErr(cat.T("central.connect_failed", err), err)
	}
	defer books.Close()
	books.ShopWord, books.TillWord = cat.T("central.csv_shop"), cat.T("central.csv_till")
	cur, ok, err := books.Currency()
	if err != nil {
		return booksErr(cat.T("central.read_failed", err), err)
	}
	if !ok {
		// Nothing sold yet: the totals read zero in the till's own
		// market's currency.
		code := "KZT"
		if cfg.uzbek() {
			code = "UZS"
		}
		cur, _ = providers.CurrencyByCode(code)
	}
	c := &common.Common{Cat: cat, Styles: common.DefaultStyles(), Keys: common.NewKeyMap(cat), Clock: clock.Real{}, Lang: cfg.Lang}
	m := ui.NewChain(c, books, cur, books.Name(), flagValue(args, "shop"), flagValue(args, "till"))
	_, err = tea.NewProgram(m, ui.WithKeyInput()).Run()
	return err
}
