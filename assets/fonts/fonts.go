// Package fonts holds the typefaces kassa draws printed text with, embedded
// from the files beside this file: DejaVu Sans Mono and its bold, version
// 2.37 as Debian's fonts-dejavu-core ships it, under the Bitstream Vera
// licence in LICENSE-DejaVu.txt (the font files may be copied and
// redistributed with the licence; they are not modified here).
//
// DejaVu Sans Mono has every letter of Kazakh Cyrillic (ә ғ қ ң ө ұ ү һ і
// and their capitals), of Uzbek Latin with its ʻ (U+02BB) and ʼ (U+02BC),
// of Russian, and the tenge sign ₸; the Go fonts lack the Kazakh letters.
//
// The byte slices are shared: parse them, never write to them.
package fonts

import _ "embed"

// Mono is DejaVuSansMono.ttf.
//
//go:embed DejaVuSansMono.ttf
var Mono []byte

// MonoBold is DejaVuSansMono-Bold.ttf.
//
//go:embed DejaVuSansMono-Bold.ttf
var MonoBold []byte
