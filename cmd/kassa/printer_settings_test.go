package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kassa-till/kassa/receipts/escpos"
	"github.com/kassa-till/kassa/receipts/escpos/decode"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/settings"
)

// press sends keys to the printer's settings screen, running no commands.
func press(p settings.Printer, keys ...tea.KeyPressMsg) settings.Printer {
	for _, k := range keys {
		p, _ = p.Update(k)
	}
	return p
}

// save presses Enter to save and runs the save's command, whose answer
// the screen takes, as the program would.
func save(p settings.Printer) settings.Printer {
	p, cmd := p.Update(enter)
	if cmd != nil {
		p, _ = p.Update(cmd())
	}
	return p
}

func typed(s string) []tea.KeyPressMsg {
	var ks []tea.KeyPressMsg
	for _, r := range s {
		ks = append(ks, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return ks
}

// shows reports whether the screen shows text whole, wrapped maybe.
func shows(p settings.Printer, text string) bool {
	words := func(s string) string { return strings.Join(strings.Fields(ansi.Strip(s)), " ") }
	return strings.Contains(words(p.View()), words(text))
}

var (
	enter  = tea.KeyPressMsg{Code: tea.KeyEnter}
	letter = func(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }
)

// A manager types a file printer, switches to text mode with KZ-1048 and
// saves: the data file keeps it, the next page prints there in text
// mode, a bad device is refused and changes nothing, and at the next
// start the saved printer wins unless --printer is given.
func TestPrinterSettingsScreen(t *testing.T) {
	p, args := payTill(t)
	p.run()
	defer p.pause()
	c, _, closeTill, err := openTill(args, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Printer != nil || c.PrinterSetup == nil {
		t.Fatalf("printer %v, setup %v", c.Printer, c.PrinterSetup)
	}
	path := filepath.Join(t.TempDir(), "receipts.bin")
	scr := settings.NewPrinter(c)
	scr = press(scr, letter('d'))
	scr = press(scr, typed("file:"+path)...)
	scr = save(press(scr, enter, letter('m'), letter('c'), letter('c')))
	if !shows(scr, "kz1048, ESC t 53") || !shows(scr, c.T("settings.printer_saved")) {
		t.Fatalf("screen:\n%s", scr.View())
	}
	var kept common.PrinterSettings
	if ok, err := c.Store.Setting("printer", &kept); !ok || err != nil {
		t.Fatalf("setting %v %v", ok, err)
	}
	if want := (common.PrinterSettings{Device: "file:" + path, Paper: 80, Mode: "text", CodePage: "kz1048", Auto: true}); kept != want {
		t.Fatalf("kept %+v, want %+v", kept, want)
	}
	if c.Printer == nil {
		t.Fatal("the till has no printer after saving")
	}
	if err := c.PrinterSetup.TestPage(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	doc, err := decode.Decode(b, escpos.EpsonPages())
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(doc.Lines(), "\n"); !strings.Contains(text, "Ә ә Ғ ғ Қ қ Ң ң Ө ө Ұ ұ Ү ү Һ һ І і") || !strings.Contains(text, "text kz1048 (ESC t 53)") {
		t.Fatalf("paper (%d images):\n%s", len(doc.Images()), text)
	}

	// A device kassa cannot reach is refused with the catalog's sentence.
	before := c.Printer
	scr = press(scr, letter('d'), tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	scr = press(scr, typed("tcp://")...)
	scr = save(press(scr, enter))
	if !shows(scr, c.T("settings.printer_device_bad")) {
		t.Fatalf("screen:\n%s", scr.View())
	}
	var still common.PrinterSettings
	c.Store.Setting("printer", &still)
	if still != kept || c.Printer != before || c.PrinterSetup.Describe().Device != "file:"+path {
		t.Fatalf("a refused device changed %+v", still)
	}
	closeTill()

	c, _, closeTill, err = openTill(args, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.PrinterSetup.Describe(); got.Device != "file:"+path || got.Mode != "text" || c.Printer == nil {
		t.Fatalf("after a restart %+v", got)
	}
	closeTill()
	other := "file:" + filepath.Join(t.TempDir(), "other.bin")
	c, _, closeTill, err = openTill(append(args, "--printer", other), false)
	if err != nil {
		t.Fatal(err)
	}
	defer closeTill()
	if got := c.PrinterSetup.Describe().Device; got != other {
		t.Fatalf("--printer lost to the saved printer: %s", got)
	}
}
