package qrscan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	qr "github.com/skip2/go-qrcode"

	"github.com/kassa-till/kassa/ui/qrcode"
	"github.com/kassa-till/kassa/ui/qrcode/qrscan"
)

const payload = "https://pay2.octo.uz/pay/5d1a7c3e-9b1f-4c2a-8e6d-0f3b2a1c9d8e"

func TestDecodeReadsADrawing(t *testing.T) {
	d, err := qrcode.Draw(payload, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	// Indented, below and above other lines, as a captured screen has it.
	screen := "kassa · OCTO\n\n" + strings.ReplaceAll("\n"+ansi.Strip(d.String()), "\n", "\n   ") + "\n\nesc cancel"
	got, err := qrscan.Decode(screen)
	if err != nil || got != payload {
		t.Fatalf("Decode = %q, %v", got, err)
	}
}

// A code drawn two columns a module (go-qrcode's own ToString) is found
// the way a camera finds it.
func TestDecodeReadsOtherDrawings(t *testing.T) {
	code, err := qr.New(payload, qr.Medium)
	if err != nil {
		t.Fatal(err)
	}
	got, err := qrscan.Decode("header\n" + code.ToString(true))
	if err != nil || got != payload {
		t.Fatalf("Decode = %q, %v", got, err)
	}
}

// A code cut at the edge of its area is not read, whatever is left of it.
func TestDecodeRefusesACutCode(t *testing.T) {
	d, err := qrcode.Draw(payload, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(ansi.Strip(d.String()), "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, d.Width-d.QuietZone-4, "")
	}
	if got, err := qrscan.Decode(strings.Join(lines, "\n")); err == nil {
		t.Fatalf("a code cut through its right finder read as %q", got)
	}
	if got, err := qrscan.Decode(strings.Join(lines[:len(lines)-d.QuietZone/2-3], "\n")); err == nil {
		t.Fatalf("a code cut through its bottom finder read as %q", got)
	}
}

func TestDecodeSaysWhenThereIsNoCode(t *testing.T) {
	if _, err := qrscan.Decode("kassa\nНет кода на экране\n"); !errors.Is(err, qrscan.ErrNoCode) {
		t.Fatalf("err = %v, want ErrNoCode", err)
	}
	// A progress bar is not a code.
	if _, err := qrscan.Decode("███████▀▀▀▄▄▄\n"); err == nil || errors.Is(err, qrscan.ErrNoCode) {
		t.Fatalf("err = %v, want a decoding failure", err)
	}
}
