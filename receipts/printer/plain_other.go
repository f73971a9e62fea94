//go:build !windows

package printer

// newPlain: a --printer without a scheme is a device file.
func newPlain(spec string, opts Options) (Printer, error) {
	return newDevice(spec, spec, opts), nil
}

// osKind has nothing to add to classify outside Windows.
func osKind(err error) ErrorKind { return "" }
