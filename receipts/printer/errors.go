package printer

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"syscall"
)

// ErrorKind sorts printer failures by what the cashier is told. The caller
// turns each kind into a sentence from the locale catalog; the cause is kept
// in the error for logs.
type ErrorKind string

const (
	// ErrBadSpec: the --printer value is not a printer this package can
	// reach (empty, or a tcp:// address without a host).
	ErrBadSpec ErrorKind = "bad_spec"
	// ErrNoDevice: the device file, the file's folder or the Windows printer
	// does not exist, or the device went away (unplugged). Nothing printed.
	ErrNoDevice ErrorKind = "no_device"
	// ErrPermission: the user may not write to the printer. For a device
	// file on Linux the user must be in the device's group (usually lp;
	// Error.Group names it). Nothing printed.
	ErrPermission ErrorKind = "permission"
	// ErrBusy: another program holds the printer (a device is opened once
	// at a time). Nothing printed.
	ErrBusy ErrorKind = "busy"
	// ErrRefused: nothing listens at the printer's address and port (the
	// printer is off, or the address is wrong). Nothing printed.
	ErrRefused ErrorKind = "refused"
	// ErrUnreachable: the printer's host cannot be found or reached on the
	// network. Nothing printed.
	ErrUnreachable ErrorKind = "unreachable"
	// ErrTimeout: the printer did not connect, or did not take a single byte
	// of the receipt, in time. Nothing printed.
	ErrTimeout ErrorKind = "timeout"
	// ErrPaperOut: the printer said, before the receipt was sent, that its
	// paper has run out. Nothing was sent.
	ErrPaperOut ErrorKind = "paper_out"
	// ErrCoverOpen: the printer said, before the receipt was sent, that its
	// cover is open. Nothing was sent.
	ErrCoverOpen ErrorKind = "cover_open"
	// ErrFault: the printer said, before the receipt was sent, that it has
	// an error (a paper jam, the cutter, the head too hot). Nothing was sent.
	ErrFault ErrorKind = "fault"
	// ErrOffline: the printer said, before the receipt was sent, that it is
	// offline for no reason it named. Nothing was sent.
	ErrOffline ErrorKind = "offline"
	// ErrMaybePrinted: part or all of the receipt reached the printer and
	// then the job failed (a timeout, the connection dropped, the device
	// went away). The job is never sent again by this package: the cashier
	// checks the printer and reprints if nothing came out.
	ErrMaybePrinted ErrorKind = "maybe_printed"
	// ErrCanceled: the caller gave up (its context was canceled) before a
	// byte was sent. Nothing printed.
	ErrCanceled ErrorKind = "canceled"
	// ErrFailed: any other failure before a byte was sent. Nothing printed.
	ErrFailed ErrorKind = "failed"
)

// ErrorKinds lists every kind, so each can be given a sentence.
var ErrorKinds = []ErrorKind{
	ErrBadSpec, ErrNoDevice, ErrPermission, ErrBusy, ErrRefused, ErrUnreachable, ErrTimeout,
	ErrPaperOut, ErrCoverOpen, ErrFault, ErrOffline, ErrMaybePrinted, ErrCanceled, ErrFailed,
}

// Error is a printer failure: its kind, the printer as configured, and the
// cause.
type Error struct {
	Kind    ErrorKind
	Printer string // the --printer value, e.g. "/dev/usb/lp0"
	Err     error  // the cause, for logs; nil for a status refusal
	// Group is, for ErrPermission on a device file, the group that may
	// write to it (lp on most systems), when it can be told.
	Group string
}

func (e *Error) Error() string {
	s := "printer " + e.Printer + ": " + string(e.Kind)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of a printer error, or "" for other errors (and
// for nil).
func KindOf(err error) ErrorKind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return ""
}

// MaybePrinted reports whether a failed job may have come out of the
// printer, in part or whole, so that printing it again could give the
// customer two receipts.
func MaybePrinted(err error) bool {
	return KindOf(err) == ErrMaybePrinted
}

// fail wraps cause in an Error. When sent, some of the job had been handed
// on, and the kind is ErrMaybePrinted whatever the cause; otherwise the cause
// decides.
func fail(ctx context.Context, spec string, sent bool, cause error) *Error {
	if sent {
		return &Error{Kind: ErrMaybePrinted, Printer: spec, Err: cause}
	}
	return &Error{Kind: classify(ctx, cause), Printer: spec, Err: cause}
}

// classify names the kind of an error that happened before any byte of the
// job was sent.
func classify(ctx context.Context, err error) ErrorKind {
	if ctx != nil {
		switch ctx.Err() {
		case context.Canceled:
			return ErrCanceled
		case context.DeadlineExceeded:
			return ErrTimeout
		}
	}
	if k := osKind(err); k != "" {
		return k
	}
	var dnsErr *net.DNSError
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return ErrCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return ErrTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return ErrTimeout
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout {
			return ErrTimeout
		}
		return ErrUnreachable
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EHOSTDOWN), errors.Is(err, syscall.ENETDOWN):
		return ErrUnreachable
	case errors.Is(err, syscall.ETIMEDOUT):
		return ErrTimeout
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM),
		errors.Is(err, syscall.EROFS):
		return ErrPermission
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENXIO), errors.Is(err, syscall.ENODEV),
		errors.Is(err, syscall.ENOTDIR):
		return ErrNoDevice
	case errors.Is(err, syscall.EBUSY):
		return ErrBusy
	}
	return ErrFailed
}
