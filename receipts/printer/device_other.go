//go:build !unix

package printer

import "os"

// openDevice opens a device path (on Windows, \\.\COM3 and the like) for
// writing; there is no back channel here.
func openDevice(path string, twoWay bool) (*os.File, bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	return f, false, err
}

// deviceGroup: devices here are not shared through a group.
func deviceGroup(string) string { return "" }
