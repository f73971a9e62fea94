package kaspi_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
)

type memTokens struct {
	mu    sync.Mutex
	t     kaspi.Tokens
	ok    bool
	saves int
}

func (m *memTokens) LoadTokens() (kaspi.Tokens, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t, m.ok, nil
}

func (m *memTokens) SaveTokens(t kaspi.Tokens) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t, m.ok = t, true
	m.saves++
	return nil
}

// secure is a Smart POS with integration protection on (HTTPS, tokens of
// 30 s) and a till that trusts its CA.
type secure struct {
	sim     *sim.Sim
	srv     *sim.Server
	clk     *clock.Fake
	caFile  string
	client  *kaspi.Client
	tokens  *memTokens
	session *kaspi.Session
}

func newSecure(t *testing.T, o kaspi.TLSOptions) *secure {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.Local))
	s := sim.New(sim.Options{Clock: clk, RequireToken: true, TokenLifetime: 30 * time.Second, Seed: 5})
	srv, err := s.StartTLS("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, srv.CAPEM(), 0o600)
	if o.CAFile == "ca" {
		o.CAFile = caFile
	}
	hc, err := kaspi.NewHTTPClient(o)
	if err != nil {
		t.Fatal(err)
	}
	c := kaspi.NewClient(srv.URL(), hc)
	tokens := &memTokens{}
	return &secure{sim: s, srv: srv, clk: clk, caFile: caFile, client: c, tokens: tokens,
		session: kaspi.NewSession(c, "Kassa1", tokens, clk)}
}

