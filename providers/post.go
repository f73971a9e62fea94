package providers

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
)

// maxAnswer bounds an answer read whole: a provider's answers are a few
// kilobytes.
const maxAnswer = 1 << 20

// Answer is an HTTP answer read whole; whatever its status, the
// provider's wire decides what it means.
type Answer struct {
	Status   int
	Location string
	Body     []byte
}

// DirectHTTP is a client for a provider over the internet: short dial and
// handshake timeouts, answers' headers within headerTimeout, and no proxy
// from the environment (the bodies carry secrets meant for the provider
// alone). PostJSON never follows its redirects.
func DirectHTTP(headerTimeout time.Duration) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: headerTimeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}}
}

// PostJSON posts body to base+path with hc (redirects never followed)
// within timeout, and reads the answer whole, sorting what goes wrong on
// the way into "never sent" (ErrUnreachable: no connection was made) and
// "sent, outcome unknown" (AfterSent). who names the provider in the
// error for an address that is not http(s)://host. The body may carry a
// secret: nothing of it reaches an error.
func PostJSON(ctx context.Context, hc *http.Client, base, path string, body []byte, timeout time.Duration, who string) (Answer, error) {
	call := "POST " + path
	if err := ctx.Err(); err != nil {
		return Answer{}, &Error{Kind: ErrUnreachable, Err: fmt.Errorf("%s not sent: %w", call, err)}
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return Answer{}, &Error{Kind: ErrUnreachable, Err: fmt.Errorf("%s address %q is not http(s)://host", who, base)}
	}
	u.Path = strings.TrimRight(u.Path, "/") + path
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return Answer{}, &Error{Kind: ErrUnreachable, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := NoRedirects(hc).Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text carries the whole URL
		}
		err = fmt.Errorf("%s: %w", call, err)
		if !connected.Load() {
			return Answer{}, &Error{Kind: ErrUnreachable, Err: err}
		}
		return Answer{}, &Error{Kind: AfterSent(err), Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return Answer{}, &Error{Kind: AfterSent(err), HTTPStatus: resp.StatusCode,
			Err: fmt.Errorf("%s: answer cut off: %w", call, err)}
	}
	if len(b) > maxAnswer {
		return Answer{}, &Error{Kind: ErrMalformed, HTTPStatus: resp.StatusCode,
			Err: fmt.Errorf("%s: answer over %d bytes", call, maxAnswer)}
	}
	return Answer{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: b}, nil
}
