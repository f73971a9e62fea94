package receipts

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/kassa-till/kassa/providers"
)

// Widths are the printer widths the layouts are made for, in columns:
// 58 mm paper (32), 80 mm paper with font B (42) and font A (48).
var Widths = []int{32, 42, 48}

// timeLayout is how the till prints its own date and time.
const timeLayout = "02.01.2006 15:04:05"

// Options say how to lay a receipt out.
type Options struct {
	Width int // 32, 42 or 48
	// Charset is what the printer will be sent (see Encode). Text it cannot
	// print is replaced before layout, so the widths measured are those on
	// paper. Empty means UTF8.
	Charset Charset
	// TengeAs replaces "₸" when Charset cannot print it (SPEC §2 rule 7):
	// "T" or "тенге". Empty means "T"; a word the charset cannot print
	// either falls back to "T" too.
	TengeAs string
	// NoTenge says the printer lacks ₸ whatever the Charset (an ESC/POS
	// code page that has every letter but no ₸): ₸ becomes TengeAs ("T"
	// when empty) before layout, so the word's width is the one measured.
	NoTenge bool
	// T translates a label key (see LabelKeys). The till passes its locale
	// catalog's T, so it takes the catalog's arguments too.
	T func(key string, args ...any) string
	// Amount formats money in the receipt's language (the catalog's
	// Amount: "12 500 ₸", "12 500,00 soʻm"); nil prints "12 500 ₸" with a
	// decimal point.
	Amount func(minor int64, digits int, code, symbol string) string
}

// Words is the catalog a receipt is written in: its labels and its money
// (a *locale.Catalog).
type Words interface {
	T(key string, args ...any) string
	Amount(minor int64, digits int, code, symbol string) string
}

// Render lays the receipt out as lines of at most opts.Width columns (as
// printed in opts.Charset), none ending in spaces. It refuses a receipt
// that fails Check: an incomplete receipt is never printed.
//
// The lines go: the training banner when training; the shop; the kind; the
// till's number, the payment's number for a refund, date and time, cashier,
// till and provider, the customer's masked contact; the product sold with
// the amount; the provider's fields in table order (its amount only
// where it differs from the till's); the total; the
// provider's status text; the fiscal block when there is one, ending with
// a note that the caller's QR code follows, or in its place a note that it
// is still to come or never came; the training banner again.
func Render(r Receipt, opts Options) ([]string, error) {
	if !slices.Contains(Widths, opts.Width) {
		return nil, fmt.Errorf("receipts: width %d: use 32, 42 or 48", opts.Width)
	}
	if opts.T == nil {
		return nil, fmt.Errorf("receipts: no translator for the labels")
	}
	cs := opts.Charset
	if cs == "" {
		cs = UTF8
	}
	if !cs.known() {
		return nil, fmt.Errorf("receipts: unknown charset %q", cs)
	}
	if err := Check(r); err != nil {
		return nil, err
	}
	s, _ := specOf(r.Kind)
	l := layout{w: opts.Width, t: opts.T, cs: cs, tenge: tengeFor(cs, opts.TengeAs), noTenge: opts.NoTenge}
	if opts.NoTenge {
		l.tenge = cmp.Or(opts.TengeAs, "T")
	}

	if r.Training {
		l.center(l.label(LabelTraining))
		l.blank()
	}
	l.center(r.Shop.Name)
	l.center(r.Shop.Address)
	if !blank(r.Shop.BIN) {
		tax := LabelBIN
		if s.taxID != "" {
			tax = s.taxID
		}
		l.center(l.label(tax) + " " + r.Shop.BIN)
	}
	l.rule('-')
	l.center(l.label(s.title))
	l.pair(l.label(LabelNumber), r.Number)
	if s.refund {
		l.pair(l.label(LabelOriginal), r.Original)
	}
	l.pair(l.label(LabelTime), r.Time.Format(timeLayout))
	l.pair(l.label(LabelCashier), r.Cashier)
	if s.till {
		l.pair(l.label(LabelTill), r.Till)
	}
	l.pair(l.label(LabelProvider), r.Provider)
	l.pair(l.label(LabelCustomer), MaskContact(r.Contact))

	l.rule('-')
	// The total is the till's own figure, from integer money; it stands
	// out between double rules.
	l.total = amountText(r.Amount, s.refund, opts.Amount)
	// A sale of one product: its one line is the whole amount.
	if !blank(r.Product) {
		l.item(r.Product, l.total)
		l.rule('-')
	}
	l.fields(r, s.fields, inline, total)
	l.rule('=')
	totalLabel := LabelTotal
	if s.refund {
		totalLabel = LabelRefundTotal
	}
	l.pair(l.label(totalLabel), l.total)
	l.rule('=')
	l.fields(r, s.fields, result)

	if note := fiscalNote(r, s); note != nil {
		l.rule('-')
		for _, key := range note {
			l.center(l.label(key))
		}
	} else if printsFiscal(r, s) {
		l.rule('-')
		l.fields(r, fiscalFields, inline)
		l.fields(r, fiscalFields, qrFollow)
	}
	if r.Training {
		l.blank()
		l.center(l.label(LabelTraining))
	}
	return l.lines, nil
}

