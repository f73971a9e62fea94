package ui

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kassa-till/kassa/assets/lessons"
	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/central"
	"github.com/kassa-till/kassa/ui/common"
)

// scene is one state of one screen a cashier or manager can reach, and
// the keys that reach it. Titles are waited for in the till's language.
type scene struct {
	name     string
	customer sim.Customer
	before   func(*store.Store, providers.Provider)
	// octo, where set, runs the scene on an OCTO till instead, with the
	// data file it writes.
	octo   func(*till)
	adjust func(*common.Common, *sim.Sim)
	drive  func(k *till)
	// want are texts, or catalog keys of texts, the screen shows whole:
	// wrapped maybe, never cut; absent, words it must not show.
	want, absent []string
}

// tg is an amount of tenge as the screens write it.
func tg(n int64) string { return providers.New(n, providers.KZT).Grouped() + " ₸" }

// tg is n tenge as the till's language writes it on screen.
func (k *till) tg(n int64) string { return k.cat.Amount(n, 0, "KZT", "₸") }

// key presses a named key.
func (k *till) key(code rune, text ...string) {
	msg := tea.KeyPressMsg{Code: code}
	if len(text) > 0 {
		msg.Text = text[0]
	}
	k.tm.Send(msg)
}

// title waits for the terminal title the catalog's key gives with args.
func (k *till) title(key string, args ...any) {
	k.t.Helper()
	k.waitTitle(k.cat.T(key, args...))
}

// sold is a finished payment of amount, back at a new sale.
func (k *till) sold(amount int64) {
	k.t.Helper()
	k.payFor(providers.New(amount, providers.KZT).Major(), 12, k.cat.T("title.paid", k.tg(amount)))
	k.key(tea.KeyEnter)
	k.title("title.entry")
}

// needingCheck writes, as an earlier run would have, payments that only a
// person can settle.
func needingCheck(n int) func(*store.Store, providers.Provider) {
	return func(st *store.Store, _ providers.Provider) {
		for i := range n {
			op := store.NewPayment("kaspi", providers.New(700+int64(i)*100, providers.KZT), "Aigerim", true, t0.Add(time.Duration(i)*time.Minute))
			st.Create(&op)
			op.NeedsCheck(store.NoteInterrupted, t0.Add(time.Duration(i)*time.Minute))
			st.Save(&op)
		}
	}
}

