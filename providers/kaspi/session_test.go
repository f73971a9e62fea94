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

func newSecure(t *testing.T, o kaspi.TLSOptions, tweak ...func(*sim.Options)) *secure {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.Local))
	opts := sim.Options{Clock: clk, RequireToken: true, TokenLifetime: 30 * time.Second, Seed: 5}
	for _, f := range tweak {
		f(&opts)
	}
	s := sim.New(opts)
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
	// A status poll refused for its token: one renewal, one retry.
	ref, err := s.client.Payment(context.Background(), 700, true)
	if err != nil {
		t.Fatal(err)
	}
	s.sim.Inject("/v2/status", sim.FaultAuth)
	if st, err := s.client.Status(context.Background(), ref.ProcessID); err != nil || st.ProcessID != ref.ProcessID {
		t.Fatalf("status after 401: %+v %v", st, err)
	}
	if r, n := s.sim.Requests("/v2/revoke"), s.sim.Requests("/v2/status"); r != 2 || n != 2 {
		t.Fatalf("%d revokes, %d status requests; want 2 and 2", r, n)
	}
	// Refused twice: one renewal, one retry, then the error.
	s.sim.Inject("/v2/deviceinfo", sim.FaultAuth, sim.FaultAuth)
	if _, err := s.client.DeviceInfo(context.Background()); providers.KindOf(err) != providers.ErrAuth {
		t.Fatalf("after two 401s: %v", err)
	}
	if n := s.sim.Requests("/v2/revoke"); n != 3 {
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
	if before != 2 || s.sim.Requests("/v2/revoke") != 1 {
		t.Fatalf("%d payment requests, %d revokes; want 2 and 1", before, s.sim.Requests("/v2/revoke"))
	}
	s.clk.Advance(10 * time.Minute) // let that payment end
	s.sim.Inject("/v2/payment", sim.FaultDrop)
	_, err = s.client.Payment(context.Background(), 1500, true)
	if providers.KindOf(err) != providers.ErrDropped || s.sim.Requests("/v2/payment") != before+1 {
		t.Fatalf("dropped payment: %v, %d requests after %d", err, s.sim.Requests("/v2/payment"), before)
	}
}

// A refund refused for an expired token is sent again once, like a
// payment: the 403 proves the POS did not start it.
func TestRefundRetriedAfterExpiredToken(t *testing.T) {
	s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
	s.pair(t)
	ctx := context.Background()
	ref, err := s.client.Payment(ctx, 2000, true)
	if err != nil {
		t.Fatal(err)
	}
	var st kaspi.Status
	for st.State != providers.StateSuccess {
		s.clk.Advance(5 * time.Second)
		if st, err = s.client.Status(ctx, ref.ProcessID); err != nil || st.State.Final() && st.State != providers.StateSuccess {
			t.Fatalf("payment: %+v %v", st, err)
		}
	}
	revokes := s.sim.Requests("/v2/revoke")
	s.sim.Inject("/v2/refund", sim.FaultExpired)
	if _, err := s.client.Refund(ctx, st.Method, 500, st.TransactionID, true); err != nil {
		t.Fatalf("refund after 403: %v", err)
	}
	if n, r := s.sim.Requests("/v2/refund"), s.sim.Requests("/v2/revoke"); n != 2 || r != revokes+1 {
		t.Fatalf("%d refund requests, %d revokes after %d", n, r, revokes)
	}
}

// Tokens outlive the process: a new session over the same store uses them
// without pairing again, and renews them on the lifetime they were issued
// with, not what was left when it started.
func TestTokensReloadedFromStore(t *testing.T) {
	s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
	tok := s.pair(t)
	if s.tokens.t.Issued.IsZero() {
		t.Fatal("Issued not kept with the tokens")
	}
	s.clk.Advance(20 * time.Second) // 10 s of 30 left: not due yet

	restarted := kaspi.NewClient(s.srv.URL(), s.client.HTTP)
	session := kaspi.NewSession(restarted, "Kassa1", s.tokens, s.clk)
	if _, err := restarted.DeviceInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if exp, _ := session.Expires(); !exp.Equal(tok.Expires) || s.sim.Requests("/v2/register") != 1 || s.sim.Requests("/v2/revoke") != 0 {
		t.Fatalf("expires %v; %d registers, %d revokes", exp, s.sim.Requests("/v2/register"), s.sim.Requests("/v2/revoke"))
	}
	s.clk.Advance(3 * time.Second) // 7 s left: under a quarter of 30 s
	if _, err := restarted.DeviceInfo(context.Background()); err != nil || s.sim.Requests("/v2/revoke") != 1 {
		t.Fatalf("%v; %d revokes", err, s.sim.Requests("/v2/revoke"))
	}
}

