package main

import (
	"encoding"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers/uzqr"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// Config is everything kassa can be told, from the TOML file and the flags.
// The file mirrors the flags; a flag given on the command line wins.
type Config struct {
	Lang    string `toml:"lang"`
	DB      string `toml:"db"`
	Cashier string `toml:"cashier"`
	// Till names the till in the ids of its operations ("<till>-<receipt>");
	// a data file without one takes five random letters.
	Till         string        `toml:"till"`
	ReceiptWidth int           `toml:"receipt_width"`
	Shop         common.Shop   `toml:"shop"`
	Kaspi        KaspiConfig   `toml:"kaspi"`
	UzQR         UzQRConfig    `toml:"uzqr"`
	Monetix      MonetixConfig `toml:"monetix"`
	Octo         OctoConfig    `toml:"octo"`
	Printer      PrinterConfig `toml:"printer"`
	// printerFlag: --printer was given, so the printer the settings
	// screen saved in the data file does not replace it.
	printerFlag bool
	// langFlag: --lang was given, so the language the settings screen
	// kept does not replace it.
	langFlag bool
	Demo     DemoConfig   `toml:"demo"`
	Backup   BackupConfig `toml:"backup"`
	// Approval is which actions need a manager where the till has people
	// (the [approval] table): the screens and the commands ask it alike.
	Approval store.Approval `toml:"approval"`
	// Central is the chain's central database (the [central] table).
	Central CentralConfig `toml:"central"`
}

// uzbek reports whether the config names an Uzbek provider.
func (c Config) uzbek() bool { return c.UzQR.URL != "" || c.Monetix.on() || c.Octo.on() }

// BackupConfig is where a running till keeps copies of its data file,
// how many and how often (one is taken as it starts).
type BackupConfig struct {
	// Dir defaults to backups/ beside the data file; a folder on another
	// disk (a USB stick, a network share) survives the till's disk.
	Dir   string   `toml:"dir"`
	Keep  int      `toml:"keep"`
	Every Duration `toml:"every"`
}

// UzQRConfig is how to reach the UzQR gateway (or the fiscal box that
// proxies it), for the till's one dynamic QR. The API key is not here: it
// is given once with `kassa key uzqr` and kept in the data file.
type UzQRConfig struct {
	URL string `toml:"url"`
	// QR is the till's dynamic QR as named in the merchant cabinet.
	QR string `toml:"qr"`
	// INN is the merchant's tax id, sent where the gateway wants it.
	INN string `toml:"inn"`
	// ScanTimeout is how long the QR is offered before the till cancels it.
	ScanTimeout Duration `toml:"scan_timeout"`
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
	// Market is the country of the demo's shop: kz (Kaspi Smart POS, tenge)
	// or uz (UzQR, soums).
	Market string `toml:"market"`
}

// Duration reads "180s" or "3m" from TOML.
type Duration struct{ time.Duration }

// errNotDuration is the message a config file's bad duration is told by:
// the TOML decoder keeps only the text of an UnmarshalText error.
var errNotDuration = errors.New("not a duration")

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return errNotDuration
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
		UzQR:   UzQRConfig{ScanTimeout: Duration{uzqr.DefaultScanTimeout}},
		Demo:   DemoConfig{Delay: Duration{4 * time.Second}, Speed: 1, Market: "kz"},
		Backup: BackupConfig{Keep: 14, Every: Duration{4 * time.Hour}},
		// Raster prints every Kazakh and Uzbek letter on any printer.
		Printer:  PrinterConfig{Paper: 80, Mode: "raster", Auto: true},
		Approval: store.DefaultApproval(),
	}
}

// flags binds cfg's fields to fs. Their defaults are cfg's current values,
// so after parsing, the flags set on the command line have overwritten
// what the file said and nothing else has.
type flags struct {
	config string
	fs     *flag.FlagSet
}

