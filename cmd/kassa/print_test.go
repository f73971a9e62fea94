package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/receipts/escpos"
	"github.com/kassa-till/kassa/receipts/escpos/decode"
	"github.com/kassa-till/kassa/receipts/printer/fakeprinter"
	"github.com/kassa-till/kassa/store"
)

// A Kaspi payment in a Kazakh shop prints by itself on a network printer:
// in text mode with KZ-1048 the decoded bytes hold the Kazakh letters and
// the amount; the operation says it printed.
func TestPaymentPrintsOnANetworkPrinter(t *testing.T) {
	p, args := payTill(t)
	p.run()
	defer p.pause()
	fp := fakeprinter.Start(t, fakeprinter.Config{})
	cfg := filepath.Join(t.TempDir(), "kassa.toml")
	os.WriteFile(cfg, []byte("[shop]\nname = \"Әсем дүкені\"\naddress = \"Алматы, Абай 10\"\nbin = \"123456789012\"\n"), 0o600)
	args = append(args, "--config", cfg, "--printer", fp.Spec(), "--paper", "58", "--printer-mode", "text", "--printer-codepage", "kz1048")
	p.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
	var out bytes.Buffer
	if err := runPay(append(args, "--amount", "12500"), &out); err != nil || !strings.Contains(out.String(), "Receipt 000001 printed.") {
		t.Fatalf("%v\n%s", err, &out)
	}
	jobs := fp.Jobs()
	if len(jobs) != 1 {
		t.Fatalf("%d jobs", len(jobs))
	}
	doc, err := decode.Decode(jobs[0], escpos.EpsonPages())
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(doc.Lines(), "\n")
	for _, want := range []string{"Әсем дүкені", "Алматы, Абай 10", "12 500 T", "000001"} {
		if !strings.Contains(text, want) {
			t.Errorf("the paper lacks %q:\n%s", want, text)
		}
	}
	if doc.Cuts() != 1 {
		t.Errorf("%d cuts", doc.Cuts())
	}
	st, _ := store.Open(args[3])
	defer st.Close()
	op, _ := st.Get(1)
	if op.Printed.IsZero() || op.Prints != 1 || op.PrintError != "" {
		t.Fatalf("stored %v %d %q", op.Printed, op.Prints, op.PrintError)
	}
}

// A printer out of paper, or switched off, never holds the sale: the
// payment is done, the cashier told why the receipt did not print, and the
// operation keeps that.
func TestPrinterDownNeverHoldsTheSale(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec func(t *testing.T) string
		says string
	}{
		{"paper out", func(t *testing.T) string {
			return fakeprinter.Start(t, fakeprinter.Config{Paper: fakeprinter.PaperOut}).Spec()
		}, "out of paper"},
		{"switched off", func(t *testing.T) string { return "tcp://" + fakeprinter.ClosedAddr(t) }, "does not answer at its address"},
		{"no device", func(t *testing.T) string { return filepath.Join(t.TempDir(), "lp0") }, "not there"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, args := payTill(t)
			p.run()
			defer p.pause()
			p.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
			var out bytes.Buffer
			err := runPay(append(args, "--amount", "1500", "--printer", tc.spec(t)), &out)
			if err != nil || !strings.Contains(out.String(), "not printed") || !strings.Contains(out.String(), tc.says) {
				t.Fatalf("%v\n%s", err, &out)
			}
			st, _ := store.Open(args[3])
			defer st.Close()
			op, _ := st.Get(1)
			if op.State != store.StateSuccess || !op.Printed.IsZero() || !strings.Contains(op.PrintError, tc.says) {
				t.Fatalf("stored %v %v %q", op.State, op.Printed, op.PrintError)
			}
		})
	}
}

// kassa print test to a file: every Kazakh letter survives KZ-1048, and
// CP866 says which it lacks.
func TestPrintTestPage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	path := filepath.Join(t.TempDir(), "page.bin")
	var out bytes.Buffer
	if err := runPrint([]string{"test", "--printer", "file:" + path, "--printer-mode", "text", "--printer-codepage", "kz1048"}, &out); err != nil {
		t.Fatalf("%v\n%s", err, &out)
	}
	b, _ := os.ReadFile(path)
	doc, err := decode.Decode(b, escpos.EpsonPages())
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(doc.Lines(), "\n"); !strings.Contains(text, "Ә ә Ғ ғ Қ қ Ң ң Ө ө Ұ ұ Ү ү Һ һ І і") || len(doc.Images())+len(doc.QRs()) != 1 {
		t.Fatalf("page:\n%s", text)
	}
	out.Reset()
	os.Remove(path)
	if err := runPrint([]string{"test", "--printer", "file:" + path, "--printer-mode", "text", "--printer-codepage", "cp866"}, &out); err != nil ||
		!strings.Contains(out.String(), "Printed as ?") || !strings.Contains(out.String(), "ә") {
		t.Fatalf("%v\n%s", err, &out)
	}
}
