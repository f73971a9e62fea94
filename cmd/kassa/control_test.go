package main

import (
	"bytes"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// runningTill opens db as a running till does, holding it locked, and
// answers on its socket.
func runningTill(t *testing.T, db string) (*store.Store, func()) {
	t.Helper()
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	stop, err := serveControl(st, store.DefaultApproval(), nil, nil)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(); st.Close() })
	return st, stop
}

func TestExportWhileTheTillRuns(t *testing.T) {
	db := genFile(t, 2000)
	st, stop := runningTill(t, db)
	if fi, err := os.Stat(controlPath(db)); err != nil || fi.Mode()&fs.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket: %v %v", fi, err)
	}
	from, to := day(time.Now().AddDate(0, 0, -34)), day(time.Now())
	for _, lang := range []string{"en", "ru"} {
		for _, kind := range []string{"payments", "refunds"} {
			q := store.Query{Kind: store.KindPayment}
			if kind == "refunds" {
				q.Kind = store.KindRefund
			}
			q.From, _ = store.ParseDay(from)
			q.To, _ = store.ParseDay(to)
			var want bytes.Buffer
			rows, err := st.WriteCSV(&want, q, common.CSVFormat(locale.MustLoad(lang)))
			if err != nil || rows < 10 {
				t.Fatalf("%d rows, %v", rows, err)
			}

			file := filepath.Join(t.TempDir(), kind+".csv")
			var out bytes.Buffer
			err = runExport([]string{"--lang", lang, "--kind", kind, "--from", from, "--to", to, "--db", db, "--out", file}, &out)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, kind, err)
			}
			got, _ := os.ReadFile(file)
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("%s %s: the till's export differs from the file's own", lang, kind)
			}
			if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
				t.Fatalf("mode %v", fi.Mode())
			}
			abs, _ := filepath.Abs(file)
			if wantSays := locale.MustLoad(lang).T("cli.exported_"+kind, locale.MustLoad(lang).Number(int64(rows)), abs) + "\n"; out.String() != wantSays {
				t.Fatalf("says %q, want %q", &out, wantSays)
			}
		}
	}

	// Never over an earlier export: a name given is refused, the default
	// name gets -2.
	dir := t.TempDir()
	t.Chdir(dir)
	file := filepath.Join(dir, "p.csv")
	os.WriteFile(file, []byte("mine"), 0o600)
	var stderr bytes.Buffer
	if code := run([]string{"export", "--from", from, "--db", db, "--out", file}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "exists already") {
		t.Fatalf("exit %d %q", code, &stderr)
	}
	if raw, _ := os.ReadFile(file); string(raw) != "mine" {
		t.Fatal("an existing file was overwritten")
	}
	for _, name := range []string{"kassa-payments-" + from + "-" + to + ".csv", "kassa-payments-" + from + "-" + to + "-2.csv"} {
		if code := run([]string{"export", "--from", from, "--db", db}, &stderr); code != exitDone {
			t.Fatalf("exit %d %q", code, &stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}

	// A till that closed takes its socket with it; a file still locked by
	// a kassa that does not answer is refused with a sentence.
	stop()
	if _, err := os.Stat(controlPath(db)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("socket left behind: %v", err)
	}
	stderr.Reset()
	code := run([]string{"export", "--from", from, "--db", db, "--out", filepath.Join(dir, "locked.csv")}, &stderr)
	if code != exitBooks || stderr.String() != "kassa: "+db+" is open in another kassa; close that one first.\n" {
		t.Fatalf("exit %d %q", code, &stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "locked.csv")); err == nil {
		t.Fatal("a file was written")
	}
}

// A till killed leaves its socket; the next one replaces it. A socket
// that answers, or a file that is not a socket, is left alone.
func TestStaleSocketIsReplaced(t *testing.T) {
	db := genFile(t, 100)
	ln, err := net.Listen("unix", controlPath(db))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // as a killed till leaves it

	runningTill(t, db)
	var out bytes.Buffer
	if err := runExport([]string{"--from", day(time.Now()), "--db", db, "--out", filepath.Join(t.TempDir(), "p.csv")}, &out); err != nil {
		t.Fatal(err)
	}

	other := filepath.Join(t.TempDir(), "other.db")
	st, err := store.Open(other)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	live, err := net.Listen("unix", controlPath(other))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := serveControl(st, store.DefaultApproval(), nil, nil); err == nil {
		t.Fatal("a live socket was taken over")
	}
	live.Close()
	os.WriteFile(controlPath(other), []byte("notes"), 0o600)
	if _, err := serveControl(st, store.DefaultApproval(), nil, nil); err == nil {
		t.Fatal("a file in the way was removed")
	}
	if raw, _ := os.ReadFile(controlPath(other)); string(raw) != "notes" {
		t.Fatal("the file in the way was changed")
	}
}

// A till that stops halfway through an export leaves no half a file that
// reads as a whole statement.
func TestExportCutShortLeavesNoFile(t *testing.T) {
	db := genFile(t, 100)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ln, err := net.Listen("unix", controlPath(db))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("\ufefftime,kind,amount\n"))
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "p.csv")
	err = runExport([]string{"--from", day(time.Now()), "--db", db, "--out", file}, &bytes.Buffer{})
	if exitCode(err) != exitBooks || !strings.Contains(err.Error(), "Nothing was written there.") {
		t.Fatalf("exit %d: %v", exitCode(err), err)
	}
	if _, err := os.Stat(file); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("half a file left: %v", err)
	}
}
