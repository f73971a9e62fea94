package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// checkTimeout bounds the connection test: the POS is on the LAN.
const checkTimeout = 20 * time.Second

// runPair pairs the till with a Smart POS whose integration protection is
// on: /v2/register, a person presses «Allow» on the POS, the tokens go
// into the data file. No token is ever printed.
func runPair(args []string, in io.Reader, out io.Writer) error {
	if len(args) == 0 || args[0] != "kaspi" {
		return whichCommand("kassa pair", args, os.Stderr)
	}
	var name string
	var w who
	su, err := openSetup(args[1:], out, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "flag.pair.name NAME")
		bindWho(fs, &w, true)
	})
	if err != nil {
		return err
	}
	defer su.close()
	c, k := su.c, su.cfg.Kaspi
	// Pairing gives the till new tokens: a key, as kassa key is.
	need := func(by store.Person) bool { return su.cfg.Approval.Needs(store.ActionKeys, by) }
	a, err := authorize(c.Store, c.Cat, w, newPINReader(in, out, c.Cat), store.ActionKeys, need, time.Now())
	if err != nil {
		return err
	}
	if name == "" {
		name = k.Name
	}
	if !validTillName(name) {
		fmt.Fprintln(out, c.T("pair.need_name"))
		return errUsageSaid
	}
	if !k.secured() {
		fmt.Fprintln(out, c.T("pair.need_https"))
		return errUsageSaid
	}
	fmt.Fprintln(out, c.T("pair.press_allow", k.URL, name))
	tokens, err := su.session.PairAs(context.Background(), name)
	if err != nil {
		if hint := pairHint(c, err, name); hint != "" {
			fmt.Fprintln(out, hint)
		}
		fmt.Fprintln(out, c.T("pair.failed", failureText(c, err, k)))
		return errOutcome
	}
	e := store.AuditEntry{At: time.Now(), Kind: store.AuditPair, Who: a.by.Name, Approver: a.approver.Name, Detail: name}
	if err := c.Store.PutSetting(pairedName, name); err != nil {
		return err
	}
	if err := c.Store.Audit(e); err != nil {
		return err
	}
	fmt.Fprintln(out, c.T("pair.paired", c.Store.Path(), expiresText(c, tokens.Expires)))
	return nil
}

// runCheck is the connection test from the command line: /v2/deviceinfo,
// through the same TLS trust and tokens the till uses.
func runCheck(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "kaspi" {
		return whichCommand("kassa check", args, os.Stderr)
	}
	su, err := openSetup(args[1:], out)
	if err != nil {
		return err
	}
	defer su.close()
	c, k := su.c, su.cfg.Kaspi
	fmt.Fprintln(out, c.T("pair.check_asking", k.URL))
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	d, err := su.client.DeviceInfo(ctx)
	if errors.Is(err, kaspi.ErrNotPaired) {
		fmt.Fprintln(out, c.T("pair.not_paired"))
		return errOutcome
	}
	if err != nil {
		fmt.Fprintln(out, c.T("pair.check_failed", failureText(c, err, k)))
		return errOutcome
	}
	fmt.Fprintln(out, c.T("pair.check_ok", d.TerminalID, d.SerialNum, d.PosNum))
	if su.session != nil {
		exp, _ := su.session.Expires()
		fmt.Fprintln(out, c.T("pair.check_paired", su.session.Name(), expiresText(c, exp)))
	}
	return nil
}

// setup is what pair and check run on: the config, the catalog, the real
// data file (never the demo one) and the Smart POS client.
type setup struct {
	c       *common.Common
	cfg     Config
	client  *kaspi.Client
	session *kaspi.Session // nil over plain HTTP
	close   func()
}

// openSetup opens what pair and check need. Mistakes a user can fix are
// printed from the catalog and reported as errOutcome.
func openSetup(args []string, out io.Writer, extra ...func(*flag.FlagSet)) (*setup, error) {
	cfg, _, err := loadConfig("kassa", args, extra...)
	if err != nil {
		return nil, err
	}
	cat, err := locale.Load(cfg.Lang)
	if err != nil {
		return nil, err
	}
	c := &common.Common{Cat: cat, Clock: clock.Real{}, Lang: cfg.Lang}
	k := cfg.Kaspi
	if k.URL == "" {
		fmt.Fprintln(out, c.T("pair.need_url"))
		return nil, errUsageSaid
	}
	if k.CA != "" {
		if _, err := kaspi.NewHTTPClient(kaspi.TLSOptions{CAFile: k.CA}); err != nil {
			fmt.Fprintln(out, c.T("pair.ca_file", k.CA))
			return nil, errUsageSaid
		}
	}
	st, err := openDataFile(cfg.dataFile(), cat)
	if err != nil {
		return nil, err
	}
	c.Store = st
	// The address set on the settings screen wins here as in the till.
	saved, err := savedAddress(st)
	if err != nil {
		st.Close()
		return nil, err
	}
	if saved != "" {
		k.URL, cfg.Kaspi.URL = saved, saved
	}
	client, session, err := kaspiClient(k, st, c.Clock)
	if err != nil {
		st.Close()
		return nil, err
	}
	if k.secured() && k.Insecure {
		fmt.Fprintln(out, c.T("app.insecure_long"))
	}
	return &setup{c: c, cfg: cfg, client: client, session: session, close: func() { st.Close() }}, nil
}

// pairHint explains a 105 from /v2/register by the POS's message. The
// seed names only "Last register request not completed"; a name already
// paired is the other common cause (SPEC §2), and other texts get the
// advice that fits both.
func pairHint(c *common.Common, err error, name string) string {
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Code != "105" {
		return ""
	}
	t := strings.ToLower(pe.Text)
	switch {
	case strings.Contains(t, "not completed"):
		return c.T("pair.pending")
	case strings.Contains(t, "denied"):
		return c.T("pair.denied")
	case strings.Contains(t, "timeout"), strings.Contains(t, "time out"):
		return c.T("pair.timeout")
	case strings.Contains(t, "already"), strings.Contains(t, "exist"):
		return c.T("pair.already", name)
	}
	return c.T("pair.refused", name)
}

// failureText says why a call failed: for a certificate the till refused,
// which flag fixes it (the generic text would blame the network).
func failureText(c *common.Common, err error, k KaspiConfig) string {
	if hint := tlsHint(c, err, k); hint != "" {
		return hint
	}
	return c.ErrorText(err)
}

// tlsHint explains a certificate the till refused: which flag fixes it.
func tlsHint(c *common.Common, err error, k KaspiConfig) string {
	var cv *tls.CertificateVerificationError
	if !errors.As(err, &cv) {
		return ""
	}
	var hn x509.HostnameError
	if errors.As(cv.Err, &hn) && hn.Certificate != nil {
		host := k.ServerName
		if host == "" {
			if u, err := url.Parse(k.URL); err == nil {
				host = u.Hostname()
			}
		}
		return c.T("pair.tls_name", host, strings.Join(hn.Certificate.DNSNames, ", "))
	}
	return c.T("pair.tls_ca")
}

// expiresText shows a token's expiry, or says the POS's date was unreadable.
func expiresText(c *common.Common, t time.Time) string {
	if t.IsZero() {
		return c.T("pair.expires_unknown")
	}
	return t.Format(time.DateTime)
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
