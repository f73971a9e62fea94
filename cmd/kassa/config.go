package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/kassa-till/kassa/assets/lessons"

	"github.com/kassa-till/kassa/ui/common"
)

// Config is everything kassa can be told, from the TOML file and the flags.
// The file mirrors the flags; a flag given on the command line wins.
type Config struct {
	Lang         string      `toml:"lang"`
	DB           string      `toml:"db"`
	Cashier      string      `toml:"cashier"`
	ReceiptWidth int         `toml:"receipt_width"`
	Shop         common.Shop `toml:"shop"`
	Kaspi        KaspiConfig `toml:"kaspi"`
	Demo         DemoConfig  `toml:"demo"`
}

// KaspiConfig is how to reach the Smart POS.
type KaspiConfig struct {
	URL string `toml:"url"`
	// Name is the till's name as paired on the POS (secured API).
	Name string `toml:"name"`
	// CA, ServerName and Insecure say how to trust the POS's certificate.
	CA             string   `toml:"ca"`
	ServerName     string   `toml:"server_name"`
	Insecure       bool     `toml:"insecure"`
	ScanTimeout    Duration `toml:"scan_timeout"`
	ConfirmTimeout Duration `toml:"confirm_timeout"`
}

// DemoConfig steers the simulated customer of demo mode.
type DemoConfig struct {
	Customer string   `toml:"customer"`
	Delay    Duration `toml:"delay"`
	// Speed runs training's clock faster: 1, 5 or 20.
	Speed int `toml:"speed"`
	// Lesson is a shipped lesson's name or a lesson file to run.
	Lesson string `toml:"lesson"`
}

// Duration reads "180s" or "3m" from TOML.
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (write it like 180s or 3m)", b)
	}
	d.Duration = v
	return nil
}

func defaults() Config {
	return Config{
		Lang:         "en",
		ReceiptWidth: 42,
		Kaspi: KaspiConfig{
			ScanTimeout:    Duration{180 * time.Second},
			ConfirmTimeout: Duration{60 * time.Second},
		},
		Demo: DemoConfig{Customer: "qr", Delay: Duration{4 * time.Second}, Speed: 1},
	}
}

// flags binds cfg's fields to fs. Their defaults are cfg's current values,
// so after parsing, the flags set on the command line have overwritten
// what the file said and nothing else has.
type flags struct {
	config string
	fs     *flag.FlagSet
}

func bindFlags(fs *flag.FlagSet, cfg *Config) *flags {
	f := &flags{fs: fs}
	fs.StringVar(&f.config, "config", "", "config file (TOML); default "+defaultConfigPath())
	fs.StringVar(&cfg.Lang, "lang", cfg.Lang, "language of the screens and receipts: en or ru")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "data file (bbolt); default "+filepath.Join(dataDir(), "kassa.db"))
	fs.StringVar(&cfg.Cashier, "cashier", cfg.Cashier, "cashier's name, printed on receipts")
	fs.IntVar(&cfg.ReceiptWidth, "receipt-width", cfg.ReceiptWidth, "receipt printer width in columns: 32, 42 or 48")
	fs.StringVar(&cfg.Kaspi.URL, "kaspi-url", cfg.Kaspi.URL, "Kaspi Smart POS address, e.g. http://192.168.1.50:8080")
	fs.StringVar(&cfg.Kaspi.Name, "kaspi-name", cfg.Kaspi.Name, "the till's name as paired on the Smart POS (HTTPS with tokens)")
	fs.StringVar(&cfg.Kaspi.CA, "kaspi-ca", cfg.Kaspi.CA, "PEM file of the CA that issued the Smart POS's certificate")
	fs.StringVar(&cfg.Kaspi.ServerName, "kaspi-server-name", cfg.Kaspi.ServerName, "name to verify the POS's certificate against, e.g. pos1.kaspipos.kz")
	fs.BoolVar(&cfg.Kaspi.Insecure, "kaspi-insecure", cfg.Kaspi.Insecure, "do not verify the POS's certificate (shown on screen)")
	fs.DurationVar(&cfg.Kaspi.ScanTimeout.Duration, "scan-timeout", cfg.Kaspi.ScanTimeout.Duration, "time the customer has to scan or present a card")
	fs.DurationVar(&cfg.Kaspi.ConfirmTimeout.Duration, "confirm-timeout", cfg.Kaspi.ConfirmTimeout.Duration, "time the customer has to confirm after scanning")
	fs.StringVar(&cfg.Demo.Customer, "demo-customer", cfg.Demo.Customer, "demo: what the simulated customer does: "+strings.Join(customerNames(), ", "))
	fs.DurationVar(&cfg.Demo.Delay.Duration, "demo-delay", cfg.Demo.Delay.Duration, "demo: how long the simulated customer takes to act")
	fs.StringVar(&cfg.Demo.Lesson, "lesson", cfg.Demo.Lesson, "demo: run a lesson: a file, or one of "+strings.Join(lessons.Shipped(), ", "))
	fs.IntVar(&cfg.Demo.Speed, "speed", cfg.Demo.Speed, "demo: run the clock 1, 5 or 20 times faster (timeouts and customers)")
	return f
}

