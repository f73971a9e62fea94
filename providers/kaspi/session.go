package kaspi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
)

// TokenStore keeps the secured API's tokens across restarts. The till
// keeps them in its data file, which only its user can read.
type TokenStore interface {
	LoadTokens() (Tokens, bool, error)
	SaveTokens(Tokens) error
}

// RefreshMargin is how long before expiry the session renews its token:
// an hour of the 24 h, so a POS that is briefly unreachable does not leave
// the till without a token. A token that lives less than four hours renews
// when a quarter of its life is left.
const RefreshMargin = time.Hour

// ErrNotPaired is returned when the secured API is on but the till has no
// tokens: it must be paired with `kassa pair kaspi`.
var ErrNotPaired = errors.New("kaspi: the till is not paired with the Smart POS")

// Session holds the till's tokens for the secured API (seed 004 §4.20–4.21)
// and keeps them fresh: before expiry, and once when the POS refuses one.
// One refresh runs at a time, and a refusal of a token already replaced
// does not refresh again.
type Session struct {
	client *Client
	name   string
	store  TokenStore
	clock  clock.Clock

	mu     sync.Mutex
	tokens Tokens
	loaded bool
	// life is how long the current token had left when the session got it.
	life time.Duration
}

// NewSession binds a session to client: from now on every call carries
// the session's access token, renewed as needed. name is the till's name
// as paired on the POS.
func NewSession(client *Client, name string, store TokenStore, clk clock.Clock) *Session {
	s := &Session{client: client, name: name, store: store, clock: clk}
	client.Token = s.token
	client.Reauth = s.reauth
	return s
}

// Pair registers the till under its name. The POS shows a request that a
// person must allow; the call waits for it (up to 180 s on the POS).
func (s *Session) Pair(ctx context.Context) (Tokens, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.client.Register(ctx, s.name)
	if err != nil {
		return Tokens{}, err
	}
	if err := s.store.SaveTokens(t); err != nil {
		return Tokens{}, err
	}
	s.take(t)
	return t, nil
}

// take makes t the current tokens; s.mu is held.
func (s *Session) take(t Tokens) {
	s.tokens, s.loaded = t, true
	s.life = t.Expires.Sub(s.clock.Now())
}

// Expires is when the current access token dies; zero when unpaired.
func (s *Session) Expires() (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return time.Time{}, err
	}
	return s.tokens.Expires, nil
}

func (s *Session) load() error {
	if s.loaded {
		return nil
	}
	t, ok, err := s.store.LoadTokens()
	if err != nil {
		return err
	}
	if !ok {
		return &providers.Error{Kind: providers.ErrAuth, Text: "not paired", Err: ErrNotPaired}
	}
	s.take(t)
	return nil
}

// token gives the access token for the next call, renewing it first when
// it is close to expiry.
func (s *Session) token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return "", err
	}
	if s.due() {
		// A failed renewal is not fatal while the old token still lives;
		// the next call tries again.
		if err := s.refresh(ctx); err != nil && s.tokens.Expired(s.clock.Now()) {
			return "", err
		}
	}
	return s.tokens.AccessToken, nil
}

func (s *Session) due() bool {
	now := s.clock.Now()
	if s.tokens.Expired(now) {
		return true
	}
	margin := min(RefreshMargin, s.life/4)
	return s.tokens.Expires.Sub(now) <= margin
}

// reauth renews the session after the POS refused the token refused,
// unless another call already replaced it.
func (s *Session) reauth(ctx context.Context, refused string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return err
	}
	if s.tokens.AccessToken != refused {
		return nil
	}
	return s.refresh(ctx)
}

// refresh calls /v2/revoke; s.mu is held.
func (s *Session) refresh(ctx context.Context) error {
	t, err := s.client.Revoke(ctx, s.name, s.tokens.RefreshToken, s.tokens.AccessToken)
	if err != nil {
		return err
	}
	if err := s.store.SaveTokens(t); err != nil {
		return err
	}
	s.take(t)
	return nil
}

// TLSOptions say how the till trusts the POS's certificate. The POS's
// certificate is issued for a wildcard domain (*.kaspipos.kz), so a till
// that dials an address verifies it against a name under that domain.
type TLSOptions struct {
	// CAFile is a PEM file of certificates to trust instead of the system's.
	CAFile string
	// ServerName is the name to verify the certificate against, e.g.
	// "pos1.kaspipos.kz", when the till dials the POS by IP address.
	ServerName string
	// Insecure skips verification. The screen says so while it is on.
	Insecure bool
}

// NewHTTPClient returns the HTTP client for a POS with the given trust.
func NewHTTPClient(o TLSOptions) (*http.Client, error) {
	cfg := &tls.Config{ServerName: o.ServerName, InsecureSkipVerify: o.Insecure, MinVersion: tls.VersionTLS12} //nolint:gosec // Insecure is the user's explicit choice, shown on screen
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("kaspi: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kaspi: %s holds no PEM certificate", o.CAFile)
		}
		cfg.RootCAs = pool
	}
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     cfg,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     30 * time.Second,
	}}, nil
}
