// Package locale holds every string a cashier or manager reads, in catalogs
// embedded from the TOML files beside this file: en.toml, ru.toml, and
// uz.toml with uz-Cyrl.toml, the Uzbek Cyrillic catalog, which is written
// from uz.toml (go generate ./assets/locale) and never edited by hand.
//
// Keys are dotted paths of the TOML tables: [sale] enter = "…" is
// "sale.enter". A text with arguments uses fmt verbs (%s, %d) in order.
package locale

import (
	"embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

//go:generate go run ./uzcyrl/gen uz.toml uz-Cyrl.toml

//go:embed *.toml
var files embed.FS

// Default is the language used when none is chosen.
const Default = "en"

// Catalog is the strings of one language, with English behind it.
type Catalog struct {
	Lang     string
	texts    map[string]string
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
	c := &Catalog{Lang: lang, texts: map[string]string{}}
	flatten("", tree, c.texts)
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

func flatten(prefix string, tree map[string]any, out map[string]string) {
	for k, v := range tree {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch v := v.(type) {
		case map[string]any:
			flatten(key, v, out)
		case string:
			out[key] = v
		}
	}
}

// T returns the text for key, formatted with args. A key missing from the
// catalog shows as "!key" so it is noticed, never as an empty screen.
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

// Has reports whether key has a text in this catalog or its fallback.
func (c *Catalog) Has(key string) bool {
	_, ok := c.lookup(key)
	return ok
}

func (c *Catalog) lookup(key string) (string, bool) {
	if s, ok := c.texts[key]; ok {
		return s, true
	}
	if c.fallback != nil {
		return c.fallback.lookup(key)
	}
	return "", false
}

// Keys lists the keys this catalog itself defines.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.texts))
	for k := range c.texts {
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
