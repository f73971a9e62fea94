package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kassa-till/kassa/store"
)

// A running till holds its data file locked: bbolt has one writer, and
// its read-only open would wait for the writer's lock. So the till answers
// on a unix socket beside the file, mode 0600, and `kassa export` asks it
// to write the CSV; only when no till answers does it open the file. HTTP over the
// socket frames the stream: a till that stops halfway ends it short, and
// the row count comes in a trailer after the last row.
//
//	GET /export?kind=payment&from=2026-11-01&to=2026-11-23&comma=%3B&decimal=%2C
//	POST /backup   (kassa db backup: the till takes one now; its path comes back)
//	GET /report/x, POST /report/z, GET /report/z (kassa report: see serveReports)
//	GET /display   (kassa display: what the customer sees, a JSON line at each change)
//
// On Linux the till also asks the kernel who connects (SO_PEERCRED) and
// answers only its own user's processes.

// controlPath is the socket of the till that has the data file db open.
func controlPath(db string) string { return db + ".sock" }

const (
	trailerRows  = "Kassa-Rows"
	trailerError = "Kassa-Error"
)

// serveControl answers export, report and backup requests for st on its socket
// until stop; backup takes one (nil: the till takes none); display
// streams the customer's display (nil: none).
// A socket left by a till that died is replaced; one that answers belongs
// to a live till and is left alone.
func serveControl(st *store.Store, backup func() (store.BackupFile, error), display http.Handler) (stop func(), err error) {
	path := controlPath(st.Path())
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSocket == 0 {
			return nil, fmt.Errorf("%s is in the way and is not a socket", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("another kassa answers on %s", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	// The data file's folder is the first guard; the mode is the second.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /export", func(w http.ResponseWriter, r *http.Request) { serveExport(st, w, r) })
	serveReports(mux, st)
	if backup != nil {
		mux.HandleFunc("POST /backup", func(w http.ResponseWriter, r *http.Request) {
			f, err := backup()
			if err != nil {
				status := http.StatusInternalServerError
				if errors.Is(err, store.ErrDamaged) {
					status = http.StatusConflict // the file, not the request
				}
				http.Error(w, err.Error(), status)
				return
			}
			io.WriteString(w, f.Path)
		})
	}
	if display != nil {
		mux.Handle("GET /display", display)
	}
	srv := &http.Server{Handler: onlyOwnUser(mux), ReadHeaderTimeout: 10 * time.Second,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, peerKey{}, peerVerdict{peerError(c)})
		}}
	go srv.Serve(ln)
	return func() { srv.Close() }, nil // closing the listener removes the socket
}

// peerKey holds, in a request's context, whether the process that
// connected may use the socket.
type peerKey struct{}

type peerVerdict struct{ err error }

// errOtherUser refuses a process of another user.
var errOtherUser = errors.New("only the till's own user may use its socket")

// onlyOwnUser answers 403 to a process of another user.
func onlyOwnUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v, _ := r.Context().Value(peerKey{}).(peerVerdict); v.err != nil {
			http.Error(w, v.err.Error(), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serveExport streams the CSV the request asks for, as store.WriteCSV
// writes it.
func serveExport(st *store.Store, w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := store.Query{Kind: store.Kind(v.Get("kind"))}
	from, errFrom := store.ParseDay(v.Get("from"))
	to, errTo := store.ParseDay(v.Get("to"))
	q.From, q.To = from, to
	// The format is the asker's: its language's separators and words.
	var f store.CSVFormat
	errFormat := json.Unmarshal([]byte(v.Get("format")), &f)
	if err := errors.Join(errFrom, errTo, errFormat, q.Validate()); err != nil || (q.Kind != store.KindPayment && q.Kind != store.KindRefund) {
		http.Error(w, fmt.Sprintf("bad export request %q", r.URL.RawQuery), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Trailer", trailerRows+", "+trailerError)
	rows, err := st.WriteCSV(w, q, f)
	w.Header().Set(trailerRows, strconv.Itoa(rows))
	if err != nil {
		w.Header().Set(trailerError, err.Error())
	}
}

// tillExport is store.WriteCSV done by the till that has the data file db
// open, or nil when no till answers on its socket.
func tillExport(db string) func(w io.Writer, q store.Query, f store.CSVFormat) (int, error) {
	hc := tillClient(db)
	if hc == nil {
		return nil
	}
	return func(w io.Writer, q store.Query, f store.CSVFormat) (int, error) {
		format, err := json.Marshal(f)
		if err != nil {
			return 0, err
		}
		v := url.Values{"kind": {string(q.Kind)}, "from": {q.From.Format(time.DateOnly)}, "to": {q.To.Format(time.DateOnly)}, "format": {string(format)}}
		resp, err := hc.Get("http://till/export?" + v.Encode())
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
			return 0, fmt.Errorf("the till answered %s: %s", resp.Status, msg)
		}
		if _, err := io.Copy(w, resp.Body); err != nil {
			return 0, err // a till that stopped halfway ends the stream short
		}
		if msg := resp.Trailer.Get(trailerError); msg != "" {
			return 0, errors.New(msg)
		}
		rows, err := strconv.Atoi(resp.Trailer.Get(trailerRows))
		if err != nil {
			return 0, errors.New("the till's export ended without its row count")
		}
		return rows, nil
	}
}

// tillClient speaks to the till that has the data file db open over its
// socket; nil when none answers there.
func tillClient(db string) *http.Client {
	path := controlPath(db)
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return nil
	}
	c.Close()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
}

// tillBackup asks the till that has the data file db open to take a
// backup; asked is false when no till answers.
func tillBackup(db string) (take func() (store.BackupFile, error), asked bool) {
	hc := tillClient(db)
	if hc == nil {
		return nil, false
	}
	return func() (store.BackupFile, error) {
		resp, err := hc.Post("http://till/backup", "", nil)
		if err != nil {
			return store.BackupFile{}, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4000))
		switch resp.StatusCode {
		case http.StatusOK:
			return store.BackupFile{Path: string(body)}, nil
		case http.StatusConflict:
			return store.BackupFile{}, fmt.Errorf("%w: %s", store.ErrDamaged, strings.TrimSpace(string(body)))
		}
		return store.BackupFile{}, fmt.Errorf("the till answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}, true
}
