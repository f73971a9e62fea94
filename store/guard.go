package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"time"
)

// What a data file must pass before bbolt opens it for writing, and the two
// notes kassa keeps beside it:
//
//	kassa.db.exists   written once the file opened: a data file was here.
//	                  An empty or missing kassa.db beside it is refused (a
//	                  GoneError) rather than started anew, which would
//	                  number receipts from 000001 again.
//	kassa.db.damaged  written when damage was found: the next open reads
//	                  every page, however big the file, and removes the
//	                  note if they all read well.

// ErrGone is what a GoneError is.
var ErrGone = errors.New("store: the data file is gone")

// GoneError is an empty or missing data file where one was before.
type GoneError struct {
	Path string
	// Missing: there is no file at all; otherwise it is empty.
	Missing bool
	// Note is the file that says a data file was here.
	Note string
}

func (e *GoneError) Error() string {
	what := "empty"
	if e.Missing {
		what = "missing"
	}
	return fmt.Sprintf("store: %s is %s, but %s says a data file was there", e.Path, what, e.Note)
}

func (e *GoneError) Is(target error) bool { return target == ErrGone }

// SeenNote is the note beside the data file at path that says one was there.
func SeenNote(path string) string { return path + ".exists" }

// DamageNote is the note beside the data file at path that says it was
// found damaged.
func DamageNote(path string) string { return path + ".damaged" }

// admit checks the data file at path before bbolt opens it for writing:
// an empty or missing file is a new one only where none was before; an
// existing one is checked (its structure; every page when small or once
// found damaged) and refused when damaged.
func admit(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if seen(path) {
			return &GoneError{Path: path, Missing: true, Note: SeenNote(path)}
		}
		return nil
	case err != nil:
		return nil // bbolt's open says what it is
	case fi.Size() == 0:
		// bbolt writes the first pages as it creates a file: an empty one
		// is either emptied or made by a kassa killed that very moment.
		if seen(path) {
			return &GoneError{Path: path, Note: SeenNote(path)}
		}
		return nil
	}
	_, noted := os.Stat(DamageNote(path))
	full := fi.Size() <= fullCheckAtOpen || noted == nil
	rep, err := CheckFile(path, CheckOptions{Full: full})
	if err != nil {
		return err
	}
	if !rep.OK() {
		noteDamage(path, rep)
		return &DamagedError{Path: path, Report: rep}
	}
	if noted == nil && full {
		os.Remove(DamageNote(path))
	}
	return nil
}

func seen(path string) bool {
	_, err := os.Stat(SeenNote(path))
	return err == nil
}

// markSeen writes the note that a data file is at path. It is a guard,
// not the books: a folder that refuses it costs no sale.
func markSeen(path, till string) {
	if seen(path) {
		return
	}
	body := fmt.Sprintf("kassa data file %s\nfirst opened %s\n", path, time.Now().Format(time.RFC3339))
	if till != "" {
		body += "till " + till + "\n"
	}
	_ = writeNote(SeenNote(path), body)
}

// noteDamage writes what was found wrong beside the data file at path.
func noteDamage(path string, rep *Report) {
	var b strings.Builder
	fmt.Fprintf(&b, "kassa found %s damaged at %s:\n", path, time.Now().Format(time.RFC3339))
	for _, p := range rep.Problems {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	if rep.More > 0 {
		fmt.Fprintf(&b, "  and %d more\n", rep.More)
	}
	_ = writeNote(DamageNote(path), b.String())
}

func writeNote(path, body string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fromDamage reports, in a deferred call recovering the panic r, whether
// it is the file's doing: a memory fault at an address (a page read past
// the map, made a panic by SetPanicOnFault), or bbolt's own panic or
// bounds error on what it read. A nil pointer of kassa's is not.
func fromDamage(r any) bool {
	if _, ok := r.(interface{ Addr() uintptr }); ok {
		return true
	}
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}

// panicked is the damage a bbolt panic (or a memory fault, made a panic)
// on the file at path means; it is noted beside the file.
func panicked(path string, r any) *DamagedError {
	rep := &Report{Path: path, Problems: []Problem{{Kind: ProblemPanic, Text: fmt.Sprint(r)}}}
	noteDamage(path, rep)
	return &DamagedError{Path: path, Report: rep}
}
