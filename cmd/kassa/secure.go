package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/sale"
)

// tokensSecret names the Smart POS tokens in the data file's secrets;
// pairedName the setting that remembers the name they were issued to.
const (
	tokensSecret = "kaspi.tokens"
	pairedName   = "kaspi.name"
)

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
	name := k.Name
	if name == "" {
		// Paired earlier: the tokens are the name's. An unpaired till's
		// calls fail with a sentence saying to pair it.
		if _, err := st.Setting(pairedName, &name); err != nil {
			return nil, nil, err
		}
	}
	hc, err := kaspi.NewHTTPClient(kaspi.TLSOptions{CAFile: k.CA, ServerName: k.ServerName, Insecure: k.Insecure})
	if err != nil {
		return nil, nil, err
	}
	c := kaspi.NewClient(k.URL, hc)
	return c, kaspi.NewSession(c, name, storeTokens{st}, clk), nil
}

// runPair pairs the till with a Smart POS whose integration protection is
// on: /v2/register, a person presses «Allow» on the POS, the tokens go
// into the data file. No token is ever printed.
func runPair(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "kaspi" {
		return errors.New("usage: kassa pair kaspi --name TILL_NAME [--kaspi-url https://HOST:8080] [--kaspi-ca FILE | --kaspi-insecure]")
	}
	var name string
	c, cfg, closeTill, err := openReal(args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the till's name on the POS: Latin letters, digits, - and _")
	})
	if err != nil {
		return err
	}
	defer closeTill()
	if name != "" {
		cfg.Kaspi.Name = name
	}
	if !validTillName(cfg.Kaspi.Name) {
		fmt.Fprintln(out, c.T("pair.need_name"))
		return errOutcome
	}
	if !cfg.Kaspi.secured() {
		fmt.Fprintln(out, c.T("pair.need_https"))
		return errOutcome
	}
	_, session, err := kaspiClient(cfg.Kaspi, c.Store, c.Clock)
	if err != nil {
		return err
	}
	if cfg.Kaspi.Insecure {
		fmt.Fprintln(out, c.T("app.insecure_long"))
	}
	fmt.Fprintln(out, c.T("pair.press_allow", cfg.Kaspi.URL, cfg.Kaspi.Name))
	tokens, err := session.Pair(context.Background())
	if err != nil {
		if strings.Contains(err.Error(), "105") {
			fmt.Fprintln(out, c.T("pair.already", cfg.Kaspi.Name))
		}
		fmt.Fprintln(out, c.T("pair.failed", sale.ErrorText(c, err)))
		return errOutcome
	}
	if err := c.Store.PutSetting(pairedName, cfg.Kaspi.Name); err != nil {
		return err
	}
	fmt.Fprintln(out, c.T("pair.paired", c.Store.Path(), tokens.Expires.Format(time.DateTime)))
	return nil
}

// openReal opens the real data file (never the demo one) for commands
// that set the till up.
func openReal(args []string, extra ...func(*flag.FlagSet)) (*common.Common, Config, func(), error) {
	c, cfg, closeTill, err := openTill(args, false, extra...)
	if err != nil {
		return nil, cfg, nil, err
	}
	if c.Demo {
		closeTill()
		return nil, cfg, nil, errors.New("give the Smart POS address with --kaspi-url (or in the config file)")
	}
	return c, cfg, closeTill, nil
}

// validTillName follows the POS's rule for names: Latin letters, digits,
// '-' and '_', at most 30.
func validTillName(s string) bool {
	if s == "" || len(s) > 30 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// writeCA writes the simulator's CA for a till to trust.
func writeCA(path string, pem []byte) error { return os.WriteFile(path, pem, 0o644) }

// terminal is the Smart POS as the settings screen sees it. Its methods
// run in the screen's commands, so mu guards what pairing changes.
type terminal struct {
	mu      sync.Mutex
	cfg     KaspiConfig
	client  *kaspi.Client
	session *kaspi.Session
	store   *store.Store
}

func (t *terminal) Connection() common.Connection {
	t.mu.Lock()
	defer t.mu.Unlock()
	conn := common.Connection{URL: t.cfg.URL, Secured: t.cfg.secured(), Insecure: t.cfg.Insecure, Name: t.cfg.Name}
	if t.session != nil {
		if conn.Name == "" {
			_, _ = t.store.Setting(pairedName, &conn.Name)
		}
		conn.Expires, _ = t.session.Expires()
	}
	return conn
}

func (t *terminal) Test(ctx context.Context) (common.TerminalInfo, error) {
	d, err := t.client.DeviceInfo(ctx)
	return common.TerminalInfo{TerminalID: d.TerminalID, SerialNum: d.SerialNum, PosNum: d.PosNum}, err
}

func (t *terminal) Pair(ctx context.Context, name string) (time.Time, error) {
	if !validTillName(name) {
		return time.Time{}, &providers.Error{Kind: providers.ErrInvalid, Text: name}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	session := kaspi.NewSession(t.client, name, storeTokens{t.store}, clock.Real{})
	tokens, err := session.Pair(ctx)
	if err != nil {
		return time.Time{}, err
	}
	t.session, t.cfg.Name = session, name
	return tokens.Expires, t.store.PutSetting(pairedName, name)
}
