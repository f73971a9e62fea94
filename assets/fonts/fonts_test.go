package fonts

import (
	"testing"

	"golang.org/x/image/font/sfnt"
)

// Every letter a Kazakh or Uzbek receipt can carry, and the tenge sign,
// has a glyph of its own in both faces.
func TestFacesHaveTheLetters(t *testing.T) {
	const letters = "ӘәҒғҚқҢңӨөҰұҮүҺһІіЎўҲҳ" + "Oʻoʻ Gʻgʻ ʼ" + "АаЯяЁё" + "₸№«»—"
	for name, data := range map[string][]byte{"Mono": Mono, "MonoBold": MonoBold} {
		f, err := sfnt.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var b sfnt.Buffer
		for _, r := range letters {
			if r == ' ' {
				continue
			}
			if i, err := f.GlyphIndex(&b, r); err != nil || i == 0 {
				t.Errorf("%s has no glyph for %q (U+%04X)", name, r, r)
			}
		}
	}
}
