package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kassa-till/kassa/store"
)

// A storm of SIGKILLs at random moments, across payments, partial refunds
// and recoveries, against each provider's simulator run as its own
// process: the simulator's ledger outlives every killed till and is the
// truth the books are held to. The choices (which command, which customer,
// which amount, when to kill) come from one seed; the simulators run on
// the wall clock, so a replay repeats the choices, not every timing.
//
//	KASSA_CRASH_SEED=N   replay a run (the seed is printed at the start)
//	KASSA_CRASH_KILLS=N  kills per provider (default 50)

func crashSeed(t *testing.T) uint64 {
	if v := os.Getenv("KASSA_CRASH_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("KASSA_CRASH_SEED=%q: %v", v, err)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

func crashKills(t *testing.T) int {
	if v := os.Getenv("KASSA_CRASH_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("KASSA_CRASH_KILLS=%q: want a positive count", v)
		}
		return n
	}
	return 50
}

func TestRandomCrashes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills real processes")
	}
	seed, kills := crashSeed(t), crashKills(t)
	t.Logf("seed %d, %d kills per provider (replay: KASSA_CRASH_SEED=%d go test -run TestRandomCrashes ./cmd/kassa)", seed, kills, seed)
	bin := kassaBinary(t)
	for i, p := range []stormSim{&kaspiStorm{}, &uzqrStorm{}} {
		t.Run(p.name(), func(t *testing.T) {
			t.Parallel()
			s := &storm{t: t, seed: seed, bin: bin, sim: p, db: filepath.Join(t.TempDir(), "kassa.db"),
				rnd: rand.New(rand.NewPCG(seed, uint64(i)))}
			s.sim.start(s)
			s.run(kills)
			s.recoverAll()
			s.check()
		})
	}
}

// stormSim is one provider's simulator, steered and read over its /sim/
// control surface.
type stormSim interface {
	name() string
	start(s *storm)
	// tillArgs are the flags that point the till at the simulator.
	tillArgs() []string
	// nextCustomer scripts what the customer of the next operation does.
	nextCustomer(s *storm, refund bool) string
	// ledger reads what the provider holds.
	ledger(s *storm) []providerOp
	// digits is the currency's minor digits: a command's whole amount
	// times 10^digits is the books'.
	digits() int
}

// providerOp is one payment or refund the provider started, as its ledger
// shows it.
type providerOp struct {
	refund bool
	ref    string // Kaspi processId; UzQR invoice_id or refund_id
	extID  string // UzQR: the till's operation id the invoice was made for
	amount int64  // minor units
	// paid: the money moved (a refund: went back); failed: it did not and
	// cannot; otherwise the provider cannot say yet or at all.
	paid, failed bool
	txID         string // Kaspi transactionId, UzQR pay_id
	payRef       string // UzQR refund: its payment's pay_id
	status       string
}

type storm struct {
	t    *testing.T
	seed uint64
	bin  string
	sim  stormSim
	db   string
	rnd  *rand.Rand
	dir  string // XDG_CONFIG_HOME for the till

	used  map[int64]bool // whole amounts given to a command, payments and refunds alike
	kills map[string]int
	exits map[int]int
	log   []string
}

// fatalf fails with the seed, so the run can be replayed.
func (s *storm) fatalf(format string, args ...any) {
	s.t.Helper()
	s.t.Fatalf("seed %d: "+format, append([]any{s.seed}, args...)...)
}

func (s *storm) cmd(ctx context.Context, args ...string) *exec.Cmd {
	if s.dir == "" {
		s.dir = s.t.TempDir()
	}
	c := exec.CommandContext(ctx, s.bin, append(args, append(s.sim.tillArgs(), "--db", s.db)...)...)
	c.Env = append(os.Environ(), "XDG_CONFIG_HOME="+s.dir)
	return c
}

// startSim runs `kassa sim …` as its own process and returns its URL.
func (s *storm) startSim(args ...string) string {
	c := exec.Command(s.bin, append([]string{"sim"}, args...)...)
	stderr, err := c.StderrPipe()
	if err != nil {
		s.fatalf("%v", err)
	}
	if err := c.Start(); err != nil {
		s.fatalf("sim: %v", err)
	}
	s.t.Cleanup(func() { c.Process.Signal(syscall.SIGTERM); c.Wait() })
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), " simulator on "); ok {
			go func() {
				for lines.Scan() {
				}
			}()
			return strings.Fields(rest)[0]
		}
	}
	s.fatalf("sim %v said no address", args)
	return ""
}

