package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
)

// cheapPINs makes PIN hashes cheap for the test; store's tests check the
// real cost.
func cheapPINs(t *testing.T) {
	t.Helper()
	was := store.PINCost
	store.PINCost = store.PINParams{Memory: 64, Time: 1, Threads: 1}
	t.Cleanup(func() { store.PINCost = was })
}

// user runs kassa user with stdin as its standard input.
func user(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := runUser(args, strings.NewReader(stdin), &out)
	return out.String(), err
}

// staffed is a data file whose till has a manager, Dana (PIN 1111), and a
// cashier, Aigerim (PIN 2222), added from the command line.
func staffed(t *testing.T, db string) {
	t.Helper()
	if out, err := user(t, "1111\n1111\n", "add", "--name", "Dana", "--role", "manager", "--db", db); err != nil || out != "Manager added: Dana.\n" {
		t.Fatalf("%v %q", err, out)
	}
	if out, err := user(t, "1111\n2222\n2222\n", "add", "--name", "Aigerim", "--role", "cashier", "--user", "dana", "--db", db); err != nil || out != "Cashier added: Aigerim.\n" {
		t.Fatalf("%v %q", err, out)
	}
}

func TestUserAddTheManagerFirstThenACashier(t *testing.T) {
	cheapPINs(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "kassa.db")
	if _, err := user(t, "2222\n2222\n", "add", "--name", "Aigerim", "--role", "cashier", "--db", db); exitCode(err) != exitUsage ||
		!strings.Contains(err.Error(), "The first person at a till is its manager") {
		t.Fatalf("a cashier first: %v", err)
	}
	if _, err := user(t, "1111\n1112\n", "add", "--name", "Dana", "--role", "manager", "--db", db); exitCode(err) != exitUsage ||
		!strings.Contains(err.Error(), "not the same") {
		t.Fatalf("PINs that differ: %v", err)
	}
	if _, err := user(t, "11\n11\n", "add", "--name", "Dana", "--role", "manager", "--db", db); exitCode(err) != exitUsage ||
		!strings.Contains(err.Error(), "4 to 8 digits") {
		t.Fatalf("a short PIN: %v", err)
	}
	staffed(t, db)
	// Once there are people, adding one takes a manager: not nobody, not
	// a cashier, not a wrong PIN.
	for _, c := range []struct{ stdin, user, says string }{
		{"3333\n3333\n", "", "Only a manager can do this"},
		{"2222\n3333\n3333\n", "Aigerim", "Aigerim is not a manager."},
		{"1234\n3333\n3333\n", "Dana", "Wrong PIN for Dana: 4 more tries before the lock."},
	} {
		args := []string{"add", "--name", "Bakhyt", "--role", "cashier", "--db", db}
		if c.user != "" {
			args = append(args, "--user", c.user)
		}
		if _, err := user(t, c.stdin, args...); exitCode(err) != exitUsage || !strings.Contains(err.Error(), c.says) {
			t.Fatalf("%+v: %v", c, err)
		}
	}
	out, err := user(t, "", "list", "--db", db, "--lang", "ru")
	if err != nil {
		t.Fatal(err)
	}
	want := "Имя      Роль      Язык         Состояние\nAigerim  кассир    как у кассы  \nDana     менеджер  как у кассы  \n"
	if out != want {
		t.Fatalf("%q\nwant %q", out, want)
	}
	if strings.Contains(out, "argon") || strings.Contains(out, "2222") {
		t.Fatal("the list shows a PIN")
	}
}

func TestUserChangesNeedAManager(t *testing.T) {
	cheapPINs(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "kassa.db")
	staffed(t, db)
	if _, err := user(t, "1111\n", "disable", "--name", "Dana", "--user", "Dana", "--db", db); exitCode(err) != exitUsage ||
		!strings.Contains(err.Error(), "last manager") {
		t.Fatal(err)
	}
	if out, err := user(t, "1111\n", "disable", "--name", "aigerim", "--user", "Dana", "--db", db); err != nil || out != "Aigerim can no longer sign in.\n" {
		t.Fatal(out, err)
	}
	if out, _ := user(t, "", "list", "--db", db); !strings.Contains(out, "Aigerim  cashier  the till's  disabled") {
		t.Fatalf("%q", out)
	}
	if out, err := user(t, "1111\n", "enable", "--name", "Aigerim", "--user", "Dana", "--db", db); err != nil || out != "Aigerim can sign in again.\n" {
		t.Fatal(out, err)
	}
	// The manager's PIN, then the new one twice.
	if out, err := user(t, "1111\n5555\n5555\n", "reset-pin", "--name", "Aigerim", "--user", "Dana", "--db", db); err != nil || out != "Aigerim has a new PIN.\n" {
		t.Fatal(out, err)
	}
	st, _ := store.Open(db)
	_, err := st.SignIn("Aigerim", "5555", time.Now())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
}

