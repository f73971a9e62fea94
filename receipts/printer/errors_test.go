package printer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestClassify(t *testing.T) {
	pathErr := func(errno syscall.Errno) error {
		return &fs.PathError{Op: "open", Path: "/dev/usb/lp0", Err: errno}
	}
	dialErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)}
	}
	for _, tc := range []struct {
		err  error
		want ErrorKind
	}{
		// Not in the lp group: the cashier is told to fix the group.
		{pathErr(syscall.EACCES), ErrPermission},
		{pathErr(syscall.EPERM), ErrPermission},
		{pathErr(syscall.ENOENT), ErrNoDevice},
		{pathErr(syscall.ENXIO), ErrNoDevice}, // a FIFO without a reader, a port without a device
		{pathErr(syscall.ENODEV), ErrNoDevice},
		{pathErr(syscall.EBUSY), ErrBusy},
		{dialErr(syscall.ECONNREFUSED), ErrRefused},
		{dialErr(syscall.EHOSTUNREACH), ErrUnreachable},
		{dialErr(syscall.ETIMEDOUT), ErrTimeout},
		{&net.DNSError{Err: "no such host", Name: "printer.local", IsNotFound: true}, ErrUnreachable},
		{fmt.Errorf("write: %w", os.ErrDeadlineExceeded), ErrTimeout},
		{errors.New("something else"), ErrFailed},
	} {
		if got := classify(context.Background(), tc.err); got != tc.want {
			t.Errorf("classify(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if got := classify(canceled, os.ErrDeadlineExceeded); got != ErrCanceled {
		t.Errorf("a canceled caller: %q, want %q", got, ErrCanceled)
	}
}

func TestFailAfterBytesIsMaybePrinted(t *testing.T) {
	ctx := context.Background()
	refused := &net.OpError{Op: "write", Err: os.NewSyscallError("write", syscall.ECONNRESET)}
	if err := fail(ctx, "tcp://x:9100", true, refused); err.Kind != ErrMaybePrinted || !MaybePrinted(err) {
		t.Errorf("a job broken after bytes went: %v", err)
	}
	if err := fail(ctx, "tcp://x:9100", false, os.ErrDeadlineExceeded); err.Kind != ErrTimeout || MaybePrinted(err) {
		t.Errorf("a job that sent nothing: %v", err)
	}
	if KindOf(fmt.Errorf("wrapped: %w", fail(ctx, "p", false, os.ErrNotExist))) != ErrNoDevice {
		t.Error("KindOf must see through wrapping")
	}
	if KindOf(errors.New("x")) != "" || KindOf(nil) != "" {
		t.Error("KindOf of a foreign error must be empty")
	}
}

func TestDeviceSaysPaperOut(t *testing.T) {
	ctx := context.Background()
	enospc := &fs.PathError{Op: "write", Path: "/dev/usb/lp0", Err: syscall.ENOSPC}
	if k := newDevice("/dev/usb/lp0", "/dev/usb/lp0", Options{}).fail(ctx, false, enospc).Kind; k != ErrPaperOut {
		t.Errorf("ENOSPC from a device: %q, want %q", k, ErrPaperOut)
	}
	if k := newFile("file:/tmp/x", "/tmp/x", Options{}).fail(ctx, false, enospc).Kind; k != ErrFailed {
		t.Errorf("ENOSPC from a plain file (a full disk): %q, want %q", k, ErrFailed)
	}
}

func TestErrorKindsComplete(t *testing.T) {
	seen := map[ErrorKind]bool{}
	for _, k := range ErrorKinds {
		if seen[k] {
			t.Errorf("%q twice", k)
		}
		seen[k] = true
	}
	if len(seen) != 14 {
		t.Errorf("%d kinds listed; a new kind must be listed (and given a sentence)", len(seen))
	}
}

func TestNewReadsSpec(t *testing.T) {
	for _, tc := range []struct {
		spec string
		addr string // for tcp://
		path string // for files
		bad  bool
	}{
		{spec: "tcp://192.168.1.60:9100", addr: "192.168.1.60:9100"},
		{spec: "tcp://192.168.1.60", addr: "192.168.1.60:9100"},
		{spec: "tcp://printer.local:9101/", addr: "printer.local:9101"},
		{spec: "tcp://[fe80::1]:9100", addr: "[fe80::1]:9100"},
		{spec: "tcp://[fe80::1]", addr: "[fe80::1]:9100"},
		{spec: "file:/tmp/receipts.bin", path: "/tmp/receipts.bin"},
		{spec: "", bad: true},
		{spec: "  ", bad: true},
		{spec: "tcp://", bad: true},
		{spec: "tcp://:9100", bad: true},
		{spec: "file:", bad: true},
	} {
		p, err := New(tc.spec, Options{})
		if tc.bad {
			if KindOf(err) != ErrBadSpec {
				t.Errorf("New(%q): %v, want %s", tc.spec, err, ErrBadSpec)
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%q): %v", tc.spec, err)
			continue
		}
		switch p := p.(type) {
		case *network:
			if p.addr != tc.addr {
				t.Errorf("New(%q) dials %q, want %q", tc.spec, p.addr, tc.addr)
			}
		case *device:
			if !p.plain || p.path != tc.path {
				t.Errorf("New(%q) writes %q (plain %v), want %q", tc.spec, p.path, p.plain, tc.path)
			}
		default:
			t.Errorf("New(%q) is a %T", tc.spec, p)
		}
		if p.String() != tc.spec {
			t.Errorf("New(%q).String() = %q", tc.spec, p.String())
		}
	}
	if o := (Options{}).withDefaults(); o.ConnectTimeout != DefaultConnectTimeout || o.WriteTimeout != DefaultWriteTimeout || o.StatusTimeout != DefaultStatusTimeout {
		t.Errorf("defaults: %+v", o)
	}
}
