package main

import (
	"flag"
	"runtime"

	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/ui/display"
)

// displaySupported: on Windows nothing tells the till who opens its
// socket (the display would need a named pipe with its own access list),
// so the till serves no display there and `kassa display` says so.
const displaySupported = runtime.GOOS != "windows"

// runDisplay runs the customer's display for the till that has the data
// file open, looking for it every second while it is not there.
func runDisplay(args []string) error {
	var demo bool
	cfg, _, err := loadConfig("kassa display", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&demo, "demo", false, "flag.display.demo")
	})
	if err != nil {
		return err
	}
	cat, err := locale.Load(cfg.Lang)
	if err != nil {
		return usageErr(err.Error(), err)
	}
	if !displaySupported {
		return usageErr(cat.T("cli.display_windows"), nil)
	}
	db := cfg.dataFile()
	if demo {
		db = inDataDir("demo.db")
		if cfg.Demo.Market == "uz" {
			db = inDataDir("demo-uz.db")
		}
	}
	if db == "" {
		return usageErr(cat.T("cli.no_home"), nil)
	}
	path := controlPath(db)
	_, err = tea.NewProgram(display.New(cat, clock.Real{}, display.Socket(path), path)).Run()
	return err
}