// loadConfig reads the config file named by --config, or the default one
// if it exists, then applies the command line over it.
//
// extra binds a subcommand's own flags beside the config's.
func loadConfig(name string, args []string, extra ...func(*flag.FlagSet)) (Config, bool, error) {
	cfg := defaults()
	// A first pass finds --config; the second applies flags over the file.
	pre := flag.NewFlagSet(name, flag.ContinueOnError)
	pre.SetOutput(discard{})
	pf := bindFlags(pre, &cfg)
	for _, bind := range extra {
		bind(pre)
	}
	_ = pre.Parse(args)

	path, explicit := pf.config, pf.config != ""
	if !explicit {
		path = defaultConfigPath()
	}
	fromFile := false
	cfg = defaults()
	if _, err := toml.DecodeFile(path, &cfg); err != nil {
		if explicit || !errors.Is(err, fs.ErrNotExist) {
			return cfg, false, fmt.Errorf("config %s: %w", path, err)
		}
	} else {
		fromFile = true
	}
	set := flag.NewFlagSet(name, flag.ContinueOnError)
	bindFlags(set, &cfg)
	for _, bind := range extra {
		bind(set)
	}
	set.Usage = func() { usage(set) }
	if err := set.Parse(args); err != nil {
		return cfg, false, err
	}
	if set.NArg() > 0 {
		return cfg, false, fmt.Errorf("unexpected argument %q", set.Arg(0))
	}
	return cfg, fromFile, cfg.validate()
}

func (c Config) validate() error {
	switch c.ReceiptWidth {
	case 32, 42, 48:
	default:
		return fmt.Errorf("receipt width %d: use 32, 42 or 48", c.ReceiptWidth)
	}
	if err := validSpeed(c.Demo.Speed); err != nil {
		return err
	}
	if c.Kaspi.ScanTimeout.Duration <= 0 || c.Kaspi.ConfirmTimeout.Duration <= 0 {
		return errors.New("timeouts must be positive")
	}
	if c.Kaspi.URL != "" && !strings.HasPrefix(c.Kaspi.URL, "http://") && !strings.HasPrefix(c.Kaspi.URL, "https://") {
		return fmt.Errorf("kaspi url %q: write it as http://HOST:8080", c.Kaspi.URL)
	}
	if c.Kaspi.Insecure && c.Kaspi.CA != "" {
		return errors.New("--kaspi-ca and --kaspi-insecure contradict each other: give one")
	}
	return nil
}

func defaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "kassa", "kassa.toml")
}

// dataDir is where kassa keeps its data files unless told otherwise.
func dataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "kassa")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "kassa")
	}
	return "kassa-data"
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
