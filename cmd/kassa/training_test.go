package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
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
	if err := c.Trainer.Wipe(); err != nil {
		t.Fatal(err)
	}
	closeTill()

	after, _ := os.ReadFile(realDB)
	if touched.Load() != 0 || string(before) != string(after) {
		t.Fatalf("the real POS was contacted %d times, real file changed: %v", touched.Load(), string(before) != string(after))
	}
}
