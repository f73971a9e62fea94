package main

import (
	"bytes"
	"context"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/monetix"
	mxsim "github.com/kassa-till/kassa/providers/monetix/sim"
	"github.com/kassa-till/kassa/store"
)

// A Monetix Gate on a fake clock, and a real till with its callback
// listener, to be killed between the sale and its callbacks.
type mxTill struct {
	t        *testing.T
	bin, db  string
	sim      *mxsim.Sim
	clk      *clock.Fake
	gate     string
	listen   string
	callback string
}

func newMxTill(t *testing.T) *mxTill {
	if testing.Short() {
		t.Skip("builds and kills real processes")
	}
	clk := clock.NewFake(time.Now())
	s := mxsim.New(mxsim.Options{Clock: clk, ProjectID: 77, Secret: "s3cret", QRLifetime: 2 * time.Hour})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	// A port for the listener that outlives each till process.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	k := &mxTill{t: t, bin: kassaBinary(t), db: filepath.Join(t.TempDir(), "kassa.db"), sim: s, clk: clk, gate: srv.URL,
		listen: addr, callback: "http://" + addr + "/kassa/monetix"}
	key := k.cmd("key", "monetix")
	key.Stdin = strings.NewReader("s3cret\n")
	if out, err := key.CombinedOutput(); err != nil {
		t.Fatalf("key: %v\n%s", err, out)
	}
	return k
}

func (k *mxTill) cmd(args ...string) *exec.Cmd {
	args = append(args, "--monetix-url", k.gate, "--monetix-project", "77", "--monetix-callback-listen", k.listen,
		"--monetix-callback-url", k.callback, "--db", k.db)
	c := exec.Command(k.bin, args...)
	c.Env = append(os.Environ(), "XDG_CONFIG_HOME="+k.t.TempDir())
	return c
}

func (k *mxTill) start(args ...string) (*exec.Cmd, *bytes.Buffer) {
	c := k.cmd(args...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		k.t.Fatal(err)
	}
	return c, &out
}

// sentAll counts the callbacks of kind sent, however answered.
func (k *mxTill) sentAll(kind string) int {
	n := 0
	for _, s := range k.sim.Sent() {
		if s.Kind == kind {
			n++
		}
	}
	return n
}

func (k *mxTill) sent(kind string, status int) int {
	n := 0
	for _, s := range k.sim.Sent() {
		if s.Kind == kind && s.Status == status {
			n++
		}
	}
	return n
}

// Killed after the QR came and before the customer paid: the final
// callback meets no listener while the till is down, is sent again by the
// Gate, and lands after the restart — with the status request failing,
// so only the callback can tell. One sale reached the Gate.
func TestKilledBetweenTheClickSaleAndItsCallback(t *testing.T) {
	k := newMxTill(t)
	k.sim.Next(mxsim.Customer{Does: mxsim.Pay, Delay: time.Hour})
	c, out := k.start("pay", "--amount", "150000")
	// The Gate's clock moves only once the till listens: the customer
	// must not pay before the kill.
	eventually(t, "the till listens and has sent the sale", func() bool {
		c, err := net.Dial("tcp", k.listen)
		if err == nil {
			c.Close()
		}
		return err == nil && k.sim.Requests(monetix.PathSale) == 1
	})
	k.clk.Advance(2 * time.Second)
	tries, waited := 0, 0
	eventually(t, "the QR's callback is taken", func() bool {
		k.sim.Flush(context.Background())
		if n := k.sentAll("display"); n == 0 && waited < 120 {
			// The sale counted may still be on its way to the Gate's
			// books (a loaded machine): its QR comes a second or two
			// after it, so the Gate's clock moves on until it is sent —
			// two minutes at most, long before the customer pays.
			waited++
			k.clk.Advance(time.Second)
		} else if n > tries {
			// A try the busy till did not take: the Gate tries again 5 s
			// on, long before the customer pays.
			tries = n
			k.clk.Advance(5 * time.Second)
		}
		return k.sent("display", 200) == 1
	})
	c.Process.Kill()
	c.Wait()

	// The customer pays while the till is down; the callback finds no one.
	k.clk.Advance(2 * time.Hour)
	k.sim.Flush(context.Background())
	if k.sent("final", 0) == 0 {
		t.Fatalf("the final callback reached a dead till? %+v\n%s", k.sim.Sent(), out)
	}
	// The status fallback fails from now on: only the callback can settle it.
	faults := make([]mxsim.Fault, 200)
	for i := range faults {
		faults[i] = mxsim.Code(602)
	}
	k.sim.Inject(monetix.PathStatus, faults...)

	r, rout := k.start("recover")
	done := make(chan error, 1)
	go func() { done <- r.Wait() }()
	var err error
	eventually(t, "recover ends", func() bool {
		select {
		case err = <-done:
			return true
		default:
		}
		k.clk.Advance(5 * time.Second)
		k.sim.Flush(context.Background())
		return false
	})
	if err != nil {
		t.Fatalf("recover: %v\n%s", err, rout)
	}
	// Every status request met a fault: the callback alone told the till.
	// (Its 200 may be cut short by recover's exit; the Gate sends it again
	// and the repeat changes nothing.)
	if n := k.sim.Requests(monetix.PathStatus); n > len(faults) {
		t.Fatalf("%d status requests: one was answered", n)
	}
	st, err := store.Open(k.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ops, _ := st.Recent(10)
	if len(ops) != 1 || ops[0].State != store.StateSuccess || ops[0].Cheque == nil || ops[0].Cheque.GateOperation == "" {
		t.Fatalf("after the restart: %+v\n%s", ops, rout)
	}
	if n := k.sim.Requests(monetix.PathSale); n != 1 {
		t.Fatalf("%d sales sent: the payment was repeated", n)
	}
}