// get calls the simulator's control surface and decodes its answer.
func (s *storm) get(base, path string, q url.Values, out any) {
	resp, err := http.Get(base + path + "?" + q.Encode())
	if err != nil {
		s.fatalf("%s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.fatalf("%s?%s: HTTP %d", path, q.Encode(), resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			s.fatalf("%s: %v", path, err)
		}
	}
}

// between is a random duration from lo to hi, spread evenly on a log
// scale: as many kills in the first tens of milliseconds (the write ahead,
// the start call) as in the last seconds (the customer, the recovery).
func (s *storm) between(lo, hi time.Duration) time.Duration {
	l, h := math.Log(float64(lo)), math.Log(float64(hi))
	return time.Duration(math.Exp(l + s.rnd.Float64()*(h-l)))
}

// secs formats d for the simulators' control surface.
func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

// amount is a whole amount in [lo, hi] no command was given before, so
// the provider's ledger tells each command's operations apart by amount.
func (s *storm) amount(lo, hi int64) (int64, bool) {
	for range 20 {
		a := lo + s.rnd.Int64N(hi-lo+1)
		if !s.used[a] {
			s.used[a] = true
			return a, true
		}
	}
	return 0, false
}

func (s *storm) ops() []store.Operation {
	st, err := store.Open(s.db)
	if err != nil {
		s.fatalf("the data file after the kills: %v", err)
	}
	defer st.Close()
	ops, err := st.Recent(100000)
	if err != nil {
		s.fatalf("%v", err)
	}
	return ops
}

// run kills the till until it was killed n times: each round starts a
// payment, a refund or a recovery and kills it at a random moment, unless
// it ended before.
func (s *storm) run(n int) {
	s.used, s.kills, s.exits = map[int64]bool{}, map[string]int{}, map[int]int{}
	for killed, round := 0, 0; killed < n; round++ {
		if round > 20*n {
			s.fatalf("only %d kills in %d rounds", killed, round)
		}
		var args []string
		what := ""
		switch r := s.rnd.Float64(); {
		case r < 0.45:
			a, ok := s.amount(1000, 99999)
			if !ok {
				continue
			}
			what = "pay " + s.sim.nextCustomer(s, false)
			args = []string{"pay", "--amount", strconv.FormatInt(a, 10)}
		case r < 0.8:
			args, what = s.refundArgs()
			if args == nil {
				continue
			}
		default:
			what, args = "recover", []string{"recover"}
		}
		c := s.cmd(context.Background(), args...)
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			s.fatalf("%v", err)
		}
		done := make(chan struct{})
		go func() { c.Wait(); close(done) }()
		after := s.between(5*time.Millisecond, 3*time.Second)
		select {
		case <-done:
			code := c.ProcessState.ExitCode()
			s.exits[code]++
			s.log = append(s.log, fmt.Sprintf("%s: %s, exit %d", strings.Join(args, " "), what, code))
			// Usage means the test is wrong; books, that a kill hurt the
			// data file.
			if code == exitUsage || code == exitBooks || strings.Contains(out.String(), "panic") {
				s.fatalf("%s (%s): exit %d\n%s\n%s", strings.Join(args, " "), what, code, out.String(), strings.Join(s.log, "\n"))
			}
		case <-time.After(after):
			c.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
			s.kills[args[0]]++
			s.log = append(s.log, fmt.Sprintf("%s: %s, killed after %v", strings.Join(args, " "), what, after.Round(time.Millisecond)))
		}
	}
}

// refundArgs picks a paid payment and asks for part of it back, now and
// then more than is left.
func (s *storm) refundArgs() ([]string, string) {
	var paid []store.Operation
	for _, op := range s.ops() {
		if op.Kind == store.KindPayment && op.State == store.StateSuccess {
			paid = append(paid, op)
		}
	}
	if len(paid) == 0 {
		return nil, ""
	}
	p := paid[s.rnd.IntN(len(paid))]
	whole := p.Amount.Minor / int64(math.Pow10(s.sim.digits()))
	a, ok := s.amount(1, whole*2/3+1)
	if !ok {
		return nil, ""
	}
	what := "refund " + s.sim.nextCustomer(s, true)
	return []string{"refund", "--payment", p.Receipt(), "--amount", strconv.FormatInt(a, 10)}, what
}

