package decode

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kassa-till/kassa/receipts/escpos"
)

func TestDecodes(t *testing.T) {
	data := []byte{
		0x1B, '@', 0x1B, 't', 53,
		'O', 'k', 0xA3, '\n', // Ә in KZ-1048
		0x1B, 'a', 1, 0x1B, 'E', 1, 0x1D, '!', 0x11, 'B', '\n',
		0x1B, 'E', 0, 0x1D, '!', 0, 0x1B, 'a', 0,
		0x1D, 'v', '0', 0, 1, 0, 2, 0, 0x80, 0x01, // 8x2: one dot at the top left, one bottom right
		0x1D, 'v', '0', 0, 1, 0, 1, 0, 0xFF, // joined below
		0x1B, 'a', 1,
		0x1D, '(', 'k', 4, 0, '1', 'A', '2', 0,
		0x1D, '(', 'k', 3, 0, '1', 'C', 5,
		0x1D, '(', 'k', 3, 0, '1', 'E', '3',
		0x1D, '(', 'k', 5, 0, '1', 'P', '0', 'h', 'i',
		0x1D, '(', 'k', 3, 0, '1', 'Q', '0',
		'\n', 0x1D, 'V', 1, 0x1D, 'V', 66, 3,
	}
	d, err := Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Lines(); !slices.Equal(got, []string{"OkӘ", "B", ""}) {
		t.Errorf("lines %q", got)
	}
	b := d.Items[1]
	if b.Align != escpos.Center || !b.Bold || !b.Tall || !b.Wide {
		t.Errorf("second line %+v", b)
	}
	imgs := d.Images()
	if len(imgs) != 1 {
		t.Fatalf("%d images", len(imgs))
	}
	m := imgs[0]
	if m.Width != 8 || m.Height != 3 || m.Bands != 2 || !m.Black(0, 0) || m.Black(1, 0) || !m.Black(7, 1) || !m.Black(3, 2) {
		t.Errorf("image %dx%d in %d bands:\n%s", m.Width, m.Height, m.Bands, m.Braille())
	}
	if g := m.Gray(); g.GrayAt(0, 0).Y != 0 || g.GrayAt(1, 0).Y != 0xFF {
		t.Error("Gray is not black on white")
	}
	if got := m.Braille(); got != "\u2825\u2824\u2824\u2834\n" {
		t.Errorf("braille %q", got)
	}
	q := d.QRs()
	if len(q) != 1 || q[0] != (QR{Payload: "hi", Model: 2, Module: 5, Level: 'H'}) {
		t.Errorf("codes %+v", q)
	}
	if d.Cuts() != 2 || !slices.Equal(d.Pages, []int{53}) || !slices.Equal(d.Resets, []int{0}) {
		t.Errorf("cuts %d, pages %v, resets %v", d.Cuts(), d.Pages, d.Resets)
	}
	if !strings.Contains(d.Dump(), `qr    center  model 2, module 5, level H: "hi"`) {
		t.Errorf("dump:\n%s", d.Dump())
	}
}

// Each refusal names the offset of the bytes refused.
func TestRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		data []byte
		off  int
	}{
		"unknown ESC":            {[]byte{0x1B, '@', 0x1B, 'x', 1}, 2},
		"unknown GS":             {[]byte{0x1B, '@', 0x1D, 'k', 1}, 2},
		"control byte":           {[]byte{'a', 0x0D, '\n'}, 1},
		"high byte, no page":     {[]byte{0x1B, '@', 0xA3, '\n'}, 2},
		"unknown page number":    {[]byte{0x1B, 't', 99}, 0},
		"undefined in the page":  {[]byte{0x1B, 't', 46, 0x98, '\n'}, 3},
		"text without LF":        {[]byte{0x1B, '@', 'a', 'b'}, 2},
		"ESC a mid-line":         {[]byte{'a', 0x1B, 'a', 1, '\n'}, 1},
		"cut mid-line":           {[]byte{'a', 0x1D, 'V', 1}, 1},
		"image mid-line":         {[]byte{'a', 0x1D, 'v', '0', 0, 1, 0, 1, 0, 0xFF}, 1},
		"image cut short":        {[]byte{0x1D, 'v', '0', 0, 2, 0, 2, 0, 0xFF}, 0},
		"command cut short":      {[]byte{0x1B, '@', 0x1B}, 2},
		"triple size":            {[]byte{0x1D, '!', 0x22}, 0},
		"print with no data":     {[]byte{0x1D, '(', 'k', 3, 0, '1', 'Q', '0'}, 0},
		"not a QR code":          {[]byte{0x1D, '(', 'k', 3, 0, '0', 'C', 3}, 0},
		"module out of range":    {[]byte{0x1D, '(', 'k', 3, 0, '1', 'C', 17}, 0},
		"unknown QR function":    {[]byte{0x1D, '(', 'k', 3, 0, '1', 'R', '0'}, 0},
		"unknown cut":            {[]byte{0x1D, 'V', 7}, 0},
		"unknown raster mode":    {[]byte{0x1D, 'v', '0', 3, 1, 0, 1, 0, 0}, 0},
		"ESC @ mid-line":         {[]byte{'a', 0x1B, '@'}, 1},
		"empty raster":           {[]byte{0x1D, 'v', '0', 0, 0, 0, 1, 0}, 0},
		"store without m of 48":  {[]byte{0x1D, '(', 'k', 4, 0, '1', 'P', '1', 'x'}, 0},
		"parameters cut short":   {[]byte{0x1D, '(', 'k', 9, 0, '1', 'P', '0'}, 0},
		"page reset by ESC @":    {[]byte{0x1B, 't', 17, 0x1B, '@', 0x80, '\n'}, 5},
		"bad alignment":          {[]byte{0x1B, 'a', 3}, 0},
		"model out of range":     {[]byte{0x1D, '(', 'k', 4, 0, '1', 'A', '5', 0}, 0},
		"GS ( other than k":      {[]byte{0x1D, '(', 'L', 2, 0, '0', '0'}, 0},
		"GS ( k without cn, fn":  {[]byte{0x1D, '(', 'k', 1, 0, '1'}, 0},
		"GS v other than 0":      {[]byte{0x1D, 'v', '1', 0, 1, 0, 1, 0, 0}, 0},
		"a DEL is no character":  {[]byte{0x7F, '\n'}, 0},
		"feed cut with no count": {[]byte{0x1D, 'V', 66}, 0},
	} {
		_, err := Decode(c.data, nil)
		var de *Error
		if !errors.As(err, &de) {
			t.Errorf("%s: error %v", name, err)
			continue
		}
		if de.Offset != c.off {
			t.Errorf("%s: offset %d, want %d (%v)", name, de.Offset, c.off, err)
		}
	}
}