// Each flag is bound with the key of its description in the catalog's
// [flag] table and the placeholder of its value ("flag.db FILE"): --help
// writes it in the language asked for (see writeFlags).
func bindFlags(fs *flag.FlagSet, cfg *Config) *flags {
	f := &flags{fs: fs}
	fs.StringVar(&f.config, "config", "", "flag.config FILE")
	fs.StringVar(&cfg.Lang, "lang", cfg.Lang, "flag.lang LANG")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "flag.db FILE")
	fs.StringVar(&cfg.Cashier, "cashier", cfg.Cashier, "flag.cashier NAME")
	fs.IntVar(&cfg.ReceiptWidth, "receipt-width", cfg.ReceiptWidth, "flag.receipt-width")
	fs.StringVar(&cfg.Kaspi.URL, "kaspi-url", cfg.Kaspi.URL, "flag.kaspi-url URL")
	fs.StringVar(&cfg.Kaspi.Name, "kaspi-name", cfg.Kaspi.Name, "flag.kaspi-name NAME")
	fs.StringVar(&cfg.Kaspi.CA, "kaspi-ca", cfg.Kaspi.CA, "flag.kaspi-ca FILE")
	fs.StringVar(&cfg.Kaspi.ServerName, "kaspi-server-name", cfg.Kaspi.ServerName, "flag.kaspi-server-name NAME")
	fs.BoolVar(&cfg.Kaspi.Insecure, "kaspi-insecure", cfg.Kaspi.Insecure, "flag.kaspi-insecure")
	fs.DurationVar(&cfg.Kaspi.ScanTimeout.Duration, "scan-timeout", cfg.Kaspi.ScanTimeout.Duration, "flag.scan-timeout")
	fs.DurationVar(&cfg.Kaspi.ConfirmTimeout.Duration, "confirm-timeout", cfg.Kaspi.ConfirmTimeout.Duration, "flag.confirm-timeout")
	fs.StringVar(&cfg.Till, "till", cfg.Till, "flag.till NAME")
	fs.StringVar(&cfg.UzQR.URL, "uzqr-url", cfg.UzQR.URL, "flag.uzqr-url URL")
	fs.StringVar(&cfg.UzQR.QR, "uzqr-qr", cfg.UzQR.QR, "flag.uzqr-qr NAME")
	fs.StringVar(&cfg.UzQR.INN, "uzqr-inn", cfg.UzQR.INN, "flag.uzqr-inn INN")
	bindMonetixFlags(fs, &cfg.Monetix)
	bindOctoFlags(fs, &cfg.Octo)
	bindPrinterFlags(fs, &cfg.Printer)
	bindCentralFlags(fs, &cfg.Central)
	fs.StringVar(&cfg.Demo.Market, "market", cfg.Demo.Market, "flag.market kz|uz")
	fs.StringVar(&cfg.Demo.Customer, "demo-customer", cfg.Demo.Customer, "flag.demo-customer NAME")
	fs.DurationVar(&cfg.Demo.Delay.Duration, "demo-delay", cfg.Demo.Delay.Duration, "flag.demo-delay")
	fs.StringVar(&cfg.Demo.Lesson, "lesson", cfg.Demo.Lesson, "flag.lesson NAME")
	fs.IntVar(&cfg.Demo.Speed, "speed", cfg.Demo.Speed, "flag.speed")
	fs.StringVar(&cfg.Backup.Dir, "backup-dir", cfg.Backup.Dir, "flag.backup-dir DIR")
	fs.IntVar(&cfg.Backup.Keep, "backup-keep", cfg.Backup.Keep, "flag.backup-keep")
	fs.DurationVar(&cfg.Backup.Every.Duration, "backup-every", cfg.Backup.Every.Duration, "flag.backup-every")
	fs.Var((*listFlag)(&cfg.Approval.Actions), "approve", "flag.approve ACTIONS")
	fs.StringVar(&cfg.Approval.RefundAbove, "refund-above", cfg.Approval.RefundAbove, "flag.refund-above AMOUNT")
	return f
}