// refundTill is a simulated POS and a data file with people and a paid
// payment of 5000 ₸, receipt 000001, taken by Aigerim.
func refundTill(t *testing.T) (*pos, []string) {
	t.Helper()
	cheapPINs(t)
	p, args := payTill(t)
	staffed(t, args[3])
	p.run()
	defer p.pause()
	p.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
	var out bytes.Buffer
	if err := runPayFrom(append(args, "--amount", "5000"), strings.NewReader(""), &out); exitCode(err) != exitUsage ||
		!strings.Contains(err.Error(), "--user NAME") {
		t.Fatalf("a payment by nobody: %v\n%s", err, &out)
	}
	if err := runPayFrom(append(args, "--amount", "5000", "--user", "Aigerim"), strings.NewReader("2222\n"), &out); err != nil {
		t.Fatalf("%v\n%s", err, &out)
	}
	st, _ := store.Open(args[3])
	defer st.Close()
	if op, _ := st.Get(1); op.Cashier != "Aigerim" || op.State != store.StateSuccess {
		t.Fatalf("%+v", op)
	}
	return p, args
}

func TestARefundByACashierWaitsForAManagersPIN(t *testing.T) {
	p, args := refundTill(t)
	p.run()
	defer p.pause()
	refund := append(args, "--payment", "000001", "--amount", "2000", "--user", "Aigerim")
	var out bytes.Buffer
	err := runRefundFrom(refund, strings.NewReader("2222\n"), &out)
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "A refund by Aigerim needs a manager's approval: add --approver NAME") {
		t.Fatalf("without an approver: %v\n%s", err, &out)
	}
	// A cashier is no approver (a wrong PIN is refused as in kassa user;
	// the pause after it would hold this test up).
	err = runRefundFrom(append(refund, "--approver", "Aigerim"), strings.NewReader("2222\n2222\n"), &out)
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "Aigerim is not a manager.") {
		t.Fatalf("a cashier approves: %v", err)
	}
	if n := p.sim.Requests("/v2/refund"); n != 0 {
		t.Fatalf("%d refunds sent", n)
	}
	p.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
	out.Reset()
	if err := runRefundFrom(append(refund, "--approver", "Dana"), strings.NewReader("2222\n1111\n"), &out); err != nil {
		t.Fatalf("approved: %v\n%s", err, &out)
	}
	st, _ := store.Open(args[3])
	defer st.Close()
	ops, _ := st.Refunds(1)
	if len(ops) != 1 || ops[0].Cashier != "Aigerim" || ops[0].Approver != "Dana" || ops[0].State != store.StateSuccess {
		t.Fatalf("%+v", ops)
	}
	page, _ := st.AuditPage(time.Time{}, time.Time{}, "", 0, 3)
	if page[0].Kind != store.AuditRefund || page[0].Who != "Aigerim" || page[0].Approver != "Dana" || page[0].Operation != ops[0].ID ||
		page[1].Kind != store.AuditApproval || page[1].Who != "Aigerim" || page[1].Approver != "Dana" || page[1].Detail != store.ActionRefund ||
		page[2].Kind != store.AuditSignIn || page[2].Who != "Aigerim" {
		t.Fatalf("%+v", page)
	}
}

// A manager refunds alone; a cashier does too where [approval] lets
// refunds up to an amount through.
func TestApprovalRulesForRefunds(t *testing.T) {
	p, args := refundTill(t)
	p.run()
	defer p.pause()
	var out bytes.Buffer
	p.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
	if err := runRefundFrom(append(args, "--payment", "000001", "--amount", "1000", "--user", "Dana"), strings.NewReader("1111\n"), &out); err != nil {
		t.Fatalf("a manager: %v\n%s", err, &out)
	}
	cashier := append(args, "--payment", "000001", "--user", "Aigerim", "--approve", "history,export", "--refund-above", "500")
	if err := runRefundFrom(append(cashier, "--amount", "501"), strings.NewReader("2222\n"), &out); exitCode(err) != exitUsage {
		t.Fatalf("above the amount: %v", err)
	}
	p.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second})
	if err := runRefundFrom(append(cashier, "--amount", "500"), strings.NewReader("2222\n"), &out); err != nil {
		t.Fatalf("up to the amount: %v\n%s", err, &out)
	}
	st, _ := store.Open(args[3])
	defer st.Close()
	ops, _ := st.Refunds(1)
	if len(ops) != 2 || ops[0].Cashier != "Dana" || ops[1].Cashier != "Aigerim" || ops[0].Approver != "" || ops[1].Approver != "" {
		t.Fatalf("%+v", ops)
	}
}

