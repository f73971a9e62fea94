package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// staffed is a data file with a manager, Aigerim (PIN 1111), and a
// cashier, Bolat (PIN 2222).
func staffed(st *store.Store, _ providers.Provider) {
	if err := st.AddPerson(store.Person{Name: "Aigerim", Role: store.RoleManager}, "1111", "", t0); err != nil {
		panic(err)
	}
	if err := st.AddPerson(store.Person{Name: "Bolat", Role: store.RoleCashier}, "2222", "Aigerim", t0); err != nil {
		panic(err)
	}
}

// signingIn is a till whose people sign in, with the default approvals,
// its training people's PINs shown.
func signingIn(c *common.Common, _ *sim.Sim) {
	c.SignIn, c.Cashier, c.Approval = true, "", store.DefaultApproval()
	c.DemoPINs = map[string]string{"Aigerim": "1111", "Bolat": "2222"}
}

// signIn chooses the person down rows below the first and types pin.
func (k *till) signIn(down int, pin string) {
	k.t.Helper()
	k.title("signin.title")
	for range down {
		k.key(tea.KeyDown)
	}
	k.tm.Type(pin)
	k.key(tea.KeyEnter)
	k.title("title.entry")
}

// cashiersRefund is Bolat, the cashier, selling 5000 and refunding 2000
// of it, up to the manager's approval it asks for.
func (k *till) cashiersRefund() {
	k.t.Helper()
	k.signIn(1, "2222")
	k.sold(5000)
	k.key(tea.KeyF2)
	k.title("title.refund_find", 1)
	k.key(tea.KeyEnter)
	k.title("title.refund_choose", "000001")
	k.tm.Type("2000")
	k.key(tea.KeyEnter)
	k.title("signin.approve_title")
}

// showsText waits until the screen has drawn text's longest word.
func (k *till) showsText(text string) {
	k.t.Helper()
	word := ""
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\u00a0' }) {
		if len([]rune(w)) > len([]rune(word)) {
			word = w
		}
	}
	teatest.WaitFor(k.t, k.tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte(word))
	}, teatest.WithDuration(guard), teatest.WithCheckInterval(time.Millisecond))
}

// audited is the audit log's entries, oldest first.
func (k *till) audited() []store.AuditEntry {
	var out []store.AuditEntry
	k.store.AuditEntries(t0.AddDate(0, 0, -1), t0.AddDate(0, 0, 2), "", func(e store.AuditEntry) bool {
		out = append(out, e)
		return true
	})
	return out
}

func kinds(es []store.AuditEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Kind)
	}
	return out
}

// A cashier's refund waits for a manager's PIN: a wrong one refuses it,
// Esc gives it up, and the right one sends it in both their names.
func TestRefundNeedsManagersPIN(t *testing.T) {
	quick := sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second}
	k := newTillOpts(t, 100, "en", quick, staffed, signingIn)
	k.cashiersRefund()
	k.tm.Type("1234")
	k.key(tea.KeyEnter)
	k.eventually("the wrong PIN is counted", func() bool {
		p, _ := k.store.Person("Aigerim")
		return p.Failed == 1
	})
	if k.lastID() != 1 {
		t.Fatalf("a refund began without approval: operation %d", k.lastID())
	}
	// The pause after a wrong PIN runs on the till's clock.
	k.clk.Advance(store.PINPause(1))
	k.sim.Next(quick)
	k.tm.Type("1111")
	k.key(tea.KeyEnter)
	k.eventually("the refund is sent", func() bool { return k.lastID() == 2 && k.settled() })
	for range 6 {
		k.second()
	}
	k.title("title.paid_refund", k.tg(2000))
	r, err := k.store.Get(2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Cashier != "Bolat" || r.Approver != "Aigerim" {
		t.Errorf("refund by %q approved by %q, want Bolat and Aigerim", r.Cashier, r.Approver)
	}
	var refund, approval *store.AuditEntry
	es := k.audited()
	for i := range es {
		switch es[i].Kind {
		case store.AuditRefund:
			refund = &es[i]
		case store.AuditApproval:
			approval = &es[i]
		}
	}
	if refund == nil || refund.Who != "Bolat" || refund.Approver != "Aigerim" || refund.Operation != 2 {
		t.Errorf("the audit log's refund: %+v (log %v)", refund, kinds(es))
	}
	if approval == nil || approval.Who != "Bolat" || approval.Approver != "Aigerim" || approval.Detail != store.ActionRefund {
		t.Errorf("the audit log's approval: %+v", approval)
	}
	if n, broken, err := k.store.VerifyAudit(); err != nil || broken != nil {
		t.Errorf("the audit chain after %d entries: %v %v", n, broken, err)
	}
}

