package receipts

import (
	"bytes"
	"slices"
	"testing"
)

func TestCP866(t *testing.T) {
	b, lost, err := Encode([]string{"Чек № 42", "ИТОГО 500 ₸", "Ёё жя Ўў"}, CP866)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x97, 0xA5, 0xAA, ' ', 0xFC, ' ', '4', '2', '\n',
		0x88, 0x92, 0x8E, 0x83, 0x8E, ' ', '5', '0', '0', ' ', '?', '\n',
		0xF0, 0xF1, ' ', 0xA6, 0xEF, ' ', 0xF6, 0xF7, '\n'}
	if !bytes.Equal(b, want) {
		t.Fatalf("got  % x\nwant % x", b, want)
	}
	if !slices.Equal(lost, []rune{'₸'}) {
		t.Fatalf("lost %q", lost)
	}
	// Kazakh letters are not in the code page: '?', each reported once.
	b, lost, _ = Encode([]string{"Қонаев қ. ұ қ"}, CP866)
	if string(b) != "?\xae\xad\xa0\xa5\xa2 ?. ? ?\n" || !slices.Equal(lost, []rune{'Қ', 'қ', 'ұ'}) {
		t.Fatalf("Kazakh: % x, lost %q", b, lost)
	}
}

// The whole alphabet, against the code page's published layout: А-П at
// 0x80, а-п at 0xA0, р-я at 0xE0; and no two characters share a byte.
func TestCP866Table(t *testing.T) {
	b, lost, _ := Encode([]string{"АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя"}, CP866)
	var want []byte
	for c := 0x80; c < 0xB0; c++ {
		want = append(want, byte(c))
	}
	for c := 0xE0; c < 0xF0; c++ {
		want = append(want, byte(c))
	}
	if !bytes.Equal(b, append(want, '\n')) || lost != nil {
		t.Fatalf("got % x, lost %q", b, lost)
	}
	seen := map[byte]rune{}
	for r, c := range cp866 {
		if c < 0x80 {
			t.Errorf("%q maps below 0x80", r)
		}
		if o, dup := seen[c]; dup {
			t.Errorf("%#x is both %q and %q", c, o, r)
		}
		seen[c] = r
	}
	if len(seen) != 128 {
		t.Errorf("%d of 128 upper bytes mapped", len(seen))
	}
}

func TestEncodeOtherCharsets(t *testing.T) {
	if b, lost, _ := Encode([]string{"₸ Қ", ""}, UTF8); string(b) != "₸ Қ\n\n" || lost != nil {
		t.Errorf("utf-8 changed the text: %q %q", b, lost)
	}
	if b, lost, _ := Encode([]string{"TOTAL 5 T", "Итог"}, ASCII); string(b) != "TOTAL 5 T\n????\n" || string(lost) != "Итог" {
		t.Errorf("ascii: %q %q", b, lost)
	}
	// Printer commands never pass through Encode, in any charset.
	for _, cs := range Charsets {
		b, lost, _ := Encode([]string{"a\x1b@b\x1dV\x00\u0085"}, cs)
		if string(b) != "a?@b?V??\n" || len(lost) != 4 {
			t.Errorf("%s: %q lost %q", cs, b, lost)
		}
	}
	if _, _, err := Encode(nil, "koi8-r"); err == nil {
		t.Error("unknown charset accepted")
	}
}