func (s *secure) pair(t *testing.T) kaspi.Tokens {
	t.Helper()
	tok, err := s.session.Pair(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestPairOverVerifiedHTTPS(t *testing.T) {
	s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
	tok := s.pair(t)
	if !s.tokens.ok || s.tokens.t.AccessToken != tok.AccessToken || tok.Expired(s.clk.Now()) {
		t.Fatalf("tokens not kept: %v", tok)
	}
	info, err := s.client.DeviceInfo(context.Background())
	if err != nil || info.TerminalID == "" {
		t.Fatalf("deviceinfo with the token: %+v %v", info, err)
	}
	// Pairing the same name again is refused until it is removed on the POS.
	_, err = s.session.Pair(context.Background())
	var pe *providers.Error
	if !asError(err, &pe) || pe.Code != "105" {
		t.Fatalf("second pairing: %v", err)
	}
}

func TestUnverifiedCertificateIsRefusedUnlessInsecure(t *testing.T) {
	s := newSecure(t, kaspi.TLSOptions{})
	_, err := s.session.Pair(context.Background())
	if providers.KindOf(err) != providers.ErrUnreachable || providers.MaybeSent(err) {
		t.Fatalf("unknown CA: %v", err)
	}
	if n := s.sim.Requests("/v2/register"); n != 0 {
		t.Fatal("a request reached a POS whose certificate was refused")
	}
	s = newSecure(t, kaspi.TLSOptions{Insecure: true})
	s.pair(t)
	// A name the certificate does not carry is refused too.
	s = newSecure(t, kaspi.TLSOptions{CAFile: "ca", ServerName: "pos.example.com"})
	if _, err := s.session.Pair(context.Background()); providers.KindOf(err) != providers.ErrUnreachable {
		t.Fatalf("wrong server name: %v", err)
	}
	s = newSecure(t, kaspi.TLSOptions{CAFile: "ca", ServerName: sim.ServerName})
	s.pair(t)
}

func TestUnpairedTillSendsNothing(t *testing.T) {
	s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
	_, err := s.client.Payment(context.Background(), 100, true)
	if providers.KindOf(err) != providers.ErrAuth || providers.MaybeSent(err) || s.sim.Requests("/v2/payment") != 0 {
		t.Fatalf("unpaired payment: %v, %d requests", err, s.sim.Requests("/v2/payment"))
	}
}

func TestTokenRenewedBeforeExpiry(t *testing.T) {
	s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
	old := s.pair(t)
	s.clk.Advance(20 * time.Second)
	if _, err := s.client.DeviceInfo(context.Background()); err != nil || s.sim.Requests("/v2/revoke") != 0 {
		t.Fatalf("10 s left of 30: %v, %d revokes", err, s.sim.Requests("/v2/revoke"))
	}
	s.clk.Advance(3 * time.Second) // 7 s left: under a quarter of its life
	if _, err := s.client.DeviceInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := s.sim.Requests("/v2/revoke"); n != 1 || s.tokens.t.AccessToken == old.AccessToken {
		t.Fatalf("%d revokes; token renewed: %v", n, s.tokens.t.AccessToken != old.AccessToken)
	}
	// The old token died at once.
	stale := kaspi.NewClient(s.srv.URL(), s.client.HTTP)
	stale.Token = func(context.Context) (string, error) { return old.AccessToken, nil }
	if _, err := stale.DeviceInfo(context.Background()); providers.KindOf(err) != providers.ErrAuth {
		t.Fatalf("old token after renewal: %v", err)
	}
}

func TestRefusedTokenRenewsOnceAndRetries(t *testing.T) {
	s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
	s.pair(t)
	s.sim.Inject("/v2/deviceinfo", sim.FaultExpired)
	if _, err := s.client.DeviceInfo(context.Background()); err != nil {
		t.Fatalf("after 403: %v", err)
	}
	if n := s.sim.Requests("/v2/revoke"); n != 1 {
		t.Fatalf("%d revokes after one 403", n)
	}
	// Refused twice: one renewal, one retry, then the error.
	s.sim.Inject("/v2/deviceinfo", sim.FaultAuth, sim.FaultAuth)
	if _, err := s.client.DeviceInfo(context.Background()); providers.KindOf(err) != providers.ErrAuth {
		t.Fatalf("after two 401s: %v", err)
	}
	if n := s.sim.Requests("/v2/revoke"); n != 2 {
		t.Fatalf("%d revokes, want one more", n)
	}
}

// A payment the POS refused for its token was not carried out, so it is
// sent again once; a payment whose answer was lost is never sent again.
func TestPaymentRetriedOnlyAfterARefusal(t *testing.T) {
	s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
	s.pair(t)
	s.sim.Inject("/v2/payment", sim.FaultAuth)
	ref, err := s.client.Payment(context.Background(), 1500, true)
	if err != nil || ref.ProcessID == "" {
		t.Fatalf("payment after a 401: %v", err)
	}
	before := s.sim.Requests("/v2/payment")
	s.clk.Advance(10 * time.Minute) // let that payment end
	s.sim.Inject("/v2/payment", sim.FaultDrop)
	_, err = s.client.Payment(context.Background(), 1500, true)
	if providers.KindOf(err) != providers.ErrNoAnswer || s.sim.Requests("/v2/payment") != before+1 {
		t.Fatalf("dropped payment: %v, %d requests after %d", err, s.sim.Requests("/v2/payment"), before)
	}
}

func TestConcurrentCallsRenewOnce(t *testing.T) {
	s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
	s.pair(t)
	s.clk.Advance(31 * time.Second) // expired
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.client.DeviceInfo(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := s.sim.Requests("/v2/revoke"); n != 1 {
		t.Fatalf("%d revokes for one expiry", n)
	}
}

func TestTokensNeverInErrors(t *testing.T) {
	s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
	tok := s.pair(t)
	s.sim.Inject("/v2/revoke", sim.FaultInternal)
	s.sim.Inject("/v2/deviceinfo", sim.FaultExpired)
	_, err := s.client.DeviceInfo(context.Background())
	if err == nil {
		t.Fatal("expected an error")
	}
	for _, secret := range []string{tok.AccessToken, tok.RefreshToken} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error shows a token: %v", err)
		}
	}
}

func asError(err error, pe **providers.Error) bool {
	e, ok := err.(*providers.Error)
	if ok {
		*pe = e
	}
	return ok
}
