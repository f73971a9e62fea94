package locale

import (
	"errors"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/kassa-till/kassa/assets/locale/uzcyrl"
)

// uz-Cyrl.toml is what the generator writes from uz.toml now, so that
// whoever edits uz.toml cannot forget the Cyrillic one.
func TestUzCyrlIsGeneratedFromUz(t *testing.T) {
	latin, err := files.ReadFile("uz.toml")
	cyrl, cerr := files.ReadFile("uz-Cyrl.toml")
	if errors.Is(err, fs.ErrNotExist) {
		if cerr == nil {
			t.Fatal("uz-Cyrl.toml is here without uz.toml, the catalog it is written from")
		}
		t.Skip("no uz.toml yet")
	}
	if err != nil {
		t.Fatal(err)
	}
	want, err := uzcyrl.Catalog(latin)
	if err != nil {
		t.Fatal(err)
	}
	if cerr != nil {
		t.Fatalf("no uz-Cyrl.toml: run go generate ./assets/locale (%v)", cerr)
	}
	if string(cyrl) != string(want) {
		got, wl := strings.Split(string(cyrl), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(got), len(wl)) {
			g, w := line(got, i), line(wl, i)
			if g != w {
				t.Fatalf("uz-Cyrl.toml is not what uz.toml gives now: run go generate ./assets/locale\nline %d is\n\t%s\nand would be\n\t%s", i+1, g, w)
			}
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(none)"
}

// uzbekCapitals are words uz.toml writes only in capitals, known to be
// Uzbek words (so written in Cyrillic), not abbreviations.
var uzbekCapitals = map[string]bool{
	"DARS":      true, // lesson
	"ETILMAGAN": true, // CHOP ETILMAGAN, not printed
	"HUJJAT":    true, // FISKAL HUJJAT EMAS, not a fiscal document
	"OO":        true, // oy, the month in KK.OO.YYYY
	"QQS":       true, // qoʻshilgan qiymat soligʻi, VAT
}

var capitalWord = regexp.MustCompile(`[\p{L}ʻʼ'‘’]+`)

// A word in capitals that is not a listed abbreviation is taken for Uzbek
// and written in Cyrillic. So that a new abbreviation in uz.toml is not
// written in Cyrillic unnoticed, every such word must be one uz.toml also
// writes in small letters, or be listed above as Uzbek; an abbreviation
// goes to the abbrevs of uzcyrl/words.go instead.
func TestUzCapitalsAreUzbekWords(t *testing.T) {
	latin, err := files.ReadFile("uz.toml")
	if err != nil {
		t.Skip("no uz.toml yet")
	}
	text := string(latin)
	small := map[string]bool{}
	for _, w := range capitalWord.FindAllString(text, -1) {
		if w != strings.ToUpper(w) {
			small[strings.ToLower(w)] = true
		}
	}
	seen := map[string]bool{}
	for _, w := range capitalWord.FindAllString(text, -1) {
		rs := []rune(w)
		if len(rs) < 2 || w != strings.ToUpper(w) || uzcyrl.FromLatin(w) == w || seen[w] {
			continue
		}
		seen[w] = true
		if !small[strings.ToLower(w)] && !uzbekCapitals[w] {
			t.Errorf("%s is written in Cyrillic as %s: add it to uzbekCapitals here if it is an Uzbek word, or to abbrevs in uzcyrl/words.go if not", w, uzcyrl.FromLatin(w))
		}
	}
}
