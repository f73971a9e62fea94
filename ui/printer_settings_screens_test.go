package ui

import (
	"context"
	"errors"

	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/ui/common"
)

// fakePrinterSetup keeps the printer's settings as the cmd layer would,
// refusing a tcp:// without a host.
type fakePrinterSetup struct {
	c *common.Common
	s common.PrinterSettings
}

func (f *fakePrinterSetup) Describe() common.PrinterSettings { return f.s }

func (f *fakePrinterSetup) Apply(s common.PrinterSettings) (func(), error) {
	if s.Device == "tcp://" {
		return nil, errors.New(f.c.T("settings.printer_device_bad"))
	}
	return func() { f.s = s }, nil
}

func (f *fakePrinterSetup) TestPage(context.Context) error { return nil }

// withPrinter gives the till a USB printer the settings screen can change.
func withPrinter(c *common.Common, _ *sim.Sim) {
	c.PrinterSetup = &fakePrinterSetup{c: c, s: common.PrinterSettings{Device: "/dev/usb/lp0", Paper: 80, Mode: "raster", CodePage: "cp866", CodePageNumber: 17, Auto: true}}
}
