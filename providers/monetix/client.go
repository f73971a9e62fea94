package monetix

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
	// DefaultURL is the production Gate (SPEC §4, public clients).
	DefaultURL = "https://api.trxhost.com"
	// DefaultCallTimeout bounds one request to the Gate, over the internet.
	DefaultCallTimeout = 30 * time.Second
)

// Secret is the project's secret key: never shown, logged or encoded
// (it reads "[hidden]"); string(s) is its value. It is the same type as
// UzQR's API key, so the key store and the config treat both alike.
type Secret = uzqr.Secret

// Client makes signed requests to one Monetix project at the Gate.
type Client struct {
	// BaseURL is the Gate's address [DefaultURL].
	BaseURL string
	// HTTP sends the requests; nil means a client with a short dial
	// timeout. Redirects are never followed, whatever it says: a 3xx is an
	// error.
	HTTP      *http.Client
	ProjectID int64
	Secret    Secret
	// CallbackURL, when set, is sent as general.merchant_callback_url;
	// otherwise the Gate calls the URL set in the project.
	CallbackURL string
	// CallTimeout bounds each call [DefaultCallTimeout].
	CallTimeout time.Duration
}

// String names the Gate and project, never the key.
func (c *Client) String() string {
	addr := c.baseURL()
	if u, err := url.Parse(addr); err == nil {
		addr = u.Redacted()
	}
	return fmt.Sprintf("monetix gate %s project %d", addr, c.ProjectID)
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
	return providers.PostJSON(ctx, c.httpClient(), c.baseURL(), path, body, timeout, "the Gate's")
}
