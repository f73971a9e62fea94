package main

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// tokensSecret names the Smart POS tokens in the data file's secrets;
// pairedName the setting that remembers the name they were issued to;
// addressSetting the POS address set on the settings screen.
const (
	tokensSecret   = "kaspi.tokens"
	pairedName     = "kaspi.name"
	addressSetting = "kaspi.url"
)

// savedAddress is the POS address the settings screen kept in st, which
// replaces the config's and the command line's from the next start: it
// is the latest choice, made at the till. "" when none is kept.
func savedAddress(st *store.Store) (string, error) {
	var address string
	_, err := st.Setting(addressSetting, &address)
	return address, err
}

// storeTokens keeps the Smart POS tokens in the data file (mode 0600).
type storeTokens struct{ st *store.Store }

func (s storeTokens) LoadTokens() (kaspi.Tokens, bool, error) {
	var t kaspi.Tokens
	ok, err := s.st.Secret(tokensSecret, &t)
	return t, ok, err
}

func (s storeTokens) SaveTokens(t kaspi.Tokens) error { return s.st.PutSecret(tokensSecret, t) }

// secured reports whether the till speaks the secured API.
func (k KaspiConfig) secured() bool { return strings.HasPrefix(k.URL, "https://") }

// kaspiClient builds the Smart POS client for cfg, with a token session
// over st when the POS speaks HTTPS.
func kaspiClient(k KaspiConfig, st *store.Store, clk clock.Clock) (*kaspi.Client, *kaspi.Session, error) {
	if !k.secured() {
		return kaspi.NewClient(k.URL, nil), nil, nil
	}
	// The stored tokens belong to the name they were issued to, whatever
	// the config says now: /v2/revoke must repeat that name. The config's
	// name is for a till not paired yet, whose calls fail with a sentence
	// saying to pair it.
	var name string
	if _, err := st.Setting(pairedName, &name); err != nil {
		return nil, nil, err
	}
	if name == "" {
		name = k.Name
	}
	hc, err := kaspi.NewHTTPClient(kaspi.TLSOptions{CAFile: k.CA, ServerName: k.ServerName, Insecure: k.Insecure})
	if err != nil {
		return nil, nil, err
	}
	c := kaspi.NewClient(k.URL, hc)
	return c, kaspi.NewSession(c, name, storeTokens{st}, clk), nil
}

// terminal is the Smart POS as the settings screen sees it. Its methods
// run in the screen's commands, so mu guards what pairing changes.
type terminal struct {
	mu      sync.Mutex
	cfg     KaspiConfig
	client  *kaspi.Client
	session *kaspi.Session
	store   *store.Store
	// configured is the address the config or command line gives; next
	// the one the next start uses.
	configured, next string
}

// SetAddress keeps address for the next start; the running client goes
// on with the one it has.
func (t *terminal) SetAddress(address string) error {
	if address != "" {
		checked, ok := common.CheckAddress(address)
		if !ok {
			return &providers.Error{Kind: providers.ErrInvalid, Text: address}
		}
		address = checked
	}
	if err := t.store.PutSetting(addressSetting, address); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next = address
	if address == "" {
		t.next = t.configured
	}
	return nil
}

// certHint is tlsHint for err with the Smart POS settings the till runs
// on; "" for another error, or a till without a Smart POS.
func certHint(c *common.Common, err error) string {
	t, ok := c.Terminal.(*terminal)
	if !ok || err == nil {
		return ""
	}
	t.mu.Lock()
	k := t.cfg
	t.mu.Unlock()
	return tlsHint(c, err, k)
}

func (t *terminal) Connection() common.Connection {
	t.mu.Lock()
	defer t.mu.Unlock()
	conn := common.Connection{URL: t.cfg.URL, Secured: t.cfg.secured(), Insecure: t.cfg.Insecure, Name: t.cfg.Name}
	if t.next != t.cfg.URL {
		conn.Next = t.next
	}
	if t.session != nil {
		if name := t.session.Name(); name != "" {
			conn.Name = name // the name the tokens belong to
		}
		conn.Expires, _ = t.session.Expires()
	}
	return conn
}

func (t *terminal) Test(ctx context.Context) (common.TerminalInfo, error) {
	d, err := t.client.DeviceInfo(ctx)
	return common.TerminalInfo{TerminalID: d.TerminalID, SerialNum: d.SerialNum, PosNum: d.PosNum}, err
}

// Pair pairs through the session the till's calls already use, so a sale
// polling meanwhile keeps its tokens until the new ones arrive.
func (t *terminal) Pair(ctx context.Context, name string) (time.Time, error) {
	if !validTillName(name) {
		return time.Time{}, &providers.Error{Kind: providers.ErrInvalid, Text: name}
	}
	t.mu.Lock()
	session := t.session
	t.mu.Unlock()
	if session == nil {
		return time.Time{}, &providers.Error{Kind: providers.ErrUnsupported, Text: "pairing needs an https:// Smart POS address"}
	}
	tokens, err := session.PairAs(ctx, name)
	if err != nil {
		return time.Time{}, err
	}
	t.mu.Lock()
	t.cfg.Name = name
	t.mu.Unlock()
	return tokens.Expires, t.store.PutSetting(pairedName, name)
}
