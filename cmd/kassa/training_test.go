package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/refund"
)

// Training is given a real POS address and a real data file; it must use
// neither, and wiping its file must leave the real one as it was.
func TestTrainingTouchesNothingReal(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_DATA_HOME", home)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())

	// A "real POS" that counts every connection made to it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var touched atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			touched.Add(1)
			c.Close()
		}
	}()
	realDB := filepath.Join(t.TempDir(), "real.db")
	st, err := store.Open(realDB)
	if err != nil {
		t.Fatal(err)
	}
	op := store.NewPayment("kaspi", providers.New(9999, providers.KZT), "", false, time.Now())
	st.Create(&op)
	st.Close()
	before, _ := os.ReadFile(realDB)

	c, _, closeTill, err := openTill([]string{"--kaspi-url", "http://" + ln.Addr().String(), "--db", realDB}, true)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Demo || c.Trainer == nil || !c.IgnoredReal || c.Store.Path() == realDB || c.Store.Path() != filepath.Join(home, "kassa", "demo.db") {
		t.Fatalf("demo %v trainer %v ignored %v path %s", c.Demo, c.Trainer != nil, c.IgnoredReal, c.Store.Path())
	}
	started, err := c.Providers.First().Start(context.Background(), providers.Request{Kind: providers.KindPayment, Amount: providers.New(500, providers.KZT)})
	if err != nil || started.Ref == "" {
		t.Fatalf("training payment: %v", err)
	}
	if err := c.Trainer.Wipe("", ""); err != nil {
		t.Fatal(err)
	}
	closeTill()

	after, _ := os.ReadFile(realDB)
	if touched.Load() != 0 || string(before) != string(after) {
		t.Fatalf("the real POS was contacted %d times, real file changed: %v", touched.Load(), string(before) != string(after))
	}
}