func scenes() []scene {
	quick := sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second}
	plain := func(c *common.Common, _ *sim.Sim) {
		c.Terminal = &fakeTerminal{url: "http://192.168.1.50:8080", answer: make(chan struct{})}
	}
	secured := func(c *common.Common, _ *sim.Sim) {
		c.Terminal = &fakeTerminal{url: "https://192.168.1.50:8080", secured: true, name: "Kassa-1", exp: t0.Add(20 * time.Hour), answer: make(chan struct{})}
	}
	trainer := func(c *common.Common, s *sim.Sim) { c.Trainer = &simTrainer{sim: s, store: c.Store} }
	history := func(k *till) {
		k.key(tea.KeyF3)
		k.title("title.history", k.cat.T("history.payments"), 2)
	}
	return []scene{
		{name: "entry", customer: quick, drive: func(k *till) { k.tm.Type("12500") }},
		{name: "entry_refused", customer: quick, drive: func(k *till) {
			k.tm.Type("0")
			k.key(tea.KeyEnter)
		}},
		{name: "waiting", customer: sim.Customer{Does: sim.PayQR, Delay: 30 * time.Second}, drive: func(k *till) { k.payFor("12500", 12, "") }},
		{name: "waiting_confirm", customer: sim.Customer{Does: sim.PayQR, Delay: 5 * time.Second, Think: 30 * time.Second}, drive: func(k *till) {
			k.payFor("12500", 8, "")
		}},
		// The POS stops answering while the customer pays: the till says
		// so and goes on asking.
		{name: "waiting_no_answer", customer: sim.Customer{Does: sim.PayQR, Delay: 30 * time.Second}, want: []string{"error.dropped"}, drive: func(k *till) {
			k.payFor("12500", 2, "")
			k.sim.Inject("/v2/status", sim.FaultDrop, sim.FaultDrop, sim.FaultDrop, sim.FaultDrop, sim.FaultDrop, sim.FaultDrop, sim.FaultDrop, sim.FaultDrop)
			for range 3 {
				k.second()
			}
		}},
		{name: "entry_keys", customer: quick, drive: func(k *till) { k.key(tea.KeyF1) }},
		{name: "unknown", customer: sim.Customer{Does: sim.UnknownThenSuccess, Delay: 3 * time.Second, Think: 2 * time.Second, ResolveAfter: time.Hour},
			drive: func(k *till) { k.payFor("12500", 6, k.cat.T("title.unknown", k.tg(12500))) }},
		{name: "paid_qr", customer: quick, drive: func(k *till) { k.payFor("12500", 6, k.cat.T("title.paid", k.tg(12500))) }},
		{name: "paid_card", customer: sim.Customer{Does: sim.PayCard, Delay: 3 * time.Second, Think: 2 * time.Second}, drive: func(k *till) {
			k.payFor("2000", 8, k.cat.T("title.paid", k.tg(2000)))
		}},
		{name: "declined", customer: sim.Customer{Does: sim.Decline, Delay: 3 * time.Second, Think: 2 * time.Second}, drive: func(k *till) {
			k.payFor("12500", 6, k.cat.T("title.declined", k.tg(12500)))
		}},
		{name: "busy", customer: quick, drive: func(k *till) {
			k.sim.Inject("/v2/payment", sim.FaultBusy)
			k.tm.Type("500")
			k.key(tea.KeyEnter)
			k.title("title.notstarted", k.tg(500))
		}},
		{name: "expired", customer: quick, drive: func(k *till) {
			k.sim.Inject("/v2/payment", sim.FaultExpired)
			k.tm.Type("500")
			k.key(tea.KeyEnter)
			k.title("title.notstarted", k.tg(500))
		}},
		{name: "no_answer", customer: quick, drive: func(k *till) {
			k.sim.Inject("/v2/payment", sim.FaultDrop)
			k.tm.Type("500")
			k.key(tea.KeyEnter)
			// The header counts it among those to check once it is saved:
			// either may be drawn first.
			k.waitTitleWith(k.cat.T("title.check", k.tg(500)), "⚠")
		}},
		{name: "timed_out", customer: sim.Customer{Does: sim.NeverScan}, drive: func(k *till) {
			k.payFor("12500", 181, k.cat.T("title.timeout", k.tg(12500)))
		}},
		{name: "refund_find", customer: quick, want: []string{"refund.number_label"}, drive: func(k *till) {
			k.sold(5000)
			k.key(tea.KeyF2)
			k.title("title.refund_find", 1)
		}},
		{name: "refund_qr", customer: quick, want: []string{"refund.hint_qr"}, drive: func(k *till) {
			k.sold(5000)
			k.key(tea.KeyF2)
			k.title("title.refund_find", 1)
			k.key(tea.KeyEnter)
			k.title("title.refund_choose", "000001")
			k.tm.Type("9000")
		}},
		{name: "refund_card", want: []string{"refund.hint_card"}, customer: sim.Customer{Does: sim.PayCard, Delay: 2 * time.Second, Think: 2 * time.Second}, drive: func(k *till) {
			k.sold(5000)
			k.key(tea.KeyF2)
			k.tm.Type("000001")
			k.key(tea.KeyEnter)
			k.title("title.refund_choose", "000001")
			k.tm.Type("2000")
		}},
		{name: "refund_over", customer: quick, want: []string{"refund.hint_qr"}, drive: func(k *till) {
			k.sold(5000)
			k.key(tea.KeyF2)
			k.tm.Type("000001")
			k.key(tea.KeyEnter)
			k.title("title.refund_choose", "000001")
			k.tm.Type("9000")
			k.key(tea.KeyEnter)
		}},
		{name: "refund_nothing_left", before: refundedInFull, want: []string{"refund.nothing_left"}, drive: func(k *till) {
			k.key(tea.KeyF2)
			k.tm.Type("000001")
			k.key(tea.KeyEnter)
			k.title("title.refund_choose", "000001")
			k.key(tea.KeyEnter)
		}},
		{name: "refunded", customer: quick, drive: func(k *till) {
			k.sold(5000)
			k.key(tea.KeyF2)
			k.tm.Type("000001")
			k.key(tea.KeyEnter)
			k.title("title.refund_choose", "000001")
			k.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second})
			k.tm.Type("5000")
			k.key(tea.KeyEnter)
			k.eventually("the refund is polled", func() bool { return k.lastID() == 2 && k.settled() })
			for range 6 {
				k.second()
			}
			k.title("title.paid_refund", k.tg(5000))
		}},
		{name: "history", before: shopData, drive: history},
		{name: "history_keys", before: shopData, want: []string{"keys.export", "keys.refund_row", "keys.terminal", "keys.home_end", "keys.help"}, drive: func(k *till) {
			history(k)
			k.key(tea.KeyF1)
		}},
		{name: "history_detail", before: shopData, want: []string{"history.d_offer", "history.product.gold"},
			absent: []string{"WaitUser", "addInfo"}, drive: func(k *till) {
				history(k)
				k.key(tea.KeyDown)
				k.key(tea.KeyEnter)
				k.title("title.history_detail", "000002")
			}},
		{name: "history_detail_end", before: shopData, want: []string{"receipt.yes", "history.stage.wait_scan", "history.stage.done"},
			absent: []string{"true", "CardTransactionSuccess", "WaitUser"}, drive: func(k *till) {
				history(k)
				k.key(tea.KeyDown)
				k.key(tea.KeyEnter)
				k.title("title.history_detail", "000002")
				k.key(tea.KeyEnd)
			}},
		// A payment refunded in full says so; one paid after its outcome
		// was unknown shows no word the POS said before it was paid.
		{name: "history_refunded", before: refundedInFull, want: []string{"history.state_refunded"}, drive: func(k *till) {
			k.key(tea.KeyF3)
			k.title("title.history", k.cat.T("history.payments"), 1)
			k.key(tea.KeyEnter)
			k.title("title.history_detail", "000001")
		}},
		{name: "history_unknown_then_paid", before: paidAfterUnknown, absent: []string{"history.d_message"}, drive: func(k *till) {
			k.key(tea.KeyF3)
			k.title("title.history", k.cat.T("history.payments"), 1)
			k.key(tea.KeyEnter)
			k.title("title.history_detail", "000001")
		}},
		// A payment a person settled: the event in the reader's words, the
		// person's own words whole.
		{name: "history_checked", before: checkedByDana, want: []string{"note.checked", danasNote, "error.no_answer"}, absent: []string{"no answer from the Smart POS"}, drive: func(k *till) {
			k.key(tea.KeyF3)
			k.title("title.history", k.cat.T("history.payments"), 1)
			k.key(tea.KeyEnter)
			k.title("title.history_detail", "000001")
			k.key(tea.KeyEnd)
		}},
		{name: "history_refund_detail", before: shopData, drive: func(k *till) {
			history(k)
			k.key(tea.KeyTab)
			k.title("title.history", k.cat.T("history.refunds"), 1)
			k.key(tea.KeyEnter)
			k.title("title.history_detail", "000004")
		}},
		{name: "history_refunds", before: shopData, drive: func(k *till) {
			history(k)
			k.key(tea.KeyTab)
			k.title("title.history", k.cat.T("history.refunds"), 1)
		}},
		{name: "history_search", before: shopData, drive: func(k *till) {
			history(k)
			k.key('/', "/")
			k.tm.Type("5047001")
			// The empty list, then the hint naming the day of the match.
			title := "\x1b]2;kassa · " + k.cat.T("title.history", k.cat.T("history.payments"), 0)
			teatest.WaitFor(k.t, k.tm.Output(), func(b []byte) bool {
				i := bytes.LastIndex(b, []byte(title))
				return i >= 0 && bytes.Contains(b[i:], []byte("13.11.2026"))
			}, teatest.WithDuration(guard), teatest.WithCheckInterval(time.Millisecond))
		}},
		{name: "history_period", before: shopData, drive: func(k *till) {
			history(k)
			k.key('d', "d")
			k.tm.Type("01.10.2026 23.11.2026")
			k.key(tea.KeyEnter)
		}},
		// OCTO registers the fiscal receipts: a payment whose receipt never
		// came says so in the list, and its detail offers to ask again; a
		// registered one shows its fiscal block.
		{name: "history_octo", octo: octoShop, want: []string{"history.state_not_fiscalized"}, drive: octoHistory},
		{name: "history_octo_not_fiscalized", octo: octoShop, want: []string{"history.fiscal_missing", "keys.ask_fiscal", "d***@mail.uz"},
			absent: []string{"dilshod"}, drive: func(k *till) {
				octoHistory(k)
				k.key(tea.KeyDown)
				k.key(tea.KeyEnter)
				k.title("title.history_detail", "000002")
			}},
		{name: "history_octo_fiscal", octo: octoShop, want: []string{"history.d_fiscal", octoFiscal.FiscalSign, "23.11.2026 13:10:12",
			// The link, too long for 80 columns, broken between its parameters.
			"https://ofd.soliq.uz/check?t=EZ000000000371&r=4821", "&c=20261123131012&s=384729104857"},
			drive: func(k *till) {
				octoHistory(k)
				k.key(tea.KeyDown)
				k.key(tea.KeyDown)
				k.key(tea.KeyEnter)
				k.title("title.history_detail", "000001")
				k.key(tea.KeyEnd)
			}},
		{name: "check_empty", drive: func(k *till) {
			k.key(tea.KeyF4)
			k.waitTitle(k.cat.N("title.check_list", 0, 0))
		}},
		{name: "check_list", before: needingCheck(3), drive: func(k *till) {
			k.key(tea.KeyF4)
			k.waitTitle(k.cat.N("title.check_list", 3, 3))
		}},
		// Every warning stays in the header, however many there are.
		{name: "check_list_insecure", before: needingCheck(1), want: []string{"app.insecure", "app.demo"},
			adjust: func(c *common.Common, _ *sim.Sim) { c.Insecure = true }, drive: func(k *till) {
				k.key(tea.KeyF4)
				k.waitTitle(k.cat.N("title.check_list", 1, 1))
			}},
		// A backup that failed stays in the header with the rest.
		{name: "entry_backup_failed", customer: quick, want: []string{"app.backup_failed", "app.insecure", "app.demo"},
			adjust: func(c *common.Common, _ *sim.Sim) { c.Backups, c.Insecure = failedBackups{}, true },
			drive:  func(k *till) { k.tm.Type("700") }},
		// Changes the central database has still to get are counted there.
		{name: "entry_central_behind", customer: quick, want: []string{"app.demo"},
			adjust: func(c *common.Common, _ *sim.Sim) { c.Central = centralBehind(12) },
			drive:  func(k *till) { k.tm.Type("700") }},
		// The database not reached: the header says so beside the count.
		{name: "entry_central_offline", customer: quick, want: []string{"app.demo"},
			adjust: func(c *common.Common, _ *sim.Sim) {
				c.Central = centralFailing{12, errors.New("dial tcp: connection refused")}
			},
			drive: func(k *till) { k.tm.Type("700") }},
		// Another data file sends under this till's name: nothing of it is
		// taken until it has a name of its own.
		{name: "entry_central_refused", customer: quick, want: []string{"central.name_taken"},
			adjust: func(c *common.Common, _ *sim.Sim) { c.Central = centralFailing{12, central.ErrOtherFile} },
			drive:  func(k *till) { k.tm.Type("700") }},
		{name: "check_form", before: needingCheck(3), want: []string{"checks.number_placeholder", "checks.note_required"}, drive: func(k *till) {
			k.key(tea.KeyF4)
			k.waitTitle(k.cat.N("title.check_list", 3, 3))
			k.key(tea.KeyEnter)
			k.key(tea.KeyRight) // paid
			k.key(tea.KeyTab)
			k.key(tea.KeyTab)
			k.key(tea.KeyEnter) // no note: refused
		}},
		{name: "settings_demo", drive: func(k *till) {
			k.key(tea.KeyF9)
			k.title("settings.title")
		}},
		{name: "settings_plain", adjust: plain, drive: func(k *till) {
			k.key(tea.KeyF9)
			k.title("settings.title")
		}},
		{name: "settings_secured", adjust: secured, drive: func(k *till) {
			k.key(tea.KeyF9)
			k.title("settings.title")
		}},
		{name: "settings_address_bad", adjust: plain, want: []string{"settings.address_prompt", "settings.address_bad"}, drive: func(k *till) {
			k.key(tea.KeyF9)
			k.title("settings.title")
			k.key('a', "a")
			k.tm.Type("192.168.1.77")
			k.key(tea.KeyEnter)
		}},
		{name: "settings_pair", adjust: secured, want: []string{"settings.name_prompt"}, drive: func(k *till) {
			k.key(tea.KeyF9)
			k.title("settings.title")
			k.key('p', "p")
		}},
		{name: "settings_printer", adjust: withPrinter, want: []string{"settings.printer_mode_raster"}, drive: func(k *till) {
			k.key(tea.KeyF9)
			k.title("settings.title")
			k.key('r', "r")
			k.title("settings.printer_title")
		}},
		{name: "settings_printer_bad", adjust: withPrinter, want: []string{"settings.printer_device_bad"}, drive: func(k *till) {
			k.key(tea.KeyF9)
			k.title("settings.title")
			k.key('r', "r")
			k.title("settings.printer_title")
			k.key('d', "d")
			k.tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
			k.tm.Type("tcp://")
			k.key(tea.KeyEnter)
			k.key(tea.KeyEnter)
			k.shows("settings.printer_device_bad") // saved in a command: its answer comes after
		}},
		{name: "trainer", customer: quick, adjust: trainer, drive: func(k *till) {
			k.key(tea.KeyF8)
			k.title("trainer.title")
		}},
		{name: "signin", before: staffed, adjust: signingIn, drive: func(k *till) {
			k.title("signin.title")
			k.tm.Type("12")
		}},
		{name: "signin_first_manager", adjust: signingIn, want: []string{"signin.setup_text"}, drive: func(k *till) {
			k.title("signin.setup_title")
			k.tm.Type("Aigerim")
			k.key(tea.KeyTab)
			k.tm.Type("1111")
		}},
		{name: "signin_wrong_pin", before: staffed, adjust: signingIn, drive: func(k *till) {
			k.title("signin.title")
			k.tm.Type("9999")
			k.key(tea.KeyEnter)
			k.showsText(k.cat.N("signin.wrong_pin", 4, 4))
		}},
		{name: "approval_refund", customer: quick, before: staffed, adjust: signingIn, want: []string{"signin.approve_title"}, drive: func(k *till) { k.cashiersRefund() }},
		{name: "people", before: staffed, adjust: signingIn, drive: func(k *till) {
			k.signIn(0, "1111")
			k.key(tea.KeyF9)
			k.title("settings.title")
			k.key('u', "u")
			k.waitTitle(k.cat.N("people.title_n", 2, 2))
		}},
		{name: "report_x", customer: quick, before: staffed, adjust: signingIn, drive: func(k *till) {
			k.signIn(1, "2222")
			k.sold(5000)
			k.key(tea.KeyF5)
			k.waitTitle(k.cat.N("shift.x_title_n", 1, 1))
		}},
		{name: "report_z", customer: quick, before: staffed, adjust: signingIn, drive: func(k *till) {
			k.signIn(0, "1111")
			k.sold(5000)
			k.key(tea.KeyF5)
			k.waitTitle(k.cat.N("shift.x_title_n", 1, 1))
			k.key('z', "z")
			k.key('z', "z")
			k.title("shift.z_title", 1)
		}},
		{name: "audit", customer: quick, before: staffed, adjust: signingIn, drive: func(k *till) {
			k.signIn(0, "1111")
			k.key(tea.KeyF6)
			k.waitTitle(k.cat.N("auditlog.title_n", 3, 3))
		}},
		{name: "lesson", adjust: func(c *common.Common, s *sim.Sim) {
			l, err := lessons.Load("1-first-sales")
			if err != nil {
				panic(err)
			}
			c.Trainer, c.Lesson, c.Lang = &simTrainer{sim: s, store: c.Store}, &l, c.Cat.Lang
		}, drive: func(k *till) { k.title("title.entry") }},
	}
}

