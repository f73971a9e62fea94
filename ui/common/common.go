// Package common is what every screen shares: the catalog, styles, keys,
// clock, store and provider, and the terminal size. One pointer to it is
// handed to each screen, in the manner of soft-serve's common.Common.
package common

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kassa-till/kassa/assets/lessons"
	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/receipts/printer"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
)

// Shop is the merchant as printed at the top of the till's receipts.
type Shop struct {
	Name    string `toml:"name"`
	Address string `toml:"address"`
	BIN     string `toml:"bin"`
}

// Common is shared by all screens.
type Common struct {
	Cat    *locale.Catalog
	Styles Styles
	Keys   KeyMap
	Clock  clock.Clock
	Store  *store.Store
	// Providers are the till's providers; a refund goes to its payment's.
	Providers *providers.Registry
	// Tracker follows every open operation; screens start, cancel and
	// watch through it.
	Tracker *tracker.Tracker
	// Terminal is the payment terminal's own settings; nil where there
	// is nothing to set (demo).
	Terminal Terminal
	// Gateway is a gateway reached with an API key (UzQR): its settings;
	// nil where there is none.
	Gateway Gateway
	// Trainer steers the simulated world in training; nil otherwise.
	Trainer Trainer
	// Printer prints receipts and QR slips; nil where the till has none.
	Printer Printer
	// PrinterSetup changes the printer from the settings screen; nil
	// where it cannot be changed.
	PrinterSetup PrinterSetup
	// Lesson is the training lesson to run; nil for free practice.
	Lesson *lessons.Lesson
	// Lang is the catalog's language, for texts kept outside it (lessons).
	Lang string
	// IgnoredReal is set when training was started with real settings
	// (a POS address, a data file): they are ignored, and the screen says so.
	IgnoredReal bool
	Shop        Shop
	// Cashier is the name on receipts and operations: the person signed
	// in, where people sign in.
	Cashier string
	// SignIn is set when the till's people sign in with a PIN: a shift
	// starts with one, and Approval says what needs a manager.
	SignIn bool
	// Person is who is signed in (SignIn only).
	Person store.Person
	// Approver is the manager who approved the screen in use by their
	// PIN; "" when none did (or a manager is signed in).
	Approver string
	Approval store.Approval
	// DemoPINs is, in training, the PIN of each of the training till's
	// people by name, which its sign-in shows.
	DemoPINs map[string]string
	// Demo marks a till running on built-in simulators with its own data
	// file: nothing real is touched, and every screen says so.
	Demo bool
	// Insecure is set when the POS's certificate is not verified; every
	// screen says so.
	Insecure bool
	// Backups is the till's backups, whose failure every screen shows;
	// nil where none are taken (training).
	Backups interface{ Failed() error }
	// Central is the till's copy to the chain's central database: how
	// many changes it has still to send and why the last try failed (nil
	// once one succeeded), which the header shows; nil where there is
	// none.
	Central interface {
		Behind() int
		Err() error
	}
	// ReceiptWidth is the printer's width in columns: 32, 42 or 48.
	ReceiptWidth int

	Width, Height int
}

// T is short for c.Cat.T.
func (c *Common) T(key string, args ...any) string { return c.Cat.T(key, args...) }

// Currency is the currency the till takes.
func (c *Common) Currency() providers.Currency { return c.Providers.Currency() }

// Info is the rules of the named provider (zero for one the till does
// not run).
func (c *Common) Info(provider string) providers.Info {
	if p, ok := c.Providers.Get(provider); ok {
		return p.Info()
	}
	return providers.Info{Name: provider}
}

// N is short for c.Cat.N: a text by number.
func (c *Common) N(key string, n int, args ...any) string { return c.Cat.N(key, n, args...) }

// NFor is N in a provider's own words where the catalog has them (TFor).
func (c *Common) NFor(provider, key string, n int, args ...any) string {
	return c.N(c.KeyFor(provider, key), n, args...)
}

// TFor is T in a provider's own words where the catalog has them (key +
// "_" + provider: a UzQR gateway is not a POS), else the shared text.
func (c *Common) TFor(provider, key string, args ...any) string {
	return c.T(c.KeyFor(provider, key), args...)
}

// KeyFor is the catalog key of a text in a provider's own words where the
// catalog has them (see TFor), else the shared key.
func (c *Common) KeyFor(provider, key string) string {
	if provider != "" && c.Cat.Has(key+"_"+provider) {
		return key + "_" + provider
	}
	return key
}

// ErrorText is the cashier's sentence for an error, with the provider's
// own words after it when it gave any.
func (c *Common) ErrorText(err error) string { return c.ErrorFor("", err) }