// MaskContact prints the customer's phone or email so that the paper, or
// the history's screen, names neither to whoever reads it: an Uzbek phone
// keeps its country and operator code and last two digits ("+998 90 ***
// ** 67"), another phone its last two, an email the first letter and the
// domain ("a***@b.uz"), anything else its first letter.
func MaskContact(s string) string {
	s = clean(s)
	if s == "" {
		return ""
	}
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		return firstRune(s[:at]) + "***@" + strings.TrimSpace(s[at+1:])
	}
	digits := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '+' || r == '\u00a0':
			return -1
		}
		return 'x' // not a phone
	}, s)
	switch {
	case strings.ContainsRune(digits, 'x') || len(digits) < 4:
		return firstRune(s) + "***"
	case len(digits) == 12 && strings.HasPrefix(digits, "998"):
		return "+998 " + digits[3:5] + " *** ** " + digits[10:]
	}
	plus := ""
	if strings.HasPrefix(s, "+") {
		plus = "+"
	}
	return plus + "*** ** " + digits[len(digits)-2:]
}

// firstRune is s's first character, or "" for an empty s.
func firstRune(s string) string {
	s = strings.TrimSpace(s)
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// amountText prints integer money as Kaspi prints its own: "12 500 ₸",
// and a refund "- 12 500 ₸".
func amountText(m providers.Money, refund bool, format func(int64, int, string, string) string) string {
	if m.Minor < 0 {
		m.Minor = -m.Minor
	}
	sym := cmp.Or(m.Currency.Symbol, m.Currency.Code)
	var s string
	switch {
	case format != nil:
		s = format(m.Minor, m.Currency.Digits, m.Currency.Code, sym)
	case sym != "":
		s = m.Grouped() + " " + sym
	default:
		s = m.Grouped()
	}
	if refund {
		s = "- " + s
	}
	return s
}

// sameAmount compares two amount texts ignoring spacing: "2000 ₸" and
// "2 000 ₸" are the same amount, "- 2 000 ₸" and "2 000 ₸" are not.
func sameAmount(a, b string) bool {
	squeeze := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, clean(s))
	}
	return squeeze(a) == squeeze(b)
}

type layout struct {
	w       int
	t       func(string, ...any) string
	cs      Charset
	tenge   string
	noTenge bool
	total   string // the till's total, as the provider's amount is compared with it
	lines   []string
}

func (l *layout) label(key string) string { return l.t(key) }

// fields prints the fields of the given placements, in table order,
// skipping empty optional ones (Check has already refused empty mandatory
// ones).
func (l *layout) fields(r Receipt, fs []field, places ...placement) {
	for _, f := range fs {
		if !slices.Contains(places, f.place) {
			continue
		}
		v := strings.TrimSpace(f.get(r))
		if v == "" {
			continue
		}
		if key, ok := f.words[strings.ToLower(v)]; ok {
			v = l.label(key)
		}
		if f.format != nil {
			v = f.format(v)
		}
		switch f.place {
		case inline:
			l.pair(l.label(f.label), v)
		case total:
			if !sameAmount(v, l.total) {
				l.pair(l.label(f.label), v)
			}
		case result:
			l.center(v)
		case qrFollow:
			l.center(l.label(f.label))
		}
	}
}

// text makes s printable: escape sequences, control and invisible format
// characters gone, whitespace collapsed, and what the charset lacks
// replaced where a stand-in exists.
func (l *layout) text(s string) string {
	s = clean(s)
	if l.noTenge {
		s = strings.ReplaceAll(s, "₸", l.tenge)
	}
	return substitute(s, l.cs, l.tenge)
}

// width is s's width on paper. A single-byte charset prints every rune as
// one byte and one column, whatever a terminal would make of it (a
// combining mark, a wide letter: each becomes one '?').
func (l *layout) width(s string) int {
	if l.cs == UTF8 {
		return ansi.StringWidth(s)
	}
	return utf8.RuneCountInString(s)
}

