package octo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/uzqr"
)

const (
	// DefaultURL is OCTO's production host (SPEC §5).
	DefaultURL = "https://secure.octo.uz"
	// DefaultCallTimeout bounds one request to OCTO, over the internet.
	DefaultCallTimeout = 30 * time.Second

	maxAnswer = 1 << 20
)

// Secret is octo_secret (and the notification key): never shown, logged
// or encoded; string(s) is its value. The same type as UzQR's API key,
// so the key store treats all alike.
type Secret = uzqr.Secret

// Client makes requests to OCTO for one shop.
type Client struct {
	// BaseURL is OCTO's address [DefaultURL].
	BaseURL string
	// HTTP sends the requests; nil means a client with a short dial
	// timeout. Redirects are never followed: a 3xx is an error.
	HTTP   *http.Client
	ShopID int64
	Secret Secret
	// CallTimeout bounds each call [DefaultCallTimeout].
	CallTimeout time.Duration
}

// String names the host and shop, never the secret.
func (c *Client) String() string {
	addr := c.baseURL()
	if u, err := url.Parse(addr); err == nil {
		addr = u.Redacted()
	}
	return fmt.Sprintf("octo %s shop %d", addr, c.ShopID)
}

func (c *Client) baseURL() string {
	if c.BaseURL == "" {
		return DefaultURL
	}
	return c.BaseURL
}

// No proxy from the environment: the secret goes to OCTO alone.
var defaultHTTP = &http.Client{Transport: &http.Transport{
	DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:   10 * time.Second,
	ResponseHeaderTimeout: DefaultCallTimeout,
	MaxIdleConnsPerHost:   4,
	IdleConnTimeout:       90 * time.Second,
}}

func (c *Client) httpClient() *http.Client {
	base := c.HTTP
	if base == nil {
		base = defaultHTTP
	}
	return providers.NoRedirects(base)
}

// response is an HTTP answer: whatever its status, the wire decides.
type response struct {
	status   int
	location string
	body     []byte
}

// post sends body to path and reads the answer, sorting what can go wrong
// on the way into "never sent" (ErrUnreachable) and "sent, outcome
// unknown" (providers.AfterSent). The body carries the secret: nothing of
// it reaches an error.
func (c *Client) post(ctx context.Context, path string, body []byte) (response, error) {
	call := "POST " + path
	if err := ctx.Err(); err != nil {
		return response{}, &providers.Error{Kind: providers.ErrUnreachable, Err: fmt.Errorf("%s not sent: %w", call, err)}
	}
	u, err := url.Parse(strings.TrimRight(c.baseURL(), "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return response{}, &providers.Error{Kind: providers.ErrUnreachable,
			Err: fmt.Errorf("OCTO's address %q is not http(s)://host", c.baseURL())}
	}
	u.Path = strings.TrimRight(u.Path, "/") + path
	timeout := c.CallTimeout
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return response{}, &providers.Error{Kind: providers.ErrUnreachable, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text carries the whole URL
		}
		err = fmt.Errorf("%s: %w", call, err)
		if !connected.Load() {
			return response{}, &providers.Error{Kind: providers.ErrUnreachable, Err: err}
		}
		return response{}, &providers.Error{Kind: providers.AfterSent(err), Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return response{}, &providers.Error{Kind: providers.AfterSent(err), HTTPStatus: resp.StatusCode,
			Err: fmt.Errorf("%s: answer cut off: %w", call, err)}
	}
	if len(b) > maxAnswer {
		return response{}, &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: resp.StatusCode,
			Err: fmt.Errorf("%s: answer over %d bytes", call, maxAnswer)}
	}
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: b}, nil
}
