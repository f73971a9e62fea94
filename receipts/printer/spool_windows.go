//go:build windows

package printer

import (
	"context"
	"errors"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// newPlain: on Windows a --printer without a scheme is a printer known to
// the spooler, by name ("EPSON TM-T20III Receipt", or \\server\share), and
// \\.\ paths (\\.\COM3) are devices.
func newPlain(spec string, opts Options) (Printer, error) {
	if strings.HasPrefix(spec, `\\.\`) {
		return newDevice(spec, spec, opts), nil
	}
	return &spooler{spec: spec, opts: opts, gate: newGate()}, nil
}

// osKind names what Windows says in its own words.
func osKind(err error) ErrorKind {
	var errno windows.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	switch errno {
	case windows.WSAECONNREFUSED:
		return ErrRefused
	case windows.WSAEHOSTUNREACH, windows.WSAENETUNREACH, windows.WSAENETDOWN, windows.WSAEHOSTDOWN:
		return ErrUnreachable
	case windows.WSAETIMEDOUT:
		return ErrTimeout
	case windows.ERROR_INVALID_PRINTER_NAME, windows.ERROR_FILE_NOT_FOUND, windows.ERROR_PATH_NOT_FOUND,
		windows.ERROR_DEV_NOT_EXIST, windows.ERROR_BAD_NETPATH:
		return ErrNoDevice
	case windows.ERROR_ACCESS_DENIED:
		return ErrPermission
	case windows.ERROR_SHARING_VIOLATION, windows.ERROR_BUSY:
		return ErrBusy
	}
	return ""
}

var (
	winspool             = windows.NewLazySystemDLL("winspool.drv")
	procOpenPrinterW     = winspool.NewProc("OpenPrinterW")
	procClosePrinter     = winspool.NewProc("ClosePrinter")
	procStartDocPrinterW = winspool.NewProc("StartDocPrinterW")
	procStartPagePrinter = winspool.NewProc("StartPagePrinter")
	procWritePrinter     = winspool.NewProc("WritePrinter")
	procEndPagePrinter   = winspool.NewProc("EndPagePrinter")
	procEndDocPrinter    = winspool.NewProc("EndDocPrinter")
	procAbortPrinter     = winspool.NewProc("AbortPrinter")
)

// docInfo1 is DOC_INFO_1W.
type docInfo1 struct {
	docName    *uint16
	outputFile *uint16
	datatype   *uint16
}

// spooler is a Windows printer reached through the spooler, its jobs sent
// RAW so the driver passes the ESC/POS bytes through untouched. The spooler
// has no real-time status: it is unknown.
type spooler struct {
	spec string
	opts Options
	gate gate
}

func (p *spooler) String() string { return p.spec }

// call runs a winspool procedure and turns its FALSE (0) into the error the
// system set.
func call(proc *windows.LazyProc, args ...uintptr) (uintptr, error) {
	if err := proc.Find(); err != nil {
		return 0, err
	}
	r, _, err := proc.Call(args...)
	if r == 0 {
		if err == nil || errors.Is(err, windows.ERROR_SUCCESS) {
			err = errors.New(proc.Name + " failed")
		}
		return 0, err
	}
	return r, nil
}

func (p *spooler) openPrinter() (windows.Handle, error) {
	name, err := windows.UTF16PtrFromString(p.spec)
	if err != nil {
		return 0, err
	}
	var h windows.Handle
	if _, err := call(procOpenPrinterW, uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(&h)), 0); err != nil {
		return 0, err
	}
	return h, nil
}

func (p *spooler) Status(ctx context.Context) (Status, error) {
	if err := p.gate.enter(ctx); err != nil {
		return Status{}, fail(ctx, p.spec, false, err)
	}
	defer p.gate.leave()
	_, err := runApart(ctx, p.opts.ConnectTimeout, func(*jobGuard) (int, error) {
		h, err := p.openPrinter()
		if err == nil {
			procClosePrinter.Call(uintptr(h))
		}
		return 0, err
	})
	if err != nil {
		return Status{}, fail(ctx, p.spec, false, err)
	}
	return Status{}, nil
}

func (p *spooler) Print(ctx context.Context, data []byte) (Status, error) {
	if err := p.gate.enter(ctx); err != nil {
		return Status{}, fail(ctx, p.spec, false, err)
	}
	defer p.gate.leave()
	sent, err := runApart(ctx, p.opts.ConnectTimeout+p.opts.WriteTimeout, func(g *jobGuard) (int, error) {
		return p.job(g, data)
	})
	if err != nil {
		return Status{}, fail(ctx, p.spec, sent, err)
	}
	return Status{}, nil
}

// job runs one spooler job: open, start the document and its page, write
// everything, end them, close. A job given up before its first byte is
// aborted, so the spooler drops it.
func (p *spooler) job(g *jobGuard, data []byte) (written int, err error) {
	h, err := p.openPrinter()
	if err != nil {
		return 0, err
	}
	defer procClosePrinter.Call(uintptr(h))
	doc := docInfo1{
		docName:  windows.StringToUTF16Ptr("kassa receipt"),
		datatype: windows.StringToUTF16Ptr("RAW"),
	}
	if _, err := call(procStartDocPrinterW, uintptr(h), 1, uintptr(unsafe.Pointer(&doc))); err != nil {
		return 0, err
	}
	ended := false
	defer func() {
		if !ended {
			procAbortPrinter.Call(uintptr(h))
		}
	}()
	if _, err := call(procStartPagePrinter, uintptr(h)); err != nil {
		return 0, err
	}
	if !g.begin() {
		return 0, errAbandoned
	}
	for written < len(data) {
		var n uint32
		rest := data[written:]
		_, err := call(procWritePrinter, uintptr(h), uintptr(unsafe.Pointer(&rest[0])), uintptr(len(rest)), uintptr(unsafe.Pointer(&n)))
		written += int(n)
		if err != nil {
			return written, err
		}
		if n == 0 {
			return written, errors.New("WritePrinter wrote nothing")
		}
	}
	if _, err := call(procEndPagePrinter, uintptr(h)); err != nil {
		return max(written, 1), err
	}
	if _, err := call(procEndDocPrinter, uintptr(h)); err != nil {
		return max(written, 1), err
	}
	ended = true
	return written, nil
}
