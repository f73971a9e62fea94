// Package fakeprinter is a network receipt printer on loopback for tests: it
// takes raw jobs on a TCP port the way a printer's port 9100 does, answers
// the ESC/POS real-time status query (DLE EOT n) as an Epson printer would,
// and can be out of paper, have its cover open, be mute to status queries,
// never read, or reset the connection in the middle of a job.
package fakeprinter

import (
	"bufio"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Paper is what the paper roll sensors see.
type Paper int

const (
	PaperOK Paper = iota
	PaperNearEnd
	PaperOut
)

// Config is how the printer behaves; it can be changed while it runs
// (SetConfig), and each connection follows the config it opened under.
type Config struct {
	Paper     Paper
	CoverOpen bool
	Fault     bool // an error (a jam, the cutter)
	Offline   bool // offline for no reason it names
	// Mute: the printer has no status: it never answers DLE EOT (and
	// still takes the bytes).
	Mute bool
	// Stall: connections are accepted and then never read or answered.
	Stall bool
	// ResetAfter > 0: the printer reads that many bytes of the job after
	// the status queries, then resets the connection (as one that loses
	// power or crashes).
	ResetAfter int
}

// Session is one connection: the status queries that opened it (the n of
// each DLE EOT n, answered or not) and the bytes after them.
type Session struct {
	Queries []byte
	Data    []byte
}

// Printer is a running fake printer.
type Printer struct {
	ln net.Listener

	mu       sync.Mutex
	cfg      Config
	sessions []Session
	accepted int
	conns    map[net.Conn]struct{}
	closed   bool
	done     chan struct{} // closed by Close
	recorded chan struct{} // closed and replaced at each session's end

	wg sync.WaitGroup
}

// Start starts a printer on 127.0.0.1 with cfg; it stops when the test
// ends.
func Start(t testing.TB, cfg Config) *Printer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fakeprinter: %v", err)
	}
	p := &Printer{ln: ln, cfg: cfg, conns: map[net.Conn]struct{}{}, done: make(chan struct{}), recorded: make(chan struct{})}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.Close)
	return p
}

// ClosedAddr is a loopback address where nothing listens: connections to it
// are refused.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fakeprinter: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Addr is host:port.
func (p *Printer) Addr() string { return p.ln.Addr().String() }

// Spec is the printer as --printer takes it: tcp://host:port.
func (p *Printer) Spec() string { return "tcp://" + p.Addr() }

// SetConfig changes how the printer behaves from the next connection on.
func (p *Printer) SetConfig(cfg Config) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg = cfg
}

// Sessions are the connections that have ended, in the order they ended.
func (p *Printer) Sessions() []Session {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Session(nil), p.sessions...)
}

// Jobs are the bytes of the sessions that carried a job (anything beyond
// status queries), each once, in order: what would have come out on paper.
func (p *Printer) Jobs() [][]byte {
	var jobs [][]byte
	for _, s := range p.Sessions() {
		if len(s.Data) > 0 {
			jobs = append(jobs, s.Data)
		}
	}
	return jobs
}

// Accepted is the number of connections accepted so far.
func (p *Printer) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Close unplugs the printer: it stops listening (connections are refused
// from now on) and drops the connections it has. It waits for them to end.
func (p *Printer) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.done)
		p.ln.Close()
		for c := range p.conns {
			c.Close()
		}
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Printer) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.accepted++
		p.conns[c] = struct{}{}
		cfg := p.cfg
		p.wg.Add(1)
		p.mu.Unlock()
		go func() {
			defer p.wg.Done()
			p.session(c.(*net.TCPConn), cfg)
			p.mu.Lock()
			delete(p.conns, c)
			p.mu.Unlock()
			c.Close()
		}()
	}
}

// session serves one connection: status queries first, answered as they
// come, then the job until the host closes its side. The session is
// recorded before the connection is closed, so a host that waits for the
// printer to close finds it recorded.
func (p *Printer) session(c *net.TCPConn, cfg Config) {
	if cfg.Stall {
		// Hold the connection, reading nothing, until Close; a small
		// buffer makes a big job fill it soon.
		c.SetReadBuffer(4096)
		<-p.done
		return
	}
	var s Session
	r := bufio.NewReader(c)
	for {
		b, _ := r.Peek(3)
		if len(b) < 3 || b[0] != 0x10 || b[1] != 0x04 || b[2] < 1 || b[2] > 4 {
			break
		}
		r.Discard(3)
		s.Queries = append(s.Queries, b[2])
		if !cfg.Mute {
			if _, err := c.Write([]byte{cfg.status(b[2])}); err != nil {
				p.record(s)
				return
			}
		}
	}
	if cfg.ResetAfter > 0 {
		s.Data = make([]byte, cfg.ResetAfter)
		n, _ := io.ReadFull(r, s.Data)
		s.Data = s.Data[:n]
		p.record(s)
		c.SetLinger(0) // close with RST
		return
	}
	s.Data, _ = io.ReadAll(r)
	p.record(s)
}

func (p *Printer) record(s Session) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sessions = append(p.sessions, s)
	close(p.recorded)
	p.recorded = make(chan struct{})
}

// WaitSessions waits until n connections have ended and returns their
// sessions; it fails the test if that takes more than five seconds. A
// host that does not wait for the printer to close (one that refused to
// print, say) may return before the printer has seen its side close.
func (p *Printer) WaitSessions(t testing.TB, n int) []Session {
	t.Helper()
	timeout := time.NewTimer(5 * time.Second)
	defer timeout.Stop()
	for {
		p.mu.Lock()
		got, ch := len(p.sessions), p.recorded
		p.mu.Unlock()
		if got >= n {
			return p.Sessions()
		}
		select {
		case <-ch:
		case <-timeout.C:
			t.Fatalf("fakeprinter: %d sessions ended, want %d", got, n)
		}
	}
}

// status is the printer's answer to DLE EOT n, per Epson's ESC/POS
// reference: bits 1 and 4 always on, 0 and 7 always off.
func (cfg Config) status(n byte) byte {
	const fixed = 0x12
	out := cfg.Paper == PaperOut
	b := byte(fixed)
	switch n {
	case 1: // printer: bit 3 offline
		if cfg.Offline || cfg.CoverOpen || cfg.Fault || out {
			b |= 0x08
		}
	case 2: // offline cause: bit 2 cover open, bit 5 stopped at paper end, bit 6 error
		if cfg.CoverOpen {
			b |= 0x04
		}
		if out {
			b |= 0x20
		}
		if cfg.Fault {
			b |= 0x40
		}
	case 4: // paper roll sensor: bits 2-3 near end, bits 5-6 paper end
		if cfg.Paper != PaperOK {
			b |= 0x0c
		}
		if out {
			b |= 0x60
		}
	}
	return b
}
