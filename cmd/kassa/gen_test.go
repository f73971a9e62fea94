package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

func TestGenWritesAShopsHistory(t *testing.T) {
	db := genFile(t, 5000)
	if fi, _ := os.Stat(db); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ops, err := st.Recent(10000)
	if err != nil || len(ops) != 5000 {
		t.Fatalf("%d operations, %v", len(ops), err)
	}
	states := map[store.State]int{}
	methods := map[providers.Method]int{}
	refunded := map[store.ID]int64{}
	for i, op := range ops {
		states[op.State]++
		if op.State.Open() {
			t.Fatalf("left open for the till to take up: %+v", op)
		}
		if i > 0 && op.Created.After(ops[i-1].Created) {
			t.Fatalf("%s is later than the operation after it", op.Receipt())
		}
		y, m, d := op.Created.Date()
		if tod := op.Created.Sub(time.Date(y, m, d, 0, 0, 0, 0, op.Created.Location())); tod < 9*time.Hour || tod > 22*time.Hour || op.Created.After(time.Now()) {
			t.Fatalf("%s at %v: out of opening hours", op.Receipt(), op.Created)
		}
		if op.State != store.StateSuccess || op.Cheque == nil {
			continue
		}
		c := op.Cheque
		methods[op.Method]++
		if c.StoreName == "" || c.City == "" || c.Address == "" || c.BIN == "" || c.TerminalID == "" || c.Method != op.Method {
			t.Fatalf("cheque lacks a mandatory field: %+v", c)
		}
		if _, err := time.ParseInLocation("02.01.06 15:04:05", c.Date, time.Local); err != nil {
			t.Fatalf("cheque date %q", c.Date)
		}
		switch {
		case op.Method == providers.MethodQR && c.OrderNumber != op.TransactionID,
			op.Method == providers.MethodCard && (c.RRN != op.TransactionID || c.CardMask == "" || c.AuthorizationCode == ""):
			t.Fatalf("cheque does not carry the payment number: %+v", c)
		}
		if op.Kind == store.KindRefund {
			refunded[op.PaymentID] += op.Amount.Minor
		}
	}
	for _, s := range []store.State{store.StateSuccess, store.StateFailed, store.StateRefused, store.StateNeedsCheck} {
		if states[s] == 0 {
			t.Errorf("no %s operations: %v", s, states)
		}
	}
	if methods[providers.MethodQR] == 0 || methods[providers.MethodCard] == 0 {
		t.Errorf("methods %v", methods)
	}
	partial := 0
	for id, sum := range refunded {
		p, err := st.Get(id)
		if err != nil || p.Kind != store.KindPayment || p.State != store.StateSuccess || sum > p.Amount.Minor {
			t.Fatalf("payment %d refunded %d of %v (%v)", id, sum, p.Amount, err)
		}
		if sum < p.Amount.Minor {
			partial++
		}
	}
	if len(refunded) < 100 || partial == 0 || partial == len(refunded) {
		t.Fatalf("%d payments refunded, %d in part", len(refunded), partial)
	}
}

func TestGenWritesOnlyIntoANewFile(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if err := runGen([]string{"--count", "10"}, &bytes.Buffer{}, io.Discard); err == nil || !strings.Contains(err.Error(), "--db") {
		t.Fatalf("gen without --db: %v", err)
	}
	db := filepath.Join(t.TempDir(), "till.db")
	if err := runGen([]string{"--count", "10", "--db=" + db}, &bytes.Buffer{}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := runGen([]string{"--count", "10", "--db", db}, &bytes.Buffer{}, io.Discard); err == nil || !strings.Contains(err.Error(), "already holds operations") {
		t.Fatalf("gen into a file with operations: %v", err)
	}
}

// A million operations take about a minute: gen says how far it is every
// tenth of the way, on the progress writer, and the result on out.
func TestGenSaysHowFarItIs(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	defer func(b int) { genBatch = b }(genBatch)
	genBatch = 100
	db := filepath.Join(t.TempDir(), "big.db")
	var out, progress bytes.Buffer
	if err := runGen([]string{"--count", "1000", "--db", db}, &out, &progress); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	if len(lines) != 10 || lines[0] != "Writing 1 000 made-up operations to "+db+"…" ||
		lines[1] != "100 of 1 000 operations written (10%)…" || lines[9] != "900 of 1 000 operations written (90%)…" {
		t.Fatalf("progress:\n%s", &progress)
	}
	if !strings.HasPrefix(out.String(), "1000 operations written to "+db) {
		t.Fatalf("out: %q", &out)
	}
}
