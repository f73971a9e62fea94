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
// an hour of the 24 h, so a POS that is briefly unreachable, or whose clock
// runs a little ahead, does not leave the till without a token. A token
// that lives less than four hours (a test POS's) renews when a quarter of
// its life is left.
const RefreshMargin = time.Hour

// ErrNotPaired is returned when the secured API is on but the till has no
// tokens: it must be paired with `kassa pair kaspi`.
var ErrNotPaired = errors.New("kaspi: the till is not paired with the Smart POS")

// Session holds the till's tokens for the secured API (seed 004 §4.20–4.21)
// and keeps them fresh: before expiry, and once when the POS refuses one.
// One refresh runs at a time, and a refusal of a token already replaced
// does not refresh again.
//
// A token whose expirationDate cannot be read, or that reads as expired
// the moment it arrives (the POS's clock or zone disagrees with the
// till's), counts as expired: the session renews it before using it if it
// came from the data file, but a token the POS has just issued is used
// until the POS refuses it. Otherwise every call would cost a revoke,
// since the POS dates every new token the same way.
type Session struct {
	client *Client
	store  TokenStore
	clock  clock.Clock

	mu     sync.Mutex
	name   string
	tokens Tokens
	loaded bool
	// fresh: the tokens came from the POS in this process, not the store.
	fresh bool
	// life is the current token's lifetime by the till's clock.
	life time.Duration
}

// NewSession binds a session to client: from now on every call carries
// the session's access token, renewed as needed. name is the till's name
// as paired on the POS.
func NewSession(client *Client, name string, store TokenStore, clk clock.Clock) *Session {
	if clk == nil {
		clk = clock.Real{}
	}
	s := &Session{client: client, name: name, store: store, clock: clk}
	client.Token = s.token
	client.Reauth = s.reauth
	return s
}

// Name is the till's name the session's tokens belong to.
func (s *Session) Name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name
}

// Pair registers the till under its name. The POS shows a request that a
// person must allow; the call waits for it (up to 180 s on the POS).
func (s *Session) Pair(ctx context.Context) (Tokens, error) {
	return s.PairAs(ctx, s.Name())
}

// PairAs registers the till under name and, once the POS allows it, makes
// name and its tokens the session's. Calls made while the POS waits for
// «Allow» go on with the old tokens: the session is not locked meanwhile.
func (s *Session) PairAs(ctx context.Context, name string) (Tokens, error) {
	t, err := s.client.Register(ctx, name)
	if err != nil {
		return Tokens{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// The POS now holds the pairing: keep the tokens in memory even if
	// the data file refuses them, so this run can still use them.
	t.Issued = s.clock.Now()
	s.name = name
	s.take(t, true)
	if err := s.store.SaveTokens(t); err != nil {
		return t, fmt.Errorf("kaspi: paired, but the tokens could not be saved: %w", err)
	}
	return t, nil
}

// take makes t the current tokens; s.mu is held.
func (s *Session) take(t Tokens, fresh bool) {
	s.tokens, s.loaded, s.fresh = t, true, fresh
	from := t.Issued
	if from.IsZero() {
		from = s.clock.Now() // stored before Issued was kept
	}
	s.life = t.Expires.Sub(from)
}

// Expires is when the current access token dies; zero when unpaired or
// when the POS's date could not be read.
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
		// No Text: the screens show Text as the POS's own words.
		return &providers.Error{Kind: providers.ErrAuth, Err: ErrNotPaired}
	}
	s.take(t, false)
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

// due reports whether the token should be renewed before the next call;
// s.mu is held.
func (s *Session) due() bool {
	if s.life <= 0 {
		// Unreadable date, or expired on arrival: see Session.
		return !s.fresh
	}
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
	// Renewed but not saved still gives a token to retry with.
	if err := s.refresh(ctx); err != nil && s.tokens.AccessToken == refused {
		return err
	}
	return nil
}

// refresh calls /v2/revoke; s.mu is held. The POS kills the old tokens as
// it answers, so the new ones are taken even if saving them fails.
func (s *Session) refresh(ctx context.Context) error {
	t, err := s.client.Revoke(ctx, s.name, s.tokens.RefreshToken, s.tokens.AccessToken)
	var pe *providers.Error
	if errors.As(err, &pe) && pe.Code == "105" {
		// The POS refused the refresh token: the pairing was removed, or
		// an earlier revoke's answer was lost after the POS had rotated
		// the tokens. Only pairing again helps, which ErrAuth says.
		refused := *pe
		refused.Kind = providers.ErrAuth
		return &refused
	}
	if err != nil {
		return err
	}
	t.Issued = s.clock.Now()
	s.take(t, true)
	if err := s.store.SaveTokens(t); err != nil {
		return fmt.Errorf("kaspi: renewed tokens could not be saved: %w", err)
	}
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
