package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kassa-till/kassa/assets/locale"
)

// kassaRun runs the kassa binary with a home of its own, so no config
// file of the machine's is read unless the test writes one there.
type kassaRun struct {
	bin, home string
}

func newKassaRun(t *testing.T) kassaRun {
	// Not t.TempDir: the help shows paths in the home, and the test's
	// name in them would read as English.
	home, err := os.MkdirTemp("", "kassa-home")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	return kassaRun{bin: kassaBinary(t), home: home}
}

func (k kassaRun) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	c := exec.Command(k.bin, args...)
	c.Env = append(os.Environ(), "HOME="+k.home, "XDG_CONFIG_HOME="+filepath.Join(k.home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(k.home, ".local", "share"))
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	err := c.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), c.ProcessState.ExitCode()
}

// englishFragments is every piece of en's [usage] and [flag] texts
// between their arguments that has a word in it: none may show in
// another language's help.
func englishFragments() []string {
	en := locale.MustLoad("en")
	var out []string
	for _, k := range en.Keys() {
		if !strings.HasPrefix(k, "usage.") && !strings.HasPrefix(k, "flag.") {
			continue
		}
		for _, part := range regexp.MustCompile(`%[a-z]`).Split(en.T(k), -1) {
			part = strings.Trim(part, " ;:,()")
			if regexp.MustCompile(`[A-Za-z]{4}`).MatchString(part) {
				out = append(out, part)
			}
		}
	}
	return out
}

// checkHelp checks a help in lang: no line wider than 80 columns, no key
// missing from the catalogs, and, but in English, no English text.
func checkHelp(t *testing.T, what, lang, help string) {
	t.Helper()
	if strings.TrimSpace(help) == "" {
		t.Fatalf("%s: no help", what)
	}
	for _, line := range strings.Split(help, "\n") {
		// Only a word longer than a line (a path) goes past it.
		if n := utf8.RuneCountInString(line); n > usageWidth && len(strings.Fields(line)) > 1 {
			t.Errorf("%s: a line of %d columns: %q", what, n, line)
		}
	}
	if strings.Contains(help, "!usage.") || strings.Contains(help, "!flag.") {
		t.Errorf("%s: a key missing from the catalogs:\n%s", what, help)
	}
	if lang == locale.Default {
		return
	}
	flat := strings.Join(strings.Fields(help), " ")
	for _, f := range englishFragments() {
		if strings.Contains(flat, strings.Join(strings.Fields(f), " ")) {
			t.Errorf("%s: English in the help: %q", what, f)
		}
	}
}

// kassa --help and kassa help read in the language asked for, list every
// flag bindFlags defines, go to standard output and end with exit 0
// without the flag package's "help requested".
func TestHelpInEveryLanguage(t *testing.T) {
	k := newKassaRun(t)
	fs := flag.NewFlagSet("kassa", flag.ContinueOnError)
	cfg := defaults()
	bindFlags(fs, &cfg)
	for _, lang := range locale.Languages() {
		cat := locale.MustLoad(lang)
		for _, args := range [][]string{{"--help", "--lang", lang}, {"--lang", lang, "help"}, {"-h", "--lang=" + lang}} {
			out, errOut, code := k.run(t, args...)
			if code != exitDone || errOut != "" {
				t.Fatalf("%q: exit %d, stderr %q", args, code, errOut)
			}
			checkHelp(t, strings.Join(args, " "), lang, out)
			for _, heading := range []string{"usage.commands", "usage.exit", "usage.exit_4", "usage.pay"} {
				if !strings.Contains(strings.Join(strings.Fields(out), " "), cat.T(heading)) {
					t.Errorf("%q: no %s %q", args, heading, cat.T(heading))
				}
			}
			fs.VisitAll(func(f *flag.Flag) {
				if !regexp.MustCompile(`(?m)^  --` + regexp.QuoteMeta(f.Name) + `( |$)`).MatchString(out) {
					t.Errorf("%q: --%s is not listed", args, f.Name)
				}
			})
		}
	}
}

// A command's own flags are in its help, in the language.
func TestCommandHelpListsItsOwnFlags(t *testing.T) {
	k := newKassaRun(t)
	for _, c := range []struct {
		args []string
		own  []string
	}{
		{[]string{"pay"}, []string{"amount", "provider", "product", "contact"}},
		{[]string{"refund"}, []string{"payment", "amount"}},
		{[]string{"export"}, []string{"from", "to", "kind", "out"}},
		{[]string{"gen"}, []string{"count", "seed"}},
		{[]string{"db", "salvage"}, []string{"out"}},
		{[]string{"db", "restore"}, []string{"from"}},
		{[]string{"display"}, []string{"demo"}},
		{[]string{"pair", "kaspi"}, []string{"name"}},
	} {
		for _, lang := range []string{"kk", "uz-Cyrl"} {
			args := append(slices.Clone(c.args), "--help", "--lang", lang)
			out, errOut, code := k.run(t, args...)
			if code != exitDone || errOut != "" {
				t.Fatalf("%q: exit %d, stderr %q", args, code, errOut)
			}
			checkHelp(t, strings.Join(args, " "), lang, out)
			for _, name := range c.own {
				if !strings.Contains(out, "\n  --"+name+" ") && !strings.Contains(out, "\n  --"+name+"\n") {
					t.Errorf("%q: --%s is not listed", args, name)
				}
			}
		}
	}
}

