package monetix_test

import (
	"io"
	"net/http"
	"sync"
)

// syncHandler is a handler set after its server started.
type syncHandler struct {
	mu sync.Mutex
	h  http.Handler
}

func (s *syncHandler) set(h http.Handler) {
	s.mu.Lock()
	s.h = h
	s.mu.Unlock()
}

func (s *syncHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.h
	s.mu.Unlock()
	if h == nil {
		http.Error(w, "not yet", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
