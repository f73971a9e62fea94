package octo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/uzqr"
)

const (
	// DefaultURL is OCTO's production host (SPEC §5).
	DefaultURL = "https://secure.octo.uz"
	// DefaultCallTimeout bounds one request to OCTO, over the internet.
	DefaultCallTimeout = 30 * time.Second
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

var defaultHTTP = providers.DirectHTTP(DefaultCallTimeout)

func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return defaultHTTP
	}
	return c.HTTP
}

// response is an HTTP answer: whatever its status, the wire decides.
type response = providers.Answer

// post sends body to path: see providers.PostJSON.
func (c *Client) post(ctx context.Context, path string, body []byte) (response, error) {
	timeout := c.CallTimeout
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	return providers.PostJSON(ctx, c.httpClient(), c.baseURL(), path, body, timeout, "OCTO's")
}
