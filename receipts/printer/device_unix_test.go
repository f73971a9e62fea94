//go:build unix

package printer_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kassa-till/kassa/receipts/printer"
)

func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lp0")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDeviceFIFO(t *testing.T) {
	path := mkfifo(t)
	p := open(t, path, fast)

	// Nobody at the other end (a port with no printer): at once, not a hang.
	_, err := p.Print(context.Background(), receipt)
	wantKind(t, err, printer.ErrNoDevice)

	// A reader: it gets the job, byte for byte; a FIFO has no status.
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st, err := p.Print(context.Background(), receipt)
	if err != nil || st.Known {
		t.Fatalf("Print = %v, %v", st, err)
	}
	r.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, receipt) {
		t.Errorf("device got %q, want %q", got, receipt)
	}
}

func TestDeviceThatStopsTakingBytes(t *testing.T) {
	path := mkfifo(t)
	// A reader that never reads: the pipe fills (64 KiB) and the write
	// deadline must end the job, reported as maybe printed.
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	start := time.Now()
	_, err = open(t, path, fast).Print(context.Background(), make([]byte, 1<<20))
	wantKind(t, err, printer.ErrMaybePrinted)
	if d := time.Since(start); d > fast.WriteTimeout+2*time.Second {
		t.Errorf("took %v, past the write timeout", d)
	}
}
