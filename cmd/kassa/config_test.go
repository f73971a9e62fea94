package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSampleConfigLoadsAndFlagsWin(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cfg, fromFile, err := loadConfig("kassa", []string{"--config", "../../assets/kassa.sample.toml", "--lang", "en", "--scan-timeout", "90s"})
	if err != nil || !fromFile {
		t.Fatalf("%v %v", err, fromFile)
	}
	if cfg.Lang != "en" || cfg.Kaspi.ScanTimeout.Duration != 90*time.Second {
		t.Errorf("flags did not win: lang %q scan %v", cfg.Lang, cfg.Kaspi.ScanTimeout)
	}
	if cfg.Kaspi.URL != "http://192.168.1.50:8080" || cfg.Kaspi.ConfirmTimeout.Duration != 60*time.Second ||
		cfg.Cashier != "Aigerim" || cfg.Shop.BIN != "960419351140" || cfg.ReceiptWidth != 42 {
		t.Errorf("file values lost: %+v", cfg)
	}
}

func TestNoConfigMeansDefaults(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cfg, fromFile, err := loadConfig("kassa", nil)
	if err != nil || fromFile || cfg.Kaspi.URL != "" || cfg.Kaspi.ScanTimeout.Duration != 180*time.Second {
		t.Fatalf("%+v %v %v", cfg, fromFile, err)
	}
}