// A cashier opening the history needs a manager; Esc on the approval
// leaves the sale screen as it was and nothing is approved.
func TestHistoryNeedsApproval(t *testing.T) {
	k := newTillOpts(t, 100, "en", sim.Customer{Does: sim.PayQR}, staffed, signingIn)
	k.signIn(1, "2222")
	k.key(tea.KeyF3)
	k.title("signin.approve_title")
	k.key(tea.KeyEscape)
	k.title("title.entry")
	k.key(tea.KeyF3)
	k.title("signin.approve_title")
	k.tm.Type("1111")
	k.key(tea.KeyEnter)
	k.title("title.history", k.cat.T("history.payments"), 0)
	got := kinds(k.audited())
	if got[len(got)-1] != store.AuditApproval {
		t.Errorf("the audit log ends %v, want an approval", got)
	}
	// Back at the sale the approval is over: the history asks again.
	k.key(tea.KeyEscape)
	k.title("title.entry")
	k.key(tea.KeyF3)
	k.title("signin.approve_title")
}

// A manager signed in is asked for nothing.
func TestManagerNeedsNoApproval(t *testing.T) {
	k := newTillOpts(t, 100, "en", sim.Customer{Does: sim.PayQR}, staffed, signingIn)
	k.signIn(0, "1111")
	k.key(tea.KeyF3)
	k.title("title.history", k.cat.T("history.payments"), 0)
}

// Locking the till (F12) while a customer pays keeps the payment going:
// the next person signs in and finds it paid, and it stays the first
// cashier's.
func TestLockKeepsThePaymentGoing(t *testing.T) {
	k := newTillOpts(t, 100, "en", sim.Customer{Does: sim.PayQR, Delay: 10 * time.Second, Think: 2 * time.Second}, staffed, signingIn)
	k.signIn(1, "2222")
	k.pay("5000")
	k.key(tea.KeyF12)
	k.title("signin.title")
	for range 14 {
		k.second()
	}
	k.eventually("the payment is paid while the till is locked", func() bool {
		op, err := k.store.Get(1)
		return err == nil && op.State == store.StateSuccess
	})
	k.tm.Type("1111") // Aigerim is first
	k.key(tea.KeyEnter)
	k.title("title.paid", k.tg(5000)) // the payment's screen again, now paid
	op, _ := k.store.Get(1)
	if op.Cashier != "Bolat" {
		t.Errorf("the payment's cashier is %q, want Bolat", op.Cashier)
	}
	s := k.screen()
	if !strings.Contains(s, "manager Aigerim") {
		t.Errorf("the header does not name the manager signed in:\n%s", s)
	}
	got := kinds(k.audited())
	want := []string{store.AuditPersonAdded, store.AuditPersonAdded, store.AuditSignIn, store.AuditLock, store.AuditSignIn}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the audit log is %v, want %v", got, want)
	}
}

// The first start of a till without people asks for its first manager,
// who is then signed in.
func TestFirstManager(t *testing.T) {
	k := newTillOpts(t, 100, "en", sim.Customer{Does: sim.PayQR}, nil, signingIn)
	k.title("signin.setup_title")
	k.tm.Type("Aigerim")
	k.key(tea.KeyTab)
	k.tm.Type("1111")
	k.key(tea.KeyTab)
	k.tm.Type("1112")
	k.key(tea.KeyEnter)
	k.showsText(k.cat.T("signin.pins_differ"))
	if has, _ := k.store.HasPeople(); has {
		t.Fatal("a manager was kept with two PINs that differ")
	}
	k.tm.Type("1111")
	k.key(tea.KeyTab)
	k.tm.Type("1111")
	k.key(tea.KeyEnter)
	k.title("title.entry")
	p, err := k.store.Person("aigerim")
	if err != nil || !p.Manager() {
		t.Fatalf("the first person: %+v, %v", p, err)
	}
	if _, err := k.store.SignIn("Aigerim", "1111", t0); err != nil {
		t.Errorf("the PIN typed does not sign in: %v", err)
	}
}

