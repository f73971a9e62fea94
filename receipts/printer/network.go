package printer

import (
	"context"
	"io"
	"net"
	"time"
)

// network is a printer on the network taking raw jobs (AppSocket, "JetDirect",
// port 9100): one TCP connection per job.
type network struct {
	spec string
	addr string
	opts Options
	gate gate
}

func newNetwork(spec, addr string, opts Options) *network {
	return &network{spec: spec, addr: addr, opts: opts, gate: newGate()}
}

func (p *network) String() string { return p.spec }

// connect opens the job's connection, one job at a time; end closes it.
func (p *network) connect(ctx context.Context) (c *net.TCPConn, l *bounded, end func(), err error) {
	if err := p.gate.enter(ctx); err != nil {
		return nil, nil, nil, fail(ctx, p.spec, false, err)
	}
	d := net.Dialer{Timeout: p.opts.ConnectTimeout}
	conn, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		p.gate.leave()
		return nil, nil, nil, fail(ctx, p.spec, false, err)
	}
	c = conn.(*net.TCPConn)
	l = bind(ctx, c)
	return c, l, func() { l.release(); c.Close(); p.gate.leave() }, nil
}

func (p *network) Status(ctx context.Context) (Status, error) {
	_, l, end, err := p.connect(ctx)
	if err != nil {
		return Status{}, err
	}
	defer end()
	st, err := askStatus(ctx, l, p.opts.StatusTimeout)
	if err != nil {
		return st, fail(ctx, p.spec, false, err)
	}
	return st, nil
}

func (p *network) Print(ctx context.Context, data []byte) (Status, error) {
	c, l, end, err := p.connect(ctx)
	if err != nil {
		return Status{}, err
	}
	defer end()

	var st Status
	if !p.opts.SkipStatus {
		if st, err = askStatus(ctx, l, p.opts.StatusTimeout); err != nil {
			return st, fail(ctx, p.spec, false, err)
		}
		if k := st.Refusal(); k != "" {
			return st, &Error{Kind: k, Printer: p.spec}
		}
	}
	if err := ctx.Err(); err != nil {
		return st, fail(ctx, p.spec, false, err)
	}

	deadline := time.Now().Add(p.opts.WriteTimeout)
	if err := l.SetWriteDeadline(deadline); err != nil {
		return st, fail(ctx, p.spec, false, err)
	}
	n, err := l.Write(data)
	if err != nil {
		return st, fail(ctx, p.spec, n > 0, err)
	}
	if p.opts.NoWaitClose {
		return st, nil
	}
	// Written is only in the kernel's hands. Say the job is over (FIN)
	// and wait for the printer to close its side, which it does once it
	// has read everything; whatever it sends meanwhile (a late status
	// answer) is read and dropped, so that closing never resets the
	// connection over bytes still on their way.
	if err := c.CloseWrite(); err != nil {
		return st, fail(ctx, p.spec, n > 0, err)
	}
	if err := l.SetReadDeadline(deadline); err != nil {
		return st, fail(ctx, p.spec, n > 0, err)
	}
	if _, err := io.Copy(io.Discard, l); err != nil {
		return st, fail(ctx, p.spec, n > 0, err)
	}
	return st, nil
}