// loadConfig reads the config file named by --config, or the default one
// if it exists, then applies the command line over it. Its errors are in
// the language the command line or the config file asks for, as far as
// either was read, else in English.
//
// extra binds a subcommand's own flags beside the config's.
func loadConfig(name string, args []string, extra ...func(*flag.FlagSet)) (Config, bool, error) {
	cfg := defaults()
	// A first pass finds --config (and --lang, for the file's errors); the
	// second applies flags over the file.
	pre := flag.NewFlagSet(name, flag.ContinueOnError)
	pre.SetOutput(discard{})
	pf := bindFlags(pre, &cfg)
	for _, bind := range extra {
		bind(pre)
	}
	_ = pre.Parse(args)
	cat := catalogFor(cfg.Lang)
	langGiven := false
	pre.Visit(func(f *flag.Flag) { langGiven = langGiven || f.Name == "lang" })

	path, explicit := pf.config, pf.config != ""
	if !explicit {
		path = defaultConfigPath()
	}
	cfg = defaults()
	text, err := []byte(nil), fs.ErrNotExist
	if path != "" { // without a home, no default file: run on flags alone
		text, err = os.ReadFile(path)
	}
	fromFile := err == nil
	var md toml.MetaData
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
	case errors.Is(err, fs.ErrNotExist):
		return cfg, false, usageErr(cat.T("cli.config_missing", path), err)
	case errors.Is(err, fs.ErrPermission):
		return cfg, false, usageErr(cat.T("cli.config_denied", path), err)
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the sentence names the file
		}
		return cfg, false, usageErr(cat.T("cli.config_bad", path, err), err)
	default:
		if md, err = toml.Decode(string(text), &cfg); err != nil {
			if !langGiven {
				// The file's language, read alone: the decoder walks the
				// file's keys in no fixed order, so cfg.Lang may not be set
				// yet when another key fails.
				if lang := fileLang(text); lang != "" {
					cat = catalogFor(lang)
				}
			}
			return cfg, false, configErr(path, err, cat)
		}
	}
	set := flag.NewFlagSet(name, flag.ContinueOnError)
	bindFlags(set, &cfg)
	for _, bind := range extra {
		bind(set)
	}
	// The flag package's own messages are in English and come with every
	// flag's help: flagErr says what is wrong in one sentence instead.
	set.SetOutput(discard{})
	set.Usage = func() {}
	err = set.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		// The parse stopped at --help: a --lang after it counts too.
		usage(os.Stdout, usageCatalog(args), set)
		return cfg, false, err
	}
	cat = catalogFor(cfg.Lang) // the command line's, else the file's
	set.Visit(func(f *flag.Flag) {
		cfg.printerFlag = cfg.printerFlag || f.Name == "printer"
		cfg.langFlag = cfg.langFlag || f.Name == "lang"
	})
	if err != nil {
		// The parse stopped at the bad flag: so may have --lang.
		return cfg, false, flagErr(set, err, usageCatalog(args))
	}
	if set.NArg() > 0 {
		return cfg, false, usageErr(cat.T("cli.unexpected_argument", set.Arg(0)), nil)
	}
	if fromFile {
		if err := unknownKeys(md, text, path, cat); err != nil {
			return cfg, false, err
		}
	}
	return cfg, fromFile, cfg.validate(cat)
}

// catalogFor is the catalog for lang, English when there is none.
func catalogFor(lang string) *locale.Catalog {
	if cat, err := locale.Load(lang); err == nil {
		return cat
	}
	return locale.MustLoad(locale.Default)
}

// langFlag is the --lang the arguments give, for what is said before the
// config is read.
func langFlag(args []string) string { return flagValue(args, "lang") }

// flagValue is the value the arguments give the flag name, wherever it
// stands among them: "" when they give none.
func flagValue(args []string, name string) string {
	for i, a := range args {
		n, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case a == "--":
			return ""
		case !strings.HasPrefix(a, "-") || n != name:
		case hasValue:
			return value
		case i+1 < len(args):
			return args[i+1]
		}
	}
	return ""
}