// shopData is a data file with two payments today, one of them partly
// refunded, and one ten days ago.
func shopData(st *store.Store, _ providers.Provider) {
	pay := func(amount int64, at time.Time, number string, card bool) store.Operation {
		op := store.NewPayment("kaspi", providers.New(amount, providers.KZT), "Aigerim", true, at)
		st.Create(&op)
		op.Started(providers.Status{Ref: "p" + number}, at)
		op.ApplyStatus(providers.Status{State: providers.StatePending, Stage: providers.StageWaitScan, Detail: "WaitUser"}, at.Add(time.Second))
		status := providers.Status{State: providers.StateSuccess, Stage: providers.StageDone, Detail: "QrTransactionSuccess", Method: providers.MethodQR, TransactionID: number,
			Offer:  &providers.Offer{IsOffer: false, ProductType: "Gold"},
			Cheque: &providers.Cheque{StoreName: "Kaspi Mark", TerminalID: "31452963", OrderNumber: number, Amount: tg(amount), Date: at.Format("02.01.06 15:04:05")}}
		if card {
			status.Method, status.Detail, status.Cheque.OrderNumber, status.Cheque.RRN, status.Cheque.CardMask = providers.MethodCard, "CardTransactionSuccess", "", number, "440043******1234"
			status.Cheque.PinEntered = "true"
		}
		op.ApplyStatus(status, at.Add(20*time.Second))
		st.Save(&op)
		return op
	}
	pay(3200, t0.AddDate(0, 0, -10), "504700101", false)
	p := pay(4500, t0.Add(-time.Hour), "307212345678", true)
	pay(12800, t0.Add(-time.Minute), "504711331", false)
	r := store.NewRefund(p, providers.New(1500, providers.KZT), "Aigerim", t0.Add(-30*time.Minute))
	st.CreateRefund(&r)
	r.Started(providers.Status{Ref: "r1"}, t0.Add(-30*time.Minute))
	r.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodCard, TransactionID: p.TransactionID}, t0.Add(-29*time.Minute))
	st.Save(&r)
}

