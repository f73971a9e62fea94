package providers

import (
	"errors"
	"fmt"
)

// ErrorKind sorts provider errors by what the till should do about them.
// The UI turns each kind into a sentence from the locale catalog; the
// provider's own code and text are shown beside it.
type ErrorKind string

const (
	// ErrBusy: the terminal is still running another operation (Kaspi 107).
	ErrBusy ErrorKind = "busy"
	// ErrBlocked: payments are blocked for this merchant or terminal.
	ErrBlocked ErrorKind = "blocked"
	// ErrInvalid: the request was refused as invalid (a parameter, an amount).
	ErrInvalid ErrorKind = "invalid"
	// ErrLimit: the amount is outside what the provider accepts.
	ErrLimit ErrorKind = "limit"
	// ErrAuth: authorization failed; pairing or keys must be fixed.
	ErrAuth ErrorKind = "auth"
	// ErrExpired: the session or token expired and must be refreshed.
	ErrExpired ErrorKind = "expired"
	// ErrNotFound: the provider does not know the operation (any more).
	ErrNotFound ErrorKind = "not_found"
	// ErrNotResolvable: the operation cannot be resolved (already final, or
	// a method the provider cannot resolve).
	ErrNotResolvable ErrorKind = "not_resolvable"
	// ErrNoInternet: the terminal or provider lost its own connection.
	ErrNoInternet ErrorKind = "no_internet"
	// ErrUnreachable: the till could not connect; the request was not sent.
	ErrUnreachable ErrorKind = "unreachable"
	// ErrNoAnswer: the request was sent but no answer came in time; it may
	// have been carried out.
	ErrNoAnswer ErrorKind = "no_answer"
	// ErrDropped: the request was sent and the connection was closed or
	// reset before the answer: not a slow provider but a broken link (or a
	// crashed server). It may have been carried out.
	ErrDropped ErrorKind = "dropped"
	// ErrRedirected: what answers at the provider's address sent the till
	// elsewhere (HTTP 3xx). The till never follows: the address is wrong or
	// something on the network is in the way. Nothing was carried out.
	ErrRedirected ErrorKind = "redirected"
	// ErrMalformed: an answer came that could not be read.
	ErrMalformed ErrorKind = "malformed"
	// ErrRateLimited: too many requests; try again later.
	ErrRateLimited ErrorKind = "rate_limited"
	// ErrProvider: the provider failed on its side.
	ErrProvider ErrorKind = "provider"
	// ErrUnsupported: the provider does not offer this operation.
	ErrUnsupported ErrorKind = "unsupported"
)

// Error is a provider failure with enough detail to explain it and to
// decide whether the request may have been carried out.
type Error struct {
	Kind       ErrorKind
	HTTPStatus int    // 0 when no HTTP answer came
	Code       string // the provider's own code, e.g. "107"
	Text       string // the provider's own text, shown to the cashier as is
	Err        error  // underlying cause, for logs
}

func (e *Error) Error() string {
	s := string(e.Kind)
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.HTTPStatus)
	}
	if e.Code != "" {
		s += " code " + e.Code
	}
	if e.Text != "" {
		s += ": " + e.Text
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of a provider error, or "" for other errors.
func KindOf(err error) ErrorKind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return ""
}

// MaybeSent reports whether a failed request may still have been carried
// out by the provider. Only an answer that says it was refused, or a
// connection that never opened, proves it was not.
func MaybeSent(err error) bool {
	if err == nil {
		return true
	}
	switch KindOf(err) {
	case ErrNoAnswer, ErrDropped, ErrMalformed, "":
		return true
	}
	return false
}

// ErrorKinds lists every kind, so each can be given a sentence.
var ErrorKinds = []ErrorKind{
	ErrBusy, ErrBlocked, ErrInvalid, ErrLimit, ErrAuth, ErrExpired, ErrNotFound, ErrNotResolvable,
	ErrNoInternet, ErrUnreachable, ErrNoAnswer, ErrDropped, ErrRedirected, ErrMalformed, ErrRateLimited, ErrProvider, ErrUnsupported,
}
