package uzcyrl

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestCatalog(t *testing.T) {
	latin := `# kassa — oʻzbekcha katalog.
# %s/%d bor matnlar argumentlarni kod bergan tartibda oladi.

[app]
demo = "DEMO · OʻQUV"
cashier = "kassir %s" # kassir nomi
quoted = "Uni \"180s\" yoki \"3m\" deb yozing\\ va %[2]s."

  [octo.products]   # jadval
tab = "Birinchi\tikkinchi"
lines = { one = "yana %d qator", other = "yana %d qator" } # soni bilan
# What the till notes on an operation, in the detail's events.
`
	want := Generated + `# касса — ўзбекча каталог.
# %s/%d бор матнлар аргументларни код берган тартибда олади.

[app]
demo = "ДЕМО · ЎҚУВ"
cashier = "кассир %s" # кассир номи
quoted = "Уни \"180s\" ёки \"3m\" деб ёзинг\\ ва %[2]s."

  [octo.products]   # жадвал
tab = "Биринчи\tиккинчи"
lines = { one = "яна %d қатор", other = "яна %d қатор" } # сони билан
# What the till notes on an operation, in the detail's events.
`
	got, err := Catalog([]byte(latin))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	var a, b map[string]any
	if _, err := toml.Decode(latin, &a); err != nil {
		t.Fatal(err)
	}
	if _, err := toml.Decode(string(got), &b); err != nil {
		t.Fatalf("the Cyrillic catalog is not TOML: %v", err)
	}
	if b["app"].(map[string]any)["quoted"] != `Уни "180s" ёки "3m" деб ёзинг\ ва %[2]s.` {
		t.Fatalf("quoted reads %q", b["app"].(map[string]any)["quoted"])
	}
}

// A line the generator cannot read is an error, never a text left out.
func TestCatalogRefusesWhatItCannotRead(t *testing.T) {
	for _, bad := range []string{
		"long = \"\"\"\nmany lines\n\"\"\"",
		"literal = 'matn'",
		"just words",
		`open = "no end`,
		`two = "bir" "ikki"`,
		"[table",
		`n = { one = "bir" other = "ikki" }`,
		`n = { one = "bir", other = 2 }`,
		`n = { one = "bir"`,
	} {
		if _, err := Catalog([]byte(bad)); err == nil {
			t.Errorf("read %q", bad)
		} else if !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: error %v does not name the line", bad, err)
		}
	}
}