// units splits a word into the pieces it may be cut between, with their
// widths: grapheme clusters in UTF-8, so a letter is never parted from its
// accent; runes, one column each, in a single-byte charset.
func (l *layout) units(s string) (parts []string, widths []int) {
	for s != "" {
		var g string
		var w int
		if l.cs == UTF8 {
			g, w = ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
		} else {
			_, n := utf8.DecodeRuneInString(s)
			g, w = s[:n], 1
		}
		if g == "" { // cannot happen for valid text; never loop forever
			g = s[:1]
		}
		parts, widths = append(parts, g), append(widths, w)
		s = s[len(g):]
	}
	return parts, widths
}

func (l *layout) blank() { l.lines = append(l.lines, "") }

func (l *layout) rule(c byte) { l.lines = append(l.lines, strings.Repeat(string(c), l.w)) }

// center writes s centred, wrapped at spaces to the width; nothing at all
// for an empty s, so an unset shop address leaves no hole.
func (l *layout) center(s string) {
	for _, line := range l.wrap(l.text(s)) {
		l.lines = append(l.lines, strings.Repeat(" ", (l.w-l.width(line))/2)+line)
	}
}

// pair writes a label on the left and its value right-aligned on the same
// line when both fit with a space between; otherwise the label, then the
// value wrapped and right-aligned on the lines below. An empty value
// prints nothing, label included.
func (l *layout) pair(label, value string) {
	label, value = l.text(label), l.text(value)
	if value == "" {
		return
	}
	lw, vw := l.width(label), l.width(value)
	if lw+1+vw <= l.w {
		l.lines = append(l.lines, label+strings.Repeat(" ", l.w-lw-vw)+value)
		return
	}
	l.lines = append(l.lines, l.wrap(label)...)
	l.right(value)
}

// right writes s right-aligned, wrapped at spaces to the width.
func (l *layout) right(s string) {
	for _, line := range l.wrap(s) {
		l.lines = append(l.lines, strings.Repeat(" ", l.w-l.width(line))+line)
	}
}

// item writes a line item: the name wrapped to the width, and the amount
// right-aligned on its last line where it fits there, else on a line below.
func (l *layout) item(name, amount string) {
	name, amount = l.text(name), l.text(amount)
	l.lines = append(l.lines, l.wrap(name)...)
	last := len(l.lines) - 1
	if lw, aw := l.width(l.lines[last]), l.width(amount); name != "" && lw+1+aw <= l.w {
		l.lines[last] += strings.Repeat(" ", l.w-lw-aw) + amount
		return
	}
	l.right(amount)
}

// wrap breaks s (already cleaned: single spaces, no others) into lines of
// at most l.w columns at spaces, and inside a word only when the word alone
// is wider than a line; such a word starts on a line of its own.
func (l *layout) wrap(s string) []string {
	if s == "" {
		return nil
	}
	var lines []string
	line, lw := "", 0
	flush := func() {
		if line != "" {
			lines = append(lines, line)
		}
		line, lw = "", 0
	}
	for _, word := range strings.Split(s, " ") {
		ww := l.width(word)
		switch {
		case line != "" && lw+1+ww <= l.w:
			line, lw = line+" "+word, lw+1+ww
		case ww <= l.w:
			flush()
			line, lw = word, ww
		default:
			flush()
			parts, widths := l.units(word)
			for i, p := range parts {
				if line != "" && lw+widths[i] > l.w {
					flush()
				}
				line, lw = line+p, lw+widths[i]
			}
		}
	}
	flush()
	return lines
}

// clean keeps a value from changing the layout or reaching the printer as
// a command: provider text is data from the network, and an ESC or GS byte
// in a store name would be obeyed by an ESC/POS printer. Escape sequences,
// control characters and invisible format characters (bidi overrides,
// zero-width spaces, which would make the screen preview differ from the
// paper) are dropped; runs of whitespace become one space. The no-break
// space stays where it holds two characters together (a provider uses it
// to keep "12 500 ₸" on one line); at either end, or beside another space,
// it holds nothing and goes like the others, so a value of no-break spaces
// alone is blank.
func clean(s string) string {
	s = ansi.Strip(s)
	var b strings.Builder
	space, nbsp := false, false // the whitespace before the next character
	for _, r := range s {
		switch {
		case r == '\u00a0':
			nbsp = true
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
			continue
		case unicode.Is(unicode.Cf, r):
			continue
		}
		switch {
		case b.Len() == 0:
		case space:
			b.WriteByte(' ')
		case nbsp:
			b.WriteRune('\u00a0')
		}
		space, nbsp = false, false
		b.WriteRune(r)
	}
	return b.String()
}