// recoverAll runs `kassa recover` until the books hold nothing the till
// would take up again.
func (s *storm) recoverAll() {
	for round := 0; ; round++ {
		var open []string
		// A refund the provider may still be ending (the simulator ends one
		// up to refundEndsWithin after it is made) is rightly left to the
		// background by a recovery that finds it under way: the rounds go
		// on until it has had its time, whatever their count.
		young := true
		for _, op := range s.ops() {
			if resumable(op) {
				open = append(open, fmt.Sprintf("%s %s %s", op.Receipt(), op.Kind, op.State))
				young = young && op.Kind == store.KindRefund && time.Since(op.Created) < refundEndsWithin+5*time.Second
			}
		}
		if len(open) == 0 {
			return
		}
		if round >= 10 && !young {
			s.fatalf("still open after %d recoveries: %v\n%s", round, open, strings.Join(s.log, "\n"))
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		c := s.cmd(ctx, "recover")
		// A recovery that hangs says where, in its goroutines' stacks.
		c.Cancel = func() error { return c.Process.Signal(syscall.SIGQUIT) }
		c.WaitDelay = 5 * time.Second
		out, err := c.CombinedOutput()
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut {
			s.fatalf("recover did not end in a minute with %v open\n%s\n%s", open, out, strings.Join(s.log, "\n"))
		}
		if code := c.ProcessState.ExitCode(); code != exitDone && code != exitPerson {
			s.fatalf("recover: %v\n%s", err, out)
		}
	}
}

func resumable(op store.Operation) bool {
	switch op.State {
	case store.StatePending, store.StateUnknown, store.StateCreated:
		return true
	}
	return false
}

// check holds the books against the provider's ledger.
func (s *storm) check() {
	ops := s.ops()
	ledger := s.sim.ledger(s)
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// The commands' amounts are unique per kind, so an amount names the
	// command that asked for it, in the books and at the provider.
	type key struct {
		refund bool
		amount int64
	}
	books := map[key]store.Operation{}
	byID := map[store.ID]store.Operation{}
	for _, op := range ops {
		k := key{op.Kind == store.KindRefund, op.Amount.Minor}
		if prev, ok := books[k]; ok {
			bad("repeated in the books: %s and %s are one command's %s of %v", prev.Receipt(), op.Receipt(), op.Kind, op.Amount)
		}
		books[k] = op
		byID[op.ID] = op
	}
	at := map[key]providerOp{}
	for _, p := range ledger {
		k := key{p.refund, p.amount}
		if prev, ok := at[k]; ok {
			bad("repeated at the provider: %s and %s were started for one command (amount %d)", prev.ref, p.ref, p.amount)
		}
		at[k] = p
		op, ok := books[k]
		if !ok {
			bad("the provider started %s (%d, %s) that the books do not hold", p.ref, p.amount, p.status)
			continue
		}
		if op.Ref != "" && op.Ref != p.ref {
			bad("%s is %s in the books but %s at the provider", op.Receipt(), op.Ref, p.ref)
		}
		if p.payRef != "" && byID[op.PaymentID].TransactionID != p.payRef {
			bad("refund %s went to payment %s at the provider, not to %s's", op.Receipt(), p.payRef, byID[op.PaymentID].Receipt())
		}
		if p.extID != "" && p.extID != op.OperationID {
			bad("%s: the provider's invoice %s is for %s, the books' operation is %s", op.Receipt(), p.ref, p.extID, op.OperationID)
		}
		switch {
		case !p.failed && op.State != store.StateSuccess && !op.NeedsPerson():
			// A payment taken (or maybe taken) is paid in the books or
			// waits for a person; a refund made counts against its payment.
			bad("lost: %s %s is %s in the books while the provider says %s", op.Receipt(), op.Kind, op.State, p.status)
		case op.State == store.StateSuccess && !p.paid:
			bad("%s %s is paid in the books while the provider says %s", op.Receipt(), op.Kind, p.status)
		case op.State == store.StateSuccess && p.txID != "" && op.Kind == store.KindPayment && op.TransactionID != p.txID:
			bad("%s: payment number %s in the books, %s at the provider", op.Receipt(), op.TransactionID, p.txID)
		}
	}
	// What every payment gave back, in the books and at the provider.
	inBooks, atProvider := map[store.ID]int64{}, map[store.ID]int64{}
	for _, op := range ops {
		if op.Kind != store.KindRefund {
			continue
		}
		// Counted unless it surely did not happen, by the test's own rule.
		if op.State != store.StateFailed && op.State != store.StateRefused {
			inBooks[op.PaymentID] += op.Amount.Minor
		}
		if p, ok := at[key{true, op.Amount.Minor}]; ok && !p.failed {
			atProvider[op.PaymentID] += op.Amount.Minor
		}
		if op.State == store.StateSuccess && op.Ref == "" {
			bad("refund %s is done in the books with no provider handle", op.Receipt())
		}
	}
	for id, sum := range inBooks {
		if p := byID[id]; sum > p.Amount.Minor || p.State != store.StateSuccess {
			bad("over-refunded in the books: %v given back of payment %s (%s, %v)", sum, p.Receipt(), p.State, p.Amount)
		}
	}
	for id, sum := range atProvider {
		if p := byID[id]; sum > p.Amount.Minor {
			bad("over-refunded at the provider: %d given back of payment %s (%v)", sum, p.Receipt(), p.Amount)
		}
	}
	// Every operation left for a person has a reason the provider bears out.
	forPerson := 0
	for _, op := range ops {
		if !op.NeedsPerson() {
			continue
		}
		forPerson++
		p, atP := at[key{op.Kind == store.KindRefund, op.Amount.Minor}]
		note := lastNote(op)
		switch {
		case note == store.NoteInterrupted && op.Ref == "":
			// Killed between writing it ahead and hearing the provider's
			// handle: only the provider's history can tell.
		case note == store.NoteUnknownToProvider && !atP:
		case !op.Late.IsZero() && atP && p.paid:
		case note == store.NoteUnresolvable && atP && !p.paid && !p.failed:
			// The provider lost the outcome and cannot resolve it (a card
			// process the POS cannot actualize).
		default:
			bad("%s %s left for a person (%s, %q) without a reason: the provider says %+v", op.Receipt(), op.Kind, op.State, note, p)
		}
	}
	s.t.Logf("%s: %d operations in the books, %d at the provider, %d for a person; kills %v; exits %v",
		s.sim.name(), len(ops), len(ledger), forPerson, s.kills, s.exits)
	if len(problems) > 0 {
		s.fatalf("%s:\n%s\n\nthe storm:\n%s\n\nthe books:\n%s", s.sim.name(), strings.Join(problems, "\n"),
			strings.Join(s.log, "\n"), describe(ops))
	}
}

// lastNote is the reason the till gave when it last noted one.
func lastNote(op store.Operation) string {
	for i := len(op.History) - 1; i >= 0; i-- {
		if n := op.History[i].Note; n != "" {
			return n
		}
	}
	return ""
}

func describe(ops []store.Operation) string {
	var b strings.Builder
	for _, op := range ops {
		fmt.Fprintf(&b, "%s %s %v %s ref=%s tx=%s note=%q\n", op.Receipt(), op.Kind, op.Amount, op.State, op.Ref, op.TransactionID, lastNote(op))
	}
	return b.String()
}

// kaspiStorm is `kassa sim kaspi`: a Smart POS on the wall clock.
type kaspiStorm struct{ url string }

func (k *kaspiStorm) name() string { return "kaspi" }
func (k *kaspiStorm) digits() int  { return 0 }

func (k *kaspiStorm) start(s *storm) {
	k.url = s.startSim("kaspi", "--listen", "127.0.0.1:0")
}

func (k *kaspiStorm) tillArgs() []string { return []string{"--kaspi-url", k.url} }

// nextCustomer picks what the customer does, quickly: the POS's own
// timeouts (3 min to scan, 1 min to confirm) run on the wall clock, so
// customers who walk away are left out. The unknown outcomes resolve at
// the first actualize, as the till asks at once.
func (k *kaspiStorm) nextCustomer(s *storm, refund bool) string {
	does := []string{"qr", "qr", "card", "card", "decline", "unknown-success", "unknown-fail"}[s.rnd.IntN(7)]
	q := url.Values{"customer": {does}, "delay": {secs(s.between(10*time.Millisecond, 1500*time.Millisecond))},
		"think": {secs(s.between(10*time.Millisecond, time.Second))}, "resolve": {"0.001"}}
	s.get(k.url, "/sim/default", q, nil)
	return does
}

func (k *kaspiStorm) ledger(s *storm) []providerOp {
	var state struct {
		Processes []struct {
			ProcessID     string `json:"processId"`
			Kind          string `json:"kind"`
			Amount        int64  `json:"amount"`
			Status        string `json:"status"`
			TransactionID string `json:"transactionId"`
		} `json:"processes"`
	}
	s.get(k.url, "/sim/state", nil, &state)
	var out []providerOp
	for _, p := range state.Processes {
		out = append(out, providerOp{refund: p.Kind == "refund", ref: p.ProcessID, amount: p.Amount,
			paid: p.Status == "success", failed: p.Status == "fail", txID: p.TransactionID, status: p.Status})
	}
	return out
}

// refundEndsWithin is how long after it is made the UzQR simulator ends
// a storm's refund, at most.
const refundEndsWithin = 2 * time.Second

// uzqrStorm is `kassa sim uzqr`: a fiscal box on the wall clock, with the
// till's QR lifetime cut to 3 s so customers who never pay end quickly.
type uzqrStorm struct {
	url, config string
}

func (u *uzqrStorm) name() string { return "uzqr" }
func (u *uzqrStorm) digits() int  { return 2 }

func (u *uzqrStorm) start(s *storm) {
	u.url = s.startSim("uzqr", "--listen", "127.0.0.1:0")
	u.config = filepath.Join(s.t.TempDir(), "kassa.toml")
	if err := os.WriteFile(u.config, []byte("[uzqr]\nscan_timeout = \"3s\"\n"), 0o600); err != nil {
		s.fatalf("%v", err)
	}
}

func (u *uzqrStorm) tillArgs() []string {
	return []string{"--uzqr-url", u.url, "--uzqr-qr", "CASH_1", "--config", u.config}
}

func (u *uzqrStorm) nextCustomer(s *storm, refund bool) string {
	if refund {
		ends := []string{"done", "done", "fail"}[s.rnd.IntN(3)]
		after := s.between(time.Millisecond, refundEndsWithin)
		s.get(u.url, "/sim/refund-default", url.Values{"ends": {ends}, "after": {secs(after)}}, nil)
		return ends
	}
	does := []string{"pay", "pay", "pay", "decline", "never", "pay-on-cancel"}[s.rnd.IntN(6)]
	s.get(u.url, "/sim/default", url.Values{"customer": {does}, "delay": {secs(s.between(10*time.Millisecond, 4*time.Second))}}, nil)
	return does
}

func (u *uzqrStorm) ledger(s *storm) []providerOp {
	var state struct {
		Invoices []struct {
			ID         string `json:"invoice_id"`
			ExternalID string `json:"external_id"`
			Amount     int64  `json:"amount"`
			Status     int    `json:"status"`
			PayID      string `json:"pay_id"`
		} `json:"invoices"`
		Refunds []struct {
			ID     string `json:"refund_id"`
			PayID  string `json:"pay_id"`
			Amount int64  `json:"amount"`
			Status int    `json:"status"`
		} `json:"refunds"`
	}
	s.get(u.url, "/sim/state", nil, &state)
	var out []providerOp
	for _, inv := range state.Invoices {
		p := providerOp{ref: inv.ID, extID: inv.ExternalID, amount: inv.Amount, status: fmt.Sprintf("invoice status %d", inv.Status),
			paid: inv.Status == 2, failed: inv.Status == 3 || inv.Status == 0}
		if p.paid {
			p.txID = inv.PayID
		}
		out = append(out, p)
	}
	for _, r := range state.Refunds {
		out = append(out, providerOp{refund: true, ref: r.ID, amount: r.Amount, payRef: r.PayID,
			status: fmt.Sprintf("refund status %d", r.Status), paid: r.Status == 2, failed: r.Status == 3})
	}
	return out
}