// ErrorFor is ErrorText in the words of provider's errors: the catalog
// may say what to do about one code of one provider (error.<kind>_<code>
// with the provider: error.auth_1001_uzqr), about a kind at a provider, or
// about a kind anywhere.
func (c *Common) ErrorFor(provider string, err error) string {
	if err == nil {
		return ""
	}
	var over *store.OverRefundError
	if errors.As(err, &over) {
		return c.T("refund.over", c.Money(over.Left))
	}
	if errors.Is(err, store.ErrDamaged) {
		return c.T("error.books_damaged")
	}
	if errors.Is(err, store.ErrNotRefundable) {
		return c.T("refund.not_paid")
	}
	var busy *tracker.BusyError
	if errors.As(err, &busy) {
		return c.T("error.still_busy", busy.Op.Receipt())
	}
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return c.T("error.store", err.Error())
	}
	key := "error." + string(pe.Kind)
	if pe.Code != "" && provider != "" && c.Cat.Has(key+"_"+pe.Code+"_"+provider) {
		key += "_" + pe.Code
	}
	text := c.TFor(provider, key)
	switch {
	case pe.Text != "" && pe.Code != "":
		text += " " + c.TFor(provider, "error.provider_code", pe.Text, pe.Code)
	case pe.Text != "" && pe.HTTPStatus != 0:
		// Only words the provider sent are shown as its words; an error
		// with no answer carries the till's own text, which the sentence
		// above already says in the cashier's language.
		text += " " + c.TFor(provider, "error.provider_text", pe.Text)
	case pe.HTTPStatus != 0:
		text += " " + c.T("error.http", pe.HTTPStatus)
	}
	return text
}

// OpsChanged carries new states of followed operations from the tracker
// to every screen.
type OpsChanged struct{ Machines []tracker.Machine }

// Money formats an amount for the screen in the catalog's language:
// "12 500 ₸", "12 500,00 soʻm".
func (c *Common) Money(m providers.Money) string {
	return c.Cat.Amount(m.Minor, m.Currency.Digits, m.Currency.Code, m.Currency.Symbol)
}

// Symbol is the currency's sign in the catalog's language: "₸", "soʻm",
// "сўм".
func (c *Common) Symbol(cur providers.Currency) string {
	if key := "currency." + cur.Code; c.Cat.Has(key) {
		return c.T(key)
	}
	return cur.Symbol
}

// Count formats a number of rows or operations for the screen: "150 924".
func (c *Common) Count(n int) string { return c.Cat.Number(int64(n)) }

// ReceiptWidth is how wide a column of the receipt numbers of ops must be:
// receipts are six digits until the millionth operation.
func ReceiptWidth(ops []store.Operation) int {
	w := 6
	for _, op := range ops {
		w = max(w, len(op.Receipt()))
	}
	return w
}

// CSVFormat is the CSV layout a spreadsheet in the catalog's language
// opens in columns, with the header and the values in its words: the
// history's names of kinds, states, methods and providers.
func CSVFormat(cat *locale.Catalog) store.CSVFormat {
	sep := []rune(cat.T("csv.separator"))
	f := store.CSVFormat{DecimalComma: cat.T("csv.decimal") == ","}
	if len(sep) == 1 {
		f.Comma = sep[0]
	}
	l := store.CSVLabels{
		Kinds:           map[store.Kind]string{},
		States:          map[store.State]string{},
		Methods:         map[providers.Method]string{},
		ProviderMethods: map[string]string{},
		Providers:       map[string]string{},
		Fiscal:          map[store.FiscalMark]string{},
	}
	for _, col := range store.CSVHeader {
		l.Header = append(l.Header, cat.T("csv.header."+col))
	}
	for _, k := range []store.Kind{store.KindPayment, store.KindRefund} {
		l.Kinds[k] = cat.T("history.kind." + string(k))
	}
	for _, s := range store.AllStates {
		l.States[s] = cat.T("history.state." + string(s))
	}
	for _, m := range []providers.Method{providers.MethodQR, providers.MethodCard} {
		l.Methods[m] = cat.T("receipt.method_" + string(m))
	}
	for _, f := range store.FiscalMarks {
		l.Fiscal[f] = cat.T("csv.fiscal." + f.Code())
	}
	for _, k := range cat.Keys() {
		if name, ok := strings.CutPrefix(k, "provider."); ok {
			l.Providers[name] = cat.T(k)
			for _, m := range []providers.Method{providers.MethodQR, providers.MethodCard} {
				if key := "receipt.method_" + string(m) + "_" + name; cat.Has(key) {
					l.ProviderMethods[name+"/"+string(m)] = cat.T(key)
				}
			}
		}
	}
	f.Labels = l
	return f
}

// Terminal is what the settings screen does with the payment terminal
// itself, apart from payments: describe the connection, test it, pair,
// and keep a new address for it.
type Terminal interface {
	Connection() Connection
	// Test asks the terminal who it is: the connection test.
	Test(ctx context.Context) (TerminalInfo, error)
	// Pair registers the till under name; it waits for a person to allow
	// it on the terminal. It returns when the new token expires.
	Pair(ctx context.Context, name string) (time.Time, error)
	// SetAddress keeps address (as CheckAddress gives it) in the data file
	// for the till's next start, in place of the config's; "" goes back to
	// the config's. The running till goes on with the address it has:
	// calls in flight, and the tokens, belong to that one.
	SetAddress(address string) error
}

