package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// securePOS is a Smart POS simulator over HTTPS with tokens, its CA in a
// file, and a data file for the till.
type securePOS struct {
	sim      *sim.Sim
	srv      *sim.Server
	ca, db   string
	url      string
	captured []string // every command's output, to search for secrets
}

func newSecurePOS(t *testing.T) *securePOS {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	s := sim.New(sim.Options{RequireToken: true, TokenLifetime: time.Hour})
	srv, err := s.StartTLS("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	p := &securePOS{sim: s, srv: srv, ca: filepath.Join(dir, "ca.pem"), db: filepath.Join(dir, "kassa.db"), url: srv.URL()}
	if err := os.WriteFile(p.ca, srv.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// run runs a kassa command with the data file given, returning its output
// and whether it succeeded.
func (p *securePOS) run(t *testing.T, cmd func([]string, *bytes.Buffer) error, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := cmd(append(args, "--db", p.db), &out)
	p.captured = append(p.captured, out.String())
	if err != nil && !said(err) {
		t.Fatalf("%v: %v\n%s", args, err, &out)
	}
	return out.String(), err
}

func pair(args []string, out *bytes.Buffer) error  { return runPair(args, strings.NewReader(""), out) }
func check(args []string, out *bytes.Buffer) error { return runCheck(args, out) }

func (p *securePOS) tokens(t *testing.T) kaspi.Tokens {
	t.Helper()
	st, err := store.Open(p.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tok, _, err := storeTokens{st}.LoadTokens()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// noSecrets fails if any output so far shows a token the POS issued.
func (p *securePOS) noSecrets(t *testing.T, issued ...kaspi.Tokens) {
	t.Helper()
	for _, tok := range issued {
		for _, out := range p.captured {
			for _, secret := range []string{tok.AccessToken, tok.RefreshToken} {
				if secret != "" && strings.Contains(out, secret) {
					t.Fatalf("a token is printed:\n%s", out)
				}
			}
		}
	}
}

func TestPairTrustsOnlyWhatItIsTold(t *testing.T) {
	p := newSecurePOS(t)

	// System roots do not know the POS's CA: refused before anything is sent.
	out, err := p.run(t, pair, "kaspi", "--name", "Kassa-1", "--kaspi-url", p.url)
	if err == nil || !strings.Contains(out, "--kaspi-ca") || p.sim.Requests("/v2/register") != 0 {
		t.Fatalf("unknown CA: %v\n%s", err, out)
	}
	// The right CA but a name the certificate does not carry.
	out, err = p.run(t, pair, "kaspi", "--name", "Kassa-1", "--kaspi-url", p.url, "--kaspi-ca", p.ca, "--kaspi-server-name", "pos1.example.com")
	if err == nil || !strings.Contains(out, "«pos1.example.com»") || !strings.Contains(out, sim.ServerName) {
		t.Fatalf("wrong server name: %v\n%s", err, out)
	}
	// A CA file that is not one.
	out, err = p.run(t, pair, "kaspi", "--name", "Kassa-1", "--kaspi-url", p.url, "--kaspi-ca", p.db+".missing")
	if err == nil || !strings.Contains(out, "CA file") {
		t.Fatalf("missing CA file: %v\n%s", err, out)
	}
	// Dialled by IP, verified against the certificate's name.
	out, err = p.run(t, pair, "kaspi", "--name", "Kassa-1", "--kaspi-url", p.url, "--kaspi-ca", p.ca, "--kaspi-server-name", sim.ServerName)
	if err != nil || !strings.Contains(out, "Press «Allow»") || !strings.Contains(out, "Paired.") {
		t.Fatalf("pair: %v\n%s", err, out)
	}
	first := p.tokens(t)

	// The same name again: the POS refuses (105) and the user is told why.
	out, err = p.run(t, pair, "kaspi", "--name", "Kassa-1", "--kaspi-url", p.url, "--kaspi-ca", p.ca)
	if err == nil || !strings.Contains(out, "Remove that pairing on the POS") || !strings.Contains(out, "105") {
		t.Fatalf("re-pair: %v\n%s", err, out)
	}
	if p.tokens(t).AccessToken != first.AccessToken {
		t.Fatal("a refused pairing replaced the stored tokens")
	}

	// Without verification it works, and says so.
	p.sim.Unpair("Kassa-1")
	out, err = p.run(t, pair, "kaspi", "--name", "Kassa-1", "--kaspi-url", p.url, "--kaspi-insecure", "--lang", "ru")
	if err != nil || !strings.Contains(out, "не проверяется") || !strings.Contains(out, "Подключено.") {
		t.Fatalf("insecure pair: %v\n%s", err, out)
	}
	p.noSecrets(t, first, p.tokens(t))
}

func TestCheckKaspi(t *testing.T) {
	p := newSecurePOS(t)
	out, err := p.run(t, check, "kaspi", "--kaspi-url", p.url, "--kaspi-ca", p.ca)
	if err == nil || !strings.Contains(out, "kassa pair kaspi --name") {
		t.Fatalf("check before pairing: %v\n%s", err, out)
	}
	if _, err := p.run(t, pair, "kaspi", "--name", "Kassa-1", "--kaspi-url", p.url, "--kaspi-ca", p.ca); err != nil {
		t.Fatal(err)
	}
	first := p.tokens(t)

	// The POS refuses the token once: the till renews it under the name it
	// was paired as, not the one the config now says, and asks again.
	p.sim.Inject("/v2/deviceinfo", sim.FaultExpired)
	out, err = p.run(t, check, "kaspi", "--kaspi-url", p.url, "--kaspi-ca", p.ca, "--kaspi-name", "Other")
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	for _, want := range []string{"terminal 31452963", "serial number 00043010171", "POS number 0", "Paired as «Kassa-1»"} {
		if !strings.Contains(out, want) {
			t.Fatalf("check output lacks %q:\n%s", want, out)
		}
	}
	renewed := p.tokens(t)
	if p.sim.Requests("/v2/revoke") != 1 || renewed.AccessToken == first.AccessToken {
		t.Fatalf("%d revokes; tokens renewed and saved: %v", p.sim.Requests("/v2/revoke"), renewed.AccessToken != first.AccessToken)
	}
	p.noSecrets(t, first, renewed)
}

// Every 105 /v2/register gives is explained by its message; one the
// till does not know still gets advice that fits.
func TestPairHints(t *testing.T) {
	c := &common.Common{Cat: locale.MustLoad("en")}
	for text, want := range map[string]string{
		"Error acquired in service process: Register Error. Last register request not completed": "already waiting for another pairing request",
		"Error acquired in service process: Register Error. Access denied":                       "refused on the POS",
		"Error acquired in service process: Register Error. Timeout":                             "Nobody pressed «Allow»",
		"Error acquired in service process: Register Error. Name is already registered":          "already has a till paired as «Kassa-1»",
		"Error acquired in service process: Service Error. Kaspi Pay is not available":           "If a till with this name is already paired",
	} {
		got := pairHint(c, &providers.Error{Kind: providers.ErrProvider, HTTPStatus: 200, Code: "105", Text: text}, "Kassa-1")
		if !strings.Contains(got, want) {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
	if got := pairHint(c, &providers.Error{Kind: providers.ErrNoAnswer}, "Kassa-1"); got != "" {
		t.Errorf("no answer: %q", got)
	}
}

func TestPairRefusedForAnotherReason(t *testing.T) {
	p := newSecurePOS(t)
	p.sim.Inject("/v2/register", sim.FaultService)
	out, err := p.run(t, pair, "kaspi", "--name", "Kassa-1", "--kaspi-url", p.url, "--kaspi-ca", p.ca)
	if err == nil || !strings.Contains(out, "If a till with this name is already paired") || !strings.Contains(out, "Kaspi Pay is not available") {
		t.Fatalf("105 with another message: %v\n%s", err, out)
	}
}

// Pairing from the settings screen while the till's calls run (a sale
// resumed at startup polls meanwhile) swaps the tokens under the calls
// without a race, and the calls then carry the new ones.
func TestSettingsPairWhileCallsRun(t *testing.T) {
	p := newSecurePOS(t)
	st, err := store.Open(p.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	k := KaspiConfig{URL: p.url, CA: p.ca}
	client, session, err := kaspiClient(k, st, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{cfg: k, client: client, session: session, store: st}
	stop := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			select {
			case <-stop:
				return
			default:
				_, _ = client.DeviceInfo(context.Background())
			}
		}
	}()
	exp, err := term.Pair(context.Background(), "Kassa-7")
	close(stop)
	<-polled
	if err != nil || exp.IsZero() {
		t.Fatalf("pair: %v %v", exp, err)
	}
	if conn := term.Connection(); conn.Name != "Kassa-7" || !conn.Expires.Equal(exp) {
		t.Fatalf("connection %+v", conn)
	}
	if _, err := term.Test(context.Background()); err != nil {
		t.Fatal(err)
	}
}
