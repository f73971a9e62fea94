package display

import (
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/qrcode"
)

// minPanel is the least width beside the QR for the words.
const minPanel = 24

// layout is how the present state is laid out for the window: drawing
// the QR takes milliseconds, so it is done when the state or the size
// changes, not at every tick.
type layout struct {
	amount []string // the amount, as big as fits
	qr     qrcode.Drawing
	qrErr  error
	hasQR  bool
}

// amountForms are the ways to draw an amount, the biggest first: all of
// it in the big font, or the number big and the currency's symbol in
// plain letters beside or below it, at scale 2 then 1; last, plain.
func amountForms(c *common.Common, a providers.Money) [][]string {
	number, symbol := c.Cat.Decimal(a.Minor, a.Currency.Digits), c.Symbol(a.Currency)
	var forms [][]string
	for _, scale := range []int{2, 1} {
		if all, ok := Big(number+" "+symbol, scale); ok {
			forms = append(forms, all)
		}
		if big, ok := Big(number, scale); ok {
			beside := append([]string(nil), big...)
			beside[len(beside)-1] += " " + symbol
			forms = append(forms, beside, append(append([]string(nil), big...), symbol))
		}
	}
	return append(forms, []string{number + " " + symbol})
}

func formWidth(lines []string) int {
	w := 0
	for _, l := range lines {
		w = max(w, ansi.StringWidth(l))
	}
	return w
}

// fitAmount is the biggest form of a that is at most width wide.
func fitAmount(c *common.Common, a providers.Money, width int) []string {
	forms := amountForms(c, a)
	for _, f := range forms {
		if formWidth(f) <= width {
			return f
		}
	}
	return forms[len(forms)-1]
}

// arrange lays out the present state for the window.
func (m Model) arrange() layout {
	w, h := m.c.Width, m.c.Height
	if w <= 0 || h <= 0 || !m.up {
		return layout{}
	}
	if m.st.QR == "" {
		return layout{amount: fitAmount(m.c, m.st.Amount, w-4)}
	}
	// The QR takes the height; the amount beside it is as big as leaves
	// the code room, with its quiet zone down to what phones still read.
	for _, form := range amountForms(m.c, m.st.Amount) {
		panel := max(formWidth(form), minPanel)
		if d, err := qrcode.Draw(m.st.QR, w-panel-2, h); err == nil {
			return layout{amount: form, qr: d, hasQR: true}
		}
	}
	forms := amountForms(m.c, m.st.Amount)
	_, err := qrcode.Draw(m.st.QR, w-minPanel-2, h)
	return layout{amount: forms[len(forms)-1], qrErr: err, hasQR: true}
}

// View draws the present state in the middle of the window.
func (m Model) View() tea.View {
	v := tea.NewView(m.content())
	v.AltScreen = true
	v.WindowTitle = "kassa · " + m.c.T("display.title")
	return v
}

func (m Model) content() string {
	w, h := max(m.c.Width, 1), max(m.c.Height, 1)
	if m.lay.hasQR && m.lay.qrErr == nil {
		panelW := max(w-m.lay.qr.Width-2, 1)
		panel := lipgloss.PlaceVertical(h, lipgloss.Center, strings.Join(m.panel(panelW), "\n"))
		qr := lipgloss.PlaceVertical(h, lipgloss.Center, m.lay.qr.String())
		return fit(lipgloss.JoinHorizontal(lipgloss.Top, qr, "  ", panel), w, h)
	}
	body := lipgloss.JoinVertical(lipgloss.Center, m.body(w-4)...)
	return fit(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, body), w, h)
}

// fit cuts what does not fit the window, rather than letting the
// terminal wrap it.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "")
	}
	return strings.Join(lines, "\n")
}

// panel is what goes beside the QR.
func (m Model) panel(width int) []string {
	s, st := m.c.Styles, m.st
	wrap := func(t string) string { return lipgloss.NewStyle().Width(width).Render(t) }
	lines := []string{s.Muted.Render(m.c.T("provider." + st.Provider)), ""}
	lines = append(lines, m.amount()...)
	lines = append(lines, "", wrap(s.Title.Render(m.c.T("display.scan"))))
	if left, ok := m.left(); ok {
		lines = append(lines, "", s.Muted.Render(m.c.T("display.left")))
		lines = append(lines, m.countdown(left, width)...)
	}
	if st.Shop != "" {
		lines = append(lines, "", wrap(s.Muted.Render(st.Shop)))
	}
	return lines
}

