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

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
)

// A running till holds its data file locked: bbolt has one writer, and
// its read-only open would wait for the writer's lock. So the till answers
// on a unix socket beside the file, mode 0600, and `kassa export` asks it
// to write the CSV; only when no till answers does it open the file. HTTP over the
// socket frames the stream: a till that stops halfway ends it short, and
// the row count comes in a trailer after the last row.
//
//	GET /export?kind=payment&from=2026-11-01&to=2026-11-23&format=…&lang=ru
//	GET /audit/export?from=2026-11-01&to=2026-11-23&format=…&lang=ru
//	GET /audit/verify  (kassa audit verify: the entries and the first break, as JSON)
//	POST /backup   (kassa db backup: the till takes one now; its path comes back)
//	GET /report/x, POST /report/z, GET /report/z (kassa report: see serveReports)
//	GET /display   (kassa display: what the customer sees, a JSON line at each change)
//
// On a till with people, the exports come with who asks, in the headers
// Kassa-User, Kassa-User-PIN, Kassa-Approver and Kassa-Approver-PIN: the
// till checks them as the command would have (its own [approval] rules)
// and audits the export. A refusal is 403 with Kassa-Refused set and the
// sentence in the asker's language as the body.
//
// On Linux the till also asks the kernel who connects (SO_PEERCRED) and
// answers only its own user's processes.

// controlPath is the socket of the till that has the data file db open.
func controlPath(db string) string { return db + ".sock" }

const (
	trailerRows  = "Kassa-Rows"
	trailerError = "Kassa-Error"
)

// serveControl answers export, report and backup requests for st on its
// socket until stop, approving exports by approval; backup takes one (nil:
// the till takes none); display streams the customer's display (nil: none).
// A socket left by a till that died is replaced; one that answers belongs
// to a live till and is left alone.
func serveControl(st *store.Store, approval store.Approval, backup func() (store.BackupFile, error), display http.Handler) (stop func(), err error) {
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
	mux.HandleFunc("GET /export", func(w http.ResponseWriter, r *http.Request) { serveExport(st, approval, w, r) })
	mux.HandleFunc("GET /audit/export", func(w http.ResponseWriter, r *http.Request) { serveAuditExport(st, w, r) })
	mux.HandleFunc("GET /audit/verify", func(w http.ResponseWriter, r *http.Request) { serveAuditVerify(st, w, r) })
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
// writes it, once who asks may (see authorize).
func serveExport(st *store.Store, approval store.Approval, w http.ResponseWriter, r *http.Request) {
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
	a, ok := askerMay(st, w, r, store.ActionExport, func(by store.Person) bool { return approval.Needs(store.ActionExport, by) })
	if !ok {
		return
	}
	streamCSV(w, func(out io.Writer) (int, error) {
		rows, err := st.WriteCSV(out, q, f)
		if err == nil {
			err = auditExport(st, a, exportWhat(q.Kind), q, time.Now())
		}
		return rows, err
	})
}

// serveAuditExport streams the audit log's CSV, for a manager.
func serveAuditExport(st *store.Store, w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := store.Query{}
	from, errFrom := store.ParseDay(v.Get("from"))
	to, errTo := store.ParseDay(v.Get("to"))
	q.From, q.To = from, to
	var f store.AuditCSVFormat
	errFormat := json.Unmarshal([]byte(v.Get("format")), &f)
	if err := errors.Join(errFrom, errTo, errFormat, q.Validate()); err != nil {
		http.Error(w, fmt.Sprintf("bad audit export request %q", r.URL.RawQuery), http.StatusBadRequest)
		return
	}
	a, ok := askerMay(st, w, r, store.ActionExport, alwaysManager)
	if !ok {
		return
	}
	streamCSV(w, func(out io.Writer) (int, error) {
		rows, err := st.WriteAuditCSV(out, q.From, q.To, "", f)
		if err == nil {
			err = auditExport(st, a, exportAudit, q, time.Now())
		}
		return rows, err
	})
}

// streamCSV answers with the CSV write writes, its row count (or what
// stopped it) in a trailer.
func streamCSV(w http.ResponseWriter, write func(io.Writer) (int, error)) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Trailer", trailerRows+", "+trailerError)
	rows, err := write(w)
	w.Header().Set(trailerRows, strconv.Itoa(rows))
	if err != nil {
		w.Header().Set(trailerError, err.Error())
	}
}

