package sim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// pairing is a till registered with the POS's secured API.
type pairing struct {
	name    string
	access  string
	refresh string
	issued  time.Time
}

func (s *Sim) newToken() string {
	return fmt.Sprintf("%016x%016x", s.rnd.Uint64(), s.rnd.Uint64())
}

// issue gives a pairing fresh tokens; the old access token dies at once.
func (s *Sim) issue(p *pairing, now time.Time) reply {
	p.access, p.refresh, p.issued = s.newToken(), s.newToken(), now
	expires := s.clk.Add(now, s.o.TokenLifetime)
	return okReply(obj{
		{"accessToken", p.access},
		{"expirationDate", expires.In(s.o.Location).Format(s.o.ExpirationLayout)},
		{"refreshToken", p.refresh},
	})
}

func registerError(msg string) reply {
	return errMsgReply(http.StatusOK, 105, txtService, msg)
}

// register waits, on the sim's clock, for the scripted «Allow» or «Deny».
func (s *Sim) register(ctx context.Context, q url.Values) reply {
	name, rep, ok := strParam(q, "name")
	if !ok {
		return rep
	}
	s.mu.Lock()
	switch {
	case s.registering:
		s.mu.Unlock()
		return registerError("Register Error. Last register request not completed")
	case s.pairs[name] != nil:
		s.mu.Unlock()
		return registerError("Register Error. Name is already registered")
	}
	s.registering = true
	wait, deny, window := s.o.RegisterAfter, s.o.RegisterDeny, s.o.RegisterWindow
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.registering = false
		s.mu.Unlock()
	}()

	if wait > 0 {
		select {
		case <-s.clk.After(min(wait, window)):
		case <-ctx.Done():
			return reply{}
		}
	}
	switch {
	case wait >= window:
		return registerError("Register Error. Timeout")
	case deny:
		return registerError("Register Error. Access denied")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &pairing{name: name}
	s.pairs[name] = p
	return s.issue(p, s.clk.Now())
}

// revoke exchanges a refresh token for new tokens. s.mu is held.
func (s *Sim) revoke(q url.Values, header string, now time.Time) reply {
	name, rep, ok := strParam(q, "name")
	if !ok {
		return rep
	}
	refresh, rep, ok := strParam(q, "refreshToken")
	if !ok {
		return rep
	}
	p := s.pairs[name]
	if p == nil || p.refresh != refresh {
		return registerError("Revoke Error. Wrong refresh token")
	}
	if s.o.RequireToken && header != p.access {
		return errReply(http.StatusUnauthorized, 999, txtAuth)
	}
	return s.issue(p, now)
}

// checkToken enforces the secured API when RequireToken is set. Revoke
// takes an expired token: that is what it is for. s.mu is held.
func (s *Sim) checkToken(r *http.Request, path string, now time.Time) (reply, bool) {
	if !s.o.RequireToken {
		return reply{}, true
	}
	tok := r.Header.Get("accesstoken")
	var p *pairing
	for _, c := range s.pairs {
		if tok != "" && c.access == tok {
			p = c
		}
	}
	if p == nil {
		return errReply(http.StatusUnauthorized, 999, txtAuth), false
	}
	if path != "/v2/revoke" && s.clk.Sub(now, p.issued) >= s.o.TokenLifetime {
		return errReply(http.StatusForbidden, 999, txtSession), false
	}
	return reply{}, true
}
