package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kassa-till/kassa/providers/uzqr/sim"
)

// An Uzbek shop's shift in Uzbek, Latin and Cyrillic, at 80×24: the
// amount, the QR (which still scans), the paid receipt, a partial refund
// and the history, each with nothing in English and nothing cut.
func TestUzbekShift(t *testing.T) {
	steps := []string{"entry", "qr", "paid", "refund", "refund_background", "history"}
	for _, lang := range []string{"uz", "uz-Cyrl"} {
		for upTo, name := range steps {
			t.Run(lang+"/"+name, func(t *testing.T) {
				k := newUzTill(t, 80, 24, lang, sim.Customer{Does: sim.Pay, Delay: 4 * time.Second}, true)
				uzbekShift(k, upTo)
				s := k.screen()
				if name == "qr" {
					// The QR takes the whole frame, the header's line too.
					if shownQR(t, s) == "" {
						t.Fatal("the QR says nothing")
					}
					for i, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
						if w := ansi.StringWidth(l); w > 80 || i >= 24 {
							t.Errorf("line %d (%d cells) does not fit 80×24", i+1, w)
						}
					}
				} else {
					checkFits(t, s, 80, 24)
				}
				checkNoEnglish(t, s, k.cat)
				golden.RequireEqual(t, s)
			})
		}
	}
}

// uzbekShift drives the shift up to its step upTo (see TestUzbekShift).
func uzbekShift(k *uzTill, upTo int) {
	k.t.Helper()
	soum := func(minor int64) string { return k.cat.Amount(minor, 2, "UZS", "") }
	k.tm.Type("150000,5")
	k.waitTitle(k.cat.T("title.entry"))
	if upTo == 0 {
		return
	}
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the invoice is made", func() bool { return k.lastID() == 1 && k.settled() })
	k.second()
	if upTo == 1 {
		teatest.WaitFor(k.t, k.tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("2:59")) },
			teatest.WithDuration(guard), teatest.WithCheckInterval(time.Millisecond))
		return
	}
	k.seconds(5)
	k.waitTitle(k.cat.T("title.paid", soum(15000050)))
	if upTo == 2 {
		return
	}
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF2})
	k.tm.Type("000001")
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle(k.cat.T("title.refund_choose", "000001"))
	k.tm.Type("50000")
	if upTo == 3 {
		return
	}
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.eventually("the refund is sent", func() bool { return k.lastID() == 2 && k.settled() })
	k.waitTitle(k.cat.T("title.background", soum(5000000)))
	if upTo == 4 {
		return
	}
	k.clk.Advance(2 * time.Minute)
	k.eventually("the refund is done", func() bool { op, _ := k.store.Get(2); return !op.State.Open() && k.settled() })
	k.waitTitle(k.cat.T("title.paid_refund", soum(5000000)))
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	k.waitTitle(k.cat.T("title.entry"))
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF3})
	k.waitTitle(strings.Split(k.cat.T("title.history"), "%")[0])
}