// A POS whose dates the till cannot use (unreadable, or in a zone that
// makes every token expired on arrival) must not cost a revoke per call:
// stored tokens are renewed once, new ones are used until refused.
func TestUnusableExpiryDoesNotRenewEveryCall(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tweak func(*sim.Options)
	}{
		{"unreadable", func(o *sim.Options) { o.ExpirationLayout = "02.01.2006 15:04:05" }},
		{"zone behind", func(o *sim.Options) { o.Location = time.FixedZone("W", -10*3600) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"}, tc.tweak)
			s.client.Location = time.FixedZone("E", 5*3600)
			tok := s.pair(t)
			if !tok.Expired(s.clk.Now()) {
				t.Fatalf("tokens %v count as live", tok)
			}
			ctx := context.Background()
			for range 5 {
				if _, err := s.client.DeviceInfo(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if n := s.sim.Requests("/v2/revoke"); n != 0 {
				t.Fatalf("%d revokes for fresh tokens", n)
			}
			// When the POS does refuse the token, it is renewed once.
			s.clk.Advance(31 * time.Second)
			if _, err := s.client.DeviceInfo(ctx); err != nil || s.sim.Requests("/v2/revoke") != 1 {
				t.Fatalf("after expiry: %v, %d revokes", err, s.sim.Requests("/v2/revoke"))
			}
			// Stored tokens of unknown age are renewed once, then used.
			restarted := kaspi.NewClient(s.srv.URL(), s.client.HTTP)
			restarted.Location = s.client.Location
			kaspi.NewSession(restarted, "Kassa1", s.tokens, s.clk)
			for range 3 {
				if _, err := restarted.DeviceInfo(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if n := s.sim.Requests("/v2/revoke"); n != 2 {
				t.Fatalf("%d revokes after a restart, want 2", n)
			}
		})
	}
}

// While the POS waits for «Allow», the till's other calls go on.
func TestPairDoesNotHoldUpCalls(t *testing.T) {
	s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"}, func(o *sim.Options) { o.RegisterAfter = 30 * time.Second })
	done := make(chan error, 1)
	go func() { _, err := s.session.Pair(context.Background()); done <- err }()
	waitFor(t, "register to wait for «Allow»", func() bool { return s.clk.Waiters() > 0 })
	// Unpaired still: refused at once rather than queued behind pairing.
	if _, err := s.client.DeviceInfo(context.Background()); providers.KindOf(err) != providers.ErrAuth {
		t.Fatalf("call during pairing: %v", err)
	}
	s.clk.Advance(30 * time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.DeviceInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Pairing again under another name switches the session to it.
	s.sim.Unpair("Kassa1")
	go func() { _, err := s.session.PairAs(context.Background(), "Kassa2"); done <- err }()
	waitFor(t, "second register", func() bool { return s.clk.Waiters() > 0 })
	s.clk.Advance(30 * time.Second)
	if err := <-done; err != nil || s.session.Name() != "Kassa2" {
		t.Fatalf("%v, name %q", err, s.session.Name())
	}
	s.clk.Advance(25 * time.Second) // due: the revoke must use the new name
	if _, err := s.client.DeviceInfo(context.Background()); err != nil || s.sim.Requests("/v2/revoke") != 1 {
		t.Fatalf("%v, %d revokes", err, s.sim.Requests("/v2/revoke"))
	}
}

// A POS answering plain HTTP on an https:// address: the handshake fails
// before anything is sent, so even a payment is known not to have started.
func TestHandshakeFailureIsNotSent(t *testing.T) {
	s := sim.New(sim.Options{})
	srv, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hc, err := kaspi.NewHTTPClient(kaspi.TLSOptions{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	c := kaspi.NewClient("https://"+srv.Addr().String(), hc)
	_, err = c.Payment(context.Background(), 100, true)
	if providers.KindOf(err) != providers.ErrUnreachable || providers.MaybeSent(err) || s.Requests("/v2/payment") != 0 {
		t.Fatalf("payment over a failed handshake: %v", err)
	}
}

// When the POS no longer takes the till's tokens (the pairing was removed
// on the POS, or a revoke's answer was lost after the POS had rotated
// them), calls fail as an authorization error, unsent: pair again.
func TestLostPairingMeansPairAgain(t *testing.T) {
	// refused checks a payment fails unsent, or reaches the POS reached
	// times only to be refused for its token.
	refused := func(t *testing.T, s *secure, c *kaspi.Client, reached int) *providers.Error {
		t.Helper()
		before := s.sim.Requests("/v2/payment")
		_, err := c.Payment(context.Background(), 100, true)
		var pe *providers.Error
		if !asError(err, &pe) || pe.Kind != providers.ErrAuth || providers.MaybeSent(err) || s.sim.Requests("/v2/payment") != before+reached {
			t.Fatalf("payment: %v, %d sent", err, s.sim.Requests("/v2/payment")-before)
		}
		return pe
	}
	t.Run("removed on the POS", func(t *testing.T) {
		s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
		s.pair(t)
		s.sim.Unpair("Kassa1")
		s.clk.Advance(31 * time.Second)
		refused(t, s, s.client, 0)
	})
	t.Run("revoke answer lost", func(t *testing.T) {
		s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
		s.pair(t)
		s.clk.Advance(25 * time.Second)
		s.sim.Inject("/v2/revoke", sim.FaultDrop)
		// The renewal is lost, and with it the old token, which the till
		// still thinks live: the payment is refused (401), renewal fails
		// again, and the payment is not sent a second time.
		refused(t, s, s.client, 1)
	})
	t.Run("refresh token refused", func(t *testing.T) {
		s := newSecure(t, kaspi.TLSOptions{CAFile: "ca"})
		s.pair(t)
		s.tokens.t.RefreshToken = "0000" // not the one the POS holds
		c := kaspi.NewClient(s.srv.URL(), s.client.HTTP)
		kaspi.NewSession(c, "Kassa1", s.tokens, s.clk)
		s.clk.Advance(31 * time.Second)
		if pe := refused(t, s, c, 0); pe.Code != "105" || !strings.Contains(pe.Text, "Wrong refresh token") {
			t.Fatalf("%v", pe)
		}
	})
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
