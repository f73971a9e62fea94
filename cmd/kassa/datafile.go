package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
)

// openDataFile opens (or creates) the data file at path and brings it up
// to date, with a sentence a person understands when it cannot. Only
// kassa's own folder is created: a folder missing from --db is most likely
// a typo, and a new empty file there would start the receipts again at
// 000001.
func openDataFile(path string, cat *locale.Catalog) (*store.Store, error) {
	if path == "" { // no --db, and no home folder for the default
		return nil, usageErr(cat.T("cli.no_home"), nil)
	}
	dir := filepath.Dir(path)
	if own := dataDir(); own != "" && sameDir(dir, own) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, dataFileErr(path, cat, err)
		}
	} else if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, usageErr(cat.T("cli.db_no_folder", path, dir), err)
	} else if err != nil {
		return nil, dataFileErr(path, cat, err)
	} else if !fi.IsDir() {
		return nil, usageErr(cat.T("cli.db_not_folder", path, dir), nil)
	}
	converted := 0
	tenth := 0
	st, err := store.OpenWith(path, func(done, total int) {
		switch {
		case total == 0:
			fmt.Fprintln(os.Stderr, cat.T("convert.start", path, store.BeforeCompactPath(path)))
		case done == total:
			converted = total
		case done*10/total > tenth:
			tenth = done * 10 / total
			fmt.Fprintln(os.Stderr, cat.T("convert.progress", cat.Number(int64(done)), cat.Number(int64(total)), 10*tenth))
		}
	})
	if err != nil {
		return nil, dataFileErr(path, cat, err)
	}
	if converted > 0 {
		fmt.Fprintln(os.Stderr, cat.T("convert.done", cat.Number(int64(converted)), megabytes(cat, path), megabytes(cat, store.BeforeCompactPath(path))))
	}
	if err := upgrade(st, cat); err != nil {
		st.Close()
		return nil, dataFileErr(path, cat, err)
	}
	return st, nil
}

// megabytes is the size of the file at path in megabytes, to a tenth, "?"
// when it cannot be read.
func megabytes(cat *locale.Catalog, path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "?"
	}
	return cat.Decimal((fi.Size()*10+1<<19)>>20, 1)
}

// dataFileErr says why the data file at path could not be opened.
func dataFileErr(path string, cat *locale.Catalog, err error) error {
	switch {
	case errors.Is(err, store.ErrLocked):
		return booksErr(cat.T("cli.locked", path), err)
	case errors.Is(err, fs.ErrPermission):
		return booksErr(cat.T("cli.db_denied", path), err)
	}
	var damaged *store.DamagedError
	if errors.As(err, &damaged) {
		what := cat.T("db.problem.unknown")
		if len(damaged.Report.Problems) > 0 {
			what = problemText(cat, damaged.Report.Problems[0])
		}
		return booksErr(cat.T("db.refused_damaged", path, what)+" "+cat.T("db.what_to_do", path, path), err)
	}
	var gone *store.GoneError
	if errors.As(err, &gone) {
		key := "db.refused_empty"
		if gone.Missing {
			key = "db.refused_missing"
		}
		return booksErr(cat.T(key, path, gone.Note)+" "+cat.T("db.gone_what_to_do", path, gone.Note), err)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is in the sentence already
	}
	return booksErr(cat.T("cli.db_failed", path, err), err)
}

// sameDir reports whether a and b name the same folder.
func sameDir(a, b string) bool {
	a, errA := filepath.Abs(a)
	b, errB := filepath.Abs(b)
	return errA == nil && errB == nil && a == b
}