// Every screen at 80×24, the smallest terminal a till is run in, in each
// language: its picture, and no line the terminal would cut.
func TestEveryScreenAt80x24(t *testing.T) {
	for _, sc := range scenes() {
		for _, lang := range locale.Languages() {
			t.Run(sc.name+"/"+lang, func(t *testing.T) {
				s := sceneScreen(t, sc, 80, 24, lang)
				// These are a Kazakh shop's screens: their pictures are
				// kept in its languages; Uzbek's are in TestUzbekShift.
				if lang == "en" || lang == "ru" || lang == "kk" {
					golden.RequireEqual(t, s)
				}
			})
		}
	}
}

// The same screens at 120×40 fit too.
func TestEveryScreenAt120x40(t *testing.T) {
	if testing.Short() {
		t.Skip("the 80-column pictures cover the layouts; this is the wide check")
	}
	for _, sc := range scenes() {
		for _, lang := range locale.Languages() {
			t.Run(sc.name+"/"+lang, func(t *testing.T) { sceneScreen(t, sc, 120, 40, lang) })
		}
	}
}

// sceneScreen drives sc in a width×height terminal and returns its last
// screen, having checked that it fits and reads as the catalog says.
func sceneScreen(t *testing.T, sc scene, width, height int, lang string) string {
	t.Helper()
	var k *till
	if sc.octo != nil {
		k = newOctoTill(t, width, height, lang, sc.octo)
	} else {
		k = newTillSized(t, width, height, lang, sc.customer, sc.before, sc.adjust)
	}
	sc.drive(k)
	s := k.screen()
	checkFits(t, s, width, height)
	checkNoEnglish(t, strings.ReplaceAll(flatten(s), danasNote, ""), k.cat) // what a person typed is theirs
	flat := flatten(s)
	for _, key := range sc.want {
		text := key
		if k.cat.Has(key) {
			text = k.cat.T(key)
		}
		if !strings.Contains(flat, flatten(text)) {
			t.Errorf("the screen does not show %s whole: %q", key, text)
		}
	}
	for _, word := range sc.absent {
		if k.cat.Has(word) {
			word = k.cat.T(word)
		}
		if strings.Contains(flat, word) {
			t.Errorf("the screen shows %q", word)
		}
	}
	return s
}

