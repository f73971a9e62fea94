package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// fdatasync flushes f's data, and its metadata only where reading the data
// back needs it: the journal's size does not change as it is written.
func fdatasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
