package kaspi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/kaspi"
)

// A POS address that answers every call with a redirect (HTTPS to plain
// HTTP on another port) gets nothing followed: the other server hears no
// request at all, so neither the accesstoken header nor the refresh token
// in revoke's query reaches it, and every call fails as redirected, which
// says nothing was started. The given HTTP client follows redirects by
// itself; the Kaspi client must not let it.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	const token, refresh = "99af370951a7b154a4ebd0c554d7eb24", "d4a853dd320d179fde3271901c116bec"
	var heard atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		heard.Add(1)
		w.Write([]byte(`{"statusCode":0,"data":{"processId":"1","status":"wait","serialNum":"1","accessToken":"a","refreshToken":"b","expirationDate":"2099-01-01 00:00:00"}}`))
	}))
	defer other.Close()
	pos := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The whole request URI goes along, as an http-to-https rule's would.
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer pos.Close()

	c := kaspi.NewClient(pos.URL, pos.Client()) // pos.Client() follows redirects
	c.Token = func(context.Context) (string, error) { return token, nil }
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"payment":    func() error { _, err := c.Payment(ctx, 1500, true); return err },
		"refund":     func() error { _, err := c.Refund(ctx, providers.MethodQR, 500, "504711333", true); return err },
		"status":     func() error { _, err := c.Status(ctx, "1678090451700"); return err },
		"actualize":  func() error { _, err := c.Actualize(ctx, "1678090451700"); return err },
		"deviceinfo": func() error { _, err := c.DeviceInfo(ctx); return err },
		"register":   func() error { _, err := c.Register(ctx, "Kassa1"); return err },
		"revoke":     func() error { _, err := c.Revoke(ctx, "Kassa1", refresh, token); return err },
	} {
		err := call()
		wantErr(t, err, providers.ErrRedirected, http.StatusFound, "", false)
		if s := err.Error(); strings.Contains(s, refresh) || strings.Contains(s, token) || !strings.Contains(s, other.URL) {
			t.Errorf("%s: error %q: a secret in it, or not saying where it pointed", name, s)
		}
	}
	if n := heard.Load(); n != 0 {
		t.Fatalf("the server redirected to heard %d requests", n)
	}
}
