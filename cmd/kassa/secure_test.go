package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
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
	if err := runPair(append([]string{"kaspi", "--name", "bad name"}, common...), strings.NewReader(""), &out); err == nil {
		t.Fatal("a name with a space was accepted")
	}
	out.Reset()
	if err := runPair(append([]string{"kaspi", "--name", "Kassa-1"}, common...), strings.NewReader(""), &out); err != nil {
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
	err := runPair([]string{"kaspi", "--name", "Kassa-1", "--kaspi-url", "http://127.0.0.1:1", "--db", filepath.Join(t.TempDir(), "k.db")}, strings.NewReader(""), &out)
	if err == nil || !strings.Contains(out.String(), "https://") {
		t.Fatalf("plain HTTP pairing: %v\n%s", err, &out)
	}
}

// An address set on the settings screen is kept in the data file and
// used from the next start, in place of the command line's; the running
// till goes on with its own. Left empty, the command line's is back.
func TestAddressFromTheSettingsScreenIsUsedFromTheNextStart(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var urls []string
	var sims []*sim.Sim
	for range 2 {
		s := sim.New(sim.Options{})
		srv, err := s.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		urls, sims = append(urls, srv.URL()), append(sims, s)
	}
	args := []string{"--kaspi-url", urls[0], "--db", filepath.Join(t.TempDir(), "kassa.db")}
	start := func() (common.Terminal, func()) {
		t.Helper()
		c, _, closeTill, err := openTill(args, false)
		if err != nil {
			t.Fatal(err)
		}
		return c.Terminal, closeTill
	}
	asked := func(want ...int) {
		t.Helper()
		for i, s := range sims {
			if n := s.Requests("/v2/deviceinfo"); n != want[i] {
				t.Fatalf("POS %d asked %d times, want %d", i, n, want[i])
			}
		}
	}

	term, stop := start()
	if err := term.SetAddress("http://"); err == nil {
		t.Fatal("an address without a host was kept")
	}
	if err := term.SetAddress(urls[1] + "/"); err != nil {
		t.Fatal(err)
	}
	if conn := term.Connection(); conn.URL != urls[0] || conn.Next != urls[1] {
		t.Fatalf("after setting: %+v", conn)
	}
	term.Test(context.Background())
	asked(1, 0) // the running till keeps its address
	stop()

	term, stop = start()
	if conn := term.Connection(); conn.URL != urls[1] || conn.Next != "" {
		t.Fatalf("the next start: %+v", conn)
	}
	term.Test(context.Background())
	asked(1, 1)
	if err := term.SetAddress(""); err != nil {
		t.Fatal(err)
	}
	if conn := term.Connection(); conn.Next != urls[0] {
		t.Fatalf("emptied: %+v", conn)
	}
	stop()

	term, stop = start()
	defer stop()
	if conn := term.Connection(); conn.URL != urls[0] {
		t.Fatalf("back to the command line's: %+v", conn)
	}
}

// A certificate the till refuses is named by pay, refund and recover as
// kassa check names it, not blamed on the network.
func TestPayNamesTheCertificateProblem(t *testing.T) {
	p := newSecurePOS(t)
	if _, err := p.run(t, pair, "kaspi", "--name", "Kassa-1", "--kaspi-url", p.url, "--kaspi-ca", p.ca); err != nil {
		t.Fatal(err)
	}
	c := &common.Common{Cat: locale.MustLoad("en")}
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{nil, c.T("pair.tls_ca")},
		{[]string{"--kaspi-ca", p.ca, "--kaspi-server-name", "pos1.example.kz"}, "not issued for «pos1.example.kz»"},
	} {
		out, err := p.run(t, func(a []string, o *bytes.Buffer) error { return runPay(a, o) }, append([]string{"--amount", "1200", "--kaspi-url", p.url}, tc.flags...)...)
		if exitCode(err) != exitNotMoved || !strings.Contains(out, tc.want) {
			t.Fatalf("pay %v: exit %d, want %d saying %q\n%s", tc.flags, exitCode(err), exitNotMoved, tc.want, out)
		}
	}
	if n := p.sim.Requests("/v2/payment"); n != 0 {
		t.Fatalf("%d payments reached the POS", n)
	}
}

// A POS address that redirects elsewhere: kassa pay sends nothing on,
// says so, and records the payment as refused (nothing was started).
func TestPayRefusesARedirect(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var heard atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		heard.Add(1)
		w.Write([]byte(`{"statusCode":0,"data":{"processId":"1","status":"wait"}}`))
	}))
	defer other.Close()
	pos := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer pos.Close()
	db := filepath.Join(t.TempDir(), "kassa.db")
	var out bytes.Buffer
	err := runPay([]string{"--amount", "1200", "--kaspi-url", pos.URL, "--db", db}, &out)
	c := &common.Common{Cat: locale.MustLoad("en")}
	if exitCode(err) != exitNotMoved || !strings.Contains(out.String(), c.T("error.redirected")) || heard.Load() != 0 {
		t.Fatalf("exit %d, %d requests elsewhere:\n%s", exitCode(err), heard.Load(), &out)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ops, err := st.NeedingPerson(0); err != nil || len(ops) != 0 {
		t.Fatalf("left for a person: %v %v", ops, err)
	}
}
