package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
)

// A typo in --db's folder is refused: a new empty file there would start
// the receipts again at 000001. kassa's own folder is made when missing.
func TestDataFileFolderMustExistUnlessItIsKassas(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", filepath.Join(t.TempDir(), "data"))
	t.Chdir(t.TempDir()) // where an export would go, were it not refused
	typo := filepath.Join(t.TempDir(), "kasa", "kassa.db")
	var stderr bytes.Buffer
	code := run([]string{"export", "--db", typo, "--from", "2026-11-01", "--to", "2026-11-02"}, &stderr)
	want := "kassa: " + typo + ": the folder " + filepath.Dir(typo) + " does not exist. Check --db for a typo, or create the folder first.\n"
	if code != exitUsage || stderr.String() != want {
		t.Fatalf("exit %d %q, want %q", code, &stderr, want)
	}
	if _, err := os.Stat(filepath.Dir(typo)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the folder was made: %v", err)
	}

	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o600)
	if _, err := openDataFile(filepath.Join(file, "kassa.db"), locale.MustLoad("ru")); exitCode(err) != exitUsage ||
		err.Error() != filepath.Join(file, "kassa.db")+": "+file+" — не папка." {
		t.Fatalf("%v", err)
	}

	// The default data file's folder, and a --db naming it, are made.
	cfg, _, _ := loadConfig("kassa", nil)
	st, err := openDataFile(cfg.dataFile(), locale.MustLoad("en"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if fi, err := os.Stat(dataDir()); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("%v %v", fi, err)
	}
	os.RemoveAll(dataDir())
	st, err = openDataFile(filepath.Join(dataDir(), "other.db"), locale.MustLoad("en"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// What a person reads when the data file cannot be opened is one
// sentence, the path once, with exit code 4. (The tests run as root, for
// whom no file is unwritable: the error is made as the store returns it.)
func TestDataFileErrorsAreOneSentence(t *testing.T) {
	en := locale.MustLoad("en")
	denied := fmt.Errorf("store: %w", &fs.PathError{Op: "open", Path: "/x.db", Err: syscall.EACCES})
	if err := dataFileErr("/x.db", en, denied); exitCode(err) != exitBooks ||
		err.Error() != "/x.db cannot be written (permission denied): give --db a file in a folder you can write to." {
		t.Fatalf("%v", err)
	}
	_, err := store.Open(filepath.Join(t.TempDir(), "gone", "x.db"))
	if err := dataFileErr("/y/x.db", en, err); exitCode(err) != exitBooks ||
		err.Error() != "cannot use the data file /y/x.db: no such file or directory." {
		t.Fatalf("%v", err)
	}
	db := filepath.Join(t.TempDir(), "kassa.db")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = openDataFile(db, locale.MustLoad("ru"))
	if exitCode(err) != exitBooks || !errors.Is(err, store.ErrLocked) || !strings.HasSuffix(err.Error(), "открыт в другой kassa; сначала закройте её.") {
		t.Fatalf("%v", err)
	}
}