func TestBadConfigIsRefusedClearly(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "k.toml")
		os.WriteFile(p, []byte(s), 0o600)
		return p
	}
	cases := map[string][]string{
		"duration":    {"--config", write("[kaspi]\nscan_timeout = \"soon\"\n")},
		"width":       {"--receipt-width", "40"},
		"url":         {"--kaspi-url", "192.168.1.50:8080"},
		"no host":     {"--kaspi-url", "http://"},
		"port only":   {"--kaspi-url", "http://:8080"},
		"scheme":      {"--kaspi-url", "ftp://192.168.1.50"},
		"missing":     {"--config", filepath.Join(dir, "nope.toml")},
		"unknown arg": {"extra"},
	}
	for name, args := range cases {
		if _, _, err := loadConfig("kassa", args); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "panic") || exitCode(err) != exitUsage {
			t.Errorf("%s: exit %d: %v", name, exitCode(err), err)
		}
	}
	for _, ok := range []string{"http://192.168.1.50:8080", "https://pos1.kaspipos.kz:8080", "http://[fe80::1]:8080"} {
		if _, _, err := loadConfig("kassa", []string{"--kaspi-url", ok}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// A typo in the config file is not a setting left at its default: the
// till would start in training instead of against the POS.
func TestUnknownConfigKeysAreRefusedWithTheirLine(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	path := filepath.Join(t.TempDir(), "kassa.toml")
	os.WriteFile(path, []byte(`cashier = "Aigerim"

[kaspi]
urll = "http://192.168.1.50:8080"  # a typo
scan_timeout = "180s"

[kasp]
url = "http://192.168.1.50:8080"

[demo]
speeed = 5
colour = "red"
`), 0o600)
	_, _, err := loadConfig("kassa", []string{"--config", path})
	want := []string{
		path + `, line 4: no such setting "kaspi.urll"; did you mean "kaspi.url"?`,
		path + `, line 7: no such table: [kasp].`,
		path + `, line 11: no such setting "demo.speeed"; did you mean "demo.speed"?`,
		path + `, line 12: no such setting "demo.colour".`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") || exitCode(err) != exitUsage {
		t.Fatalf("got %v, want\n%s", err, strings.Join(want, "\n"))
	}

	// The till does not start.
	var stderr bytes.Buffer
	if code := run([]string{"--config", path}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "kaspi.urll") {
		t.Fatalf("the till: exit %d, %q", code, &stderr)
	}

	// TOML keys are case-sensitive, the decoder is not: "URL" is no setting
	// of its own, and "url" beside it would be taken silently.
	os.WriteFile(path, []byte("[kaspi]\nurl = \"http://192.168.1.50:8080\"\nURL = \"http://10.0.0.1:8080\"\n"), 0o600)
	if _, _, err := loadConfig("kassa", []string{"--config", path}); err == nil ||
		err.Error() != path+`, line 3: no such setting "kaspi.URL"; did you mean "kaspi.url"?` {
		t.Fatalf("got %v", err)
	}

	// A key in the wrong table is pointed to the right one; the file's
	// language says it.
	os.WriteFile(path, []byte("lang = \"ru\"\nurl = \"http://192.168.1.50:8080\"\n"), 0o600)
	if _, _, err := loadConfig("kassa", []string{"--config", path}); err == nil ||
		err.Error() != path+`, строка 2: нет такой настройки: "url"; может быть, "kaspi.url"?` {
		t.Fatalf("got %v", err)
	}
}

// What a person starting the till reads of a flag or config mistake is in
// the language --lang (or the config file) gives, else English.
func TestConfigAndFlagErrorsInTheirLanguage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[kaspi\nurl = 1\n"), 0o600)
	dur := filepath.Join(dir, "dur.toml")
	os.WriteFile(dur, []byte("lang = \"ru\"\n[kaspi]\nscan_timeout = \"soon\"\n"), 0o600)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--receipt-width", "abc"}, `--receipt-width: "abc" is not a whole number.`},
		{[]string{"--lang", "ru", "--receipt-width", "abc"}, `--receipt-width: "abc" — не целое число.`},
		{[]string{"--lang", "ru", "--scan-timeout", "soon"}, `--scan-timeout: "soon" — не длительность (например, 180s или 3m).`},
		{[]string{"--lang", "ru", "--kaspi-insecure=maybe"}, `--kaspi-insecure: "maybe" — не true или false.`},
		{[]string{"--nope"}, `--nope: no such flag; kassa help lists them.`},
		{[]string{"--lang", "ru", "--db"}, `после --db нужно значение.`},
		{[]string{"--lang", "ru", "500"}, `"500": непонятно, что с этим делать; флаги начинаются с --, а команды перечислены в kassa help.`},
		{[]string{"--lang", "ru", "--config", filepath.Join(dir, "nope.toml")}, filepath.Join(dir, "nope.toml") + ": такого файла настроек нет."},
		{[]string{"--lang", "ru", "--config", bad}, bad + ", строка 2: ошибка в TOML: expected '.' or ']' to end table name, but got '\\n' instead."},
		{[]string{"--config", dur}, dur + `, строка 3: kaspi.scan_timeout — не длительность; пишите, например, "180s" или "3m".`},
		{[]string{"--lang", "ru", "--receipt-width", "40"}, `--receipt-width 40: укажите 32, 42 или 48.`},
		{[]string{"--lang", "ru", "--kaspi-url", "http://"}, `--kaspi-url "http://": пишите адрес Smart POS так: http://АДРЕС:8080 (https://…, если включена защита интеграции).`},
		{[]string{"--lang", "xx"}, `--lang "xx": kassa speaks en, kk, ru, uz, uz-Cyrl.`},
	}
	for _, c := range cases {
		_, _, err := loadConfig("kassa", c.args)
		if err == nil || err.Error() != c.want || exitCode(err) != exitUsage {
			t.Errorf("%q:\n got %v\nwant %s", c.args, err, c.want)
		}
	}
}

// With no home folder known, kassa reads no config and opens no data file
// from the working folder: it asks for --db, and with it runs on the flags.
func TestNoHomeMeansNoFilesFromTheWorkingFolder(t *testing.T) {
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"} {
		t.Setenv(v, "")
	}
	wd := t.TempDir()
	t.Chdir(wd)
	// What an accidental read would find: a config saying Russian, and a
	// data file where the default folder used to fall back to.
	os.MkdirAll(filepath.Join(wd, "kassa"), 0o700)
	os.WriteFile(filepath.Join(wd, "kassa", "kassa.toml"), []byte("lang = \"ru\"\n"), 0o600)

	var stderr bytes.Buffer
	if code := run([]string{"recover"}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "HOME is not set") {
		t.Fatalf("no --db: exit %d, %q", code, &stderr)
	}
	stderr.Reset()
	if code := run([]string{"demo", "--speed", "5"}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "HOME is not set") {
		t.Fatalf("demo: exit %d, %q", code, &stderr)
	}
	if entries, _ := os.ReadDir(wd); len(entries) != 1 {
		t.Fatalf("files appeared in the working folder: %v", entries)
	}

	db := filepath.Join(t.TempDir(), "kassa.db")
	var out bytes.Buffer
	if err := runRecover([]string{"--db", db, "--kaspi-url", "http://127.0.0.1:1"}, &out); err != nil || out.String() != "Nothing was left open by an earlier run.\n" {
		t.Fatalf("with --db: %v %q (the working folder's config read?)", err, &out)
	}
}
