package main

import (
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
		"missing":     {"--config", filepath.Join(dir, "nope.toml")},
		"unknown arg": {"extra"},
	}
	for name, args := range cases {
		if _, _, err := loadConfig("kassa", args); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "panic") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
