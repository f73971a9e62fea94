package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
)

// These tests kill a real kassa process with SIGKILL at the dangerous
// moments of a payment and a refund, start it again, and read the data
// file: nothing may be lost and nothing repeated.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

func kassaBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kassa-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "kassa")
		buildOut, buildErr = exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// pos is a Smart POS simulator on a fake clock that the test runs fast in
// the background, so customers act in milliseconds while the till polls
// at its own real pace.
type pos struct {
	sim  *sim.Sim
	clk  *clock.Fake
	url  string
	stop chan struct{}
	wg   sync.WaitGroup
}

func newPOS(t *testing.T) *pos {
	clk := clock.NewFake(time.Now())
	s := sim.New(sim.Options{Clock: clk, Seed: 3})
	srv := httptest.NewServer(s.Handler())
	p := &pos{sim: s, clk: clk, url: srv.URL, stop: make(chan struct{})}
	t.Cleanup(func() { p.pause(); srv.Close() })
	return p
}

// run lets the POS's time pass, 1 s every 10 ms, until pause.
func (p *pos) run() {
	p.stop = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			select {
			case <-p.stop:
				return
			case <-time.After(10 * time.Millisecond):
				p.clk.Advance(time.Second)
			}
		}
	}()
}

func (p *pos) pause() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	p.wg.Wait()
}

type till struct {
	t   *testing.T
	bin string
	db  string
	pos *pos
}

func (k *till) args(extra ...string) []string {
	return append(extra, "--kaspi-url", k.pos.url, "--db", k.db)
}

func (k *till) cmd(args ...string) *exec.Cmd {
	c := exec.Command(k.bin, k.args(args...)...)
	c.Env = append(os.Environ(), "XDG_CONFIG_HOME="+k.t.TempDir())
	return c
}

// start runs a command in the background.
func (k *till) start(args ...string) (*exec.Cmd, *bytes.Buffer) {
	c := k.cmd(args...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		k.t.Fatal(err)
	}
	return c, &out
}

// kill ends the process as a power cut would.
func (k *till) kill(c *exec.Cmd) {
	c.Process.Signal(syscall.SIGKILL)
	c.Wait()
}

// recoverAll runs `kassa recover` to the end while the POS's time passes;
// it says what it did and ends with the exit code want.
func (k *till) recoverAll(want int, says string) string {
	k.pos.run()
	defer k.pos.pause()
	c := k.cmd("recover")
	out, err := c.CombinedOutput()
	if c.ProcessState == nil || c.ProcessState.ExitCode() != want || !strings.Contains(string(out), says) {
		k.t.Fatalf("recover: %v, want exit %d saying %q\n%s", err, want, says, out)
	}
	return string(out)
}

func (k *till) ops() []store.Operation {
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

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newCrashTill(t *testing.T) *till {
	if testing.Short() {
		t.Skip("builds and kills real processes")
	}
	return &till{t: t, bin: kassaBinary(t), db: filepath.Join(t.TempDir(), "kassa.db"), pos: newPOS(t)}
}

func TestKilledWhileWaitingForTheCustomer(t *testing.T) {
	k := newCrashTill(t)
	k.pos.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 20 * time.Second})
	c, out := k.start("pay", "--amount", "1500")
	eventually(t, "the till polls the POS", func() bool { return k.pos.sim.Requests("/v2/status") > 0 })
	k.kill(c)

	if ops := k.ops(); len(ops) != 1 || ops[0].State != store.StatePending || ops[0].Ref == "" {
		t.Fatalf("after the kill: %+v\n%s", ops, out)
	}
	log := k.recoverAll(exitDone, "followed up: 1; settled: 1, left for a person: 0.")
	ops := k.ops()
	if len(ops) != 1 || ops[0].State != store.StateSuccess || ops[0].Cheque == nil {
		t.Fatalf("after recovery: %+v\n%s", ops, log)
	}
	if n := k.pos.sim.Requests("/v2/payment"); n != 1 {
		t.Fatalf("%d payment requests: the payment was repeated", n)
	}
}