// Each simulator's --help lists its own flags in the language; a flag it
// does not take prints the same list to standard error and says so.
func TestSimulatorHelpInEveryLanguage(t *testing.T) {
	k := newKassaRun(t)
	for _, lang := range locale.Languages() {
		cat := locale.MustLoad(lang)
		for _, sim := range []string{"kaspi", "uzqr", "monetix", "octo"} {
			out, errOut, code := k.run(t, "sim", sim, "--help", "--lang", lang)
			what := "sim " + sim + " --help --lang " + lang
			if code != exitDone || errOut != "" {
				t.Fatalf("%s: exit %d, stderr %q", what, code, errOut)
			}
			checkHelp(t, what, lang, out)
			for _, want := range []string{"kassa sim " + sim + " --listen ADDR", cat.T("usage.own_flags"), "  --listen ADDR", "  --customer NAME", "  --lang LANG"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s: no %q in\n%s", what, want, out)
				}
			}
			// Global flags before "sim" reach it.
			out, errOut, code = k.run(t, "--lang", lang, "sim", sim, "--bogus")
			if code != exitUsage || out != "" || !strings.Contains(errOut, cat.T("usage.sim_"+sim)) ||
				!strings.HasSuffix(errOut, "kassa: "+cat.T("cli.flag_unknown", "--bogus")+"\n") {
				t.Errorf("--lang %s sim %s --bogus: exit %d, stdout %q, stderr:\n%s", lang, sim, code, out, errOut)
			}
		}
		_, errOut, code := k.run(t, "sim", "--lang", lang)
		if code != exitUsage || !strings.HasPrefix(errOut, cat.T("usage.which", "kassa sim")+"\n") || !strings.Contains(errOut, "kassa sim octo --listen ADDR") {
			t.Errorf("sim --lang %s: exit %d, stderr:\n%s", lang, code, errOut)
		}
	}
}

// A flag kassa does not take is said in the language asked for, even when
// --lang comes after it; the sentence points to kassa help.
func TestUnknownFlagInTheLanguage(t *testing.T) {
	k := newKassaRun(t)
	for _, lang := range locale.Languages() {
		cat := locale.MustLoad(lang)
		for _, args := range [][]string{{"--bogus", "--lang", lang}, {"pay", "--lang", lang, "--bogus"}} {
			out, errOut, code := k.run(t, args...)
			if code != exitUsage || out != "" || errOut != "kassa: "+cat.T("cli.flag_unknown", "--bogus")+"\n" {
				t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
			}
		}
	}
}

// Without --lang the help speaks the config file's language: the default
// file's, or the one --config names, wherever --config stands.
func TestHelpInTheConfigFilesLanguage(t *testing.T) {
	k := newKassaRun(t)
	dir := filepath.Join(k.home, ".config", "kassa")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kassa.toml"), []byte("lang = \"uz-Cyrl\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(k.home, "shop.toml")
	if err := os.WriteFile(other, []byte("lang = \"kk\"\n[kaspi]\nurl = \"http://127.0.0.1:1\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		lang string
	}{
		{[]string{"help"}, "uz-Cyrl"},
		{[]string{"--help"}, "uz-Cyrl"},
		{[]string{"sim", "octo", "--help"}, "uz-Cyrl"},
		{[]string{"help", "--config", other}, "kk"},
		{[]string{"--help", "--config", other}, "kk"},
		{[]string{"--help", "--config", other, "--lang", "ru"}, "ru"},
	} {
		out, _, code := k.run(t, c.args...)
		if code != exitDone {
			t.Fatalf("%q: exit %d", c.args, code)
		}
		checkHelp(t, strings.Join(c.args, " "), c.lang, out)
		// Both helps say what kassa sim octo does.
		if want := locale.MustLoad(c.lang).T("usage.sim_octo"); !strings.Contains(out, want) {
			t.Errorf("%q: not in %s:\n%s", c.args, c.lang, out)
		}
	}
}

// Every flag is bound with the key of its description, which en.toml has,
// and the placeholder of its value.
func TestFlagsAreBoundWithTheirDescriptions(t *testing.T) {
	en := locale.MustLoad("en")
	fs := flag.NewFlagSet("kassa", flag.ContinueOnError)
	cfg := defaults()
	bindFlags(fs, &cfg)
	fs.VisitAll(func(f *flag.Flag) {
		key, value := flagHelp(f)
		if key != "flag."+f.Name || !en.Has(key) {
			t.Errorf("--%s: bound with %q, a key en.toml lacks or not its own", f.Name, f.Usage)
		}
		_, isBool := f.Value.(interface{ IsBoolFlag() bool })
		if isBool != (value == "") {
			t.Errorf("--%s: placeholder %q", f.Name, value)
		}
	})
}

func TestWriteItemWraps(t *testing.T) {
	var b bytes.Buffer
	writeItem(&b, "      ", strings.Repeat("сөз ", 30)+"https://shop.example.uz/a/very/long/address/that/is/not/broken/anywhere/at/all")
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "      ") || strings.HasPrefix(l, "       ") {
			t.Errorf("line %d not indented by 6: %q", i, l)
		}
		if n := utf8.RuneCountInString(l); n > usageWidth && !strings.Contains(l, "https://") {
			t.Errorf("line %d: %d columns", i, n)
		}
	}
	if got := strings.Join(strings.Fields(b.String()), " "); got != strings.TrimSpace(strings.Repeat("сөз ", 30))+" https://shop.example.uz/a/very/long/address/that/is/not/broken/anywhere/at/all" {
		t.Errorf("words lost or changed: %q", got)
	}
}
