package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	uzsim "github.com/kassa-till/kassa/providers/uzqr/sim"
	"github.com/kassa-till/kassa/store"
)

// The UzQR box on a fake clock, for killing a real till mid-sale.
type uzBox struct {
	sim *uzsim.Sim
	clk *clock.Fake
	url string
}

func newUzBox(t *testing.T) *uzBox {
	clk := clock.NewFake(time.Now())
	s := uzsim.New(uzsim.Options{Clock: clk, QRName: "CASH_1", Seed: 11,
		DefaultRefund: uzsim.RefundScript{Ends: uzsim.RefundDone, After: time.Minute}})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &uzBox{sim: s, clk: clk, url: srv.URL}
}

type uzCrashTill struct {
	t   *testing.T
	bin string
	db  string
	box *uzBox
	// lifetime is the QR's, when not the default (a config file's
	// [uzqr] scan_timeout).
	lifetime string
}

func newUzCrashTill(t *testing.T) *uzCrashTill {
	if testing.Short() {
		t.Skip("builds and kills real processes")
	}
	return &uzCrashTill{t: t, bin: kassaBinary(t), db: filepath.Join(t.TempDir(), "kassa.db"), box: newUzBox(t)}
}

func (k *uzCrashTill) cmd(args ...string) *exec.Cmd {
	args = append(args, "--uzqr-url", k.box.url, "--uzqr-qr", "CASH_1", "--db", k.db)
	if k.lifetime != "" {
		cfg := filepath.Join(k.t.TempDir(), "kassa.toml")
		os.WriteFile(cfg, []byte("[uzqr]\nscan_timeout = \""+k.lifetime+"\"\n"), 0o600)
		args = append(args, "--config", cfg)
	}
	c := exec.Command(k.bin, args...)
	c.Env = append(os.Environ(), "XDG_CONFIG_HOME="+k.t.TempDir())
	return c
}

func (k *uzCrashTill) start(args ...string) (*exec.Cmd, *bytes.Buffer) {
	c := k.cmd(args...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		k.t.Fatal(err)
	}
	return c, &out
}

func (k *uzCrashTill) ops() []store.Operation {
	st, err := store.Open(k.db)
	if err != nil {
		k.t.Fatal(err)
	}
	defer st.Close()
	ops, err := st.Recent(100)
	if err != nil {
		k.t.Fatal(err)
	}
	return ops
}

// A till killed while the customer looks at the QR takes the invoice up
// again on the next start and learns it was paid, without a second
// invoice.
func TestKilledWhileAUzQRInvoiceWaits(t *testing.T) {
	k := newUzCrashTill(t)
	k.box.sim.Next(uzsim.Customer{Does: uzsim.Pay, Delay: time.Minute})
	c, out := k.start("pay", "--amount", "150000")
	eventually(t, "the till asks about the invoice", func() bool { return k.box.sim.Requests(uzsim.PathStatus) > 0 })
	c.Process.Kill()
	c.Wait()
	ops := k.ops()
	if len(ops) != 1 || ops[0].State != store.StatePending || ops[0].Ref == "" || ops[0].QR == nil {
		t.Fatalf("after the kill: %+v\n%s", ops, out)
	}
	// The customer pays while the till is down.
	k.box.clk.Advance(2 * time.Minute)
	log, err := k.cmd("recover").CombinedOutput()
	if err != nil {
		t.Fatalf("recover: %v\n%s", err, log)
	}
	ops = k.ops()
	if len(ops) != 1 || ops[0].State != store.StateSuccess || ops[0].TransactionID == "" {
		t.Fatalf("after recovery: %+v\n%s", ops, log)
	}
	if n := k.box.sim.Requests(uzsim.PathCreate); n != 1 {
		t.Fatalf("%d invoices created: the payment was repeated", n)
	}
}

// Killed while nobody pays: after the restart the invoice is followed
// until the QR's lifetime (3 s here), then cancelled at the box so it
// cannot be paid later. Nothing is left for a person.
func TestKilledWhileAnUnpaidUzQRInvoiceWaits(t *testing.T) {
	k := newUzCrashTill(t)
	k.box.sim.Next(uzsim.Customer{Does: uzsim.Never})
	k.lifetime = "3s"
	c, out := k.start("pay", "--amount", "25000")
	eventually(t, "the till asks about the invoice", func() bool { return k.box.sim.Requests(uzsim.PathStatus) > 0 })
	c.Process.Kill()
	c.Wait()
	if ops := k.ops(); len(ops) != 1 || ops[0].State != store.StatePending {
		t.Fatalf("after the kill: %+v\n%s", ops, out)
	}
	// Started again, the till follows the invoice to the QR's lifetime,
	// counted from the sale's start, and cancels it.
	log, err := k.cmd("recover").CombinedOutput()
	if err != nil {
		t.Fatalf("recover: %v\n%s", err, log)
	}
	got := k.ops()
	if len(got) != 1 || got[0].State != store.StateFailed || got[0].NeedsPerson() {
		t.Fatalf("after recovery: %+v\n%s", got, log)
	}
	if inv, _ := k.box.sim.Invoice(got[0].Ref); inv.Status != 3 || k.box.sim.Requests(uzsim.PathCancel) != 1 {
		t.Fatalf("at the box: %+v, %d cancels", inv, k.box.sim.Requests(uzsim.PathCancel))
	}
}

// A refund the box took goes on after the command that sent it ends (its
// exit says the outcome is not known yet), and the next start follows it
// to its end without sending it again.
func TestAUzQRRefundOutlivesTheCommand(t *testing.T) {
	k := newUzCrashTill(t)
	k.box.sim.Next(uzsim.Customer{Does: uzsim.Pay, Delay: time.Second})
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				k.box.clk.Advance(time.Second)
			}
		}
	}()
	out, err := k.cmd("pay", "--amount", "150000").CombinedOutput()
	close(stop)
	if err != nil {
		t.Fatalf("pay: %v\n%s", err, out)
	}
	c := k.cmd("refund", "--payment", "000001", "--amount", "50000")
	out, _ = c.CombinedOutput()
	if code := c.ProcessState.ExitCode(); code != exitPerson {
		t.Fatalf("refund: exit %d, want %d (accepted, not done yet)\n%s", code, exitPerson, out)
	}
	if ops := k.ops(); len(ops) != 2 || ops[0].State != store.StatePending || ops[0].Ref == "" {
		t.Fatalf("after the refund command: %+v\n%s", ops, out)
	}
	k.box.clk.Advance(2 * time.Minute) // the box finishes the refund meanwhile
	log, err := k.cmd("recover").CombinedOutput()
	if err != nil {
		t.Fatalf("recover: %v\n%s", err, log)
	}
	ops := k.ops()
	if len(ops) != 2 || ops[0].Kind != store.KindRefund || ops[0].State != store.StateSuccess {
		t.Fatalf("after recovery: %+v\n%s", ops, log)
	}
	if n := k.box.sim.Requests(uzsim.PathRefund); n != 1 {
		t.Fatalf("%d refunds sent: the refund was repeated", n)
	}
}