func TestApprovalConfig(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cfgFile := filepath.Join(t.TempDir(), "kassa.toml")
	os.WriteFile(cfgFile, []byte("[approval]\nactions = [\"refund\", \"wipe\"]\nrefund_above = \"100.50\"\n"), 0o600)
	cfg, _, err := loadConfig("kassa", []string{"--config", cfgFile})
	if err != nil || strings.Join(cfg.Approval.Actions, ",") != "refund,wipe" || cfg.Approval.RefundAbove != "100.50" {
		t.Fatalf("%+v %v", cfg.Approval, err)
	}
	cfg, _, _ = loadConfig("kassa", []string{"--config", cfgFile, "--approve", ""})
	if len(cfg.Approval.Actions) != 0 {
		t.Fatal(cfg.Approval.Actions)
	}
	if cfg, _, _ := loadConfig("kassa", nil); strings.Join(cfg.Approval.Actions, ",") != strings.Join(store.ApprovalActions, ",") {
		t.Fatal("defaults", cfg.Approval.Actions)
	}
	for args, says := range map[string]string{
		"--approve refund,dance": `[approval] actions: "dance" is not an action`,
		"--refund-above 1,5":     `[approval] refund_above "1,5" is not an amount`,
	} {
		if _, _, err := loadConfig("kassa", strings.Fields(args)); exitCode(err) != exitUsage || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v", args, err)
		}
	}
}

