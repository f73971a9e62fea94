//go:build unix

package printer

import (
	"context"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

func TestPlainSpecIsADeviceFile(t *testing.T) {
	p, err := New("/dev/usb/lp0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := p.(*device); !ok || d.plain || d.path != "/dev/usb/lp0" {
		t.Fatalf("New(/dev/usb/lp0) = %#v", p)
	}
}

func TestPermissionNamesTheDeviceGroup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lp0")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o660) // as crw-rw---- root:lp
	fi, _ := os.Stat(path)
	gid := fi.Sys().(*syscall.Stat_t).Gid
	g, err := user.LookupGroupId(strconv.FormatUint(uint64(gid), 10))
	if err != nil {
		t.Skipf("group %d has no name here", gid)
	}
	e := newDevice(path, path, Options{}).fail(context.Background(), false, &fs.PathError{Op: "open", Path: path, Err: syscall.EACCES})
	if e.Kind != ErrPermission || e.Group != g.Name {
		t.Errorf("got %q group %q, want %q group %q", e.Kind, e.Group, ErrPermission, g.Name)
	}
	// A device its group may not write: no group to join.
	os.Chmod(path, 0o600)
	if e := newDevice(path, path, Options{}).fail(context.Background(), false, &fs.PathError{Op: "open", Path: path, Err: syscall.EACCES}); e.Group != "" {
		t.Errorf("group %q for a device its group cannot write", e.Group)
	}
}
