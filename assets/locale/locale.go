// Package locale holds every string a cashier or manager reads, in catalogs
// embedded from the TOML files beside this file: en.toml, ru.toml, kk.toml
// (Kazakh), and uz.toml with uz-Cyrl.toml, the Uzbek Cyrillic catalog,
// which is written from uz.toml (go generate ./assets/locale) and never
// edited by hand.
//
// A text that changes with a number is a table of CLDR plural forms,
// { one = "%d day", other = "%d days" } (ru: one, few, many, other), read
// with N.
//
// Keys are dotted paths of the TOML tables: [sale] enter = "…" is
// "sale.enter". A text with arguments uses fmt verbs (%s, %d) in order.
package locale

import (
	"embed"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

//go:generate go run ./uzcyrl/gen uz.toml uz-Cyrl.toml

//go:embed *.toml
var files embed.FS

// Default is the language used when none is chosen.
const Default = "en"

// Catalog is the strings of one language, with English behind it.
type Catalog struct {
	Lang  string
	texts map[string]string
	// plurals is the texts that change with a number, by CLDR form
	// ("one", "few", "many", "other"): see N.
	plurals  map[string]map[string]string
	tag      language.Tag
	fallback *Catalog
}

var (
	mu     sync.Mutex
	loaded = map[string]*Catalog{}
)

// Languages lists the languages that have a catalog.
func Languages() []string {
	entries, _ := files.ReadDir(".")
	var langs []string
	for _, e := range entries {
		langs = append(langs, strings.TrimSuffix(e.Name(), ".toml"))
	}
	sort.Strings(langs)
	return langs
}

// Load returns the catalog of lang ("en", "ru").
func Load(lang string) (*Catalog, error) {
	mu.Lock()
	defer mu.Unlock()
	return load(lang)
}

func load(lang string) (*Catalog, error) {
	if c, ok := loaded[lang]; ok {
		return c, nil
	}
	raw, err := files.ReadFile(lang + ".toml")
	if err != nil {
		return nil, fmt.Errorf("locale: no catalog for %q (have %s)", lang, strings.Join(Languages(), ", "))
	}
	var tree map[string]any
	if err := toml.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("locale: %s.toml: %w", lang, err)
	}
	tag, err := language.Parse(lang)
	if err != nil {
		return nil, fmt.Errorf("locale: %s.toml: %w", lang, err)
	}
	c := &Catalog{Lang: lang, tag: tag, texts: map[string]string{}, plurals: map[string]map[string]string{}}
	if err := c.flatten("", tree); err != nil {
		return nil, fmt.Errorf("locale: %s.toml: %w", lang, err)
	}
	if lang != Default {
		if c.fallback, err = load(Default); err != nil {
			return nil, err
		}
	}
	loaded[lang] = c
	return c, nil
}

// MustLoad is Load for languages known to exist, as in tests.
func MustLoad(lang string) *Catalog {
	c, err := Load(lang)
	if err != nil {
		panic(err)
	}
	return c
}

func (c *Catalog) flatten(prefix string, tree map[string]any) error {
	for k, v := range tree {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch v := v.(type) {
		case map[string]any:
			forms, ok := pluralForms(v)
			if !ok {
				if err := c.flatten(key, v); err != nil {
					return err
				}
				continue
			}
			if forms["other"] == "" {
				return fmt.Errorf("%s: a text by number needs its \"other\" form", key)
			}
			c.plurals[key] = forms
		case string:
			c.texts[key] = v
		}
	}
	return nil
}

// pluralForms reads a table whose keys are all CLDR plural forms as one
// text by number: { one = "%d day", other = "%d days" }.
func pluralForms(tree map[string]any) (map[string]string, bool) {
	forms := map[string]string{}
	for k, v := range tree {
		s, isText := v.(string)
		if !isText || !slices.Contains(formNames[:], k) {
			return nil, false
		}
		forms[k] = s
	}
	return forms, len(forms) > 0
}

