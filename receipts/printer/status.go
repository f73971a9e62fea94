package printer

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Real-time status, as Epson's ESC/POS reference defines it for DLE EOT n
// ("transmit real-time status"; Bixolon, Sewoo, Xprinter and most clones
// follow it): the host sends 0x10 0x04 n and the printer answers one byte at
// once, even while offline.
const (
	dle = 0x10
	eot = 0x04

	queryPrinter = 1 // printer status
	queryOffline = 2 // offline cause
	queryPaper   = 4 // paper roll sensor

	// Every status byte has bit 1 and bit 4 on and bits 0 and 7 off; a
	// byte that does not is not a status answer (an echo, noise, another
	// dialect) and is not read as one.
	fixedMask = 0x93
	fixedBits = 0x12

	printerOffline = 0x08 // n=1 bit 3: offline

	offlineCover    = 0x04 // n=2 bit 2: cover open
	offlinePaperEnd = 0x20 // n=2 bit 5: printing stopped at paper end
	offlineError    = 0x40 // n=2 bit 6: an error occurred

	paperNearEnd = 0x0c // n=4 bits 2,3: roll near-end sensor, paper near end
	paperEnd     = 0x60 // n=4 bits 5,6: roll end sensor, no paper
)

// Status is what the printer said about itself. A printer that did not
// answer (no back channel, no DLE EOT support, a file) has Known false and
// nothing else set: unknown is not a failure and does not stop printing.
type Status struct {
	Known        bool // the printer answered DLE EOT 1
	Offline      bool // n=1 bit 3
	CoverOpen    bool // n=2 bit 2
	PaperOut     bool // n=2 bit 5, or n=4 bits 5-6
	PaperNearEnd bool // n=4 bits 2-3: still prints; the cashier may be told to change the roll soon
	Fault        bool // n=2 bit 6: a paper jam, the cutter, the head too hot
}

// Refusal is the kind of error with which a job is refused when the printer
// says this before it is sent, or "" when the printer can print (or did not
// say). A paper near its end does not refuse.
func (s Status) Refusal() ErrorKind {
	switch {
	case !s.Known:
		return ""
	case s.PaperOut:
		return ErrPaperOut
	case s.CoverOpen:
		return ErrCoverOpen
	case s.Fault:
		return ErrFault
	case s.Offline:
		return ErrOffline
	}
	return ""
}

func (s Status) String() string {
	if !s.Known {
		return "unknown"
	}
	var parts []string
	for _, f := range []struct {
		on   bool
		name string
	}{
		{s.Offline, "offline"}, {s.CoverOpen, "cover open"}, {s.PaperOut, "paper out"},
		{s.PaperNearEnd, "paper near end"}, {s.Fault, "fault"},
	} {
		if f.on {
			parts = append(parts, f.name)
		}
	}
	if len(parts) == 0 {
		return "ready"
	}
	return strings.Join(parts, ", ")
}

// statusConn is a two-way link to a printer whose reads can be bounded in
// time: a TCP connection, or a device file the poller knows.
type statusConn interface {
	Write(p []byte) (int, error)
	Read(p []byte) (int, error)
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
}

// askStatus sends DLE EOT 1, 2 and 4 and reads one byte after each, each
// within wait (or the context's deadline if sooner). It stops at the first
// query left unanswered or answered with something that is not a status
// byte: what was answered by then is kept, and the rest is unknown. Only a
// failure to send a query is an error (the link is broken).
func askStatus(ctx context.Context, c statusConn, wait time.Duration) (Status, error) {
	var st Status
	var b [1]byte
	for _, n := range []byte{queryPrinter, queryOffline, queryPaper} {
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
		deadline := time.Now().Add(wait)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		if err := c.SetWriteDeadline(deadline); err != nil {
			return st, err
		}
		if _, err := c.Write([]byte{dle, eot, n}); err != nil {
			return st, err
		}
		if err := c.SetReadDeadline(deadline); err != nil {
			return st, err
		}
		if r, _ := c.Read(b[:]); r != 1 || b[0]&fixedMask != fixedBits {
			break
		}
		decode(&st, n, b[0])
	}
	var zero time.Time
	c.SetReadDeadline(zero)
	c.SetWriteDeadline(zero)
	return st, nil
}

// decode reads one DLE EOT n answer into st.
func decode(st *Status, n, b byte) {
	switch n {
	case queryPrinter:
		st.Known = true
		st.Offline = b&printerOffline != 0
	case queryOffline:
		st.CoverOpen = b&offlineCover != 0
		st.PaperOut = st.PaperOut || b&offlinePaperEnd != 0
		st.Fault = b&offlineError != 0
	case queryPaper:
		st.PaperNearEnd = b&paperNearEnd != 0
		st.PaperOut = st.PaperOut || b&paperEnd != 0
	default:
		panic(fmt.Sprintf("printer: no DLE EOT %d", n))
	}
}
