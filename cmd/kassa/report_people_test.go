package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// On a till with people, a cashier's Z needs a manager's PIN, and the Z
// is kept in both their names; an X needs a person.
func TestReportZNeedsAManager(t *testing.T) {
	cheapPINs(t)
	db := filepath.Join(t.TempDir(), "kassa.db")
	staffed(t, db)
	run := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := runReport(append(args, "--db", db, "--lang", "en"), strings.NewReader(stdin), &out)
		return out.String(), err
	}
	if _, err := run("", "x"); exitCode(err) != exitUsage {
		t.Fatalf("an X without --user: %v", err)
	}
	if _, err := run("2222\n", "x", "--user", "Aigerim"); err != nil {
		t.Fatalf("a cashier's X: %v", err)
	}
	_, err := run("2222\n", "z", "--user", "Aigerim")
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "--approver") {
		t.Fatalf("a cashier's Z without a manager: %v", err)
	}
	if _, err := run("2222\n1111\n", "z", "--user", "Aigerim", "--approver", "Dana"); err != nil {
		t.Fatalf("a Z approved: %v", err)
	}
	if _, err := run("2222\n9999\n", "z", "--user", "Aigerim", "--approver", "Dana"); exitCode(err) != exitUsage {
		t.Fatalf("a Z with the manager's PIN wrong: %v", err)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	zs, err := st.ZReports(0) // the refused one closed nothing
	if err != nil || len(zs) != 1 || zs[0].ClosedBy != "Aigerim" || zs[0].ApprovedBy != "Dana" {
		t.Fatalf("the Z kept: %+v %v", zs, err)
	}
	if n, broken, err := st.VerifyAudit(); err != nil || broken != nil {
		t.Fatalf("the audit chain after %d entries: %v %v", n, broken, err)
	}
}

// A training till gets its people the first time, with the PINs its
// sign-in shows, and keeps them after.
func TestTrainingTillHasItsPeople(t *testing.T) {
	cheapPINs(t)
	st, err := store.Open(filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := &common.Common{Store: st, Clock: clock.Real{}, Demo: true, Cashier: "from the config"}
	for range 2 {
		if err := signInOn(c, store.DefaultApproval(), "uz"); err != nil {
			t.Fatal(err)
		}
	}
	people, err := st.People()
	if err != nil || len(people) != 2 {
		t.Fatalf("the training people: %+v %v", people, err)
	}
	if !c.SignIn || c.Cashier != "" {
		t.Errorf("the till does not ask who works it: %+v", c)
	}
	for _, p := range people {
		if _, err := st.SignIn(p.Name, c.DemoPINs[p.Name], time.Now()); err != nil {
			t.Errorf("%s with the PIN shown: %v", p.Name, err)
		}
	}
}

// Pairing gives the till new tokens: on a till with people it says who
// pairs, and a cashier needs a manager, before the POS is asked anything.
func TestPairNeedsAPerson(t *testing.T) {
	cheapPINs(t)
	db := filepath.Join(t.TempDir(), "kassa.db")
	staffed(t, db)
	args := []string{"kaspi", "--name", "Kassa-1", "--kaspi-url", "https://127.0.0.1:1", "--db", db, "--lang", "en"}
	var out bytes.Buffer
	if err := runPair(args, strings.NewReader(""), &out); exitCode(err) != exitUsage || !strings.Contains(err.Error(), "--user") {
		t.Fatalf("pairing without --user: %v", err)
	}
	err := runPair(append(args, "--user", "Aigerim"), strings.NewReader("2222\n"), &out)
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "--approver") {
		t.Fatalf("a cashier pairing alone: %v", err)
	}
	if strings.Contains(out.String(), "Allow") {
		t.Errorf("the POS was asked before the people were checked:\n%s", &out)
	}
}