// auditVerdict is what GET /audit/verify answers.
type auditVerdict struct {
	Entries int               `json:"entries"`
	Broken  *store.AuditBreak `json:"broken,omitempty"`
}

func serveAuditVerify(st *store.Store, w http.ResponseWriter, _ *http.Request) {
	n, broken, err := st.VerifyAudit()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(auditVerdict{Entries: n, Broken: broken})
}

// Headers naming who asks the till for an export.
const (
	headerUser        = "Kassa-User"
	headerUserPIN     = "Kassa-User-PIN"
	headerApprover    = "Kassa-Approver"
	headerApproverPIN = "Kassa-Approver-PIN"
	headerRefused     = "Kassa-Refused"
)

// askerMay checks who the request names as authorize does, with the PINs
// it carries, and answers a refusal itself (ok false).
func askerMay(st *store.Store, w http.ResponseWriter, r *http.Request, action string, need needs) (acting, bool) {
	cat := catalogFor(r.URL.Query().Get("lang"))
	asker := who{user: r.Header.Get(headerUser), approver: r.Header.Get(headerApprover)}
	pins := &givenPINs{cat: cat}
	for _, h := range []string{headerUserPIN, headerApproverPIN} {
		if pin := r.Header.Get(h); pin != "" {
			pins.pins = append(pins.pins, pin)
		}
	}
	a, err := authorize(st, cat, asker, pins, action, need, time.Now())
	var e *exitError
	switch {
	case errors.As(err, &e) && e.code == exitUsage:
		w.Header().Set(headerRefused, "1")
		http.Error(w, e.Error(), http.StatusForbidden)
		return a, false
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return a, false
	}
	return a, true
}

// givenPINs are the PINs a request carried, in the order asked for.
type givenPINs struct {
	cat  *locale.Catalog
	pins []string
}

func (g *givenPINs) pinOf(name string) (string, error) {
	if len(g.pins) == 0 {
		return "", usageErr(g.cat.T("people.no_pin", name), errNoPIN)
	}
	pin := g.pins[0]
	g.pins = g.pins[1:]
	return pin, nil
}

// tillAsk is who asks the till for an export, with their PINs, and the
// language of the asker.
type tillAsk struct {
	lang                  string
	user, userPIN         string
	approver, approverPIN string
}

// sign names the people who ask in req's headers, with their PINs.
func (ask tillAsk) sign(req *http.Request) {
	for h, value := range map[string]string{headerUser: ask.user, headerUserPIN: ask.userPIN, headerApprover: ask.approver, headerApproverPIN: ask.approverPIN} {
		if value != "" {
			req.Header.Set(h, value)
		}
	}
}

// refusedByTill is the till's refusal of who asked, in the asker's words.
type refusedByTill struct{ msg string }

func (e *refusedByTill) Error() string { return e.msg }

// tillCSV asks the till for the CSV at path over the period of q, in
// format f, and copies it to w.
func tillCSV(hc *http.Client, w io.Writer, path string, v url.Values, q store.Query, f any, ask tillAsk) (int, error) {
	format, err := json.Marshal(f)
	if err != nil {
		return 0, err
	}
	v.Set("from", q.From.Format(time.DateOnly))
	v.Set("to", q.To.Format(time.DateOnly))
	v.Set("format", string(format))
	v.Set("lang", ask.lang)
	req, err := http.NewRequest(http.MethodGet, "http://till"+path+"?"+v.Encode(), nil)
	if err != nil {
		return 0, err
	}
	ask.sign(req)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4000))
		if resp.Header.Get(headerRefused) != "" {
			return 0, &refusedByTill{strings.TrimSpace(string(msg))}
		}
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

// tillVerify asks the till that has the data file db open to check its
// audit log; asked is false when no till answers.
func tillVerify(db string) (verdict auditVerdict, asked bool, err error) {
	hc := tillClient(db)
	if hc == nil {
		return verdict, false, nil
	}
	resp, err := hc.Get("http://till/audit/verify")
	if err != nil {
		return verdict, true, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4000))
		return verdict, true, fmt.Errorf("the till answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return verdict, true, json.NewDecoder(resp.Body).Decode(&verdict)
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
