package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/kassa-till/kassa/assets/lessons"
	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers/monetix"
	monetixsim "github.com/kassa-till/kassa/providers/monetix/sim"
	"github.com/kassa-till/kassa/providers/octo"
	octosim "github.com/kassa-till/kassa/providers/octo/sim"
	"github.com/kassa-till/kassa/store"
)

// usageCommands is the usage's list of commands: each command line, which
// is the shell's and reads the same in every language, and the key of
// what it does in the catalog's [usage] table.
var usageCommands = []struct{ line, key string }{
	{"kassa [flags]", "usage.till"},
	{"kassa demo [--market kz|uz] [flags]", "usage.demo"},
	{"kassa pay --amount N [flags]", "usage.pay"},
	{"kassa refund --payment N --amount A", "usage.refund"},
	{"kassa export --from D --to D [--kind payments|refunds] [--out FILE]", "usage.export"},
	{"kassa export --central URL [--shop S] [--till T] --from D --to D", "central.usage_export"},
	{"kassa central init --central URL", "central.usage_init"},
	{"kassa central totals --central URL [--shop S] [--till T] --from D --to D", "central.usage_totals"},
	{"kassa history --central URL [--shop S] [--till T]", "centralhistory.usage"},
	{"kassa user add --name NAME --role manager|cashier [--user MANAGER]", "usage.user_add"},
	{"kassa user list", "usage.user_list"},
	{"kassa user disable|enable|reset-pin|unlock --name NAME --user MANAGER", "usage.user_change"},
	{"kassa audit verify [--db FILE]", "usage.audit_verify"},
	{"kassa audit export --from D --to D [--out FILE]", "usage.audit_export"},
	{"kassa report x|z [--out FILE] [--print]", "usage.report"},
	{"kassa report show [--z N]", "usage.report_show"},
	{"kassa gen --count N --db PATH", "usage.gen"},
	{"kassa recover [flags]", "usage.recover"},
	{"kassa pair kaspi --name NAME", "usage.pair_kaspi"},
	{"kassa check kaspi [flags]", "usage.check_kaspi"},
	{"kassa key uzqr [--db FILE]", "usage.key_uzqr"},
	{"kassa check uzqr [flags]", "usage.check_uzqr"},
	{"kassa key monetix [--db FILE]", "usage.key_monetix"},
	{"kassa check monetix [flags]", "usage.check_monetix"},
	{"kassa key octo [--db FILE]", "usage.key_octo"},
	{"kassa key octo-notify [--db FILE]", "usage.key_octo_notify"},
	{"kassa check octo [flags]", "usage.check_octo"},
	{"kassa sim kaspi --listen ADDR", "usage.sim_kaspi"},
	{"kassa sim uzqr --listen ADDR", "usage.sim_uzqr"},
	{"kassa sim monetix --listen ADDR", "usage.sim_monetix"},
	{"kassa sim octo --listen ADDR", "usage.sim_octo"},
	{"kassa display [--db FILE] [--lang LANG]", "usage.display"},
	{"kassa print test [flags]", "usage.print_test"},
	{"kassa db check [--db FILE]", "usage.db_check"},
	{"kassa db salvage --out NEW", "usage.db_salvage"},
	{"kassa db backup [--db FILE]", "usage.db_backup"},
	{"kassa db restore [--from BACKUP]", "usage.db_restore"},
	{"kassa help [--lang LANG]", "usage.help"},
}

// usageWidth is the width the usage is written for: a terminal's least.
const usageWidth = 80

// usage writes the whole usage in cat's language: the commands, the exit
// codes and every flag of fs (the global ones when fs is nil).
func usage(w io.Writer, cat *locale.Catalog, fs *flag.FlagSet) {
	if fs == nil {
		fs = flag.NewFlagSet("kassa", flag.ContinueOnError)
		cfg := defaults()
		bindFlags(fs, &cfg)
	}
	writeItem(w, "kassa — ", cat.T("usage.title"))
	fmt.Fprintln(w)
	fmt.Fprintln(w, cat.T("usage.commands"))
	writeCommands(w, cat, "kassa")
	fmt.Fprintln(w)
	fmt.Fprintln(w, cat.T("usage.exit"))
	for code := exitDone; code <= exitBooks; code++ {
		writeItem(w, fmt.Sprintf("  %d  ", code), cat.T(fmt.Sprintf("usage.exit_%d", code)))
	}
	fmt.Fprintln(w)
	writeItem(w, "", cat.T("usage.flags"))
	writeFlags(w, cat, fs)
}

// commandUsage writes the usage of the commands whose line starts with
// prefix ("kassa sim kaspi", "kassa sim") and, when fs is not nil, their
// flags.
func commandUsage(w io.Writer, cat *locale.Catalog, prefix string, fs *flag.FlagSet) {
	writeCommands(w, cat, prefix)
	if fs != nil {
		fmt.Fprintln(w)
		fmt.Fprintln(w, cat.T("usage.own_flags"))
		writeFlags(w, cat, fs)
	}
}

func writeCommands(w io.Writer, cat *locale.Catalog, prefix string) {
	for _, c := range usageCommands {
		if c.line == prefix || strings.HasPrefix(c.line, prefix+" ") {
			fmt.Fprintln(w, "  "+c.line)
			writeItem(w, "      ", cat.T(c.key))
		}
	}
}

// writeFlags writes every flag of fs in the order of their names: the
// flag and the placeholder of its value on a line, what it does below,
// with its default.
func writeFlags(w io.Writer, cat *locale.Catalog, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		key, value := flagHelp(f)
		fmt.Fprintln(w, strings.TrimRight("  --"+f.Name+" "+value, " "))
		text := cat.T(key, flagArgs(key, cat)...)
		if d := shownDefault(f); d != "" {
			text += " (" + cat.T("usage.default", d) + ")"
		}
		writeItem(w, "      ", text)
	})
}

