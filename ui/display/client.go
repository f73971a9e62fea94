package display

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Stream is the till's /display stream, read a State at a time.
type Stream struct {
	body io.ReadCloser
	dec  *json.Decoder
}

// NewStream reads States from r, one JSON object a line.
func NewStream(r io.ReadCloser) *Stream { return &Stream{body: r, dec: json.NewDecoder(r)} }

// Next is the next State; an error when the till went away.
func (s *Stream) Next() (State, error) {
	var st State
	err := s.dec.Decode(&st)
	return st, err
}

// Close ends the stream.
func (s *Stream) Close() error { return s.body.Close() }

// RefusedError is the till's answer to a display it does not let in: a
// process of another user.
type RefusedError struct{ Status, Text string }

func (e *RefusedError) Error() string {
	return fmt.Sprintf("the till answered %s: %s", e.Status, e.Text)
}

// Connect opens a display's stream.
type Connect func(ctx context.Context) (*Stream, error)

// Socket connects to the till that answers on the unix socket at path.
func Socket(path string) Connect {
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			d := net.Dialer{Timeout: time.Second}
			return d.DialContext(ctx, "unix", path)
		},
		// A till that takes the connection and says nothing is as good
		// as none; once it answered, the stream has no end in time.
		ResponseHeaderTimeout: 3 * time.Second,
		DisableCompression:    true,
	}}
	return func(ctx context.Context) (*Stream, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://till/display", nil)
		if err != nil {
			return nil, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			text, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
			resp.Body.Close()
			err := &RefusedError{Status: resp.Status, Text: strings.TrimSpace(string(text))}
			if resp.StatusCode == http.StatusForbidden {
				return nil, err
			}
			return nil, errors.New(err.Error()) // an older till, without a display
		}
		return NewStream(resp.Body), nil
	}
}
