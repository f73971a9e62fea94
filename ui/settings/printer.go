package settings

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/ui/common"
)

// Printer is the receipt printer's settings screen, opened from the
// terminal's or the gateway's settings: the device, paper, mode, code
// page and auto print, changed on a draft that Enter saves, and a test
// page.
type Printer struct {
	c       *common.Common
	draft   common.PrinterSettings
	changed bool // the draft is not what the till uses
	typing  bool
	device  textinput.Model
	busy    string
	result  string
	bad     bool
}

type printerTestMsg struct {
	device string
	err    error
}

// printerSavedMsg is Apply's answer: use puts the saved printer in place.
type printerSavedMsg struct {
	use func()
	err error
}

func (printerTestMsg) settingsMsg()  {}
func (printerSavedMsg) settingsMsg() {}

// codePages are the code pages the screen cycles through.
var codePages = []string{"cp866", "cp1251", "kz1048"}

// NewPrinter returns the screen showing the printer in use.
func NewPrinter(c *common.Common) Printer {
	in := textinput.New()
	in.Placeholder = "/dev/usb/lp0"
	in.CharLimit = 200
	in.SetWidth(40)
	p := Printer{c: c, device: in}
	if c.PrinterSetup != nil {
		p.draft = c.PrinterSetup.Describe()
	}
	return p
}

// openPrinter is the command that puts the printer's screen on top.
func openPrinter(c *common.Common) tea.Cmd {
	return common.PushScreen(common.AsScreen(NewPrinter(c)), nil)
}

// Update handles keys and the test page's outcome.
func (p Printer) Update(msg tea.Msg) (Printer, tea.Cmd) {
	switch msg := msg.(type) {
	case printerSavedMsg:
		p.busy = ""
		if msg.err != nil {
			p.result, p.bad = msg.err.Error(), true
			return p, nil
		}
		msg.use()
		p.draft, p.changed = p.c.PrinterSetup.Describe(), false
		p.result, p.bad = p.c.T("settings.printer_saved"), false
		return p, nil
	case printerTestMsg:
		p.busy = ""
		if msg.err != nil {
			p.result, p.bad = p.c.T("settings.printer_test_failed", p.c.PrinterError(msg.err)), true
		} else {
			p.result, p.bad = p.c.T("settings.printer_test_done", msg.device), false
		}
	case tea.PasteMsg:
		if p.typing {
			var cmd tea.Cmd
			p.device, cmd = p.device.Update(msg)
			return p, cmd
		}
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return p, nil
}

func (p Printer) key(msg tea.KeyPressMsg) (Printer, tea.Cmd) {
	k, setup := p.c.Keys, p.c.PrinterSetup
	if p.busy != "" {
		return p, nil
	}
	if p.typing {
		switch {
		case key.Matches(msg, k.Back):
			p.typing = false
			p.device.Blur()
			return p, nil
		case key.Matches(msg, k.Save):
			p.typing = false
			p.device.Blur()
			p.draft.Device = strings.TrimSpace(p.device.Value())
			p.changed, p.result = true, ""
			return p, nil
		}
		var cmd tea.Cmd
		p.device, cmd = p.device.Update(msg)
		return p, cmd
	}
	if key.Matches(msg, k.Back) {
		return p, func() tea.Msg { return BackMsg{} }
	}
	if setup == nil {
		return p, nil
	}
	d := &p.draft
	switch {
	case key.Matches(msg, k.DeviceKey):
		p.typing, p.result = true, ""
		p.device.SetValue(d.Device)
		p.device.CursorEnd()
		cmd := p.device.Focus()
		return p, cmd
	case key.Matches(msg, k.PaperKey):
		d.Paper = map[int]int{58: 80}[d.Paper]
		if d.Paper == 0 {
			d.Paper = 58
		}
	case key.Matches(msg, k.ModeKey):
		if d.Mode == "text" {
			d.Mode = "raster"
		} else {
			d.Mode = "text"
		}
	case key.Matches(msg, k.CodePageKey):
		i := slices.Index(codePages, d.CodePage)
		d.CodePage = codePages[(i+1)%len(codePages)]
		d.CodePageNumber = 0 // the maker's number for the new page
	case key.Matches(msg, k.AutoKey):
		d.Auto = !d.Auto
	case key.Matches(msg, k.Save):
		// The write is the command's; the new printer is put in place
		// when its answer comes, on this goroutine.
		draft := p.draft
		p.busy, p.result = "settings.printer_saving", ""
		return p, func() tea.Msg {
			use, err := setup.Apply(draft)
			return printerSavedMsg{use: use, err: err}
		}
	case key.Matches(msg, k.TestPage):
		in := setup.Describe()
		if in.Device == "" {
			p.result, p.bad = p.c.T("settings.printer_test_none"), true
			return p, nil
		}
		p.busy, p.result = "settings.printer_testing", ""
		return p, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return printerTestMsg{device: in.Device, err: setup.TestPage(ctx)}
		}
	default:
		return p, nil
	}
	p.changed, p.result = true, ""
	return p, nil
}

