package providers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
)

// NoRedirects returns a copy of hc (http.DefaultClient's settings when nil)
// that never follows a redirect: the 3xx comes back as the answer. A
// provider's client sends its credentials (Kaspi's accesstoken, UzQR's
// X-Api-Key) and believes the answer; following a redirect would send them
// to another host, perhaps in clear text, and believe whoever is there.
func NoRedirects(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// Redirected is the error for a 3xx answer. Where it pointed is kept as
// scheme and host only: the path and query may repeat the request's own,
// a refresh token among them.
func Redirected(httpStatus int, location string) *Error {
	where := "nowhere"
	if u, err := url.Parse(location); err == nil && u.Host != "" {
		where = u.Scheme + "://" + u.Host
	} else if location != "" {
		where = "another path"
	}
	return &Error{Kind: ErrRedirected, HTTPStatus: httpStatus,
		Err: fmt.Errorf("HTTP %d redirect to %s, not followed", httpStatus, where)}
}

// AfterSent sorts a round trip that failed once the request was on its
// way: no answer in time (the till's deadline, or the caller gave up) is
// ErrNoAnswer; a connection closed or reset under it is ErrDropped. Both
// may have been carried out; only the words to the cashier differ.
func AfterSent(err error) ErrorKind {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.As(err, &ne) && ne.Timeout() {
		return ErrNoAnswer
	}
	return ErrDropped
}