// configErr says what is wrong in a config file TOML could not read.
func configErr(path string, err error, cat *locale.Catalog) error {
	var pe toml.ParseError
	switch {
	case errors.As(err, &pe) && pe.Message == errNotDuration.Error():
		return usageErr(cat.T("cli.config_duration", path, pe.Position.Line, pe.LastKey), err)
	case errors.As(err, &pe):
		return usageErr(cat.T("cli.config_syntax", path, pe.Position.Line, pe.Message), err)
	}
	return usageErr(cat.T("cli.config_bad", path, strings.TrimPrefix(err.Error(), "toml: ")), err)
}

// flagErr says what is wrong with a flag the flag package refused. Its
// messages are stable since Go 1 and name the flag after a "-".
func flagErr(fs *flag.FlagSet, err error, cat *locale.Catalog) error {
	msg := err.Error()
	after := func(prefix string) (string, bool) {
		rest, ok := strings.CutPrefix(msg, prefix)
		return "--" + strings.TrimPrefix(rest, "-"), ok
	}
	if name, ok := after("flag provided but not defined: "); ok {
		return usageErr(cat.T("cli.flag_unknown", name), err)
	}
	if name, ok := after("flag needs an argument: "); ok {
		return usageErr(cat.T("cli.flag_needs_value", name), err)
	}
	if _, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		return usageErr(cat.T("cli.flag_syntax", strings.TrimPrefix(msg, "bad flag syntax: ")), err)
	}
	var value, name string
	if n, _ := fmt.Sscanf(msg, "invalid value %q for flag -%s", &value, &name); n == 2 {
		name = strings.TrimSuffix(name, ":")
	} else if n, _ := fmt.Sscanf(msg, "invalid boolean value %q for -%s", &value, &name); n == 2 {
		name = strings.TrimSuffix(name, ":")
	} else {
		return usageErr(cat.T("cli.config_bad", "kassa", msg), err)
	}
	want := "cli.want_text"
	if f := fs.Lookup(name); f != nil {
		want = "cli.want_" + flagKind(f)
	}
	return usageErr(cat.T("cli.flag_bad_value", "--"+name, value, cat.T(want)), err)
}

// flagKind is what a flag's value is: a number, a duration, a bool or
// text.
func flagKind(f *flag.Flag) string {
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case int, int64, uint, uint64:
			return "number"
		case time.Duration:
			return "duration"
		case bool:
			return "bool"
		}
	}
	return "text"
}