// View draws the screen body.
func (p Printer) View() string {
	s, c := p.c.Styles, p.c
	parts := []string{s.Title.Render(c.T("settings.printer_title")), ""}
	if c.PrinterSetup == nil {
		return lipgloss.JoinVertical(lipgloss.Left, append(parts, s.Muted.Render(c.T("settings.printer_none")))...)
	}
	row := func(label, value string) string { return s.Label.Render(fmt.Sprintf("%-24s", c.T(label))) + value }
	d := p.draft
	device := d.Device
	if device == "" {
		device = s.Warn.Render(c.T("settings.printer_no_device"))
	}
	auto := c.T("settings.printer_auto_off")
	if d.Auto {
		auto = c.T("settings.printer_auto_on")
	}
	mode := "settings.printer_mode_raster"
	if d.Mode == "text" {
		mode = "settings.printer_mode_text"
	}
	page := "—"
	if d.CodePage != "" {
		page = c.T("settings.printer_codepage_value", d.CodePage, d.CodePageNumber)
	}
	parts = append(parts,
		row("settings.printer_device", device),
		row("settings.printer_paper", c.T("settings.printer_paper_mm", d.Paper)),
		row("settings.printer_mode", c.T(mode)),
		row("settings.printer_codepage", page),
		row("settings.printer_auto", auto),
	)
	if p.typing {
		parts = append(parts, "", s.Label.Render(c.Wrap(c.T("settings.printer_device_prompt"))), p.device.View())
	}
	if p.changed && !p.typing {
		parts = append(parts, "", s.Warn.Render(c.Wrap(c.T("settings.printer_unsaved"))))
	}
	if p.busy != "" {
		parts = append(parts, "", s.Warn.Render(c.T(p.busy)))
	}
	if p.result != "" {
		style := s.OK
		if p.bad {
			style = s.Problem
		}
		parts = append(parts, "", style.Render(c.Wrap(p.result)))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// Title is the screen's state for the terminal's title bar.
func (p Printer) Title() string {
	if p.busy != "" {
		return p.c.T(p.busy)
	}
	return p.c.T("settings.printer_title")
}

// ShortHelp lists the keys that work now.
func (p Printer) ShortHelp() []key.Binding {
	k := p.c.Keys
	switch {
	case p.typing:
		return []key.Binding{k.Save, k.Back}
	case p.c.PrinterSetup == nil:
		return []key.Binding{k.Back, k.Quit}
	}
	return []key.Binding{k.DeviceKey, k.PaperKey, k.ModeKey, k.CodePageKey, k.AutoKey, k.TestPage, k.Save, k.Back, k.Quit}
}

// FullHelp is ShortHelp in one column.
func (p Printer) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