// refundedInFull is a payment of today refunded in two parts.
func refundedInFull(st *store.Store, _ providers.Provider) {
	op := store.NewPayment("kaspi", providers.New(5000, providers.KZT), "Aigerim", true, t0.Add(-time.Hour))
	st.Create(&op)
	op.Started(providers.Status{Ref: "p1"}, op.Created)
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Stage: providers.StageDone, Method: providers.MethodQR, TransactionID: "504711333"}, op.Created.Add(20*time.Second))
	st.Save(&op)
	for i, amount := range []int64{2000, 3000} {
		r := store.NewRefund(op, providers.New(amount, providers.KZT), "Aigerim", t0.Add(time.Duration(i-30)*time.Minute))
		st.CreateRefund(&r)
		r.Started(providers.Status{Ref: "r"}, r.Created)
		r.ApplyStatus(providers.Status{State: providers.StateSuccess, Stage: providers.StageDone}, r.Created.Add(time.Minute))
		st.Save(&r)
	}
}

// paidAfterUnknown is a payment whose outcome the POS lost, saying so in
// its own words, and then found paid.
func paidAfterUnknown(st *store.Store, _ providers.Provider) {
	op := store.NewPayment("kaspi", providers.New(12500, providers.KZT), "Aigerim", true, t0.Add(-time.Hour))
	st.Create(&op)
	op.Started(providers.Status{Ref: "p1"}, op.Created)
	op.ApplyStatus(providers.Status{State: providers.StateUnknown, Stage: providers.StageCancelled, Detail: "ProcessCancelled", Message: "Операция жойылды"}, op.Created.Add(5*time.Second))
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Stage: providers.StageDone, Detail: "QrTransactionSuccess", Method: providers.MethodQR, TransactionID: "504711333"},
		op.Created.Add(40*time.Second))
	st.Save(&op)
}

