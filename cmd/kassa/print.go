package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/receipts/escpos"
	"github.com/kassa-till/kassa/receipts/printer"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/sale"
)

// PrinterConfig is the till's receipt printer ([printer] in the config).
type PrinterConfig struct {
	// Device is where receipts go: /dev/usb/lp0, tcp://HOST:9100,
	// file:PATH, or a Windows printer's name. Empty: no printer.
	Device string `toml:"device"`
	Paper  int    `toml:"paper"` // 58 or 80 (mm)
	// Mode is raster (every letter, drawn) or text (the code page's).
	Mode           string `toml:"mode"`
	CodePage       string `toml:"codepage"`
	CodePageNumber int    `toml:"codepage_number"`
	// NativeQR: the printer draws QR codes itself (GS ( k).
	NativeQR bool `toml:"native_qr"`
	// Tenge is what ₸ prints as in text mode: T, тг or тенге.
	Tenge string `toml:"tenge"`
	// Auto prints every finished operation's receipt by itself.
	Auto bool `toml:"auto"`
}

func bindPrinterFlags(fs *flag.FlagSet, p *PrinterConfig) {
	fs.StringVar(&p.Device, "printer", p.Device, "flag.printer DEVICE")
	fs.IntVar(&p.Paper, "paper", p.Paper, "flag.paper")
	fs.StringVar(&p.Mode, "printer-mode", p.Mode, "flag.printer-mode raster|text")
	fs.StringVar(&p.CodePage, "printer-codepage", p.CodePage, "flag.printer-codepage NAME")
	fs.IntVar(&p.CodePageNumber, "printer-codepage-number", p.CodePageNumber, "flag.printer-codepage-number")
	fs.BoolVar(&p.Auto, "printer-auto", p.Auto, "flag.printer-auto")
}

// profile is the ESC/POS profile the config describes.
func (p PrinterConfig) profile(cat *locale.Catalog) (escpos.Profile, error) {
	prof, err := escpos.NewProfile(p.Paper)
	if err != nil {
		return prof, usageErr(cat.T("cli.printer_paper", p.Paper), err)
	}
	if prof.Mode, err = escpos.ParseMode(p.Mode); err != nil {
		return prof, usageErr(cat.T("cli.printer_mode", p.Mode), err)
	}
	if p.CodePage != "" {
		if prof.CodePage, err = escpos.ParseCodePage(p.CodePage); err != nil {
			return prof, usageErr(cat.T("cli.printer_codepage", p.CodePage), err)
		}
	}
	prof.CodePageNumber, prof.NativeQR = p.CodePageNumber, p.NativeQR
	if p.Tenge != "" {
		prof.Tenge = p.Tenge
	}
	if err := prof.Validate(); err != nil {
		return prof, usageErr(cat.T("cli.printer_bad", err), err)
	}
	return prof, nil
}

func (p PrinterConfig) validate(cat *locale.Catalog) error {
	if p.Device == "" {
		return nil
	}
	_, err := p.profile(cat)
	return err
}

// tillPrinter prints the till's receipts: laid out for the paper, encoded
// for the printer, sent as one job, and recorded on the operation.
type tillPrinter struct {
	c       *common.Common
	device  printer.Printer
	profile escpos.Profile
	auto    bool
}

var _ common.Printer = (*tillPrinter)(nil)

func newTillPrinter(cfg PrinterConfig, c *common.Common, cat *locale.Catalog) (*tillPrinter, error) {
	prof, err := cfg.profile(cat)
	if err != nil {
		return nil, err
	}
	dev, err := printer.New(cfg.Device, printer.Options{})
	if err != nil {
		return nil, usageErr(cat.T("cli.printer_bad", c.PrinterError(err)), err)
	}
	return &tillPrinter{c: c, device: dev, profile: prof, auto: cfg.Auto}, nil
}

func (p *tillPrinter) Auto() bool { return p.auto }

