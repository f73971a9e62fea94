package sale

import (
	"errors"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/qrcode"
)

// panelWidth is the least room beside the QR for the amount, the time
// left and the keys. The terminal's height limits the code, so the text
// goes beside it, never above or below.
const panelWidth = 26

// showsQR reports whether the screen draws the customer's code: the till
// shows it, the provider gave it, and the customer has yet to pay.
func (f Follow) showsQR() bool {
	if f.fiscalQR {
		return f.hasFiscalQR()
	}
	return f.m.Op.QR != nil && f.m.Op.QR.Payload != "" && f.info().QRShownBy == providers.DisplayTill &&
		(f.m.Phase == tracker.Waiting || f.m.Phase == tracker.Cancelling) && !f.m.Background
}

// FullFrame reports whether the screen wants the whole terminal: a QR big
// enough to scan at 80x24 leaves no room for the header and help line, so
// the screen draws its own.
func (f Follow) FullFrame() bool { return f.showsQR() }

// drawQR draws the operation's code for the terminal, once per payload
// and size.
func (f Follow) drawQR() Follow {
	if !f.showsQR() {
		return f
	}
	payload := ""
	if f.fiscalQR {
		payload = f.m.Op.Fiscal.QRCodeURL
	} else {
		payload = f.m.Op.QR.Payload
	}
	w, h := max(f.c.Width-panelWidth-2, 1), max(f.c.Height, 1)
	if f.qr.payload == payload && f.qr.width == w && f.qr.height == h {
		return f
	}
	d, err := qrcode.Draw(payload, w, h)
	f.qr = qrDrawing{payload: payload, width: w, height: h, drawing: d, err: err}
	return f
}

// viewQR is the whole frame: the code on the left, on its white, and
// beside it what the cashier and the customer need.
func (f Follow) viewQR() string {
	s, c := f.c.Styles, f.c
	panelW := max(c.Width-f.qr.drawing.Width-3, panelWidth-2)
	wrapP := func(t string) string { return lipgloss.NewStyle().Width(panelW).Render(t) }
	var panel []string
	if c.Demo {
		panel = append(panel, s.Demo.Render(c.T("app.demo")), "")
	}
	if f.fiscalQR {
		panel = append(panel, f.fiscalPanel(wrapP)...)
	} else {
		panel = append(panel,
			s.Brand.Render(c.T("provider."+f.provider)),
			"",
			wrapP(s.Title.Render(f.c.T("sale.qr_pay", c.Money(f.amount)))),
		)
		if c.Shop.Name != "" {
			panel = append(panel, wrapP(s.Muted.Render(c.Shop.Name)))
		}
		panel = append(panel, s.Muted.Render(c.T("sale.receipt_no", f.m.Op.Receipt())), "")
	}
	switch {
	case f.fiscalQR:
	case f.m.Phase == tracker.Cancelling:
		key := "sale.cancelling"
		if f.m.Expired {
			key = "sale.expiring"
		}
		panel = append(panel, wrapP(f.spinner.View()+" "+f.kt(key)))
	default:
		if f.qr.err == nil {
			panel = append(panel, wrapP(f.kt("sale.qr_scan")))
		}
		if countdown := f.countdown(); countdown != "" {
			panel = append(panel, s.Countdown.Render(countdown))
		}
	}
	if f.m.Failing > 0 {
		panel = append(panel, "", s.Warn.Render(wrapP(f.kn("sale.no_answer", f.m.Failing, f.m.Failing))))
	}
	if f.askErr != nil {
		panel = append(panel, "", s.Bad.Render(wrapP(c.T("sale.ask_refused", f.errorText(f.askErr)))))
	}
	switch {
	case f.slipping:
		panel = append(panel, "", s.Muted.Render(wrapP(c.T("sale.slip_printing"))))
	case f.slipErr != nil:
		panel = append(panel, "", s.Bad.Render(wrapP(c.T("sale.slip_failed", c.PrinterError(f.slipErr)))))
	}
	if err := f.m.SaveErr; err != nil {
		panel = append(panel, "", s.Bad.Render(wrapP(c.T("sale.save_failed", err.Error()))))
	}
	var keys []string
	for _, b := range f.ShortHelp() {
		keys = append(keys, s.Help.ShortKey.Render(b.Help().Key)+" "+s.Help.ShortDesc.Render(b.Help().Desc))
	}
	panel = append(panel, "", wrapP(strings.Join(keys, "\n")))

	if f.qr.err != nil {
		return lipgloss.JoinVertical(lipgloss.Left, f.qrTooSmall(), "", lipgloss.JoinVertical(lipgloss.Left, panel...))
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, f.qr.drawing.String(), "  ", lipgloss.JoinVertical(lipgloss.Left, panel...))
}

// qrTooSmall says the code does not fit, instead of drawing one that
// would not scan, and how big the terminal must be.
func (f Follow) qrTooSmall() string {
	var small *qrcode.TooSmallError
	text := f.c.T("sale.qr_too_long")
	if errors.As(f.qr.err, &small) {
		text = f.c.T("sale.qr_too_small", small.NeedWidth+panelWidth+2, small.NeedHeight)
	}
	return f.c.Styles.Warn.Render(lipgloss.NewStyle().Width(max(f.c.Width-2, 20)).Render(text))
}
