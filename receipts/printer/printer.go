// Package printer moves a receipt's bytes to a receipt printer and asks the
// printer how it is. It knows nothing of ESC/POS beyond the real-time status
// query (DLE EOT): the bytes come ready from the encoder.
//
// A printer is named the way --printer takes it:
//
//	/dev/usb/lp0          a device file (Linux, the BSDs, macOS)
//	tcp://HOST[:PORT]     a network printer, raw on port 9100 unless given
//	file:PATH             bytes appended to a file, for testing
//	NAME                  on Windows, a printer known to the spooler, sent
//	                      RAW (\\.\COM3 and other \\.\ paths are devices)
//
// Each Print is one job: the link is opened, the status asked (unless
// Options.SkipStatus), the bytes written, and the link closed. Nothing is
// ever sent twice by this package; a job that failed after some of its
// bytes were handed on is reported as ErrMaybePrinted, so the cashier can
// look before reprinting. No call outlasts its timeouts.
package printer

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// Default timeouts.
const (
	DefaultConnectTimeout = 3 * time.Second
	DefaultWriteTimeout   = 10 * time.Second
	DefaultStatusTimeout  = 500 * time.Millisecond
)

// Options tune a printer; the zero value is the defaults.
type Options struct {
	// ConnectTimeout bounds connecting to a network printer, or opening a
	// Windows spooler printer (a device file opens at once or fails). 0
	// means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// WriteTimeout bounds writing one job, including, for a network
	// printer, waiting for it to close its side once it has read the whole
	// job. 0 means DefaultWriteTimeout.
	WriteTimeout time.Duration
	// StatusTimeout is how long the printer has to answer each status
	// query before its status is taken as unknown. 0 means
	// DefaultStatusTimeout.
	StatusTimeout time.Duration
	// SkipStatus sends jobs without asking the printer's status first.
	SkipStatus bool
	// NoWaitClose counts a job to a network printer done once it is
	// written, without waiting for the printer to close the connection.
	// For printers that keep the connection open after a job; by default,
	// as CUPS's socket backend does, the job is only done when the printer
	// has closed its side (it has read everything), which also keeps a
	// late status byte from resetting the connection under the job's tail.
	NoWaitClose bool
}

func (o Options) withDefaults() Options {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.StatusTimeout <= 0 {
		o.StatusTimeout = DefaultStatusTimeout
	}
	return o
}

// Printer is where receipts go.
type Printer interface {
	// Print sends data as one job. The status is asked first (unless
	// Options.SkipStatus) and the job refused, with nothing sent, when the
	// printer says it is out of paper, its cover is open, it has a fault
	// or it is offline. The status it said (or Status{} when it did not
	// say) is returned either way, for a paper near its end.
	Print(ctx context.Context, data []byte) (Status, error)
	// Status asks the printer how it is. A printer that does not answer
	// has an unknown status; the error is for a printer that cannot be
	// reached at all.
	Status(ctx context.Context) (Status, error)
	// String is the printer as configured, for logs.
	String() string
}

// New returns the printer spec names (see the package documentation). It
// only reads spec: nothing is opened until the first Print or Status.
func New(spec string, opts Options) (Printer, error) {
	opts = opts.withDefaults()
	bad := func(why string) error {
		return &Error{Kind: ErrBadSpec, Printer: spec, Err: errors.New(why)}
	}
	switch {
	case strings.TrimSpace(spec) == "":
		return nil, bad("no printer named")
	case strings.HasPrefix(spec, "tcp://"):
		hostport := strings.TrimSuffix(strings.TrimPrefix(spec, "tcp://"), "/")
		host, port, err := net.SplitHostPort(hostport)
		if err != nil {
			// No port: the raw printing port.
			host, port = strings.Trim(hostport, "[]"), "9100"
		}
		if host == "" || strings.ContainsAny(host, "/ ") {
			return nil, bad("tcp:// needs a host, as in tcp://192.168.1.60:9100")
		}
		return newNetwork(spec, net.JoinHostPort(host, port), opts), nil
	case strings.HasPrefix(spec, "file:"):
		path := strings.TrimPrefix(spec, "file:")
		if path == "" {
			return nil, bad("file: needs a path, as in file:/tmp/receipts.bin")
		}
		return newFile(spec, path, opts), nil
	}
	return newPlain(spec, opts)
}

// gate lets one job at a time through a printer, so two receipts never
// interleave; waiting for it ends with the caller's context.
type gate chan struct{}

func newGate() gate { return make(gate, 1) }

func (g gate) enter(ctx context.Context) error {
	select {
	case g <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g gate) leave() { <-g }

// jobGuard decides, once, between a job that may start writing and a caller
// that has stopped waiting for it: for links that cannot be interrupted (a
// device without deadlines, the Windows spooler), the work runs apart and
// the caller stops waiting at its timeout. A job not yet writing then never
// writes; one already writing is reported as maybe printed.
type jobGuard struct {
	mu        sync.Mutex
	abandoned bool
	started   bool
}

// begin is called by the work right before its first byte is handed on;
// false means the caller gave up and nothing must be written.
func (g *jobGuard) begin() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.abandoned {
		return false
	}
	g.started = true
	return true
}

// abandon is called by the caller when it stops waiting; it reports
// whether writing had begun.
func (g *jobGuard) abandon() (started bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.abandoned = true
	return g.started
}

// errAbandoned is what work left behind by its caller returns.
var errAbandoned = errors.New("printer: the caller stopped waiting")

// runApart runs work on its own goroutine and waits for it until timeout or
// ctx ends. work reports how many bytes of the job it handed on. sent tells
// whether any may have been: when the caller stops waiting, the error is a
// timeout (or the context's), and sent whether the work had begun writing.
func runApart(ctx context.Context, timeout time.Duration, work func(g *jobGuard) (int, error)) (sent bool, err error) {
	g := new(jobGuard)
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := work(g)
		done <- result{n, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.n > 0, r.err
	case <-timer.C:
		return g.abandon(), errTimedOut
	case <-ctx.Done():
		return g.abandon(), ctx.Err()
	}
}

// errTimedOut is the cause of a job the caller stopped waiting for.
var errTimedOut = os.ErrDeadlineExceeded
