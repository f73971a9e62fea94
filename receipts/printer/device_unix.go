//go:build unix

package printer

import (
	"errors"
	"os"
	"os/user"
	"strconv"
	"syscall"
	"time"
)

// openDevice opens a device file for writing, and for reading too when
// twoWay and it is a character device (a printer's back channel). It never
// waits in open: O_NONBLOCK makes a FIFO without a reader fail with ENXIO
// at once, and keeps the lp driver from checking the printer in open. A
// file the poller cannot watch is put back to blocking mode, since it will
// be written apart (see runApart).
func openDevice(path string, twoWay bool) (f *os.File, readable bool, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, false, err
	}
	const flags = syscall.O_NONBLOCK | syscall.O_NOCTTY | os.O_APPEND
	if twoWay && fi.Mode()&os.ModeCharDevice != 0 {
		f, err = os.OpenFile(path, os.O_RDWR|flags, 0)
		readable = err == nil
	}
	if f == nil {
		// Write-only: a printer without a back channel, or a user allowed
		// to write and not to read.
		if f, err = os.OpenFile(path, os.O_WRONLY|flags, 0); err != nil {
			return nil, false, err
		}
	}
	if errors.Is(f.SetDeadline(time.Time{}), os.ErrNoDeadline) {
		if rc, err := f.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), false) })
		}
	}
	return f, readable, nil
}

// deviceGroup is the name of the group owning a device file that its group
// may write to (lp for /dev/usb/lp0 on most systems), or "".
func deviceGroup(path string) string {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o020 == 0 {
		return ""
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	g, err := user.LookupGroupId(strconv.FormatUint(uint64(st.Gid), 10))
	if err != nil {
		return ""
	}
	return g.Name
}
