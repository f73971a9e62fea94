package ui

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/octo"
	octosim "github.com/kassa-till/kassa/providers/octo/sim"
	"github.com/kassa-till/kassa/store"
)

var octoBread = octo.Product{Name: "Non", SPIC: "01901001001000000", PackageCode: "1500001", PINFL: "123451246"}

// newOctoTill is an Uzbek shop's till on OCTO's simulator, which
// registers each paid payment's fiscal receipt, on a fake clock; the
// program starts once before has written the data file.
func newOctoTill(t *testing.T, width, height int, lang string, before func(*till)) *till {
	t.Helper()
	clk := clock.NewFake(t0)
	// The screens here show what the data file holds; the simulator only
	// answers the tracker's asks, so it has no products to sell.
	s := octosim.New(octosim.Options{Clock: clk, ShopID: 7, Secret: "s", FiscalLate: true})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	p, err := octo.New(octo.Options{URL: srv.URL, ShopID: 7, Secret: "s", Clock: clk, Products: []octo.Product{octoBread},
		Contact: octo.Contact{Phone: "998712000000"}})
	if err != nil {
		t.Fatal(err)
	}
	c := uzShop(t, clk, lang, p)
	c.Demo = true
	k := &till{t: t, clk: clk, store: c.Store, tr: c.Tracker, cat: c.Cat}
	if before != nil {
		before(k)
	}
	k.tm = teatest.NewTestModel(t, New(c), teatest.WithInitialTermSize(width, height))
	return k
}

// octoFiscal is a fiscal receipt as OCTO gives it.
var octoFiscal = providers.Fiscal{TerminalID: "EZ000000000371", ReceiptID: "4821", DateTime: "20261123131012", FiscalSign: "384729104857",
	QRCodeURL: "https://ofd.soliq.uz/check?t=EZ000000000371&r=4821&c=20261123131012&s=384729104857"}

// octoShop is a day of an Uzbek shop on OCTO, written as the tracker
// leaves it: a payment whose fiscal receipt is registered, one the till
// gave up asking for (not fiscalized), and one still asked for.
func octoShop(k *till) {
	st := k.store
	pay := func(amount int64, at time.Time, sale providers.Sale, fiscal *providers.Fiscal, missing bool) {
		op := store.NewPayment("octo", providers.New(amount, providers.UZS), "Dilnoza", true, at)
		op.Sale, op.FiscalWanted = &sale, true
		if err := st.Create(&op); err != nil {
			k.t.Fatal(err)
		}
		uuid := strings.Replace("1145df74-2b4a-4e5c-9d3e-00000000000N", "N", op.Receipt()[5:], 1)
		op.Started(providers.Status{Ref: uuid}, at)
		op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: uuid,
			Cheque: &providers.Cheque{Type: "payment", Method: providers.MethodQR, OrderNumber: op.OperationID}}, at.Add(40*time.Second))
		op.FiscalAsked, op.FiscalTries = at.Add(45*time.Second), 3
		if fiscal != nil {
			op.Fiscal = fiscal
		} else {
			op.FiscalError = "fiscal data not ready"
		}
		if missing {
			op.FiscalMissing = at.Add(11 * time.Minute)
		}
		if err := st.Save(&op); err != nil {
			k.t.Fatal(err)
		}
	}
	pay(15_000_000, t0.Add(-70*time.Minute), providers.Sale{Product: "Non", Contact: "+998901234567"}, &octoFiscal, false)
	pay(4_250_000, t0.Add(-40*time.Minute), providers.Sale{Product: "Non", Contact: "dilshod@mail.uz"}, nil, true)
	pay(870_000, t0.Add(-2*time.Minute), providers.Sale{Product: "Non"}, nil, false)
}

// octoHistory opens the history of octoShop's day.
func octoHistory(k *till) {
	k.key(tea.KeyF3)
	k.title("title.history", k.cat.T("history.payments"), 3)
}
