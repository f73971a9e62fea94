package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/octo"
	octosim "github.com/kassa-till/kassa/providers/octo/sim"
	"github.com/kassa-till/kassa/store"
)

// OCTO on a fake clock (the customer pays when the test says), and a real
// till, killed with SIGKILL while a payment waits or before its fiscal
// data came.
type octoTill struct {
	t       *testing.T
	bin, db string
	config  string
	sim     *octosim.Sim
	clk     *clock.Fake
	url     string
}

func newOctoTill(t *testing.T, fiscalLate bool) *octoTill {
	if testing.Short() {
		t.Skip("builds and kills real processes")
	}
	clk := clock.NewFake(time.Now())
	s := octosim.New(octosim.Options{Clock: clk, ShopID: 10001, Secret: "s3cret", FiscalLate: fiscalLate,
		Products: []octosim.Product{{SPIC: "00305001001000000", PackageCode: "1425207", NDS: 1, INN: "123456"},
			{SPIC: "01901001001000000", PackageCode: "1500001", NDS: 0, PINFL: "123451246"}},
		Default: octosim.Customer{Does: octosim.Pay, Delay: time.Minute}})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	k := &octoTill{t: t, bin: kassaBinary(t), db: filepath.Join(dir, "kassa.db"), config: filepath.Join(dir, "kassa.toml"),
		sim: s, clk: clk, url: srv.URL}
	if err := os.WriteFile(k.config, []byte(octoProducts), 0o600); err != nil {
		t.Fatal(err)
	}
	key := k.cmd("key", "octo")
	key.Stdin = strings.NewReader("s3cret\n")
	if out, err := key.CombinedOutput(); err != nil {
		t.Fatalf("key: %v\n%s", err, out)
	}
	return k
}

func (k *octoTill) cmd(args ...string) *exec.Cmd {
	args = append(args, "--config", k.config, "--octo-url", k.url, "--db", k.db)
	c := exec.Command(k.bin, args...)
	c.Env = append(os.Environ(), "XDG_CONFIG_HOME="+k.t.TempDir())
	return c
}

func (k *octoTill) start(args ...string) (*exec.Cmd, *syncBuffer) {
	c := k.cmd(args...)
	out := &syncBuffer{}
	c.Stdout, c.Stderr = out, out
	if err := c.Start(); err != nil {
		k.t.Fatal(err)
	}
	return c, out
}

// recover runs kassa recover to its end, moving OCTO's clock meanwhile.
func (k *octoTill) recover() string {
	k.t.Helper()
	c, out := k.start("recover")
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	var err error
	eventually(k.t, "recover ends", func() bool {
		select {
		case err = <-done:
			return true
		default:
		}
		k.clk.Advance(time.Second)
		return false
	})
	if err != nil {
		k.t.Fatalf("recover: %v\n%s", err, out)
	}
	return out.String()
}

func (k *octoTill) only() store.Operation {
	k.t.Helper()
	st, err := store.Open(k.db)
	if err != nil {
		k.t.Fatal(err)
	}
	defer st.Close()
	ops, _ := st.Recent(10)
	if len(ops) != 1 {
		k.t.Fatalf("%d operations", len(ops))
	}
	if l := k.sim.Ledger(); len(l) != 1 || l[0].ShopTransactionID != ops[0].OperationID {
		k.t.Fatalf("OCTO's ledger %+v: the payment was repeated or lost", l)
	}
	return ops[0]
}

// Killed while the customer has the pay page: the customer pays while the
// till is down, and the restart finds the payment paid, with its product
// and the customer's phone as sent, and its fiscal receipt.
func TestKilledWhileTheOctoPaymentWaits(t *testing.T) {
	k := newOctoTill(t, false)
	c, out := k.start("pay", "--amount", "1500", "--product", "Non", "--contact", "+998935554433")
	eventually(t, "the sale reached OCTO", func() bool { return len(k.sim.Ledger()) == 1 })
	c.Process.Kill()
	c.Wait()
	k.clk.Advance(2 * time.Minute)
	said := k.recover()
	op := k.only()
	if op.State != store.StateSuccess || op.Sale == nil || op.Sale.Product != "Non" || op.Sale.Contact != "+998935554433" ||
		op.Fiscal == nil || op.Fiscal.QRCodeURL == "" || !op.Late.IsZero() {
		t.Fatalf("after the restart: %+v\n%s\n%s", op, out, said)
	}
	if n := k.sim.Requests(octo.PathPrepare); n < 2 {
		t.Fatalf("%d prepare_payment calls: the restart never asked", n)
	}
}

// Killed after the payment succeeded and before its fiscal data came:
// the restart asks for it again, without a second payment.
func TestKilledBeforeTheFiscalData(t *testing.T) {
	k := newOctoTill(t, true)
	c, out := k.start("pay", "--amount", "1500")
	eventually(t, "the sale reached OCTO", func() bool { return len(k.sim.Ledger()) == 1 })
	k.clk.Advance(2 * time.Minute)
	eventually(t, "the till asks for the fiscal data", func() bool {
		return strings.Contains(out.String(), "fiscal receipt…") && k.sim.Requests(octo.PathFiscal) > 0
	})
	c.Process.Kill()
	c.Wait()
	if err := k.sim.ReleaseFiscal(k.sim.Ledger()[0].UUID); err != nil {
		t.Fatal(err)
	}
	said := k.recover()
	op := k.only()
	if op.State != store.StateSuccess || op.Fiscal == nil || op.Fiscal.FiscalSign == "" || op.FiscalDue() ||
		!strings.Contains(said, "fiscal receipt "+op.Fiscal.ReceiptID+" registered") {
		t.Fatalf("after the restart: %+v\n%s\n%s", op, out, said)
	}
}

// syncBuffer is a bytes.Buffer a child process writes while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
