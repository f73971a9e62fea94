package central

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/central/centraltest"
)

// testDB makes an empty database with the schema and returns its config.
func testDB(t *testing.T) *pgx.ConnConfig {
	t.Helper()
	cfg := centraltest.DB(t)
	if _, err := Migrate(context.Background(), connect(t, cfg)); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func connect(t *testing.T, cfg *pgx.ConnConfig) *pgx.Conn { return centraltest.Connect(t, cfg) }

func openTill(t *testing.T, till string) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SetTill(till); err != nil {
		t.Fatal(err)
	}
	return st
}

func newPusher(t *testing.T, st *store.Store, cfg *pgx.ConnConfig, shop string) *Pusher {
	t.Helper()
	p, err := NewPusher(st, cfg, shop, st.Till(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	return p
}

var day = time.Date(2026, 11, 23, 0, 0, 0, 0, time.Local)

// sellDay writes a day of a till's trade: payments through several
// providers, most paid, some declined, refunds of some, a few changed
// after (a refund's approval, a late fiscal receipt), as the till would.
func sellDay(t *testing.T, st *store.Store, n int, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	provs := []string{"kaspi", "uzqr", "octo"}
	var paid []store.Operation
	err := st.Batch(func(create func(*store.Operation) error) error {
		for i := range n {
			at := day.Add(8*time.Hour + time.Duration(i)*time.Minute)
			op := store.NewPayment(provs[r.IntN(len(provs))], providers.New(int64(100+r.IntN(90000)), providers.KZT), "Aigerim", false, at)
			op.Started(providers.Status{Ref: fmt.Sprintf("P%d-%d", seed, i), State: providers.StatePending}, at)
			state := providers.StateSuccess
			if r.IntN(10) == 0 {
				state = providers.StateFail
			}
			op.ApplyStatus(providers.Status{State: state, TransactionID: fmt.Sprintf("N%d%05d", seed, i), Method: providers.MethodQR}, at.Add(20*time.Second))
			if err := create(&op); err != nil {
				return err
			}
			if state == providers.StateSuccess {
				paid = append(paid, op)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, pay := range paid {
		switch i % 12 {
		case 0:
			ref := store.NewRefund(pay, providers.New(pay.Amount.Minor/2, pay.Amount.Currency), "Aigerim", pay.Created.Add(time.Hour))
			if err := st.Create(&ref); err != nil {
				t.Fatal(err)
			}
			ref.ApplyStatus(providers.Status{State: providers.StateSuccess}, ref.Created.Add(time.Second))
			if err := st.Save(&ref); err != nil {
				t.Fatal(err)
			}
		case 5:
			_, err := st.Modify(pay.ID, func(op *store.Operation) error {
				op.Fiscal = &providers.Fiscal{ReceiptID: fmt.Sprint("F", op.ID), FiscalSign: "S1"}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := st.Audit(store.AuditEntry{At: day.Add(20 * time.Hour), Kind: store.AuditXReport, Who: "Aigerim"}); err != nil {
		t.Fatal(err)
	}
}

func pushAll(t *testing.T, p *Pusher) int {
	t.Helper()
	n, err := p.Push(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// tillTotals is the till's own totals of the day, per provider.
func tillTotals(t *testing.T, st *store.Store) map[string]store.Totals {
	t.Helper()
	got := map[string]store.Totals{}
	for _, prov := range []string{"kaspi", "uzqr", "octo"} {
		tot, err := st.Totals(store.Query{From: day, To: day, Provider: prov}, providers.KZT)
		if err != nil {
			t.Fatal(err)
		}
		if tot.Payments > 0 {
			got[prov] = tot
		}
	}
	return got
}

func centralTotals(t *testing.T, conn *pgx.Conn, q Query) map[string]store.Totals {
	t.Helper()
	q.From, q.To = day, day
	list, err := Totals(context.Background(), conn, q)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]store.Totals{}
	for _, tot := range list {
		got[tot.Shop+"/"+tot.Till+"/"+tot.Provider] = tot.Totals
	}
	return got
}

// sameTotals checks the central totals of a till are its own.
func sameTotals(t *testing.T, conn *pgx.Conn, shop string, st *store.Store) {
	t.Helper()
	central := centralTotals(t, conn, Query{Shop: shop, Till: st.Till()})
	own := tillTotals(t, st)
	if len(central) != len(own) {
		t.Fatalf("till %s: central totals %v, its own %v", st.Till(), central, own)
	}
	for prov, tot := range own {
		if c := central[shop+"/"+st.Till()+"/"+prov]; c != tot {
			t.Errorf("till %s, %s: central %+v, the till's own %+v", st.Till(), prov, c, tot)
		}
	}
}

// checkDayTotals checks the day totals the trigger keeps are what the
// operations sum to.
func checkDayTotals(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	off := count(t, conn, `SELECT count(*) FROM (
		SELECT day, shop, till, provider, currency, kind, count(*) AS count, sum(amount) AS amount
		FROM operations WHERE state = 'success' GROUP BY 1, 2, 3, 4, 5, 6) o
		FULL JOIN (SELECT * FROM day_totals WHERE count <> 0) d USING (day, shop, till, provider, currency, kind)
		WHERE o.count IS DISTINCT FROM d.count OR o.amount IS DISTINCT FROM d.amount`)
	if off != 0 {
		t.Fatalf("%d day totals are not what their operations sum to", off)
	}
}

func count(t *testing.T, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// operationsOf is how many operations the till's file holds.
func operationsOf(t *testing.T, st *store.Store) int {
	t.Helper()
	n := 0
	if err := st.EachRow(func(store.Row) bool { n++; return true }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrateAppliesEachStepOnce(t *testing.T) {
	cfg := testDB(t) // applied once already
	conn := connect(t, cfg)
	again, err := Migrate(context.Background(), conn)
	if err != nil || len(again) != 0 {
		t.Fatalf("a second Migrate applied %v, %v; want nothing", again, err)
	}
	list, _ := Migrations()
	if n := count(t, conn, `SELECT count(*) FROM schema_migrations`); n != len(list) || n == 0 {
		t.Fatalf("schema_migrations holds %d rows, want %d", n, len(list))
	}
}

func TestADayArrivesAsTheTillHasIt(t *testing.T) {
	cfg := testDB(t)
	st := openTill(t, "T1")
	p := newPusher(t, st, cfg, "Chilanzar")
	sellDay(t, st, 300, 1)
	p.Batch = 64
	pushAll(t, p)
	conn := connect(t, cfg)
	if got, want := count(t, conn, `SELECT count(*) FROM operations`), operationsOf(t, st); got != want {
		t.Fatalf("central has %d operations, the till %d", got, want)
	}
	if n := count(t, conn, `SELECT count(*) FROM audit WHERE shop = 'Chilanzar' AND till = 'T1'`); n != 1 {
		t.Fatalf("central has %d audit entries, want 1", n)
	}
	sameTotals(t, conn, "Chilanzar", st)
	checkDayTotals(t, conn)
	if s := p.Status(); s.Behind != 0 || s.Err != nil || s.Reached.IsZero() {
		t.Fatalf("status after the push: %+v", s)
	}
	// A change after it arrives as the operation's newer version.
	if _, err := st.Modify(1, func(op *store.Operation) error { op.Note = "seen by the manager"; return nil }); err != nil {
		t.Fatal(err)
	}
	if n := pushAll(t, p); n != 1 {
		t.Fatalf("pushed %d changes after one change", n)
	}
	var note string
	if err := conn.QueryRow(context.Background(), `SELECT note FROM operations WHERE till = 'T1' AND id = 1`).Scan(&note); err != nil || note != "seen by the manager" {
		t.Fatalf("central note %q, %v", note, err)
	}
}

func TestAnOlderVersionNeverOverwritesANewer(t *testing.T) {
	cfg := testDB(t)
	conn := connect(t, cfg)
	op := store.NewPayment("kaspi", providers.New(500, providers.KZT), "", false, day)
	op.ID, op.State = 7, store.StateSuccess
	args, err := operationArgs("S", "T", 10, &op)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := conn.Exec(ctx, upsertOperation, args...); err != nil {
		t.Fatal(err)
	}
	op.State = store.StatePending
	old, _ := operationArgs("S", "T", 9, &op)
	if _, err := conn.Exec(ctx, upsertOperation, old...); err != nil {
		t.Fatal(err)
	}
	var state string
	conn.QueryRow(ctx, `SELECT state FROM operations`).Scan(&state)
	if state != string(store.StateSuccess) {
		t.Fatalf("version 9 overwrote version 10: state %s", state)
	}
}

var errKilled = errors.New("killed after the server's commit")

func TestAKillAfterTheServersCommitDoublesNothing(t *testing.T) {
	cfg := testDB(t)
	st := openTill(t, "T1")
	sellDay(t, st, 120, 2)
	first := newPusher(t, st, cfg, "Chilanzar")
	first.Batch = 50
	first.afterCommit = func() error { return errKilled }
	if n, err := first.Push(context.Background()); !errors.Is(err, errKilled) || n != 0 {
		t.Fatalf("the killed push: %d, %v", n, err)
	}
	before, err := st.OutboxLen()
	if err != nil {
		t.Fatal(err)
	}
	// The till starts again: a new pusher over the same file.
	again := newPusher(t, st, cfg, "Chilanzar")
	sent := pushAll(t, again)
	all, _ := st.Outbox(1 << 20)
	if left, _ := st.OutboxLen(); left != 0 || len(all.Changes) != 0 {
		t.Fatalf("outbox left %d", left)
	}
	conn := connect(t, cfg)
	var position int64
	if err := conn.QueryRow(context.Background(), `SELECT position FROM tills`).Scan(&position); err != nil {
		t.Fatal(err)
	}
	// The first batch's 50 entries were the server's already: the new
	// pusher dropped them unsent.
	if before-50 <= 0 || sent > before-50 {
		t.Fatalf("the new pusher sent %d changes of %d entries, 50 of which the server had", sent, before)
	}
	if got, want := count(t, conn, `SELECT count(*) FROM operations`), operationsOf(t, st); got != want {
		t.Fatalf("central has %d operations, the till %d", got, want)
	}
	sameTotals(t, conn, "Chilanzar", st)
}

// proxy stands between the pusher and PostgreSQL, so a test can take the
// database away and bring it back on the same address.
type proxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target}
	p.up()
	t.Cleanup(p.down)
	return p
}

func (p *proxy) up() {
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
}

// down refuses new connections and cuts the ones there are.
func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func throughProxy(t *testing.T, cfg *pgx.ConnConfig) (*pgx.ConnConfig, *proxy) {
	px := newProxy(t, net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)))
	host, port, _ := net.SplitHostPort(px.addr)
	via := cfg.Copy()
	via.Host = host
	fmt.Sscan(port, &via.Port)
	via.Fallbacks = nil
	via.ConnectTimeout = 2 * time.Second
	return via, px
}

func TestADatabaseAwayAndBackLosesNothing(t *testing.T) {
	cfg := testDB(t)
	via, px := throughProxy(t, cfg)
	st := openTill(t, "T1")
	p := newPusher(t, st, via, "Chilanzar")
	sellDay(t, st, 40, 3)
	pushAll(t, p)
	px.down()
	// The till sells on while the database is away; pushes fail and keep
	// everything.
	sellDay(t, st, 40, 4)
	if _, err := p.Push(context.Background()); err == nil {
		t.Fatal("a push with the database away succeeded")
	}
	if s := p.Status(); s.Err == nil || s.Behind == 0 {
		t.Fatalf("status with the database away: %+v", s)
	}
	px.up()
	pushAll(t, p)
	conn := connect(t, cfg)
	if got, want := count(t, conn, `SELECT count(*) FROM operations`), operationsOf(t, st); got != want {
		t.Fatalf("central has %d operations, the till %d", got, want)
	}
	sameTotals(t, conn, "Chilanzar", st)
}

func TestRunCatchesUpOnceTheDatabaseIsBack(t *testing.T) {
	cfg := testDB(t)
	via, px := throughProxy(t, cfg)
	px.down()
	st := openTill(t, "T1")
	p := newPusher(t, st, via, "Chilanzar")
	p.Every, p.MinBackoff, p.MaxBackoff = time.Millisecond, time.Millisecond, 4*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	sellDay(t, st, 30, 5) // a sale never waits for the pusher
	px.up()
	conn := connect(t, cfg)
	want := operationsOf(t, st)
	deadline := time.Now().Add(30 * time.Second)
	for count(t, conn, `SELECT count(*) FROM operations`) < want || p.Status().Behind != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the pusher did not catch up: %+v", p.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
	sameTotals(t, conn, "Chilanzar", st)
}

func TestTwoTillsOfOneShopAtOnce(t *testing.T) {
	cfg := testDB(t)
	tills := []*store.Store{openTill(t, "T1"), openTill(t, "T2")}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i, st := range tills {
		p := newPusher(t, st, cfg, "Chilanzar")
		p.Batch = 20
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each till sells and pushes as it goes, beside the other.
			for round := range 4 {
				sellDay(t, st, 25, uint64(10*i+round))
				if _, err := p.Push(context.Background()); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	conn := connect(t, cfg)
	for _, st := range tills {
		if got, want := count(t, conn, `SELECT count(*) FROM operations WHERE till = $1`, st.Till()), operationsOf(t, st); got != want {
			t.Fatalf("central has %d operations of %s, the till %d", got, st.Till(), want)
		}
		sameTotals(t, conn, "Chilanzar", st)
	}
	checkDayTotals(t, conn)
	// The shop's totals are the sum of its tills'.
	shop := centralTotals(t, conn, Query{Shop: "Chilanzar"})
	for _, prov := range []string{"kaspi", "uzqr", "octo"} {
		var sum int64
		for _, st := range tills {
			sum += tillTotals(t, st)[prov].Net().Minor
		}
		var central int64
		for k, tot := range shop {
			if strings.HasSuffix(k, "/"+prov) {
				central += tot.Net().Minor
			}
		}
		if central != sum {
			t.Errorf("%s: the shop's central net %d, its tills' %d", prov, central, sum)
		}
	}
}

func TestNoSecretOfTheTillReachesTheDatabase(t *testing.T) {
	cfg := testDB(t)
	st := openTill(t, "T1")
	p := newPusher(t, st, cfg, "Chilanzar")
	secrets := []string{"SECRET-TOKEN-7f3a", "SECRET-KEY-91bc", "SECRET-RAW-11", "SECRET-QR-22", "+998901234567", "SECRET-CARD-33", "1234"}
	if err := st.PutSecret("kaspi_token", secrets[0]); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSecretAudited("uzqr_key", secrets[1], store.AuditEntry{At: day, Kind: store.AuditKey, Who: "Dilnoza"}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddPerson(store.Person{Name: "Dilnoza", Role: store.RoleManager}, secrets[6], "", day); err != nil {
		t.Fatal(err)
	}
	dilnoza, err := st.Person("Dilnoza")
	if err != nil {
		t.Fatal(err)
	}
	op := store.NewPayment("octo", providers.New(5000, providers.UZS), "Dilnoza", false, day.Add(9*time.Hour))
	op.Sale = &providers.Sale{Contact: secrets[4]}
	if err := st.Create(&op); err != nil {
		t.Fatal(err)
	}
	op.Started(providers.Status{Ref: "INV1", State: providers.StatePending, QR: &providers.QR{Payload: "https://pay/" + secrets[3]}}, op.Created)
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Raw: []byte(`{"token":"` + secrets[2] + `"}`),
		Cheque: &providers.Cheque{CardMask: secrets[5], TerminalID: "TERM1"}}, op.Created.Add(time.Second))
	if err := st.Save(&op); err != nil {
		t.Fatal(err)
	}
	pushAll(t, p)
	conn := connect(t, cfg)
	if n := count(t, conn, `SELECT count(*) FROM operations WHERE terminal = 'TERM1' AND ref = 'INV1'`); n != 1 {
		t.Fatalf("the payment did not arrive (%d)", n)
	}
	// Every row of every table, as text.
	rows, err := conn.Query(context.Background(), `SELECT row_to_json(x)::text FROM (
		SELECT to_jsonb(o) AS r FROM operations o UNION ALL SELECT to_jsonb(a) FROM audit a
		UNION ALL SELECT to_jsonb(t) FROM tills t) x`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			t.Fatal(err)
		}
		n++
		for _, s := range append(secrets[:6], dilnoza.PINHash) {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("the database holds a secret of the till, %q: %s", s, text)
			}
		}
	}
	if n < 3 {
		t.Fatalf("read %d rows, want the payment, its audit entries and the till", n)
	}
}

func TestARestoredTillSendsWhatItChangesNext(t *testing.T) {
	cfg := testDB(t)
	st := openTill(t, "T1")
	p := newPusher(t, st, cfg, "Chilanzar")
	sellDay(t, st, 10, 6)
	pushAll(t, p)
	// The server has this till further than the file does: restored from
	// a backup taken before its last pushes.
	conn := connect(t, cfg)
	if _, err := conn.Exec(context.Background(), `UPDATE tills SET position = position + 1000`); err != nil {
		t.Fatal(err)
	}
	again := newPusher(t, st, cfg, "Chilanzar")
	pushAll(t, again)
	if _, err := st.Modify(2, func(op *store.Operation) error { op.Note = "after the restore"; return nil }); err != nil {
		t.Fatal(err)
	}
	if n := pushAll(t, again); n != 1 {
		t.Fatalf("the change after the restore: pushed %d", n)
	}
	if n := count(t, conn, `SELECT count(*) FROM operations WHERE note = 'after the restore'`); n != 1 {
		t.Fatal("the change after the restore did not arrive")
	}
}

func TestASecondFileUnderATillsNameIsRefused(t *testing.T) {
	cfg := testDB(t)
	first := openTill(t, "T1")
	sellDay(t, first, 10, 8)
	pushAll(t, newPusher(t, first, cfg, "Chilanzar"))
	// Another till given the same name (a config file copied as it was).
	second := openTill(t, "T1")
	sellDay(t, second, 7, 9)
	p := newPusher(t, second, cfg, "Chilanzar")
	if _, err := p.Push(context.Background()); !errors.Is(err, ErrOtherFile) {
		t.Fatalf("the second file's push: %v, want ErrOtherFile", err)
	}
	conn := connect(t, cfg)
	if got, want := count(t, conn, `SELECT count(*) FROM operations`), operationsOf(t, first); got != want {
		t.Fatalf("central has %d operations, the first till %d: the second's were mixed in", got, want)
	}
	if left, _ := second.OutboxLen(); left == 0 {
		t.Fatal("the refused till's outbox was emptied")
	}
	// Under a name of its own it is sent.
	own, err := NewPusher(second, cfg, "Chilanzar", "T2", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer own.close()
	pushAll(t, own)
	if got, want := count(t, conn, `SELECT count(*) FROM operations WHERE till = 'T2'`), operationsOf(t, second); got != want {
		t.Fatalf("central has %d operations of T2, the till %d", got, want)
	}
}

func TestTheChainsCSVHasTheShopAndTheTill(t *testing.T) {
	cfg := testDB(t)
	for _, name := range []string{"T1", "T2"} {
		st := openTill(t, name)
		sellDay(t, st, 5, 7)
		pushAll(t, newPusher(t, st, cfg, "Chilanzar"))
	}
	conn := connect(t, cfg)
	var b strings.Builder
	n, err := WriteCSV(context.Background(), conn, &b, Query{From: day, To: day, Kind: store.KindPayment, Till: "T2"}, store.CSVFormat{}, "shop", "till")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if n != 5 || len(lines) != 6 || !strings.HasPrefix(lines[0], "\ufeffshop,till,time,") || !strings.HasPrefix(lines[1], "Chilanzar,T2,") {
		t.Fatalf("%d rows:\n%s", n, b.String())
	}
	// A search by a payment number finds it across tills.
	found := 0
	err = Rows(context.Background(), conn, Query{From: day, To: day, Search: "N700003"}, func(r Row) bool { found++; return true })
	if err != nil || found != 2 {
		t.Fatalf("search found %d, %v; want one per till", found, err)
	}
	if _, err := WriteCSV(context.Background(), conn, io.Discard, Query{From: day, To: day.AddDate(0, 0, store.MaxPeriod)}, store.CSVFormat{}, "", ""); !errors.Is(err, store.ErrPeriodTooLong) {
		t.Fatalf("a period of %d days: %v", store.MaxPeriod+1, err)
	}
}

func TestParseURLRefusesAPassword(t *testing.T) {
	for _, url := range []string{
		"postgres://kassa:hunter2@db.example/kassa",
		"postgresql://kassa@db.example/kassa?password=hunter2",
		"host=db.example user=kassa password=hunter2",
	} {
		if _, err := ParseURL(url); !errors.Is(err, ErrPasswordInURL) {
			t.Errorf("ParseURL(%q) = %v, want ErrPasswordInURL", url, err)
		}
	}
	t.Setenv("PGPASSWORD", "from-the-environment")
	cfg, err := ParseURL("postgres://kassa@db.example:5433/kassa?sslmode=verify-full")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Password != "from-the-environment" || cfg.Port != 5433 || cfg.TLSConfig == nil {
		t.Fatalf("config %+v: want the password from PGPASSWORD and TLS", cfg)
	}
}

func TestBackoffDoublesUpToItsMost(t *testing.T) {
	var got []time.Duration
	d := time.Duration(0)
	for range 9 {
		d = nextBackoff(d, time.Second, time.Minute)
		got = append(got, d)
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("backoffs %v, want %v seconds", got, want)
		}
	}
}
