package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
)

func TestGlobalFlagsGoBeforeTheCommand(t *testing.T) {
	cases := []struct {
		args []string
		cmd  string
		rest []string
	}{
		{[]string{"--config", "x", "--lang", "ru", "pay", "--amount", "5"}, "pay", []string{"--config", "x", "--lang", "ru", "--amount", "5"}},
		{[]string{"pay", "--amount", "5"}, "pay", []string{"--amount", "5"}},
		{[]string{"--db", "pay", "recover"}, "recover", []string{"--db", "pay"}}, // a flag's value is not the command
		{[]string{"--lang=ru", "export", "--from", "2026-11-01"}, "export", []string{"--lang=ru", "--from", "2026-11-01"}},
		{[]string{"--kaspi-insecure", "check", "kaspi", "--db", "d"}, "check", []string{"kaspi", "--kaspi-insecure", "--db", "d"}},
		{[]string{"-lang", "ru", "pair", "kaspi", "--name", "K1"}, "pair", []string{"kaspi", "-lang", "ru", "--name", "K1"}},
		{[]string{"--db", "x"}, "", []string{"--db", "x"}},
		{[]string{"--amount", "5", "pay"}, "", []string{"--amount", "5", "pay"}}, // not a global flag: the till says so
		{nil, "", nil},
	}
	for _, c := range cases {
		cmd, rest := splitCommand(c.args)
		if cmd != c.cmd || !slices.Equal(rest, c.rest) {
			t.Errorf("%q: %q %q, want %q %q", c.args, cmd, rest, c.cmd, c.rest)
		}
	}
}

func TestGlobalFlagsBeforeTheCommandReachIt(t *testing.T) {
	db := genFile(t, 100)
	cfg := filepath.Join(t.TempDir(), "kassa.toml")
	os.WriteFile(cfg, []byte("db = \""+db+"\"\n"), 0o600)
	file := filepath.Join(t.TempDir(), "p.csv")
	var stderr bytes.Buffer
	if code := run([]string{"--config", cfg, "--lang", "ru", "export", "--from", day(time.Now().AddDate(0, 0, -3)), "--out", file}, &stderr); code != exitDone {
		t.Fatalf("exit %d: %s", code, &stderr)
	}
	raw, _ := os.ReadFile(file)
	if !strings.HasPrefix(string(raw), "\ufeffВремя;Вид;") { // --lang ru reached export
		t.Fatalf("%.80q", raw)
	}
	stderr.Reset()
	if code := run([]string{"--lang", "ru", "pya"}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), `"pya" — не команда kassa`) {
		t.Fatalf("exit %d: %s", code, &stderr)
	}
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, exitDone},
		{flag.ErrHelp, exitDone},
		{errOutcome, exitNotMoved},
		{errors.New("the terminal went away"), exitNotMoved},
		{usageErr("bad flag", nil), exitUsage},
		{errUsageSaid, exitUsage},
		{errForPerson, exitPerson},
		{booksErr("cannot open", store.ErrLocked), exitBooks},
	}
	for _, c := range cases {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("%v: exit %d, want %d", c.err, got, c.want)
		}
	}
	states := map[store.State]error{
		store.StateSuccess: nil, store.StateFailed: errOutcome, store.StateRefused: errOutcome, store.StateTimeout: errOutcome,
		store.StateNeedsCheck: errForPerson, store.StateUnknown: errForPerson, store.StatePending: errForPerson, store.StateCreated: errForPerson,
	}
	for _, s := range store.AllStates {
		want, ok := states[s]
		if !ok {
			t.Errorf("state %s has no exit code", s)
		}
		if got := outcomeErr(store.Operation{State: s}); got != want {
			t.Errorf("%s: %v, want %v", s, got, want)
		}
	}
}

// payTill is a data file and a simulated POS whose time runs fast.
func payTill(t *testing.T) (*pos, []string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	p := newPOS(t)
	return p, []string{"--kaspi-url", p.url, "--db", filepath.Join(t.TempDir(), "kassa.db")}
}

func TestPayExitsByWhatHappenedToTheMoney(t *testing.T) {
	p, args := payTill(t)
	p.run()
	defer p.pause()
	p.sim.Next(sim.Customer{Does: sim.Decline, Delay: 2 * time.Second})
	var out bytes.Buffer
	if err := runPay(append(args, "--amount", "1500"), &out); exitCode(err) != exitNotMoved || !strings.Contains(out.String(), "declined") {
		t.Fatalf("declined: exit %d %v\n%s", exitCode(err), err, &out)
	}
	out.Reset()
	if err := runPay(append(args, "--amount", "x"), &out); exitCode(err) != exitUsage || p.sim.Requests("/v2/payment") != 1 {
		t.Fatalf("no amount: exit %d %v\n%s", exitCode(err), err, &out)
	}
	p.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
	out.Reset()
	if err := runPay(append(args, "--amount", "1500"), &out); exitCode(err) != exitDone {
		t.Fatalf("paid: exit %d %v\n%s", exitCode(err), err, &out)
	}
}

func TestRecoverSaysWhatItDid(t *testing.T) {
	_, args := payTill(t)
	var out bytes.Buffer
	if err := runRecover(args, &out); err != nil || out.String() != "Nothing was left open by an earlier run.\n" {
		t.Fatalf("nothing open: %v %q", err, &out)
	}

	// Written ahead, then the till died before the POS answered: only a
	// person can tell whether it was paid.
	st, err := store.Open(args[3])
	if err != nil {
		t.Fatal(err)
	}
	op := store.NewPayment("kaspi", providers.New(1500, providers.KZT), "Aigerim", false, time.Now())
	if err := st.Create(&op); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out.Reset()
	err = runRecover(append(args, "--lang", "ru"), &out)
	if exitCode(err) != exitPerson || !said(err) || !strings.HasSuffix(out.String(),
		"Продолжено незавершённых операций: 1; завершено: 0, оставлено для проверки человеком: 1.\n1 операция ждёт проверки человеком по истории POS (F4 в кассе).\n") {
		t.Fatalf("exit %d %v\n%s", exitCode(err), err, &out)
	}
	// Until a person records what the POS shows, it is still waiting.
	out.Reset()
	if err := runRecover(args, &out); exitCode(err) != exitPerson ||
		out.String() != "Nothing was left open by an earlier run.\n1 operation waits for a person to check it in the POS history (F4 on the till).\n" {
		t.Fatalf("exit %d %v\n%s", exitCode(err), err, &out)
	}
}