// PrintReceipt prints op's receipt; the outcome is written on the
// operation either way, so the history says which receipts never printed.
func (p *tillPrinter) PrintReceipt(ctx context.Context, op store.Operation, copy bool) (store.Operation, error) {
	r, err := sale.Receipt(p.c, op)
	if err != nil {
		return op, err
	}
	label := ""
	if copy {
		label = p.c.T("receipt.copy")
	}
	doc, err := escpos.ReceiptDoc(r, p.profile, p.c.Cat, label)
	if err != nil {
		return op, err
	}
	data, _, err := escpos.Bytes(p.profile, doc)
	if err != nil {
		return op, err
	}
	_, printErr := p.device.Print(ctx, data)
	at := p.c.Clock.Now()
	stored, err := p.c.Store.Modify(op.ID, func(o *store.Operation) error {
		if printErr != nil {
			o.PrintError = p.c.PrinterError(printErr)
			return nil
		}
		o.Printed, o.Prints, o.PrintError = at, o.Prints+1, ""
		return nil
	})
	if err != nil {
		return op, errors.Join(printErr, err)
	}
	return stored, printErr
}

// PrintQR prints the customer's QR with the amount and who is paid.
func (p *tillPrinter) PrintQR(ctx context.Context, op store.Operation) error {
	if op.QR == nil || op.QR.Payload == "" {
		return errors.New("no QR to print")
	}
	c := p.c
	lines := []string{c.T("slip.amount", c.Money(op.Amount)), c.T("slip.receipt", op.Receipt())}
	if c.Shop.Name != "" {
		lines = append([]string{c.Shop.Name}, lines...)
	}
	if !op.QR.Expires.IsZero() {
		lines = append(lines, c.T("slip.until", op.QR.Expires.Local().Format("15:04")))
	}
	doc := escpos.QRSlip(p.profile, c.T("provider."+op.Provider), lines, op.QR.Payload, c.TFor(op.Provider, "sale.qr_scan"))
	data, _, err := escpos.Bytes(p.profile, doc)
	if err != nil {
		return err
	}
	_, err = p.device.Print(ctx, data)
	return err
}

// PrintReport prints a shift report.
func (p *tillPrinter) PrintReport(ctx context.Context, sh store.Shift) error {
	return printReport(ctx, p.device, p.profile, p.c.Cat, sh)
}

// runPrint is kassa print test: the shop's header, every Kazakh and
// Uzbek letter, ₸, a QR and the ruler of the width, in the configured
// mode, so a shop sets the code page in a minute.
func runPrint(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "test" {
		return usageErr(catalogFor(langFlag(args)).T("cli.print_which"), nil)
	}
	cfg, _, err := loadConfig("kassa print test", args[1:])
	if err != nil {
		return err
	}
	cat := catalogFor(cfg.Lang)
	if cfg.Printer.Device == "" {
		return usageErr(cat.T("cli.printer_none"), nil)
	}
	prof, err := cfg.Printer.profile(cat)
	if err != nil {
		return err
	}
	dev, err := printer.New(cfg.Printer.Device, printer.Options{})
	if err != nil {
		return usageErr(err.Error(), err)
	}
	data, rep, err := testPage(cat, cfg.Shop, cfg.Printer.Device, prof)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := dev.Print(ctx, data); err != nil {
		fmt.Fprintln(out, cat.T("cli.print_failed", cfg.Printer.Device, err))
		return &exitError{code: exitNotMoved}
	}
	fmt.Fprintln(out, cat.T("cli.print_done", cfg.Printer.Device))
	if len(rep.Missing) > 0 {
		fmt.Fprintln(out, cat.T("cli.print_missing", string(rep.Missing)))
	}
	if len(rep.Replaced) > 0 {
		fmt.Fprintln(out, cat.T("cli.print_replaced", string(rep.Replaced)))
	}
	return nil
}

