package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
)

func TestPairThenPayOverHTTPS(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	s := sim.New(sim.Options{RequireToken: true, TokenLifetime: time.Hour, Default: sim.Customer{Does: sim.PayQR, Delay: time.Second}})
	srv, err := s.StartTLS("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	ca, db := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "kassa.db")
	os.WriteFile(ca, srv.CAPEM(), 0o600)
	common := []string{"--kaspi-url", srv.URL(), "--kaspi-ca", ca, "--db", db}

	var out bytes.Buffer
	if err := runPair(append([]string{"kaspi", "--name", "bad name"}, common...), &out); err == nil {
		t.Fatal("a name with a space was accepted")
	}
	out.Reset()
	if err := runPair(append([]string{"kaspi", "--name", "Kassa-1"}, common...), &out); err != nil {
		t.Fatalf("pair: %v\n%s", err, &out)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	tokens, _, _ := storeTokens{st}.LoadTokens()
	st.Close()
	if tokens.AccessToken == "" || strings.Contains(out.String(), tokens.AccessToken) || strings.Contains(out.String(), tokens.RefreshToken) {
		t.Fatalf("tokens not stored, or printed:\n%s", &out)
	}
	if fi, _ := os.Stat(db); fi.Mode().Perm() != 0o600 {
		t.Fatalf("data file mode %v", fi.Mode().Perm())
	}

	// The till finds the name it was paired under by itself.
	out.Reset()
	if err := runPay(append([]string{"--amount", "1200"}, common...), &out); err != nil {
		t.Fatalf("pay: %v\n%s", err, &out)
	}
	if !strings.Contains(out.String(), "1 200 ₸ paid") {
		t.Fatalf("pay output:\n%s", &out)
	}
}

func TestPairNeedsHTTPS(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var out bytes.Buffer
	err := runPair([]string{"kaspi", "--name", "Kassa-1", "--kaspi-url", "http://127.0.0.1:1", "--db", filepath.Join(t.TempDir(), "k.db")}, &out)
	if err == nil || !strings.Contains(out.String(), "https://") {
		t.Fatalf("plain HTTP pairing: %v\n%s", err, &out)
	}
}
