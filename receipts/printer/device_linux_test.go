//go:build linux

package printer_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kassa-till/kassa/receipts/printer"
)

// ptyPrinter is a printer on a character device with a back channel: a
// pseudo-terminal in raw mode. The device path is the pty's slave side; the
// test plays the printer on the master side, answering DLE EOT 4-style
// queries with the bytes given and keeping everything else.
type ptyPrinter struct {
	path string
	mu   sync.Mutex
	got  bytes.Buffer
	seen chan struct{} // signalled at each read
}

func startPty(t *testing.T, answers map[byte]byte) *ptyPrinter {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	var n int
	err = control(master, func(fd int) error {
		if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
			return err
		}
		n, err = unix.IoctlGetInt(fd, unix.TIOCGPTN)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &ptyPrinter{path: fmt.Sprintf("/dev/pts/%d", n), seen: make(chan struct{}, 1)}
	// Raw mode on the slave, held open for the test so it stays so.
	slave, err := os.OpenFile(p.path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close() })
	err = control(slave, func(fd int) error {
		tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		if err != nil {
			return err
		}
		tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		tio.Oflag &^= unix.OPOST
		tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		tio.Cflag = tio.Cflag&^(unix.CSIZE|unix.PARENB) | unix.CS8
		tio.Cc[unix.VMIN], tio.Cc[unix.VTIME] = 1, 0
		return unix.IoctlSetTermios(fd, unix.TCSETS, tio)
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { master.SetReadDeadline(time.Now()); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		var pending []byte
		for {
			n, err := master.Read(buf)
			if err != nil {
				return
			}
			pending = append(pending, buf[:n]...)
			// Answer queries the way a printer does, as they come.
			for len(pending) >= 3 && pending[0] == 0x10 && pending[1] == 0x04 {
				if a, ok := answers[pending[2]]; ok {
					master.Write([]byte{a})
				}
				pending = pending[3:]
			}
			if len(pending) > 0 && (pending[0] != 0x10 || len(pending) >= 3) {
				p.mu.Lock()
				p.got.Write(pending)
				p.mu.Unlock()
				pending = nil
			}
			select {
			case p.seen <- struct{}{}:
			default:
			}
		}
	}()
	return p
}

func control(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// waitFor waits until the printer has received want, or fails after five
// seconds.
func (p *ptyPrinter) waitFor(t *testing.T, want []byte) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		p.mu.Lock()
		got := bytes.Clone(p.got.Bytes())
		p.mu.Unlock()
		if len(got) >= len(want) {
			if !bytes.Equal(got, want) {
				t.Fatalf("device got %q, want %q", got, want)
			}
			return
		}
		select {
		case <-p.seen:
		case <-timeout:
			t.Fatalf("device got %q, want %q", got, want)
		}
	}
}

func (p *ptyPrinter) received() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.got.Bytes())
}

func TestDeviceWithBackChannelAnswersStatus(t *testing.T) {
	ready := map[byte]byte{1: 0x12, 2: 0x12, 4: 0x12}
	pp := startPty(t, ready)
	p := open(t, pp.path, fast)
	st, err := p.Print(context.Background(), receipt)
	if err != nil {
		t.Fatal(err)
	}
	if st != (printer.Status{Known: true}) {
		t.Errorf("status %v, want ready", st)
	}
	pp.waitFor(t, receipt)
}

func TestDeviceOutOfPaperRefuses(t *testing.T) {
	pp := startPty(t, map[byte]byte{1: 0x1a, 2: 0x32, 4: 0x7e})
	p := open(t, pp.path, fast)
	st, err := p.Print(context.Background(), receipt)
	wantKind(t, err, printer.ErrPaperOut)
	if !st.PaperOut {
		t.Errorf("status %v", st)
	}
	if got, err := p.Status(context.Background()); err != nil || got != st {
		t.Errorf("Status() = %v, %v; want %v", got, err, st)
	}
	if got := pp.received(); len(got) != 0 {
		t.Errorf("the device got %q; nothing but queries may be sent", got)
	}
}

func TestDeviceWithoutStatusPrints(t *testing.T) {
	pp := startPty(t, nil) // reads, never answers
	st, err := open(t, pp.path, fast).Print(context.Background(), receipt)
	if err != nil || st.Known {
		t.Fatalf("Print = %v, %v; want printed, status unknown", st, err)
	}
	pp.waitFor(t, receipt)
}

// blackhole is an address where connections are never accepted: a
// listener whose queue (backlog 0) is already full, so new connection
// attempts go unanswered.
func blackhole(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	// Fill the queue until a connection attempt hangs.
	for range 8 {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("this kernel accepts every connection; no address that hangs")
	return ""
}

func TestNetworkConnectTimeout(t *testing.T) {
	addr := blackhole(t)
	opts := fast
	opts.ConnectTimeout = 200 * time.Millisecond
	start := time.Now()
	_, err := open(t, "tcp://"+addr, opts).Print(context.Background(), receipt)
	wantKind(t, err, printer.ErrTimeout)
	if printer.MaybePrinted(err) {
		t.Error("nothing was sent")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v for a 200ms connect timeout", d)
	}
}