const danasNote = "paid: the POS history shows it at 14:21 by QR, order 504711999; checked by Dana, the shift's manager, with the customer's phone"

// checkedByDana is a payment sent without an answer and settled by a
// person from the POS history, with a long note.
func checkedByDana(st *store.Store, _ providers.Provider) {
	op := store.NewPayment("kaspi", providers.New(700, providers.KZT), "Aigerim", true, t0.Add(-time.Hour))
	st.Create(&op)
	op.Refused(&providers.Error{Kind: providers.ErrNoAnswer, Text: "no answer from the Smart POS"}, op.Created)
	op.Checked(store.Check{At: t0.Add(-30 * time.Minute), By: "Dana", Paid: true, Note: danasNote}, "504711999")
	st.Save(&op)
}

// flatten is text with its line breaks, runs of spaces and box sides
// made one space, to find a sentence however it was wrapped.
func flatten(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("│", " ", "┃", " ").Replace(s)), " ")
}

// checkNoEnglish fails for a screen in another language that shows a
// phrase of an English text its own catalog says otherwise: a text left
// in English, or typed in the code. Phrases are the stretches of at least
// three words between a text's arguments.
func checkNoEnglish(t *testing.T, s string, cat *locale.Catalog) {
	t.Helper()
	if cat.Lang == locale.Default {
		return
	}
	flat := flatten(s)
	for _, phrase := range englishPhrases(cat) {
		if strings.Contains(flat, phrase) {
			t.Errorf("the %s screen shows English: %q", cat.Lang, phrase)
		}
	}
}

