package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// cheapPINs makes PIN hashes cheap for the test: the tests of the costs
// themselves use the real ones.
func cheapPINs(t *testing.T) {
	t.Helper()
	was := PINCost
	PINCost = PINParams{Memory: 64, Time: 1, Threads: 1}
	t.Cleanup(func() { PINCost = was })
}

func TestPINHashRoundTripWithTheRealCost(t *testing.T) {
	h, err := hashPIN("4711")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "4711") {
		t.Fatalf("hash %q", h)
	}
	if ok, err := checkPIN(h, "4711"); !ok || err != nil {
		t.Fatalf("right PIN: %v %v", ok, err)
	}
	if ok, err := checkPIN(h, "4712"); ok || err != nil {
		t.Fatalf("wrong PIN: %v %v", ok, err)
	}
	// A new salt each time: the same PIN never hashes alike.
	if h2, _ := hashPIN("4711"); h2 == h {
		t.Fatal("two hashes of one PIN are equal")
	}
}

func TestPINCostIsReadFromTheHash(t *testing.T) {
	cheapPINs(t)
	h, _ := hashPIN("123456")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	// Made at one cost, still checked once new hashes cost more.
	PINCost = PINParams{Memory: 128, Time: 2, Threads: 2}
	if ok, err := checkPIN(h, "123456"); !ok || err != nil {
		t.Fatalf("%v %v", ok, err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", h[:len(h)-3] + "!!!"} {
		if ok, err := checkPIN(bad, "123456"); ok || !errors.Is(err, errBadHash) {
			t.Errorf("%q: %v %v", bad, ok, err)
		}
	}
}

func TestPINsAreFourToEightDigits(t *testing.T) {
	for pin, ok := range map[string]bool{"1234": true, "12345678": true, "0000": true, "123": false, "123456789": false,
		"12a4": false, "١٢٣٤": false, " 1234": false, "": false} {
		if ValidPIN(pin) != ok {
			t.Errorf("%q: valid %v", pin, !ok)
		}
	}
	cheapPINs(t)
	s, _ := openTemp(t)
	if err := s.AddPerson(Person{Name: "Dana", Role: RoleManager}, "12a4", "", t0); !errors.Is(err, ErrBadPIN) {
		t.Fatal(err)
	}
	if has, _ := s.HasPeople(); has {
		t.Fatal("added with a bad PIN")
	}
}

// staff is a till with a manager (PIN 1111) and a cashier (PIN 2222).
func staff(t *testing.T) (*Store, string) {
	t.Helper()
	cheapPINs(t)
	s, path := openTemp(t)
	if err := s.AddPerson(Person{Name: "Aigerim", Role: RoleCashier}, "2222", "", t0); !errors.Is(err, ErrFirstManager) {
		t.Fatalf("a cashier first: %v", err)
	}
	if err := s.AddPerson(Person{Name: " Dana ", Role: RoleManager}, "1111", "", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPerson(Person{Name: "Aigerim", Role: RoleCashier, Lang: "kk"}, "2222", "Aigerim", t0); !errors.Is(err, ErrNotManager) {
		t.Fatalf("added by nobody known: %v", err)
	}
	if err := s.AddPerson(Person{Name: "Aigerim", Role: RoleCashier, Lang: "kk"}, "2222", "dana", t0); err != nil {
		t.Fatal(err)
	}
	return s, path
}

func TestPeopleAreFoundByNameWhateverTheCase(t *testing.T) {
	s, _ := staff(t)
	if err := s.AddPerson(Person{Name: "AIGERIM", Role: RoleCashier}, "3333", "Dana", t0); !errors.Is(err, ErrPersonExists) {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("я", 33), "Ai\ngerim", "Ai\x00"} {
		if err := s.AddPerson(Person{Name: bad, Role: RoleCashier}, "3333", "Dana", t0); !errors.Is(err, ErrBadName) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if err := s.AddPerson(Person{Name: "Bob", Role: "boss"}, "3333", "Dana", t0); !errors.Is(err, ErrBadRole) {
		t.Fatal(err)
	}
	if err := s.AddPerson(Person{Name: "bakhyt", Role: RoleCashier}, "3333", "Dana", t0); err != nil {
		t.Fatal(err)
	}
	p, err := s.Person("aigerim")
	if err != nil || p.Name != "Aigerim" || p.Role != RoleCashier || p.Lang != "kk" || p.Manager() || !p.Added.Equal(t0) {
		t.Fatalf("%+v %v", p, err)
	}
	if p.PINHash != "" {
		t.Fatal("the hash left the store")
	}
	if _, err := s.Person("Zarina"); !errors.Is(err, ErrNoPerson) {
		t.Fatal(err)
	}
	people, err := s.People()
	if err != nil || len(people) != 3 {
		t.Fatal(people, err)
	}
	var names []string
	for _, p := range people {
		names = append(names, p.Name)
		if p.PINHash != "" {
			t.Fatal("a hash left the store")
		}
	}
	if strings.Join(names, ",") != "Aigerim,bakhyt,Dana" {
		t.Fatal(names)
	}
}

func TestSignInWithTheRightPIN(t *testing.T) {
	s, _ := staff(t)
	p, err := s.SignIn("AIGERIM", "2222", t0)
	if err != nil || p.Name != "Aigerim" {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := s.SignIn("Zarina", "2222", t0); !errors.Is(err, ErrNoPerson) {
		t.Fatal(err)
	}
	if _, err := s.SignIn("Aigerim", "22", t0); !errors.Is(err, ErrBadPIN) {
		t.Fatal(err)
	}
	if p, _ := s.Person("Aigerim"); p.Failed != 0 {
		t.Fatal("a PIN that is no PIN counted", p.Failed)
	}
	kinds := auditKinds(t, s)
	if kinds != "person_added person_added sign_in" {
		t.Fatal(kinds)
	}
}

func auditKinds(t *testing.T, s *Store) string {
	t.Helper()
	var kinds []string
	if err := s.AuditEntries(time.Time{}, time.Time{}, "", func(e AuditEntry) bool { kinds = append(kinds, e.Kind); return true }); err != nil {
		t.Fatal(err)
	}
	return strings.Join(kinds, " ")
}

func TestPINPausesGrowAndTheFifthWrongOneLocks(t *testing.T) {
	if PINPause(0) != 0 || PINPause(1) != time.Second || PINPause(2) != 2*time.Second || PINPause(3) != 4*time.Second ||
		PINPause(4) != 8*time.Second || PINPause(30) != 5*time.Minute {
		t.Fatal("pauses", PINPause(1), PINPause(4), PINPause(30))
	}
	s, path := staff(t)
	at := t0
	for i := 1; i < MaxPINTries; i++ {
		_, err := s.SignIn("Aigerim", "9999", at)
		var r *PINRefused
		if !errors.As(err, &r) || !errors.Is(err, ErrWrongPIN) || errors.Is(err, ErrPersonLocked) ||
			r.Left != MaxPINTries-i || r.Wait != PINPause(i) || r.Locked {
			t.Fatalf("wrong PIN %d: %v %+v", i, err, r)
		}
		// Within the pause even the right PIN is not checked, and the try
		// does not count.
		_, err = s.SignIn("Aigerim", "2222", at.Add(r.Wait-time.Millisecond))
		var soon *TooSoon
		if !errors.As(err, &soon) || !errors.Is(err, ErrTooSoon) || !soon.Until.Equal(at.Add(r.Wait)) {
			t.Fatalf("try %d in the pause: %v", i, err)
		}
		at = at.Add(r.Wait)
		if i == 2 {
			// What counts survives closing the file.
			s.Close()
			var err error
			if s, err = Open(path); err != nil {
				t.Fatal(err)
			}
			if p, _ := s.Person("Aigerim"); p.Failed != 2 || !p.LastFailed.Equal(t0.Add(time.Second)) {
				t.Fatalf("after reopening: %+v", p)
			}
		}
	}
	_, err := s.SignIn("Aigerim", "9999", at)
	var r *PINRefused
	if !errors.As(err, &r) || !r.Locked || r.Left != 0 || !errors.Is(err, ErrPersonLocked) || !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("fifth: %v", err)
	}
	// Locked: the right PIN is not even checked, however long one waits.
	if _, err := s.SignIn("Aigerim", "2222", at.Add(24*time.Hour)); !errors.Is(err, ErrPersonLocked) {
		t.Fatal(err)
	}
	if kinds := auditKinds(t, s); kinds != "person_added person_added pin_failed pin_failed pin_failed pin_failed pin_failed person_locked" {
		t.Fatal(kinds)
	}
	if err := s.UnlockPerson("Aigerim", "Aigerim", at); !errors.Is(err, ErrNotManager) {
		t.Fatal(err)
	}
	if err := s.UnlockPerson("Aigerim", "Dana", at); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Person("Aigerim"); p.Locked || p.Failed != 0 {
		t.Fatalf("%+v", p)
	}
	if _, err := s.SignIn("Aigerim", "2222", at); err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestARightPINEndsTheCount(t *testing.T) {
	s, _ := staff(t)
	s.SignIn("Aigerim", "9999", t0)
	s.SignIn("Aigerim", "9999", t0.Add(time.Second))
	if _, err := s.SignIn("Aigerim", "2222", t0.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err := s.SignIn("Aigerim", "9999", t0.Add(3*time.Second))
	var r *PINRefused
	if !errors.As(err, &r) || r.Left != MaxPINTries-1 || r.Wait != time.Second {
		t.Fatal(err)
	}
	// A clock set back before the last wrong PIN does not hold the
	// person off until it gets there again.
	if _, err := s.SignIn("Aigerim", "2222", t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
}

func TestResetPINClearsTheLock(t *testing.T) {
	s, _ := staff(t)
	at := t0
	for range MaxPINTries {
		s.SignIn("Aigerim", "9999", at)
		at = at.Add(time.Minute)
	}
	if err := s.ResetPIN("Aigerim", "12", "Dana", at); !errors.Is(err, ErrBadPIN) {
		t.Fatal(err)
	}
	if err := s.ResetPIN("Aigerim", "5555", "Dana", at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn("Aigerim", "2222", at); !errors.Is(err, ErrWrongPIN) {
		t.Fatal("the old PIN still works:", err)
	}
	if _, err := s.SignIn("Aigerim", "5555", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
}

func TestDisabledPeopleCannotSignInOrApprove(t *testing.T) {
	s, _ := staff(t)
	if err := s.DisablePerson("Dana", "Dana", t0); !errors.Is(err, ErrLastManager) {
		t.Fatal("the last manager disabled:", err)
	}
	if err := s.DisablePerson("Aigerim", "Aigerim", t0); !errors.Is(err, ErrNotManager) {
		t.Fatal(err)
	}
	if err := s.DisablePerson("Aigerim", "Dana", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn("Aigerim", "2222", t0); !errors.Is(err, ErrPersonDisabled) {
		t.Fatal(err)
	}
	if err := s.EnablePerson("Aigerim", "Dana", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn("Aigerim", "2222", t0); err != nil {
		t.Fatal(err)
	}
	// With a second manager, the first may go.
	if err := s.AddPerson(Person{Name: "Erlan", Role: RoleManager}, "3333", "Dana", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.DisablePerson("Dana", "Erlan", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Approve("Dana", "1111", ActionRefund, "Aigerim", t0); !errors.Is(err, ErrPersonDisabled) {
		t.Fatal(err)
	}
	if err := s.DisablePerson("Erlan", "Erlan", t0); !errors.Is(err, ErrLastManager) {
		t.Fatal(err)
	}
}

func TestApprovalNeedsAManagersPIN(t *testing.T) {
	s, _ := staff(t)
	if _, err := s.Approve("Aigerim", "2222", ActionRefund, "Aigerim", t0); !errors.Is(err, ErrNotManager) {
		t.Fatal("a cashier approved:", err)
	}
	if p, _ := s.Person("Aigerim"); p.Failed != 0 {
		t.Fatal("a cashier's PIN was checked")
	}
	if _, err := s.Approve("Dana", "1234", ActionRefund, "Aigerim", t0); !errors.Is(err, ErrWrongPIN) {
		t.Fatal(err)
	}
	m, err := s.Approve("dana", "1111", ActionRefund, "Aigerim", t0.Add(time.Minute))
	if err != nil || m.Name != "Dana" {
		t.Fatal(m, err)
	}
	var got []AuditEntry
	s.AuditEntries(time.Time{}, time.Time{}, "", func(e AuditEntry) bool { got = append(got, e); return true })
	failed, ok := got[len(got)-2], got[len(got)-1]
	if failed.Kind != AuditPINFailed || failed.Who != "Dana" || failed.Detail != ActionRefund {
		t.Fatalf("%+v", failed)
	}
	if ok.Kind != AuditApproval || ok.Who != "Aigerim" || ok.Approver != "Dana" || ok.Detail != ActionRefund {
		t.Fatalf("%+v", ok)
	}
}

func TestChangesToPeopleAreAudited(t *testing.T) {
	s, _ := staff(t)
	if err := s.SetPersonLanguage("Aigerim", "ru", "Aigerim", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPersonLanguage("Dana", "ru", "Aigerim", t0); !errors.Is(err, ErrNotManager) {
		t.Fatal(err)
	}
	if err := s.SetPersonLanguage("Aigerim", "ru", "Dana", t0); err != nil { // as it was: nothing to write
		t.Fatal(err)
	}
	s.DisablePerson("Aigerim", "Dana", t0)
	var details []string
	s.AuditEntries(time.Time{}, time.Time{}, "", func(e AuditEntry) bool {
		details = append(details, e.Kind+":"+e.Who+":"+e.Detail)
		return true
	})
	want := "person_added::manager Dana|person_added:Dana:cashier Aigerim|person_changed:Aigerim:language=ru Aigerim|person_changed:Dana:disabled Aigerim"
	if strings.Join(details, "|") != want {
		t.Fatal(strings.Join(details, "|"))
	}
	if what, value, name := PersonChange("language=ru Aigerim Serikovna"); what != ChangeLanguage || value != "ru" || name != "Aigerim Serikovna" {
		t.Fatal(what, value, name)
	}
}

func TestAManagerLockedOutIsUnlockedOnlyWhenNoneCanSignIn(t *testing.T) {
	s, _ := staff(t)
	if err := s.UnlockPerson("Aigerim", "", t0); !errors.Is(err, ErrNotManager) {
		t.Fatal("unlocked by nobody while a manager can sign in:", err)
	}
	at := t0
	for range MaxPINTries {
		s.SignIn("Dana", "0000", at)
		at = at.Add(time.Minute)
	}
	if err := s.UnlockPerson("Dana", "Dana", at); !errors.Is(err, ErrNotManager) {
		t.Fatal("a locked manager unlocked:", err)
	}
	if err := s.UnlockPerson("Dana", "", at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn("Dana", "1111", at); err != nil {
		t.Fatal(err)
	}
}

func TestARefundRecordsItsApprover(t *testing.T) {
	s, _ := staff(t)
	pay := NewPayment("kaspi", tenge(5000), "Aigerim", false, t0)
	s.Create(&pay)
	pay.Started(providers.Status{Ref: "1"}, t0)
	pay.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: "77"}, t0)
	s.Save(&pay)
	r := NewRefund(pay, tenge(2000), "Aigerim", t0.Add(time.Minute))
	r.Approver = "Dana"
	if err := s.CreateRefund(&r); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(r.ID)
	if got.Cashier != "Aigerim" || got.Approver != "Dana" {
		t.Fatalf("%+v", got)
	}
	page, err := s.AuditPage(time.Time{}, time.Time{}, r.Receipt(), 0, 10)
	if err != nil || len(page) != 1 {
		t.Fatal(page, err)
	}
	e := page[0]
	if e.Kind != AuditRefund || e.Who != "Aigerim" || e.Approver != "Dana" || e.Operation != r.ID ||
		e.Amount == nil || *e.Amount != tenge(2000) || e.Detail != pay.Receipt() || !e.At.Equal(r.Created) {
		t.Fatalf("%+v", e)
	}
	// One refused for what is left writes no entry either.
	over := NewRefund(pay, tenge(4000), "Aigerim", t0)
	if err := s.CreateRefund(&over); !errors.Is(err, ErrOverRefund) {
		t.Fatal(err)
	}
	if page, _ := s.AuditPage(time.Time{}, time.Time{}, "refund", 0, 10); len(page) != 1 {
		t.Fatal(len(page))
	}
}

func TestApprovalRules(t *testing.T) {
	cashier, manager := Person{Role: RoleCashier}, Person{Role: RoleManager}
	a := DefaultApproval()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, act := range ApprovalActions {
		if !a.Needs(act, cashier) || a.Needs(act, manager) {
			t.Errorf("%s", act)
		}
	}
	a = Approval{Actions: []string{ActionHistory}, RefundAbove: "100.50"}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		amount providers.Money
		needs  bool
	}{
		{providers.New(100, providers.KZT), false}, {providers.New(101, providers.KZT), true},
		{providers.New(10050, providers.UZS), false}, {providers.New(10051, providers.UZS), true},
	}
	for _, c := range cases {
		if a.NeedsRefund(c.amount, cashier) != c.needs || a.NeedsRefund(c.amount, manager) {
			t.Errorf("%v: needs %v", c.amount, !c.needs)
		}
	}
	if (Approval{}).NeedsRefund(tenge(1e9), cashier) {
		t.Error("no rule asked for a manager")
	}
	for _, bad := range []Approval{{Actions: []string{"dance"}}, {RefundAbove: "1.234"}, {RefundAbove: "-5"}, {RefundAbove: "x"}} {
		if bad.Validate() == nil {
			t.Errorf("%+v taken", bad)
		}
	}
	if !(Approval{RefundAbove: "x"}).NeedsRefund(tenge(1), cashier) {
		t.Error("an unreadable amount let a refund through")
	}
}

func TestWipeKeepsPeopleAndTheAuditLog(t *testing.T) {
	s, _ := staff(t)
	pay := NewPayment("kaspi", tenge(5000), "Aigerim", true, t0)
	s.Create(&pay)
	if err := s.Wipe("Aigerim", "Dana", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ops, _ := s.Recent(10); len(ops) != 0 {
		t.Fatal("operations left")
	}
	if people, _ := s.People(); len(people) != 2 {
		t.Fatal(people)
	}
	if kinds := auditKinds(t, s); kinds != "person_added person_added wipe" {
		t.Fatal(kinds)
	}
	if n, broken, err := s.VerifyAudit(); n != 3 || broken != nil || err != nil {
		t.Fatal(n, broken, err)
	}
}

// The hash never reaches the file's readable parts: only the people
// bucket holds it.
func TestNoPINInTheFile(t *testing.T) {
	cheapPINs(t)
	s, path := openTemp(t)
	s.AddPerson(Person{Name: "Dana", Role: RoleManager}, "80417263", "", t0)
	s.SignIn("Dana", "80417263", t0)
	s.SignIn("Dana", "80417264", t0)
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if strings.Contains(string(v), "8041726") {
					t.Errorf("%s/%s holds the PIN", name, k)
				}
				if string(name) != "people" && strings.Contains(string(v), "argon2id") {
					t.Errorf("%s/%s holds the hash", name, k)
				}
				return nil
			})
		})
	})
}