// trainingRun is one run of `kassa demo --speed 20` on the training file,
// its wall clock the fake.
func trainingRun(t *testing.T, wall *clock.Fake) (*common.Common, func()) {
	t.Helper()
	c, _, closeTill, err := openTillOn(wall, []string{"--speed", "20"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return c, closeTill
}

// settle follows a started operation to its outcome, moving the wall
// clock on whenever the till or the POS waits on it.
func settle(c *common.Common, wall *clock.Fake, m tracker.Machine) tracker.Machine {
	done := make(chan tracker.Machine)
	go func() {
		m, _ := c.Tracker.Wait(context.Background(), m.Op.ID, nil)
		done <- m
	}()
	for {
		select {
		case m := <-done:
			return m
		default:
		}
		if wall.Waiters() > 0 {
			wall.Advance(10 * time.Millisecond)
		} else {
			time.Sleep(50 * time.Microsecond) // an HTTP call to the POS is under way
		}
	}
}

func trainingPay(t *testing.T, c *common.Common, wall *clock.Fake, amount int64, customer string) store.Operation {
	t.Helper()
	if err := c.Trainer.Next(customer); err != nil {
		t.Fatal(err)
	}
	m, err := c.Tracker.Pay("kaspi", providers.New(amount, providers.KZT), c.Cashier, c.Demo)
	if err != nil {
		t.Fatal(err)
	}
	if m = settle(c, wall, m); m.Phase != tracker.Paid {
		t.Fatalf("%d by %s: %v %v", amount, customer, m.Phase, m.Err)
	}
	return m.Op
}

func trainingRefund(t *testing.T, c *common.Common, wall *clock.Fake, number string, amount int64) store.Operation {
	t.Helper()
	payment, err := refund.Find(c.Store, c.Providers.Names(), number)
	if err != nil {
		t.Fatalf("F2 %s: %v", number, err)
	}
	if err := c.Trainer.Next("qr"); err != nil {
		t.Fatal(err)
	}
	m, err := c.Tracker.Refund(payment, providers.New(amount, providers.KZT), c.Cashier)
	if err != nil {
		t.Fatal(err)
	}
	if m = settle(c, wall, m); m.Phase != tracker.Paid {
		t.Fatalf("refund of %s: %v %v", number, m.Phase, m.Err)
	}
	return m.Op
}

// notAhead fails when anything stored of op lies after the wall clock's
// now: training's clock runs 20 times faster, but only for waits.
func notAhead(t *testing.T, op store.Operation, wall time.Time) {
	t.Helper()
	stamps := map[string]time.Time{"created": op.Created, "updated": op.Updated, "finished": op.Finished,
		"confirmSince": op.ConfirmSince}
	for i, e := range op.History {
		stamps[fmt.Sprint("event ", i)] = e.At
	}
	if op.Cheque != nil {
		date, err := time.ParseInLocation("02.01.06 15:04:05", op.Cheque.Date, time.Local)
		if err != nil {
			t.Fatalf("cheque date %q: %v", op.Cheque.Date, err)
		}
		stamps["cheque date"] = date
	}
	for name, at := range stamps {
		if at.After(wall) {
			t.Errorf("receipt %s: %s %v is after the wall clock's %v", op.Receipt(), name, at, wall)
		}
	}
}

// A payment taken in one run of the demo is refunded in the next, on the
// same training file; at speed 20 nothing stored lies in the future, and
// no number the POS gives repeats across the runs.
func TestDemoAcrossRestarts(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	// Half a second before a whole second, so a date a second ahead shows.
	wall := clock.NewFake(time.Now().Add(-time.Hour).Truncate(time.Second).Add(500 * time.Millisecond))

	c, closeTill := trainingRun(t, wall)
	start := wall.Now()
	qr := trainingPay(t, c, wall, 5000, "qr")
	card := trainingPay(t, c, wall, 1500, "card")
	// The customers took 6 s each on the training clock: 0.3 s on the wall.
	if took := wall.Now().Sub(start); took > 2*time.Second {
		t.Fatalf("two payments took %v of wall time at speed 20", took)
	}
	notAhead(t, qr, wall.Now())
	notAhead(t, card, wall.Now())
	closeTill()

	c, closeTill = trainingRun(t, wall)
	r := trainingRefund(t, c, wall, qr.TransactionID, 2000)
	notAhead(t, r, wall.Now())
	trainingRefund(t, c, wall, card.TransactionID, 1500)
	trainingPay(t, c, wall, 700, "qr")
	trainingPay(t, c, wall, 800, "card")
	closeTill()

	c, closeTill = trainingRun(t, wall)
	defer closeTill()
	trainingRefund(t, c, wall, qr.TransactionID, 3000)
	trainingPay(t, c, wall, 900, "qr")
	if _, err := refund.Find(c.Store, []string{"kaspi"}, qr.TransactionID); err != nil {
		t.Fatalf("the first run's payment is found by its number once: %v", err)
	}
	left, _ := c.Store.Refundable(qr.ID)
	payments, _, err := books(c.Store, "kaspi")
	if err != nil || left.Minor != 0 || len(payments) != 5 || payments[0].Refunded != 5000 || payments[1].Refunded != 1500 {
		t.Fatalf("books %v %+v, %v left", err, payments, left)
	}

	// Every processId and every payment number is new, but a card refund
	// quotes its payment's rrn.
	seen := map[string]store.ID{}
	err = c.Store.EachRow(func(r store.Row) bool {
		numbers := []string{r.Ref}
		if r.Kind == store.KindPayment || r.Method == providers.MethodQR {
			numbers = append(numbers, r.Number)
		}
		for _, n := range numbers {
			if id, ok := seen[n]; ok || n == "" {
				t.Errorf("receipt %s: number %q, already on receipt %s", r.Receipt(), n, id.Receipt())
			}
			seen[n] = r.ID
		}
		return true
	})
	// 8 processIds, 5 payment numbers, 2 QR refunds' order numbers.
	if err != nil || len(seen) != 8+5+2 {
		t.Fatalf("%v: %d numbers %v", err, len(seen), seen)
	}
}

// A training file from when the demo's POS repeated its numbers: a script
// asking to refund by a number two payments have is told their receipts,
// and nothing is sent.
func TestHeadlessRefundOfASharedNumberNamesTheReceipts(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_DATA_HOME", home)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	os.MkdirAll(filepath.Join(home, "kassa"), 0o700)
	st, err := store.Open(filepath.Join(home, "kassa", "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		op := store.NewPayment("kaspi", providers.New(900, providers.KZT), "", true, time.Now())
		st.Create(&op)
		op.Started(providers.Status{Ref: fmt.Sprint(op.ID)}, op.Created)
		op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR, TransactionID: "504711333"}, op.Created)
		st.Save(&op)
	}
	st.Close()

	var out bytes.Buffer
	err = runRefund([]string{"--payment", "504711333", "--amount", "100"}, &out)
	if !errors.Is(err, errOutcome) || !strings.Contains(out.String(), "(receipts 000001, 000002)") {
		t.Fatalf("%v: %s", err, out.String())
	}
	st, _ = store.Open(filepath.Join(home, "kassa", "demo.db"))
	defer st.Close()
	if ops, _ := st.Recent(10); len(ops) != 2 {
		t.Fatalf("%d operations: a refund was written", len(ops))
	}
}