// flagHelp reads what a flag is bound with as its usage: the key of its
// description in the catalog's [flag] table, then, for a flag that takes
// a value, the placeholder of that value ("flag.db FILE"); a number or a
// duration without one is N or DURATION.
func flagHelp(f *flag.Flag) (key, value string) {
	key, value, _ = strings.Cut(f.Usage, " ")
	if value != "" {
		return key, value
	}
	switch flagKind(f) {
	case "number":
		value = "N"
	case "duration":
		value = "DURATION"
	}
	return key, value
}

// shownDefault is the default --help shows: none for an empty text, a
// zero or false.
func shownDefault(f *flag.Flag) string {
	switch f.DefValue {
	case "", "0", "0s", "false":
		return ""
	}
	return f.DefValue
}

// flagArgs is the arguments of the flag descriptions that take some:
// default paths and addresses, and the names a flag takes.
func flagArgs(key string, cat *locale.Catalog) []any {
	list := func(names []string) any { return strings.Join(names, ", ") }
	switch key {
	case "flag.config", "flag.sim.config":
		return []any{orNone(defaultConfigPath(), cat)}
	case "flag.db":
		return []any{orNone(inDataDir("kassa.db"), cat)}
	case "flag.demo-customer":
		return []any{list(customerNames()), list(uzCustomerNames())}
	case "flag.lesson":
		return []any{list(lessons.Shipped())}
	case "flag.approve":
		return []any{list(store.ApprovalActions)}
	case "flag.monetix-url":
		return []any{monetix.DefaultURL}
	case "flag.octo-url":
		return []any{octo.DefaultURL}
	case "flag.sim-kaspi.customer":
		return []any{list(customerNames())}
	case "flag.sim-uzqr.customer":
		return []any{list(uzCustomerNames())}
	case "flag.sim-monetix.customer":
		return []any{list(stringsOf(monetixsim.Behaviours))}
	case "flag.sim-octo.customer":
		return []any{list(stringsOf(octosim.Behaviours))}
	}
	return nil
}

// orNone is a default path for a flag's help, or says there is none.
func orNone(path string, cat *locale.Catalog) string {
	if path == "" {
		return cat.T("usage.no_home")
	}
	return path
}

func stringsOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// writeItem writes text after lead, wrapped at spaces to usageWidth, its
// further lines indented as far as lead.
func writeItem(w io.Writer, lead, text string) {
	indent := strings.Repeat(" ", utf8.RuneCountInString(lead))
	line, width := lead, utf8.RuneCountInString(lead)
	empty := true
	for _, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		if !empty && width+1+n > usageWidth {
			fmt.Fprintln(w, line)
			line, width, empty = indent, len(indent), true
		}
		if !empty {
			line, width = line+" ", width+1
		}
		line, width, empty = line+word, width+n, false
	}
	fmt.Fprintln(w, line)
}

// usageCatalog is the catalog the help and the usage errors speak before
// the config is read: --lang wherever it stands among args, else the lang
// of the config file (--config's or the default one), else English.
func usageCatalog(args []string) *locale.Catalog {
	if cat, err := locale.Load(flagValue(args, "lang")); err == nil {
		return cat
	}
	path := flagValue(args, "config")
	if path == "" {
		path = defaultConfigPath()
	}
	if path == "" {
		return locale.MustLoad(locale.Default)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return locale.MustLoad(locale.Default)
	}
	return catalogFor(fileLang(text))
}

// fileLang is the lang a config file sets, read alone: "" when it sets
// none or TOML cannot read it.
func fileLang(text []byte) string {
	var only struct {
		Lang string `toml:"lang"`
	}
	if _, err := toml.Decode(string(text), &only); err != nil {
		return ""
	}
	return only.Lang
}

// runHelp writes the usage, in the language of --lang or the config file.
func runHelp(args []string, out io.Writer) error {
	usage(out, usageCatalog(args), nil)
	return nil
}

// newSimFlags is a simulator's flag set. Besides its own flags it takes
// --lang and --config, for the language of its help, and so that global
// flags written before "sim" (kassa --lang ru sim kaspi) reach it.
func newSimFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.String("lang", "", "flag.sim.lang LANG")
	fs.String("config", "", "flag.sim.config FILE")
	return fs
}

// parseSimFlags parses a simulator's flags. --help writes its usage to
// out; a flag it does not take writes the usage to stderr and says what
// is wrong, in the language of --lang or the config file.
func parseSimFlags(fs *flag.FlagSet, args []string, out, stderr io.Writer) error {
	fs.SetOutput(discard{}) // the flag package's own texts are in English
	fs.Usage = func() {}
	err := fs.Parse(args)
	if err == nil {
		return nil
	}
	cat := usageCatalog(args)
	if errors.Is(err, flag.ErrHelp) {
		commandUsage(out, cat, fs.Name(), fs)
		return err
	}
	commandUsage(stderr, cat, fs.Name(), fs)
	fmt.Fprintln(stderr)
	return flagErr(fs, err, cat)
}

// whichCommand says a command wants one of its subcommands (kassa sim
// kaspi, not kassa sim) and lists them with what they do.
func whichCommand(prefix string, args []string, stderr io.Writer) error {
	cat := usageCatalog(args)
	fmt.Fprintln(stderr, cat.T("usage.which", prefix))
	writeCommands(stderr, cat, prefix)
	return errUsageSaid
}
