package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kassa-till/kassa/providers/octo"
	octosim "github.com/kassa-till/kassa/providers/octo/sim"
)

const octoProducts = `
[octo]
shop_id = 10001
default_phone = "+998 71 200 00 00"

[[octo.products]]
name = "Tuzlangan baliq"
spic = "00305001001000000"
package_code = "1425207"
nds = 1
inn = "123456"

[[octo.products]]
name = "Non"
spic = "01901001001000000"
package_code = "1500001"
nds = 0
pinfl = "123451246"
`

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kassa.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The products load in the cashier's order; a product missing a field is
// refused before the till starts, naming the product and the field.
func TestOctoProductsFromTheConfig(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cfg, _, err := loadConfig("kassa", []string{"--config", writeConfig(t, octoProducts)})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := cfg.Octo.products(catalogFor("en"))
	if err != nil || len(ps) != 2 || ps[1].Name != "Non" || ps[1].PINFL != "123451246" || ps[0].NDS != 1 {
		t.Fatalf("%+v %v", ps, err)
	}
	if c, err := cfg.Octo.contact(); err != nil || c != (octo.Contact{Phone: "998712000000"}) {
		t.Fatalf("contact %+v %v", c, err)
	}
	for _, tc := range []struct{ drop, says string }{
		{"nds = 0\n", `Non has no nds`},
		{`spic = "00305001001000000"` + "\n", `Tuzlangan baliq has no spic`},
		{`pinfl = "123451246"` + "\n", `Non has no inn / pinfl`},
		{`name = "Non"` + "\n", `#2 has no name`},
	} {
		_, _, err := loadConfig("kassa", []string{"--config", writeConfig(t, strings.Replace(octoProducts, tc.drop, "", 1))})
		if exitCode(err) != exitUsage || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("without %q: %v", tc.drop, err)
		}
	}
	for _, tc := range []struct{ text, says string }{
		{strings.Replace(octoProducts, `pinfl = "123451246"`, `pinfl = "123451246"`+"\ninn = \"1\"", 1), "both inn and pinfl"},
		{strings.Replace(octoProducts, `"+998 71 200 00 00"`, `"+998 71 200 00"`, 1), "+998 and nine digits"},
		{strings.Replace(octoProducts, `name = "Non"`, `name = "Tuzlangan baliq"`, 1), "two products are named"},
		{strings.Replace(octoProducts, "shop_id = 10001\n", "", 1), "--octo-shop-id"},
		{strings.Replace(octoProducts, `spic = "0030`, `spik = "0030`, 1), `line 8: no such setting "octo.products.spik"`},
	} {
		_, _, err := loadConfig("kassa", []string{"--config", writeConfig(t, tc.text)})
		if exitCode(err) != exitUsage || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%q: %v", tc.says, err)
		}
	}
}

// kassa key octo and octo-notify keep the credentials (never printed);
// kassa check octo proves OCTO takes the shop id and secret.
func TestCheckOctoAgainstOCTO(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	s := octosim.New(octosim.Options{ShopID: 10001, Secret: "s3cret-octo", NotifyKey: "uniq"})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "kassa.db")
	args := []string{"--config", writeConfig(t, octoProducts), "--octo-url", srv.URL, "--db", db}
	var out bytes.Buffer
	if err := runCheckOcto(args, &out); exitCode(err) != exitNotMoved || !strings.Contains(out.String(), "kassa key octo") {
		t.Fatalf("no secret: %v\n%s", err, &out)
	}
	if err := runKey([]string{"octo", "--db", db}, strings.NewReader("wrong-secret\n"), &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runCheckOcto(args, &out); exitCode(err) != exitNotMoved || !strings.Contains(out.String(), "did not take") {
		t.Fatalf("a wrong secret: %v\n%s", err, &out)
	}
	runKey([]string{"octo", "--db", db}, strings.NewReader("s3cret-octo\n"), &out)
	out.Reset()
	if err := runCheckOcto(args, &out); err != nil || !strings.Contains(out.String(), "takes the shop id and secret") ||
		!strings.Contains(out.String(), "2 products in the config") || !strings.Contains(out.String(), "No notification listener") {
		t.Fatalf("%v\n%s", err, &out)
	}
	out.Reset()
	notify := append(args, "--octo-notify-listen", "0.0.0.0:8089", "--octo-notify-url", "https://shop.example.uz/kassa/octo")
	if err := runCheckOcto(notify, &out); exitCode(err) != exitNotMoved || !strings.Contains(out.String(), "kassa key octo-notify") {
		t.Fatalf("no notification key: %v\n%s", err, &out)
	}
	runKey([]string{"octo-notify", "--db", db}, strings.NewReader("uniq\n"), &out)
	out.Reset()
	if err := runCheckOcto(notify, &out); err != nil || !strings.Contains(out.String(), "at /kassa/octo") {
		t.Fatalf("%v\n%s", err, &out)
	}
	if strings.Contains(out.String(), "s3cret-octo") || strings.Contains(out.String(), "uniq\n") {
		t.Fatal("a secret was printed")
	}
	if fi, err := os.Stat(db); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("data file %v %v", fi.Mode(), err)
	}
}