var englishPhrasesOf sync.Map // lang → []string

func englishPhrases(cat *locale.Catalog) []string {
	if p, ok := englishPhrasesOf.Load(cat.Lang); ok {
		return p.([]string)
	}
	en := locale.MustLoad(locale.Default)
	var phrases []string
	for _, key := range en.Keys() {
		text := en.T(key)
		if cat.T(key) == text {
			continue
		}
		for _, part := range regexp.MustCompile(`%[-+# 0-9.\[\]*]*[a-zA-Z%]`).Split(text, -1) {
			if part = flatten(part); len(strings.Fields(part)) >= 3 {
				phrases = append(phrases, part)
			}
		}
	}
	englishPhrasesOf.Store(cat.Lang, phrases)
	return phrases
}

// checkFits fails for a line wider than the terminal, which it would cut,
// for a screen taller than it, and for text the catalog did not give as
// meant: a missing key ("!key") or arguments that do not match the
// text's verbs ("%!s(MISSING)", "%!(EXTRA …)").
func checkFits(t *testing.T, s string, width, height int) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[1], " ─") {
		t.Errorf("the header is not one line: %q", lines[:min(len(lines), 2)])
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line %d is %d cells, wider than %d: %q", i+1, w, width, l)
		}
		if strings.Contains(l, "%!") {
			t.Errorf("line %d has a text called with the wrong arguments: %q", i+1, l)
		}
		for _, f := range strings.Fields(l) {
			if len(f) > 2 && f[0] == '!' && strings.Contains(f, ".") {
				t.Errorf("line %d names a key missing from the catalog: %q", i+1, l)
			}
		}
	}
	if len(lines) > height {
		t.Errorf("%d lines, taller than %d", len(lines), height)
	}
}

