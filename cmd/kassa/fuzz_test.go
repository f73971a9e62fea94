package main

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// FuzzConfig loads any text as the config file: the loader never panics,
// refuses what it cannot take as a usage error that names a line where it
// names one, and never takes a file that sets a key kassa does not know.
func FuzzConfig(f *testing.F) {
	sample, err := os.ReadFile("../../assets/kassa.sample.toml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(sample))
	for _, s := range []string{
		"[kaspi]\nscan_timeout = \"soon\"\n",
		"cashier = \"Aigerim\"\n\n[kaspi]\nurll = \"http://192.168.1.50:8080\"  # a typo\nscan_timeout = \"180s\"\n\n[kasp]\nurl = \"x\"\n\n[demo]\nspeeed = 5\ncolour = \"red\"\n",
		"lang = \"ru\"\nurl = \"http://192.168.1.50:8080\"\n",
		"kaspi = {url = \"http://192.168.1.50:8080\", urll = 1}\n",
		"kaspi.url = \"http://192.168.1.50:8080\"\n\"kaspi\".'name' = \"Kassa-1\"\n",
		"[uzqr]\nurl = \"http://192.168.1.60:8090\"\nqr = \"CASH_1\"\ninn = \"301234567\"\nscan_timeout = \"3m\"\n",
		"[[shop]]\nname = \"x\"\n",
		"\"a.b\" = 1\n",
		"receipt_width = 40\n",
		"[demo]\nspeed = 5\nmarket = \"uz\"\ndelay = \"4s\"\n",
		"lang = \"ru\"\n[kaspi\n",
		"",
	} {
		f.Add(s)
	}
	known := configKeys(reflect.TypeFor[Config](), nil)
	path := filepath.Join(f.TempDir(), "kassa.toml")
	f.Fuzz(func(t *testing.T, text string) {
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		_, fromFile, err := loadConfig("kassa", []string{"--config", path})
		if err != nil {
			if exitCode(err) != exitUsage || err.Error() == "" {
				t.Fatalf("refused with exit %d: %v", exitCode(err), err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if strings.HasPrefix(line, path+", line 0:") || strings.HasPrefix(line, path+", строка 0:") {
					t.Fatalf("an error without its line: %q", line)
				}
			}
			return
		}
		if !fromFile {
			t.Fatal("the file named was not read")
		}
		var all map[string]any
		if _, err := toml.Decode(text, &all); err != nil {
			t.Fatalf("taken, though not TOML: %v", err)
		}
		if k := unknownKey(all, nil, known); k != nil {
			t.Fatalf("taken with the unknown key %s", k)
		}
	})
}

// unknownKey is a key set in m, under prefix, that is not one of known
// nor a table holding some of them.
func unknownKey(m map[string]any, prefix toml.Key, known []toml.Key) toml.Key {
	for k, v := range m {
		key := append(slices.Clip(prefix), k)
		if slices.ContainsFunc(known, func(c toml.Key) bool { return slices.Equal(c, key) }) {
			continue
		}
		sub, table := v.(map[string]any)
		if !table || !slices.ContainsFunc(known, func(c toml.Key) bool { return hasKeyPrefix(c, key) }) {
			return key
		}
		if u := unknownKey(sub, key, known); u != nil {
			return u
		}
	}
	return nil
}
