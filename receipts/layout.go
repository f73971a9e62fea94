package receipts

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Widths are the printer widths the layouts are made for, in columns.
var Widths = []int{32, 42, 48}

// Options say how to lay a receipt out.
type Options struct {
	Width int
	// T translates a catalog key; the receipt's labels come from it.
	T func(key string, args ...any) string
	// Tenge replaces "₸" for printers that cannot print it: "T" or "тенге"
	// (SPEC §2 rule 7). Empty keeps "₸".
	Tenge string
}

// Render lays the receipt out as lines of at most opts.Width columns. It
// refuses a receipt that fails Check.
func Render(r Receipt, opts Options) ([]string, error) {
	if !validWidth(opts.Width) {
		return nil, fmt.Errorf("receipts: width %d: use 32, 42 or 48", opts.Width)
	}
	if err := Check(r); err != nil {
		return nil, err
	}
	l := layout{w: opts.Width, t: opts.T, tenge: opts.Tenge}
	if r.Training {
		l.center(l.t("receipt.training"))
		l.blank()
	}
	l.center(r.Shop.Name)
	l.center(r.Shop.Address)
	if r.Shop.BIN != "" {
		l.center(l.t("receipt.bin") + " " + r.Shop.BIN)
	}
	l.rule()
	l.center(l.t("receipt.kind." + string(r.Kind)))
	l.pair(l.t("receipt.number"), r.Number)
	if r.Kind.Refund() {
		l.pair(l.t("receipt.original"), r.Original)
	}
	l.pair(l.t("receipt.time"), r.Time.Format("02.01.2006 15:04:05"))
	if r.Cashier != "" {
		l.pair(l.t("receipt.cashier"), r.Cashier)
	}
	l.pair(l.t("receipt.provider"), r.Provider)
	l.rule()
	var status string
	for _, f := range fieldsOf[r.Kind] {
		v := strings.TrimSpace(f.get(r.Cheque))
		switch f.wire {
		case "amount":
			continue // printed as the total below
		case "status":
			status = v
			continue
		case "method":
			v = l.t("receipt.method_" + v)
		case "pinEntered":
			switch strings.ToLower(v) {
			case "true":
				v = l.t("receipt.yes")
			case "false":
				v = l.t("receipt.no")
			}
		}
		if v != "" {
			l.pair(l.t(f.label), v)
		}
	}
	if r.Fiscal != nil {
		l.rule()
		l.pair(l.t("receipt.fiscal_terminal"), r.Fiscal.TerminalID)
		l.pair(l.t("receipt.fiscal_receipt"), r.Fiscal.ReceiptID)
		l.pair(l.t("receipt.fiscal_time"), r.Fiscal.DateTime)
		l.pair(l.t("receipt.fiscal_sign"), r.Fiscal.FiscalSign)
	}
	l.rule()
	total := l.t("receipt.total")
	if r.Kind.Refund() {
		total = l.t("receipt.refund_total")
	}
	l.pair(total, strings.TrimSpace(r.Cheque.Amount))
	if status != "" {
		l.center(status)
	}
	if r.Training {
		l.blank()
		l.center(l.t("receipt.training"))
	}
	return l.lines, nil
}

func validWidth(w int) bool {
	for _, v := range Widths {
		if v == w {
			return true
		}
	}
	return false
}

type layout struct {
	w     int
	t     func(string, ...any) string
	tenge string
	lines []string
}

func (l *layout) text(s string) string {
	if l.tenge != "" {
		s = strings.ReplaceAll(s, "₸", l.tenge)
	}
	return strings.TrimSpace(s)
}

func (l *layout) blank() { l.lines = append(l.lines, "") }

func (l *layout) rule() { l.lines = append(l.lines, strings.Repeat("-", l.w)) }

// center writes s centred, wrapped at word boundaries to the width.
func (l *layout) center(s string) {
	s = l.text(s)
	if s == "" {
		return
	}
	for _, line := range wrap(s, l.w) {
		pad := (l.w - ansi.StringWidth(line)) / 2
		l.lines = append(l.lines, strings.Repeat(" ", pad)+line)
	}
}

// pair writes a label on the left and its value on the right; a value too
// long to share the line goes onto the lines below, right-aligned.
func (l *layout) pair(label, value string) {
	label, value = l.text(label), l.text(value)
	lw, vw := ansi.StringWidth(label), ansi.StringWidth(value)
	if lw+1+vw <= l.w {
		l.lines = append(l.lines, label+strings.Repeat(" ", l.w-lw-vw)+value)
		return
	}
	l.lines = append(l.lines, wrap(label, l.w)...)
	for _, line := range wrap(value, l.w) {
		l.lines = append(l.lines, strings.Repeat(" ", l.w-ansi.StringWidth(line))+line)
	}
}

// wrap breaks s into lines of at most w columns, at spaces where it can and
// inside a word only when the word alone is wider than w.
func wrap(s string, w int) []string {
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}