// failedBackups are backups the disk refused.
type failedBackups struct{}

func (failedBackups) Failed() error { return errors.New("no space left on device") }

// centralBehind is a central copy with that many changes still to send.
type centralBehind int

func (n centralBehind) Behind() int { return int(n) }
func (centralBehind) Err() error    { return nil }

// centralFailing is a central copy whose last push failed with err.
type centralFailing struct {
	n   int
	err error
}

func (c centralFailing) Behind() int { return c.n }
func (c centralFailing) Err() error  { return c.err }

// sending is a central copy the test empties, as a pusher that caught up.
type sending struct{ n atomic.Int64 }

func (s *sending) Behind() int { return int(s.n.Load()) }
func (s *sending) Err() error  { return nil }

// The header follows the pusher as it sends, with no key pressed.
func TestTheHeaderFollowsTheCentralCopy(t *testing.T) {
	c := &sending{}
	c.n.Store(12)
	k := newTillSized(t, 100, 24, "en", sim.Customer{}, nil, func(cc *common.Common, _ *sim.Sim) { cc.Central = c })
	k.waitTitleWith(k.cat.T("title.entry"), k.cat.N("central.behind", 12, 12))
	// Not once only: the header goes on reading it.
	for range 3 {
		k.eventually("the header waiting to read the count again", func() bool { return k.clk.Waiters() > 0 })
		k.clk.Advance(centralEvery)
	}
	c.n.Store(3)
	// The renderer writes what changed: "central: 3", the rest stays.
	teatest.WaitFor(t, k.tm.Output(), func(b []byte) bool {
		k.clk.Advance(centralEvery)
		return bytes.Contains(b, []byte("central: 3"))
	}, teatest.WithDuration(guard), teatest.WithCheckInterval(10*time.Millisecond))
}