// amount is the amount as laid out, in the amount's style.
func (m Model) amount() []string { return block(m.lay.amount, m.c.Styles.Amount) }

// block is lines in style, each as wide as the widest, so that centring
// moves them together and a big glyph keeps its shape.
func block(lines []string, style lipgloss.Style) []string {
	w := formWidth(lines)
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = style.Render(l + strings.Repeat(" ", w-ansi.StringWidth(l)))
	}
	return out
}

// countdown is the time left in the big font where it fits.
func (m Model) countdown(left time.Duration, width int) []string {
	text := clockText(left)
	if big, ok := Big(text, 1); ok && formWidth(big) <= width {
		return block(big, m.c.Styles.Countdown)
	}
	return []string{m.c.Styles.Countdown.Render(text)}
}

// clockText is a duration as minutes and seconds, rounded up: 0:01 is
// the last second, 0:00 the end.
func clockText(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	return fmt.Sprintf("%d:%02d", secs/60, secs%60)
}

// body is the lines of every screen without a QR beside, to be centred.
func (m Model) body(width int) []string {
	s, st, c := m.c.Styles, m.st, m.c
	wrap := func(style lipgloss.Style, t string) string {
		return style.Width(min(width, ansi.StringWidth(t))).Align(lipgloss.Center).Render(t)
	}
	if !m.up {
		var refused *RefusedError
		if errors.As(m.downErr, &refused) {
			return []string{wrap(s.Bad, c.T("display.refused"))}
		}
		lines := []string{s.Brand.Render("kassa"), "", wrap(s.Title, c.T("display.not_running"))}
		if m.where != "" {
			lines = append(lines, wrap(s.Muted, m.where))
		}
		return lines
	}
	if st.Screen == Idle {
		lines := []string{wrap(s.Title, c.T("display.welcome"))}
		if st.Shop != "" {
			lines = append([]string{wrap(s.Brand, st.Shop), ""}, lines...)
		}
		return lines
	}
	var lines []string
	switch st.Screen {
	case Pay:
		lines = append(lines, s.Muted.Render(c.T("provider."+st.Provider)), "")
	case Refund:
		lines = append(lines, wrap(s.Title, c.T("display.refund")), "")
	}
	lines = append(lines, m.amount()...)
	lines = append(lines, "")
	say := func(style lipgloss.Style, key string) { lines = append(lines, wrap(style, c.T(key))) }
	switch st.Screen {
	case Pay:
		switch {
		case m.lay.qrErr != nil:
			lines = append(lines, wrap(s.Warn, m.qrTooSmall()))
		case st.Stage == Starting:
			say(s.Title, "display.starting")
		case st.Stage == Waiting:
			say(s.Title, "display.pay_terminal")
		case st.Stage == Resolving:
			say(s.Title, "display.resolving")
		case st.Stage == Cancelling:
			say(s.Title, "display.cancelling")
		}
		if left, ok := m.left(); ok {
			lines = append(lines, "", s.Muted.Render(c.T("display.left")))
			lines = append(lines, m.countdown(left, width)...)
		}
	case Paid:
		say(s.OK, "display.paid")
		lines = append(lines, "")
		say(s.Title, "display.thanks")
	case Declined:
		say(s.Bad, "display.declined")
	case Cancelled:
		say(s.Bad, "display.cancelled")
	case TimedOut:
		say(s.Bad, "display.timeout")
	case Failed:
		say(s.Bad, "display.failed")
	case Check:
		say(s.Warn, "display.check")
	}
	return lines
}

// qrTooSmall says the code does not fit, and how big the window must be.
func (m Model) qrTooSmall() string {
	var small *qrcode.TooSmallError
	if errors.As(m.lay.qrErr, &small) {
		return m.c.T("display.qr_too_small", small.NeedWidth+minPanel+2, small.NeedHeight)
	}
	return m.c.T("display.qr_too_long")
}
