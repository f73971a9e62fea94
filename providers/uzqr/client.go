package uzqr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kassa-till/kassa/providers"
)

const (
	// DefaultCallTimeout bounds a call that is answered at once: the box
	// is on the shop's LAN, and UzQR answers it within seconds.
	DefaultCallTimeout = 15 * time.Second
	// MinStatusTimeout is the least a status call may be given: the box
	// may hold one for 2 minutes until the status is final, and the answer
	// must still have time to come back.
	MinStatusTimeout = 150 * time.Second

	maxBody = 1 << 20
)

// Secret is a value that is never shown: formatted with any verb, logged
// with log/slog, or encoded as JSON or text (a struct holding it written
// to a log), it reads "[hidden]" (empty when unset). Its value is
// string(s): the one place that sends it, and the one that keeps it (the
// data file's secrets, 0600), convert it explicitly. Decoding reads the
// value as it is.
type Secret string

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[hidden]"
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return fmt.Sprintf("uzqr.Secret(%q)", s.String()) }

// Format keeps every verb (%s, %v, %q, %x, %+v of a struct holding it)
// from printing the value.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue keeps log/slog from writing the value, whatever the handler.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText and MarshalJSON keep encoders from writing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Client calls one fiscal box (or gateway) that speaks the one_qr
// contract. The zero value is not usable; set BaseURL.
type Client struct {
	// BaseURL is the box's address, e.g. "http://192.168.1.20:8080".
	BaseURL string
	// HTTP sends the requests; nil means a client with a short dial
	// timeout. Whatever it says, redirects are never followed: the
	// headers below go to BaseURL's host and nowhere else.
	HTTP *http.Client
	// INN and APIKey, when set, are sent as X-Inn and X-Api-Key on every
	// call, for a gateway that wants the merchant's credentials (a box
	// holds them itself).
	INN    string
	APIKey Secret
	// CallTimeout bounds each call but status calls, StatusTimeout those:
	// zero means DefaultCallTimeout and MinStatusTimeout.
	CallTimeout   time.Duration
	StatusTimeout time.Duration

	// mu guards APIKey once calls run: a new key may come from the
	// settings screen.
	mu sync.Mutex
}

// SetAPIKey gives the client a new API key for the calls from now on.
func (c *Client) SetAPIKey(key Secret) {
	c.mu.Lock()
	c.APIKey = key
	c.mu.Unlock()
}

func (c *Client) apiKey() Secret {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.APIKey
}

// NewClient returns a client for the box at baseURL. httpClient may be nil.
func NewClient(baseURL string, httpClient *http.Client) *Client {
	return &Client{BaseURL: baseURL, HTTP: httpClient}
}

// String names the box, never the key.
func (c *Client) String() string {
	addr := c.BaseURL
	if u, err := url.Parse(c.BaseURL); err == nil {
		addr = u.Redacted()
	}
	s := "uzqr box " + addr
	if c.INN != "" {
		s += " INN " + c.INN
	}
	if c.apiKey() != "" {
		s += " with an API key"
	}
	return s
}

// defaultHTTP dials with a short timeout: a box on the LAN that does not
// accept within seconds is off, and a dial failure proves nothing was
// sent. No response header timeout: status calls are held up to 2 min.
// No proxy from the environment either: the key goes to the box alone.
var defaultHTTP = &http.Client{Transport: &http.Transport{
	DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout: 10 * time.Second,
	MaxIdleConnsPerHost: 4,
	IdleConnTimeout:     90 * time.Second,
}}

// httpClient is the configured client with redirects turned off: a 3xx
// comes back as the answer, which the wire refuses to believe.
func (c *Client) httpClient() *http.Client {
	base := c.HTTP
	if base == nil {
		base = defaultHTTP
	}
	return providers.NoRedirects(base)
}

func (c *Client) callTimeout() time.Duration {
	if c.CallTimeout > 0 {
		return c.CallTimeout
	}
	return DefaultCallTimeout
}

func (c *Client) statusTimeout() time.Duration {
	if c.StatusTimeout > 0 {
		return c.StatusTimeout
	}
	return MinStatusTimeout
}

// InvoiceState is where an invoice stands.
type InvoiceState int

const (
	InvoiceInProgress InvoiceState = 1 // not paid yet
	InvoicePaid       InvoiceState = 2
	InvoiceDeclined   InvoiceState = 3 // declined, cancelled or expired: it can no longer be paid
)

// RefundState is where a refund stands.
type RefundState int

const (
	RefundPending RefundState = 1 // accepted, not finished: it may take hours
	RefundDone    RefundState = 2
	RefundFailed  RefundState = 3
)

// Invoice is a created invoice: its id and the QR payload to draw.
type Invoice struct {
	ID     string
	QRText string
}

// Payment is an invoice's status; the payer's details are set when paid.
type Payment struct {
	InvoiceID string
	State     InvoiceState
	PayID     string
	// PayerPhone and CardNo come masked by UzQR; CardType is "1"
	// corporate, "2" personal, "3" social.
	PayerPhone   string
	CardType     string
	CardNo       string
	FiscalModule string
	// Raw is the answer as received.
	Raw json.RawMessage
}

// Refund is a refund's status.
type Refund struct {
	ID    string
	State RefundState
	Raw   json.RawMessage
}

// request is one HTTP request the wire wants made.
type request struct {
	method string
	path   string
	query  url.Values
	body   any // sent as JSON when not nil
	header http.Header
	// status marks a status call: it may be held by the box, so it gets
	// StatusTimeout.
	status bool
}

// response is an HTTP answer: whatever its status, the wire decides.
type response struct {
	status   int
	location string // where a redirect points
	body     []byte
}

// roundTrip makes one request and sorts what can go wrong on the way into
// "never sent" and "sent, outcome unknown". Only a failure to open the
// connection proves the box never saw the request: net/http hands a
// connection to the request (GotConn) before writing a byte of it and,
// over HTTPS, only after the handshake.
func (c *Client) roundTrip(ctx context.Context, r request) (response, error) {
	if err := ctx.Err(); err != nil {
		return response{}, &providers.Error{Kind: providers.ErrUnreachable, Err: fmt.Errorf("not sent: %w", err)}
	}
	u, err := url.Parse(strings.TrimRight(c.BaseURL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return response{}, &providers.Error{Kind: providers.ErrUnreachable,
			Err: fmt.Errorf("the box's address %q is not http(s)://host:port", c.BaseURL)}
	}
	u.Path = strings.TrimRight(u.Path, "/") + r.path
	u.RawQuery = r.query.Encode()

	timeout := c.callTimeout()
	if r.status {
		timeout = c.statusTimeout()
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return response{}, &providers.Error{Kind: providers.ErrInvalid, Err: err}
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return response{}, &providers.Error{Kind: providers.ErrUnreachable, Err: err}
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	call := r.method + " " + r.path
	resp, err := c.httpClient().Do(req)
	if err != nil {
		// url.Error's text carries the full URL; keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		err = fmt.Errorf("%s: %w", call, err)
		if !connected.Load() {
			return response{}, &providers.Error{Kind: providers.ErrUnreachable, Err: err}
		}
		return response{}, &providers.Error{Kind: providers.AfterSent(err), Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return response{}, &providers.Error{Kind: providers.AfterSent(err), HTTPStatus: resp.StatusCode,
			Err: fmt.Errorf("%s: answer cut off: %w", call, err)}
	}
	if len(b) > maxBody {
		return response{}, &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: resp.StatusCode,
			Err: fmt.Errorf("%s: answer over %d bytes", call, maxBody)}
	}
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: b}, nil
}