// testPage is the test page's bytes for device with prof: the shop's
// header, every Kazakh and Uzbek letter, ₸, a QR and the ruler.
func testPage(cat *locale.Catalog, shop common.Shop, device string, prof escpos.Profile) ([]byte, escpos.Report, error) {
	d := &escpos.Doc{}
	d.Heading(cat.T("print.test_title"))
	if shop.Name != "" {
		d.Styled(shop.Name, escpos.Style{Align: escpos.Center, Bold: true})
		d.Styled(shop.Address, escpos.Style{Align: escpos.Center})
	}
	d.Line(cat.T("print.test_profile", device, prof.Dots, prof.Columns, prof.Mode, prof.CodePage, prof.PageNumber()))
	d.Line("")
	d.Line("KZ: Ә ә Ғ ғ Қ қ Ң ң Ө ө Ұ ұ Ү ү Һ һ І і")
	d.Line("UZ: Oʻ oʻ Gʻ gʻ Sh sh Ch ch ʼ")
	d.Line("RU: Аа Бб Вв Ёё Жж Щщ Ъъ Ыы Ээ Юю Яя")
	d.Line("₸ 12 500 · soʻm 150 000,00")
	ruler := ""
	for i := 1; i <= prof.Columns; i++ {
		ruler += fmt.Sprint(i % 10)
	}
	d.Line(ruler)
	d.QR("https://kassa.example/print-test")
	d.Cut()
	return escpos.Bytes(prof, d)
}

// printerSetting is the data file's setting the settings screen saves the
// printer in. At the till's start it wins over the config file's
// [printer], unless --printer is given on the command line.
const printerSetting = "printer"

// savedPrinter is cfg with the printer the settings screen saved, where
// one was saved and --printer was not given.
func savedPrinter(st *store.Store, cfg PrinterConfig, flagGiven bool) (PrinterConfig, error) {
	var ps common.PrinterSettings
	if flagGiven {
		return cfg, nil
	}
	ok, err := st.Setting(printerSetting, &ps)
	if err != nil || !ok {
		return cfg, err
	}
	return cfg.with(ps), nil
}

// with is p changed to what the settings screen sets.
func (p PrinterConfig) with(ps common.PrinterSettings) PrinterConfig {
	p.Device, p.Paper, p.Mode, p.CodePage, p.CodePageNumber, p.Auto = ps.Device, ps.Paper, ps.Mode, ps.CodePage, ps.CodePageNumber, ps.Auto
	return p
}

// printerSetup is the settings screen's hold on the till's printer.
type printerSetup struct {
	c   *common.Common
	cat *locale.Catalog
	cfg PrinterConfig // in use
}

var _ common.PrinterSetup = (*printerSetup)(nil)

func (s *printerSetup) Describe() common.PrinterSettings {
	ps := common.PrinterSettings{Device: s.cfg.Device, Paper: s.cfg.Paper, Mode: s.cfg.Mode,
		CodePage: s.cfg.CodePage, CodePageNumber: s.cfg.CodePageNumber, Auto: s.cfg.Auto}
	if prof, err := s.cfg.profile(s.cat); err == nil {
		ps.Mode, ps.CodePage, ps.CodePageNumber = string(prof.Mode), string(prof.CodePage), prof.PageNumber()
	}
	return ps
}

// Apply builds the printer ps names before anything is kept, so a setting
// that does not work changes nothing.
func (s *printerSetup) Apply(ps common.PrinterSettings) (func(), error) {
	cfg := s.cfg.with(ps)
	var next common.Printer
	if cfg.Device != "" {
		if _, err := cfg.profile(s.cat); err != nil {
			var e *exitError
			if errors.As(err, &e) && e.cause != nil {
				err = e.cause
			}
			return nil, errors.New(s.cat.T("settings.printer_bad", err))
		}
		p, err := newTillPrinter(cfg, s.c, s.cat)
		if err != nil {
			return nil, errors.New(s.cat.T("settings.printer_device_bad"))
		}
		next = p
	}
	if err := s.c.Store.PutSetting(printerSetting, ps); err != nil {
		return nil, errors.New(s.cat.T("error.store", err.Error()))
	}
	return func() { s.cfg, s.c.Printer = cfg, next }, nil
}

func (s *printerSetup) TestPage(ctx context.Context) error {
	prof, err := s.cfg.profile(s.cat)
	if err != nil {
		return err
	}
	dev, err := printer.New(s.cfg.Device, printer.Options{})
	if err != nil {
		return err
	}
	data, _, err := testPage(s.cat, s.c.Shop, s.cfg.Device, prof)
	if err != nil {
		return err
	}
	_, err = dev.Print(ctx, data)
	return err
}