// unknownKeys refuses keys and tables kassa does not know, each named with
// its line: a typo (urll for url) would otherwise leave the setting at its
// default, and a till meant for the POS would start in training.
func unknownKeys(md toml.MetaData, text []byte, path string, cat *locale.Catalog) error {
	var msgs []string
	var tables []toml.Key // unknown: the keys inside them are not repeated
	known := configKeys(reflect.TypeFor[Config](), nil)
	// Every key the file sets, not only those left undecoded: the decoder
	// matches names without regard to case, and TOML does not, so "URL"
	// beside "url" would otherwise be one setting taken silently.
	for _, k := range md.Keys() {
		if slices.ContainsFunc(known, func(c toml.Key) bool { return hasKeyPrefix(c, k) }) {
			continue // a setting, or a table of them
		}
		if slices.ContainsFunc(tables, func(t toml.Key) bool { return hasKeyPrefix(k, t) }) {
			continue
		}
		line := keyLine(text, k)
		switch t := md.Type(k...); {
		case t == "Hash" || t == "ArrayHash":
			tables = append(tables, k)
			msgs = append(msgs, cat.T("cli.config_unknown_table", path, line, k.String()))
		case nearestKey(k) != "":
			msgs = append(msgs, cat.T("cli.config_unknown_near", path, line, k.String(), nearestKey(k)))
		default:
			msgs = append(msgs, cat.T("cli.config_unknown", path, line, k.String()))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return usageErr(strings.Join(msgs, "\n"), nil)
}

func hasKeyPrefix(k, prefix toml.Key) bool {
	return len(k) >= len(prefix) && slices.Equal(k[:len(prefix)], prefix)
}

// keyLine is the line of text where key is set, 0 if it cannot be told.
// MetaData keeps every key's position but does not hand it out, so the
// tables and keys are followed line by line, each read by TOML itself
// (quoted keys may hold dots, '=' and '#'): enough for a config file (a
// key inside a multi-line string could mislead it).
func keyLine(text []byte, key toml.Key) int {
	var table toml.Key
	for i, line := range strings.Split(string(text), "\n") {
		s := strings.TrimSpace(line)
		if strings.HasPrefix(s, "[") {
			if h := headerKey(s); h != nil { // else a line of a multi-line array
				if table = h; slices.Equal(table, key) {
					return i + 1
				}
				continue
			}
		}
		if strings.HasPrefix(s, "#") {
			continue
		}
		// The key itself, or an inline table holding it.
		if k := lineKey(s); k != nil && hasKeyPrefix(key, append(slices.Clip(table), k...)) {
			return i + 1
		}
	}
	return 0
}

// headerKey is the table a [table] or [[table]] line opens, nil if the
// line is not one.
func headerKey(line string) toml.Key {
	var m map[string]any
	if _, err := toml.Decode(line, &m); err != nil {
		return nil
	}
	var k toml.Key
	for len(m) == 1 {
		for name, v := range m {
			k = append(k, name)
			m, _ = v.(map[string]any) // nil ends an array of tables
		}
	}
	return k
}

// lineKey is the dotted key a "key = value" line sets, nil if none: the
// text before the first '=' that TOML reads as a key.
func lineKey(line string) toml.Key {
	for i := range len(line) {
		if line[i] != '=' {
			continue
		}
		if k := headerKey("[" + line[:i] + "]"); k != nil {
			return k
		}
	}
	return nil
}

// nearestKey is the known key the unknown key k was most likely meant to
// be: the same name in another table, or one a typo or two away in its own.
func nearestKey(k toml.Key) string {
	known := configKeys(reflect.TypeFor[Config](), nil)
	name := k[len(k)-1]
	for _, c := range known {
		if c[len(c)-1] == name {
			return c.String()
		}
	}
	best, bestD := "", 3
	for _, c := range known {
		if len(c) == len(k) && slices.Equal(c[:len(c)-1], k[:len(k)-1]) {
			if d := editDistance(c[len(c)-1], strings.ToLower(name)); d < bestD && d < len(name) {
				best, bestD = c.String(), d
			}
		}
	}
	return best
}

// configKeys lists every key the config file can set, from the toml tags.
func configKeys(t reflect.Type, prefix toml.Key) []toml.Key {
	var keys []toml.Key
	for f := range t.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		k := append(slices.Clip(prefix), tag)
		if f.Type.Kind() == reflect.Struct && !reflect.PointerTo(f.Type).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
			keys = append(keys, configKeys(f.Type, k)...)
			continue
		}
		if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct {
			// An array of tables ([[octo.products]]): its keys are
			// named without the index.
			keys = append(keys, configKeys(f.Type.Elem(), k)...)
			continue
		}
		keys = append(keys, k)
	}
	return keys
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := range ra {
		cur := make([]int, len(rb)+1)
		cur[0] = i + 1
		for j := range rb {
			cost := 1
			if ra[i] == rb[j] {
				cost = 0
			}
			cur[j+1] = min(prev[j+1]+1, cur[j]+1, prev[j]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

func (c Config) validate(cat *locale.Catalog) error {
	switch c.ReceiptWidth {
	case 32, 42, 48:
	default:
		return usageErr(cat.T("cli.receipt_width", c.ReceiptWidth), nil)
	}
	if _, err := locale.Load(c.Lang); err != nil {
		return usageErr(cat.T("cli.lang", c.Lang, strings.Join(locale.Languages(), ", ")), err)
	}
	if c.Backup.Keep < 1 {
		return usageErr(cat.T("cli.backup_keep", c.Backup.Keep), nil)
	}
	if e := c.Backup.Every.Duration; e < 0 || e > 0 && e < 10*time.Minute {
		return usageErr(cat.T("cli.backup_every", e.String()), nil)
	}
	if err := validSpeed(c.Demo.Speed); err != nil {
		return usageErr(cat.T("cli.speed", c.Demo.Speed), err)
	}
	switch c.Demo.Market {
	case "kz":
		if _, err := parseCustomer(c.Demo.Customer); c.Demo.Customer != "" && err != nil {
			return usageErr(cat.T("cli.demo_customer", c.Demo.Customer, strings.Join(customerNames(), ", ")), err)
		}
	case "uz":
		if _, err := parseUzCustomer(c.Demo.Customer); c.Demo.Customer != "" && err != nil {
			return usageErr(cat.T("cli.demo_customer", c.Demo.Customer, strings.Join(uzCustomerNames(), ", ")), err)
		}
	default:
		return usageErr(cat.T("cli.market", c.Demo.Market), nil)
	}
	if c.Till != "" && !store.TillNamePattern.MatchString(c.Till) {
		return usageErr(cat.T("cli.till", c.Till), nil)
	}
	if err := c.UzQR.validate(cat); err != nil {
		return err
	}
	if err := c.Central.validate(cat); err != nil {
		return err
	}
	if err := c.Monetix.validate(cat); err != nil {
		return err
	}
	if err := c.Octo.validate(cat); err != nil {
		return err
	}
	if err := c.Printer.validate(cat); err != nil {
		return err
	}
	if err := validApproval(c.Approval, cat); err != nil {
		return err
	}
	if c.Kaspi.URL != "" && c.uzbek() {
		// A till sells in one country's money.
		return usageErr(cat.T("cli.two_markets"), nil)
	}
	if c.Kaspi.ScanTimeout.Duration <= 0 || c.Kaspi.ConfirmTimeout.Duration <= 0 {
		return usageErr(cat.T("cli.timeouts"), nil)
	}
	if c.Kaspi.URL != "" && !validPOSURL(c.Kaspi.URL) {
		return usageErr(cat.T("cli.kaspi_url", c.Kaspi.URL), nil)
	}
	if c.Kaspi.Insecure && c.Kaspi.CA != "" {
		return usageErr(cat.T("cli.ca_insecure"), nil)
	}
	return nil
}

// validPOSURL reports whether u is an address a till can call: http or
// https, with a host.
func validPOSURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Hostname() != "" && p.User == nil
}

// dataFile is the data file the config names, or the default one; ""
// when there is no default (no home folder).
func (c Config) dataFile() string {
	if c.DB != "" {
		return c.DB
	}
	return inDataDir("kassa.db")
}

// defaultConfigPath is the config file read when --config names none, ""
// when no home folder is known (HOME and XDG_CONFIG_HOME unset): a path
// relative to the working folder would read whatever config lies there.
func defaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil || !filepath.IsAbs(dir) {
		return ""
	}
	return filepath.Join(dir, "kassa", "kassa.toml")
}

// dataDir is where kassa keeps its data files unless told otherwise; ""
// when no home folder is known, for the same reason: a data file in the
// working folder would be a new, empty till wherever kassa was started.
func dataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "kassa")
	}
	if home, err := os.UserHomeDir(); err == nil && filepath.IsAbs(home) {
		return filepath.Join(home, ".local", "share", "kassa")
	}
	return ""
}

// inDataDir is the file name in kassa's own folder; "" when there is none,
// which openDataFile refuses with a sentence.
func inDataDir(name string) string {
	dir := dataDir()
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, name)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