func TestKilledBeforeTheProcessIDWasStored(t *testing.T) {
	k := newCrashTill(t)
	k.pos.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 5 * time.Second})
	// The POS takes the payment but holds its answer: the till dies
	// between sending /v2/payment and hearing the processId.
	k.pos.sim.Inject("/v2/payment", sim.FaultSlow)
	c, _ := k.start("pay", "--amount", "1500")
	eventually(t, "the POS receives the payment", func() bool { return k.pos.sim.Requests("/v2/payment") == 1 })
	k.kill(c)

	if ops := k.ops(); len(ops) != 1 || ops[0].State != store.StateCreated {
		t.Fatalf("after the kill: %+v", ops)
	}
	k.recoverAll(exitPerson, "followed up: 1; settled: 0, left for a person: 1.\n1 operation waits for a person to check it in the POS history (F4 on the till).")
	ops := k.ops()
	if len(ops) != 1 || ops[0].State != store.StateNeedsCheck {
		t.Fatalf("after recovery: %+v", ops)
	}
	if n := k.pos.sim.Requests("/v2/payment"); n != 1 {
		t.Fatalf("%d payment requests: the payment was repeated", n)
	}

	// It blocks nothing: once the POS has finished with the lost payment,
	// the next sale goes through.
	k.pos.clk.Advance(5 * time.Minute)
	k.pos.sim.Next(sim.Customer{Does: sim.PayCard, Delay: 3 * time.Second})
	k.pos.run()
	out, err := k.cmd("pay", "--amount", "700").CombinedOutput()
	k.pos.pause()
	if err != nil {
		t.Fatalf("next sale: %v\n%s", err, out)
	}
	if ops := k.ops(); len(ops) != 2 || ops[0].State != store.StateSuccess || ops[1].State != store.StateNeedsCheck {
		t.Fatalf("after the next sale: %+v", ops)
	}
}

func TestKilledWhileTheOutcomeIsUnknown(t *testing.T) {
	k := newCrashTill(t)
	k.pos.sim.Next(sim.Customer{Does: sim.UnknownThenSuccess, Delay: 3 * time.Second, ResolveAfter: 40 * time.Second})
	c, out := k.start("pay", "--amount", "2500")
	eventually(t, "the POS receives the payment", func() bool { return k.pos.sim.Requests("/v2/payment") == 1 })
	// The POS loses the outcome at 5 s and knows it again at 45 s.
	k.pos.clk.Advance(10 * time.Second)
	eventually(t, "the till asks the POS to actualize", func() bool { return k.pos.sim.Requests("/v2/actualize") > 0 })
	k.kill(c)
	if ops := k.ops(); len(ops) != 1 || ops[0].State != store.StateUnknown || ops[0].LastResolve.IsZero() {
		t.Fatalf("after the kill: %+v\n%s", ops, out)
	}

	log := k.recoverAll(exitDone, "settled: 1")
	ops := k.ops()
	if len(ops) != 1 || ops[0].State != store.StateSuccess {
		t.Fatalf("after recovery: %+v\n%s", ops, log)
	}
	if n := k.pos.sim.Requests("/v2/payment"); n != 1 {
		t.Fatalf("%d payment requests", n)
	}
	if v := k.pos.sim.ActualizeViolations(); v != 0 {
		t.Fatalf("%d actualize calls closer than 10 s across the restart", v)
	}
}

func TestKilledDuringAPartialRefund(t *testing.T) {
	k := newCrashTill(t)
	k.pos.sim.Next(sim.Customer{Does: sim.PayCard, Delay: 2 * time.Second})
	k.pos.run()
	if out, err := k.cmd("pay", "--amount", "5000").CombinedOutput(); err != nil {
		t.Fatalf("pay: %v\n%s", err, out)
	}
	k.pos.pause()

	k.pos.sim.Next(sim.Customer{Does: sim.PayCard, Delay: 30 * time.Second})
	polls := k.pos.sim.Requests("/v2/status")
	c, _ := k.start("refund", "--payment", "000001", "--amount", "2000")
	eventually(t, "the till polls the refund", func() bool { return k.pos.sim.Requests("/v2/status") > polls })
	k.kill(c)

	// Until it is resolved, the refund in flight counts against what is left.
	st, err := store.Open(k.db)
	if err != nil {
		t.Fatal(err)
	}
	left, _ := st.Refundable(1)
	st.Close()
	if left != providers.New(3000, providers.KZT) {
		t.Fatalf("left while the refund is unresolved: %v", left)
	}

	k.recoverAll(exitDone, "settled: 1")
	ops := k.ops()
	if len(ops) != 2 || ops[0].Kind != store.KindRefund || ops[0].State != store.StateSuccess {
		t.Fatalf("after recovery: %+v", ops)
	}
	if n := k.pos.sim.Requests("/v2/refund"); n != 1 {
		t.Fatalf("%d refund requests: the refund was repeated", n)
	}
	// The rest can still be refunded, and not a tenge more.
	k.pos.sim.Next(sim.Customer{Does: sim.PayCard, Delay: 2 * time.Second})
	k.pos.run()
	out, err := k.cmd("refund", "--payment", "000001", "--amount", "3001").CombinedOutput()
	k.pos.pause()
	if err == nil {
		t.Fatalf("over-refund accepted:\n%s", out)
	}
	if n := k.pos.sim.Requests("/v2/refund"); n != 1 {
		t.Fatalf("an over-refund reached the POS")
	}
}
