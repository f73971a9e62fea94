package printer

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// device is a printer reached through a file: a device file such as
// /dev/usb/lp0 (its status asked when it opens read-write and answers), or,
// for file:PATH, a plain file the jobs are appended to (created if need be;
// no status).
type device struct {
	spec  string
	path  string
	plain bool // file:PATH
	opts  Options
	gate  gate
}

func newDevice(spec, path string, opts Options) *device {
	return &device{spec: spec, path: path, opts: opts, gate: newGate()}
}

func newFile(spec, path string, opts Options) *device {
	d := newDevice(spec, path, opts)
	d.plain = true
	return d
}

func (d *device) String() string { return d.spec }

// open opens the file; twoWay asks for a link that can be read as well,
// which the result's readable tells whether it got. pollable tells whether
// its reads and writes can be bounded in time.
func (d *device) open(twoWay bool) (f *os.File, readable, pollable bool, err error) {
	if d.plain {
		f, err = os.OpenFile(d.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	} else {
		f, readable, err = openDevice(d.path, twoWay)
	}
	if err != nil {
		return nil, false, false, err
	}
	pollable = !errors.Is(f.SetDeadline(time.Time{}), os.ErrNoDeadline)
	return f, readable && pollable, pollable, nil
}

func (d *device) Status(ctx context.Context) (Status, error) {
	if err := d.gate.enter(ctx); err != nil {
		return Status{}, fail(ctx, d.spec, false, err)
	}
	defer d.gate.leave()
	f, readable, _, err := d.open(true)
	if err != nil {
		return Status{}, d.fail(ctx, false, err)
	}
	defer f.Close()
	if !readable {
		return Status{}, nil
	}
	l := bind(ctx, f)
	defer l.release()
	st, err := askStatus(ctx, l, d.opts.StatusTimeout)
	if err != nil {
		return st, d.fail(ctx, false, err)
	}
	return st, nil
}

func (d *device) Print(ctx context.Context, data []byte) (Status, error) {
	if err := d.gate.enter(ctx); err != nil {
		return Status{}, fail(ctx, d.spec, false, err)
	}
	defer d.gate.leave()
	f, readable, pollable, err := d.open(!d.opts.SkipStatus)
	if err != nil {
		return Status{}, d.fail(ctx, false, err)
	}
	defer f.Close()

	var st Status
	if !pollable {
		// A file the poller does not know (a plain file, some devices)
		// cannot be interrupted: it is written apart, and the caller
		// stops waiting at the write timeout.
		sent, err := runApart(ctx, d.opts.WriteTimeout, func(g *jobGuard) (int, error) {
			if !g.begin() {
				return 0, errAbandoned
			}
			return f.Write(data)
		})
		if err != nil {
			return st, d.fail(ctx, sent, err)
		}
		return st, nil
	}

	l := bind(ctx, f)
	defer l.release()
	if readable {
		if st, err = askStatus(ctx, l, d.opts.StatusTimeout); err != nil {
			return st, d.fail(ctx, false, err)
		}
		if k := st.Refusal(); k != "" {
			return st, &Error{Kind: k, Printer: d.spec}
		}
	}
	if err := ctx.Err(); err != nil {
		return st, fail(ctx, d.spec, false, err)
	}
	if err := l.SetWriteDeadline(time.Now().Add(d.opts.WriteTimeout)); err != nil {
		return st, d.fail(ctx, false, err)
	}
	n, err := l.Write(data)
	if err != nil {
		return st, d.fail(ctx, n > 0, err)
	}
	return st, nil
}

// fail is the package's fail, with what a device driver says on its own
// (the Linux lp and usblp drivers answer ENOSPC when the paper is out; for
// a plain file it is a full disk), and the group a device is written by.
func (d *device) fail(ctx context.Context, sent bool, err error) *Error {
	if !d.plain && !sent && errors.Is(err, syscall.ENOSPC) {
		return &Error{Kind: ErrPaperOut, Printer: d.spec, Err: err}
	}
	e := fail(ctx, d.spec, sent, err)
	if e.Kind == ErrPermission && !d.plain {
		e.Group = deviceGroup(d.path)
	}
	return e
}