// editAudit changes one audit entry's JSON in the data file with bbolt
// itself, as someone with the file would.
func editAudit(t *testing.T, db string, seq uint64, from, to string) {
	t.Helper()
	b, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(tx *bolt.Tx) error {
		var k [8]byte
		for i := range 8 {
			k[7-i] = byte(seq >> (8 * i))
		}
		log := tx.Bucket([]byte("audit"))
		v := log.Get(k[:])
		if !bytes.Contains(v, []byte(from)) {
			t.Fatalf("entry %d: %s", seq, v)
		}
		return log.Put(k[:], bytes.Replace(v, []byte(from), []byte(to), 1))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerifyFindsAnEntryEditedByHand(t *testing.T) {
	cheapPINs(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "kassa.db")
	staffed(t, db)
	var out bytes.Buffer
	if err := runAudit([]string{"verify", "--db", db}, nil, &out); err != nil || out.String() != "3 entries, the chain holds.\n" {
		t.Fatalf("%v %q", err, &out)
	}
	// Entry 2 is Dana's sign-in to add Aigerim: make it someone else's.
	editAudit(t, db, 2, `"who":"Dana"`, `"who":"Aigerim"`)
	out.Reset()
	err := runAudit([]string{"verify", "--db", db}, nil, &out)
	if exitCode(err) != exitBooks || !said(err) || !strings.HasPrefix(out.String(), "The audit log breaks at entry 2 (") ||
		!strings.Contains(out.String(), "): it was changed after it was written.\n3 entries in all.") {
		t.Fatalf("exit %d %v\n%s", exitCode(err), err, &out)
	}
	out.Reset()
	runAudit([]string{"verify", "--db", db, "--lang", "ru"}, nil, &out)
	if !strings.HasPrefix(out.String(), "Журнал аудита нарушен на записи 2 (") {
		t.Fatal(out.String())
	}
}

func TestAuditExportIsForAManager(t *testing.T) {
	cheapPINs(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "kassa.db")
	staffed(t, db)
	today := day(time.Now())
	file := filepath.Join(t.TempDir(), "audit.csv")
	export := []string{"export", "--from", today, "--db", db, "--out", file, "--lang", "ru"}
	var out bytes.Buffer
	err := runAudit(append(export, "--user", "Aigerim"), strings.NewReader("2222\n"), &out)
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "Выгрузку, которую делает Aigerim, должен одобрить менеджер") {
		t.Fatalf("a cashier alone: %v", err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("written anyway")
	}
	if err := runAudit(append(export, "--user", "Aigerim", "--approver", "Dana"), strings.NewReader("2222\n1111\n"), &out); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(file)
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The header in Russian, then every entry up to the approval of this
	// export (its own entry follows once it is written).
	if strings.Join(rows[0], "|") != "№|Время|Событие|Кто|Одобрил|Чек|Сумма|Валюта|Подробности|Хеш" || len(rows) != 1+5 {
		t.Fatalf("%q", rows)
	}
	last := rows[len(rows)-1]
	if last[2] != "Одобрение" || last[3] != "Aigerim" || last[4] != "Dana" || last[8] != "export" {
		t.Fatalf("%q", last)
	}
	st, _ := store.Open(db)
	defer st.Close()
	page, _ := st.AuditPage(time.Time{}, time.Time{}, "", 0, 1)
	if page[0].Kind != store.AuditExport || page[0].Who != "Aigerim" || page[0].Approver != "Dana" || page[0].Detail != "audit "+today+" "+today {
		t.Fatalf("%+v", page[0])
	}
}

// The till that has the file open checks who asks for an export itself,
// by its own rules, and audits it.
func TestExportThroughTheTillAsksWhoExports(t *testing.T) {
	cheapPINs(t)
	db := genFile(t, 200)
	staffed(t, db)
	st, _ := runningTill(t, db)
	from := day(time.Now().AddDate(0, 0, -3))
	file := filepath.Join(t.TempDir(), "p.csv")
	var out bytes.Buffer
	err := runExportFrom([]string{"--from", from, "--db", db, "--out", file}, strings.NewReader(""), &out)
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "--user NAME") {
		t.Fatalf("nobody: %v", err)
	}
	err = runExportFrom([]string{"--from", from, "--db", db, "--out", file, "--user", "Aigerim"}, strings.NewReader("2222\n"), &out)
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "An export by Aigerim needs a manager's approval") {
		t.Fatalf("a cashier: %v", err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("written anyway")
	}
	if err := runExportFrom([]string{"--from", from, "--db", db, "--out", file, "--user", "Dana"}, strings.NewReader("1111\n"), &out); err != nil {
		t.Fatal(err)
	}
	page, _ := st.AuditPage(time.Time{}, time.Time{}, "", 0, 1)
	if page[0].Kind != store.AuditExport || page[0].Who != "Dana" || !strings.HasPrefix(page[0].Detail, "payments "+from) {
		t.Fatalf("%+v", page[0])
	}
	// The audit log, through the till too.
	file = filepath.Join(t.TempDir(), "audit.csv")
	if err := runAudit([]string{"export", "--from", from, "--db", db, "--out", file, "--user", "Dana"}, strings.NewReader("1111\n"), &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runAudit([]string{"verify", "--db", db}, nil, &out); err != nil || !strings.HasSuffix(out.String(), "entries, the chain holds.\n") {
		t.Fatal(err, out.String())
	}
}

// A key is a manager's to give on a till with people: their PIN comes
// first on standard input, the key after it, and the audit log says
// which key changed, never the key.
func TestAKeyIsGivenByAManager(t *testing.T) {
	cheapPINs(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "kassa.db")
	staffed(t, db)
	var out bytes.Buffer
	err := runKey([]string{"uzqr", "--db", db, "--user", "Aigerim"}, strings.NewReader("2222\nsecret-key-9876\n"), &out)
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "Aigerim") {
		t.Fatalf("a cashier alone: %v", err)
	}
	if err := runKey([]string{"uzqr", "--db", db, "--user", "Dana"}, strings.NewReader("1111\nsecret-key-9876\n"), &out); err != nil {
		t.Fatal(err)
	}
	st, _ := store.Open(db)
	defer st.Close()
	var key string
	if ok, _ := st.Secret(secretUzQRKey, &key); !ok || key != "secret-key-9876" {
		t.Fatalf("%q", key)
	}
	page, _ := st.AuditPage(time.Time{}, time.Time{}, "", 0, 1)
	if e := page[0]; e.Kind != store.AuditKey || e.Who != "Dana" || e.Detail != secretUzQRKey || strings.Contains(e.Detail, "9876") {
		t.Fatalf("%+v", e)
	}
}