// A manager adds a cashier on the people screen, switches them off, and
// unlocks one locked after wrong PINs; each change is in the log under the
// manager's name.
func TestPeopleScreen(t *testing.T) {
	k := newTillOpts(t, 100, "en", sim.Customer{Does: sim.PayQR}, func(st *store.Store, p providers.Provider) {
		staffed(st, p)
		for i := range store.MaxPINTries {
			st.SignIn("Bolat", "0000", t0.Add(time.Duration(i)*time.Hour))
		}
	}, signingIn)
	k.signIn(0, "1111")
	k.key(tea.KeyF9)
	k.title("settings.title")
	k.key('u', "u")
	k.waitTitle(k.cat.N("people.title_n", 2, 2))
	k.key(tea.KeyDown) // Bolat, locked
	k.key('o', "o")
	k.eventually("Bolat is unlocked", func() bool { p, _ := k.store.Person("Bolat"); return !p.Locked && p.Failed == 0 })
	k.showsText(k.cat.T("people.unlocked", "Bolat")) // keys wait until the screen has the answer
	k.key('a', "a")
	k.tm.Type("Saule")
	k.key(tea.KeyTab)
	k.key(tea.KeyTab) // a cashier, as the form starts
	k.tm.Type("3333")
	k.key(tea.KeyTab)
	k.tm.Type("3333")
	k.key(tea.KeyEnter)
	k.waitTitle(k.cat.N("people.title_n", 3, 3))
	p, err := k.store.Person("Saule")
	if err != nil || p.Role != store.RoleCashier {
		t.Fatalf("Saule: %+v %v", p, err)
	}
	k.key(tea.KeyDown)
	k.key(tea.KeyDown) // Saule, after Aigerim and Bolat
	k.key('d', "d")
	k.eventually("Saule is switched off", func() bool { p, _ := k.store.Person("Saule"); return p.Disabled })
	var changes []string
	for _, e := range k.audited() {
		if (e.Kind == store.AuditPersonAdded || e.Kind == store.AuditPersonChanged) && e.Who == "Aigerim" {
			changes = append(changes, e.Detail)
		}
	}
	want := []string{"cashier Bolat", "unlocked Bolat", "cashier Saule", "disabled Saule"}
	if strings.Join(changes, ", ") != strings.Join(want, ", ") {
		t.Errorf("the log has %q, want %q", changes, want)
	}
}

// A cashier prints the X report (p) and is refused the Z until a manager
// approves it; each print and the Z are in the log, the Z under both names.
func TestReportsPrintAndClose(t *testing.T) {
	var pp *paper
	quick := sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: 2 * time.Second}
	k := newTillOpts(t, 100, "en", quick, staffed, func(c *common.Common, s *sim.Sim) {
		signingIn(c, s)
		pp = &paper{st: c.Store}
		c.Printer = pp
	})
	k.signIn(1, "2222")
	k.sold(5000)
	k.key(tea.KeyF5)
	k.waitTitle(k.cat.N("shift.x_title_n", 1, 1))
	k.key('p', "p")
	k.shows("shift.printed") // keys wait until the printer is done
	k.eventually("the X is printed and logged", func() bool {
		es := k.audited()
		return len(es) > 0 && es[len(es)-1].Kind == store.AuditPrint && es[len(es)-1].Detail == "X"
	})
	k.key('z', "z")
	k.key('z', "z")
	k.title("signin.approve_title")
	k.tm.Type("1111")
	k.key(tea.KeyEnter)
	k.title("shift.z_title", 1)
	z, err := k.store.ZReport(1)
	if err != nil || z.ClosedBy != "Bolat" || z.ApprovedBy != "Aigerim" || z.Total.Lines[0].Paid.Minor != 5000 {
		t.Fatalf("the Z kept: %+v %v", z, err)
	}
	pp.mu.Lock()
	printed := len(pp.reports)
	pp.mu.Unlock()
	if printed != 1 || pp.reports[0].Z != 0 {
		t.Errorf("reports printed: %+v", pp.reports)
	}
}
