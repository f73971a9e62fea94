package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/central/centraltest"
)

func TestACentralURLWithAPasswordIsRefused(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	en := locale.MustLoad("en")
	for _, url := range []string{"postgres://kassa:hunter2@db.example/kassa", "postgres://kassa@db.example/kassa?password=hunter2"} {
		var out bytes.Buffer
		err := runCentral([]string{"init", "--central", url}, &out)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage || ee.msg != en.T("central.password_in_url") {
			t.Fatalf("%s: %v", url, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("the refusal repeats the password: %v", err)
		}
	}
}

func TestATillWithACentralDatabaseNeedsItsShop(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	en := locale.MustLoad("en")
	cfg, _, err := loadConfig("kassa", []string{"--central", "postgres://kassa@127.0.0.1:1/kassa"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = startCentral(cfg, en, st, clock.Real{})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage || ee.msg != en.T("central.no_shop") {
		t.Fatalf("no shop: %v", err)
	}
}

// centralURL is the URL of the test's database, as a till is given it.
func centralURL(t *testing.T) string {
	cfg := centraltest.DB(t)
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

func TestCentralInitThenTheTillsPusherThenTheChainsExport(t *testing.T) {
	url := centralURL(t)
	db := genFile(t, 2000)
	var out bytes.Buffer
	if err := runCentral([]string{"init", "--central", url}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "migration 0001 applied") {
		t.Fatalf("init says %q", &out)
	}
	out.Reset()
	if err := runCentral([]string{"init", "--central", url}, &out); err != nil || !strings.Contains(out.String(), "up to date") {
		t.Fatalf("init again: %v, %q", err, &out)
	}
	// The till's pusher, as runTill starts it, catches up with the file.
	cfg, _, err := loadConfig("kassa", []string{"--central", url, "--shop", "Chilanzar", "--db", db})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	p, stop, err := startCentral(cfg, locale.MustLoad("en"), st, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	stop() // Push below does the same as Run, without waiting on it
	if _, err := p.Push(context.Background()); err != nil {
		t.Fatal(err)
	}
	till := st.Till()
	own, err := st.Totals(store.Query{From: time.Now().AddDate(0, 0, -34), To: time.Now()}, providers.KZT)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	from, to := day(time.Now().AddDate(0, 0, -34)), day(time.Now())
	local := filepath.Join(t.TempDir(), "local.csv")
	chain := filepath.Join(t.TempDir(), "chain.csv")
	if err := runExport([]string{"--from", from, "--to", to, "--out", local, "--db", db}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runExport([]string{"--central", url, "--shop", "Chilanzar", "--from", from, "--to", to, "--out", chain, "--db", db}, &out); err != nil {
		t.Fatal(err)
	}
	read := func(name string) [][]string {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	mine, all := read(local), read(chain)
	if len(all) != len(mine) || len(mine) < 100 {
		t.Fatalf("the chain's export has %d rows, the till's own %d", len(all), len(mine))
	}
	if h := all[0]; h[0] != "Shop" || h[1] != "Till" || !slices.Equal(h[2:], mine[0]) {
		t.Fatalf("header %q, the till's %q", h, mine[0])
	}
	for i := 1; i < len(all); i++ {
		if all[i][0] != "Chilanzar" || all[i][1] != till || !slices.Equal(all[i][2:], mine[i]) {
			t.Fatalf("row %d: %q, the till's %q", i, all[i], mine[i])
		}
	}
	// The chain's totals are the till's own.
	out.Reset()
	en := locale.MustLoad("en")
	money := func(m providers.Money) string {
		return en.Amount(m.Minor, m.Currency.Digits, m.Currency.Code, m.Currency.Symbol)
	}
	if err := runCentral([]string{"totals", "--central", url, "--from", from, "--to", to}, &out); err != nil {
		t.Fatal(err)
	}
	want := en.T("central.totals_line", "Chilanzar", till, en.T("provider.kaspi"), en.Number(int64(own.Payments)), money(own.Paid),
		en.Number(int64(own.Refunds)), money(own.Refunded), money(own.Net()))
	if !strings.Contains(out.String(), want+"\n") || !strings.Contains(out.String(), "Chilanzar · "+till+": last reached the central database") {
		t.Fatalf("totals say:\n%s\nwant the line %q", &out, want)
	}
	// Another shop's filter finds none of them.
	other := filepath.Join(t.TempDir(), "other.csv")
	if err := runExport([]string{"--central", url, "--shop", "Yunusabad", "--from", from, "--to", to, "--out", other}, &out); err != nil {
		t.Fatal(err)
	}
	if n := len(read(other)); n != 1 {
		t.Fatalf("another shop's export has %d lines, want the header", n)
	}
}
