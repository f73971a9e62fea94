package printer_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kassa-till/kassa/receipts/printer"
)

func TestFileAppendsEachJob(t *testing.T) {
	path := filepath.Join(t.TempDir(), "receipts.bin")
	p := open(t, "file:"+path, fast)
	// Status of a file is unknown, and the file can be written.
	if st, err := p.Status(context.Background()); err != nil || st.Known {
		t.Fatalf("Status() = %v, %v", st, err)
	}
	for _, job := range []string{"first\n", "second\n"} {
		if st, err := p.Print(context.Background(), []byte(job)); err != nil || st.Known {
			t.Fatalf("Print(%q) = %v, %v", job, st, err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "first\nsecond\n" {
		t.Errorf("file holds %q", got)
	}
}

func TestMissingPrinterFile(t *testing.T) {
	dir := t.TempDir()
	for _, spec := range []string{
		filepath.Join(dir, "lp0"),                     // no such device
		"file:" + filepath.Join(dir, "gone", "x.bin"), // no such folder
	} {
		p := open(t, spec, fast)
		_, err := p.Print(context.Background(), receipt)
		wantKind(t, err, printer.ErrNoDevice)
		_, err = p.Status(context.Background())
		wantKind(t, err, printer.ErrNoDevice)
	}
}

// The user not being allowed to write the device (not in the lp group) is
// ErrPermission. root may write anything, so as root only the mapping of
// EACCES (TestClassify) says so; any other user meets a real refusal here.
func TestPrinterFileWithoutPermission(t *testing.T) {
	if os.Geteuid() == 0 {
		return // root: see TestClassify
	}
	path := filepath.Join(t.TempDir(), "lp0")
	if err := os.WriteFile(path, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{path, "file:" + path} {
		_, err := open(t, spec, fast).Print(context.Background(), receipt)
		wantKind(t, err, printer.ErrPermission)
	}
}