// Gateway is what the settings screen does with a payment gateway the
// till reaches with an API key (UzQR): describe it, test it, take a new
// key. The key itself never comes back: only its last characters.
type Gateway interface {
	Describe() GatewayInfo
	// Check asks the gateway whether it answers and takes the key.
	Check(ctx context.Context) error
	// SetKey keeps a new API key in the data file and uses it from now on.
	SetKey(key string) error
}

// GatewayInfo describes a gateway as the settings screen shows it.
type GatewayInfo struct {
	URL, QRName, INN string
	// KeyTail is the key's last four characters ("…7q2x"), "" without one.
	KeyTail string
}

// Connection describes how the till reaches its terminal.
type Connection struct {
	URL      string
	Secured  bool   // HTTPS with tokens
	Insecure bool   // certificate not verified
	Name     string // the till's paired name
	Expires  time.Time
	// Next is the address the till uses from its next start, where it is
	// not URL.
	Next string
}

// CheckAddress reads a terminal's address as a person types it: an
// http:// or https:// URL with a host, and nothing after the port. It
// returns the address as the till keeps it, without a trailing slash.
func CheckAddress(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		strings.Trim(u.Path, "/") != "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", false
		}
	}
	return u.Scheme + "://" + u.Host, true
}

// TerminalInfo is the terminal's answer to the connection test.
type TerminalInfo struct {
	TerminalID, SerialNum, PosNum string
}

// Trainer is training mode's hold on its simulated world: what the next
// customers do, how fast time runs, and wiping the training data file.
// Nil outside training.
type Trainer interface {
	// Behaviours lists what a customer can be told to do.
	Behaviours() []string
	// Next scripts what the next customer does.
	Next(behaviour string) error
	// RealisticDay queues customers who behave as a day's do, at random.
	RealisticDay()
	Speed() int
	SetSpeed(int)
	// Wipe empties the training data file, as by with approver (either
	// may be ""); its people and audit log stay, and the log records it.
	Wipe(by, approver string) error
}

// Printer is the till's receipt printer. Every call is bounded by its
// timeouts; none is ever retried by itself (a job that may have printed
// says so), so a screen runs them as commands and never waits on paper.
type Printer interface {
	// PrintReceipt prints op's receipt, marked COPY when copy is set, and
	// records on the operation whether it printed; it returns the
	// operation as then stored.
	PrintReceipt(ctx context.Context, op store.Operation, copy bool) (store.Operation, error)
	// PrintQR prints the customer's QR of a payment waiting to be paid,
	// with the amount, for customers who scan from paper.
	PrintQR(ctx context.Context, op store.Operation) error
	// PrintReport prints a shift report (X or Z).
	PrintReport(ctx context.Context, sh store.Shift) error
	// Auto reports whether each finished operation's receipt prints by
	// itself.
	Auto() bool
}

// PrinterError is the cashier's words for why a receipt did not print.
func (c *Common) PrinterError(err error) string {
	if err == nil {
		return ""
	}
	var pe *printer.Error
	if !errors.As(err, &pe) {
		// Not the printer's: the receipt came out, or never got that far
		// (the data file refused the note of it) — said as it is.
		return c.ErrorText(err)
	}
	if k := printer.KindOf(err); k != "" && c.Cat.Has("printer."+string(k)) {
		return c.T("printer." + string(k))
	}
	return c.T("printer.failed")
}

// PrinterSettings is the receipt printer as the settings screen shows and
// changes it.
type PrinterSettings struct {
	// Device: /dev/usb/lp0, tcp://HOST:9100, file:PATH, a Windows
	// printer's name; "" for no printer.
	Device string `json:"device"`
	Paper  int    `json:"paper"` // 58 or 80 (mm)
	// Mode is raster or text; CodePage (cp866, cp1251, kz1048) and its
	// ESC t number (0: Epson's) count in text mode.
	Mode           string `json:"mode"`
	CodePage       string `json:"codepage"`
	CodePageNumber int    `json:"codepage_number"`
	Auto           bool   `json:"auto"`
}

// PrinterSetup is what the settings screen does with the printer: show
// it, take new settings, print a test page.
type PrinterSetup interface {
	// Describe is the settings in use, with the code page's number as it
	// is sent (Epson's where none was set).
	Describe() PrinterSettings
	// Apply checks s and keeps it in the data file (a write: run it as a
	// command, not in Update); a setting that does not work is refused
	// with the cashier's sentence and changes nothing. The returned use
	// puts the new printer in c.Printer: call it on the screen's
	// goroutine, where c.Printer is read.
	Apply(s PrinterSettings) (use func(), err error)
	// TestPage prints the test page with the settings in use.
	TestPage(ctx context.Context) error
}