// formNames is the CLDR plural forms by x/text's plural.Form.
var formNames = [...]string{plural.Other: "other", plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many"}

// T returns the text for key, formatted with args. A key missing from the
// catalog shows as "!key" so it is noticed, never as an empty screen. A
// text by number reads in its "other" form: use N.
func (c *Catalog) T(key string, args ...any) string {
	s, ok := c.lookup(key)
	if !ok {
		return "!" + key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// N returns the text for key in the form the language uses with the
// number n (CLDR's cardinal rules: in ru 1, 21 день; 2, 22 дня; 5, 11 дней),
// formatted with args, which usually include n.
func (c *Catalog) N(key string, n int, args ...any) string {
	forms, ok := c.plurals[key]
	if !ok {
		if c.fallback != nil && c.fallback.IsPlural(key) {
			return c.fallback.N(key, n, args...)
		}
		return c.T(key, args...)
	}
	s, ok := forms[formNames[c.Form(n)]]
	if !ok {
		s = forms["other"]
	}
	return fmt.Sprintf(s, args...)
}

// Form is the CLDR plural form this language uses with the number n.
func (c *Catalog) Form(n int) plural.Form {
	if n < 0 {
		n = -n
	}
	return plural.Cardinal.MatchPlural(c.tag, n, 0, 0, 0, 0)
}

// Forms is the plural forms this language has for whole numbers, "other"
// always among them: what each text by number must give.
func (c *Catalog) Forms() []string {
	seen := map[string]bool{"other": true}
	for n := range 1000 {
		seen[formNames[c.Form(n)]] = true
	}
	var forms []string
	for _, f := range formNames {
		if seen[f] {
			forms = append(forms, f)
		}
	}
	return forms
}

// IsPlural reports whether key is a text by number in this catalog.
func (c *Catalog) IsPlural(key string) bool {
	_, ok := c.plurals[key]
	return ok
}

// PluralForms is the forms this catalog itself gives key, nil for a key
// that is not a text by number here.
func (c *Catalog) PluralForms(key string) map[string]string { return maps.Clone(c.plurals[key]) }

// Has reports whether key has a text in this catalog or its fallback.
func (c *Catalog) Has(key string) bool {
	_, ok := c.lookup(key)
	return ok
}

func (c *Catalog) lookup(key string) (string, bool) {
	if s, ok := c.texts[key]; ok {
		return s, true
	}
	if forms, ok := c.plurals[key]; ok {
		return forms["other"], true
	}
	if c.fallback != nil {
		return c.fallback.lookup(key)
	}
	return "", false
}

// Keys lists the keys this catalog itself defines.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.texts)+len(c.plurals))
	for k := range c.texts {
		keys = append(keys, k)
	}
	for k := range c.plurals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Verbs is the fmt verbs of a text by the argument each takes, one letter
// per argument in the code's order ("sd" for "%s of %d", and also for
// "%[2]d of %[1]s": a language may put the arguments in its own order),
// with '*' for a width or precision taken from an argument and '?' for an
// argument the text skips. "%%" takes none.
func Verbs(text string) string {
	var got []byte
	set := func(arg int, c byte) {
		for len(got) <= arg {
			got = append(got, '?')
		}
		got[arg] = c
	}
	arg := 0
	for i := 0; i < len(text); i++ {
		if text[i] != '%' {
			continue
		}
		for i++; i < len(text); i++ {
			c := text[i]
			switch {
			case c == '[':
				end := strings.IndexByte(text[i:], ']')
				if end < 0 {
					return string(got) + "!"
				}
				n, err := strconv.Atoi(text[i+1 : i+end])
				if err != nil || n < 1 {
					return string(got) + "!"
				}
				arg = n - 1
				i += end
				continue
			case c == '*':
				set(arg, '*')
				arg++
				continue
			case strings.IndexByte("+-# 0123456789.", c) >= 0:
				continue
			case c != '%':
				set(arg, c)
				arg++
			}
			break
		}
	}
	return string(got)
}
