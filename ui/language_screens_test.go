package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/ui/settings"
)

// l on the settings screen switches every screen to the next language at
// once and keeps it in the data file for the next start.
func TestScreenLanguageSwitch(t *testing.T) {
	k := newTill(t, 80, "en", sim.Customer{Does: sim.PayQR})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyF9})
	k.waitTitle(k.cat.T("settings.title"))
	k.tm.Send(tea.KeyPressMsg{Code: 'l', Text: "l"})
	kk := locale.MustLoad("kk")
	k.waitTitle(kk.T("settings.title"))
	k.eventually("the language is kept", func() bool {
		var lang string
		ok, err := k.store.Setting(settings.LanguageSetting, &lang)
		return ok && err == nil && lang == "kk"
	})
	k.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	k.waitTitle(kk.T("title.entry"))
	s := k.screen()
	if !strings.Contains(s, kk.T("sale.title")) || strings.Contains(s, "New sale") {
		t.Fatalf("the sale screen is not in Kazakh:\n%s", s)
	}
	checkNoEnglish(t, s, kk)
}
