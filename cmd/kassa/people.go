package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
)

// A data file with people asks every command that acts for the till who
// acts: --user NAME, and --approver NAME where a manager must approve.
// Their PINs come on standard input, one line each, the user's first:
// from a terminal they are typed without echo. A file without people is a
// till not set up yet, and asks for nothing.

// who is the people a command names, as its flags give them.
type who struct{ user, approver string }

func bindWho(fs *flag.FlagSet, w *who, approver bool) {
	fs.StringVar(&w.user, "user", "", "flag.people.user NAME")
	if approver {
		fs.StringVar(&w.approver, "approver", "", "flag.people.approver NAME")
	}
}

// pinReader reads PINs: from a terminal without echo, from anything else
// a line at a time (one reader for them all, so no line is lost to
// another's buffer).
type pinReader struct {
	in  io.Reader
	out io.Writer
	cat *locale.Catalog
	br  *bufio.Reader
}

func newPINReader(in io.Reader, out io.Writer, cat *locale.Catalog) *pinReader {
	return &pinReader{in: in, out: out, cat: cat}
}

// errNoPIN is standard input ending before a PIN it should hold.
var errNoPIN = errors.New("no PIN on standard input")

// read reads one PIN, saying prompt first on a terminal.
func (r *pinReader) read(prompt string) (string, error) {
	if f, ok := r.in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(r.out, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(r.out)
		return strings.TrimSpace(string(b)), err
	}
	if r.br == nil {
		r.br = bufio.NewReader(r.in)
	}
	line, err := r.br.ReadString('\n')
	if errors.Is(err, io.EOF) && line == "" {
		return "", errNoPIN
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// pinOf reads the PIN of name.
func (r *pinReader) pinOf(name string) (string, error) {
	pin, err := r.read(r.cat.T("people.prompt_pin", name))
	if errors.Is(err, errNoPIN) {
		return "", usageErr(r.cat.T("people.no_pin", name), err)
	}
	return pin, err
}

// newPIN reads a new PIN for name twice; the two must be the same.
func (r *pinReader) newPIN(name string) (string, error) {
	first, err := r.read(r.cat.T("people.prompt_new", name))
	if err == nil && !store.ValidPIN(first) {
		return "", usageErr(r.cat.T("people.bad_pin"), store.ErrBadPIN)
	}
	var again string
	if err == nil {
		again, err = r.read(r.cat.T("people.prompt_again"))
	}
	switch {
	case errors.Is(err, errNoPIN):
		return "", usageErr(r.cat.T("people.no_new_pin", name), err)
	case err != nil:
		return "", err
	case first != again:
		return "", usageErr(r.cat.T("people.pin_mismatch"), nil)
	}
	return first, nil
}

// pinSource gives the PIN of a person, in the order asked for: standard
// input, or what a request to the till carried.
type pinSource interface {
	pinOf(name string) (string, error)
}

// needs says whether the person signed in needs a manager's approval
// for what a command does.
type needs func(by store.Person) bool

// alwaysManager is an action only a manager does.
func alwaysManager(by store.Person) bool { return !by.Manager() }

// acting is who acts for a command, as the data file knows them; both
// zero on a till without people.
type acting struct {
	by, approver store.Person
}

// authorize checks who a command names against a data file's people:
// nothing on a till without them; else --user and their PIN, and where
// the action needs a manager (need, by the user's role) --approver and
// theirs, approving action. Each PIN is read only once its person is
// known to need it, so a refusal reads no more of standard input. The
// sign-in and the approval are audited by the store.
func authorize(st *store.Store, cat *locale.Catalog, w who, pins pinSource, action string, need needs, now time.Time) (acting, error) {
	var a acting
	has, err := st.HasPeople()
	if err != nil {
		return a, booksErr(cat.T("cli.db_failed", st.Path(), err), err)
	}
	if !has {
		if w.user != "" {
			return a, personErr(cat, fmt.Errorf("%w: %q", store.ErrNoPerson, w.user), w.user)
		}
		return a, nil
	}
	if w.user == "" {
		return a, usageErr(cat.T("people.needs_user"), nil)
	}
	p, err := st.Person(w.user)
	if err != nil {
		return a, personErr(cat, err, w.user)
	}
	if need != nil && need(p) && w.approver == "" {
		return a, usageErr(cat.T("people.needs_approver_"+action, p.Name), nil)
	}
	if w.approver != "" {
		// Known and a manager before anyone's PIN is read.
		m, err := st.Person(w.approver)
		if err == nil && !m.Manager() {
			err = fmt.Errorf("%w: %q", store.ErrNotManager, m.Name)
		}
		if err != nil {
			return a, personErr(cat, err, w.approver)
		}
	}
	pin, err := pins.pinOf(p.Name)
	if err != nil {
		return a, err
	}
	if a.by, err = st.SignIn(p.Name, pin, now); err != nil {
		return a, personErr(cat, err, p.Name)
	}
	if w.approver == "" {
		return a, nil
	}
	if pin, err = pins.pinOf(w.approver); err != nil {
		return a, err
	}
	if a.approver, err = st.Approve(w.approver, pin, action, a.by.Name, now); err != nil {
		return a, personErr(cat, err, w.approver)
	}
	return a, nil
}

// signInManager signs in the manager a command that changes people
// names with --user.
func signInManager(st *store.Store, cat *locale.Catalog, name string, pins *pinReader, now time.Time) (store.Person, error) {
	if name == "" {
		return store.Person{}, usageErr(cat.T("people.needs_manager"), nil)
	}
	p, err := st.Person(name)
	if err == nil && !p.Manager() {
		err = fmt.Errorf("%w: %q", store.ErrNotManager, p.Name)
	}
	if err != nil {
		return p, personErr(cat, err, name)
	}
	pin, err := pins.pinOf(p.Name)
	if err != nil {
		return p, err
	}
	if p, err = st.SignIn(p.Name, pin, now); err != nil {
		return p, personErr(cat, err, name)
	}
	return p, nil
}

// personErr says, as a usage error (nothing was done), why the store
// refused a person or a change to one; a file that could not be read or
// written is the books'.
func personErr(cat *locale.Catalog, err error, name string) error {
	if text := personText(cat, err, name); text != "" {
		return usageErr(text, err)
	}
	return booksErr(cat.T("error.store", err.Error()), err)
}

// personText is why the store refused name, in the reader's words; ""
// for an error that is not a refusal.
func personText(cat *locale.Catalog, err error, name string) string {
	name = strings.TrimSpace(name)
	var wrong *store.PINRefused
	var soon *store.TooSoon
	switch {
	case errors.As(err, &wrong) && wrong.Locked:
		return cat.T("people.locked_now", name, name)
	case errors.As(err, &wrong):
		return cat.N("people.wrong_pin", wrong.Left, name, wrong.Left)
	case errors.As(err, &soon):
		secs := int(time.Until(soon.Until).Round(time.Second) / time.Second)
		return cat.N("people.too_soon", max(secs, 1), name, max(secs, 1))
	case errors.Is(err, store.ErrPersonLocked):
		return cat.T("people.locked", name, name)
	case errors.Is(err, store.ErrPersonDisabled):
		return cat.T("people.disabled", name)
	case errors.Is(err, store.ErrNoPerson):
		return cat.T("people.no_person", name)
	case errors.Is(err, store.ErrNotManager):
		return cat.T("people.not_manager", name)
	case errors.Is(err, store.ErrBadPIN):
		return cat.T("people.bad_pin")
	case errors.Is(err, store.ErrBadName):
		return cat.T("people.bad_name", name)
	case errors.Is(err, store.ErrBadRole):
		return cat.T("people.bad_role")
	case errors.Is(err, store.ErrPersonExists):
		return cat.T("people.exists", name)
	case errors.Is(err, store.ErrFirstManager):
		return cat.T("people.first_manager")
	case errors.Is(err, store.ErrLastManager):
		return cat.T("people.last_manager", name)
	}
	return ""
}

// runUser is kassa user add|list|disable|enable|reset-pin|unlock: the
// till's people from the command line.
func runUser(args []string, in io.Reader, out io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageErr(catalogFor(langFlag(args)).T("people.which"), nil)
	}
	switch args[0] {
	case "add":
		return runUserAdd(args[1:], in, out)
	case "list":
		return runUserList(args[1:], out)
	case "disable", "enable", "reset-pin", "unlock":
		return runUserChange(args[0], args[1:], in, out)
	}
	return usageErr(catalogFor(langFlag(args)).T("people.which_not", args[0]), nil)
}

// userCommand is a kassa user command that changes a person: its
// config, the person --name names, the manager --user names, and the data
// file, open.
type userCommand struct {
	cfg        Config
	cat        *locale.Catalog
	st         *store.Store
	name, user string
}

// openUserCommand reads the flags of kassa user what (--name, --user and
// extra's) and opens the data file.
func openUserCommand(what string, args []string, extra func(*flag.FlagSet)) (userCommand, error) {
	var u userCommand
	cfg, _, err := loadConfig("kassa user "+what, args, func(fs *flag.FlagSet) {
		fs.StringVar(&u.name, "name", "", "flag.user.name NAME")
		fs.StringVar(&u.user, "user", "", "flag.user.user MANAGER")
		if extra != nil {
			extra(fs)
		}
	})
	if err != nil {
		return u, err
	}
	u.cfg, u.cat = cfg, catalogFor(cfg.Lang)
	if strings.TrimSpace(u.name) == "" {
		return u, usageErr(u.cat.T("people.needs_name"), nil)
	}
	u.st, err = openDataFile(cfg.dataFile(), u.cat)
	return u, err
}

// runUserAdd adds a person; the first must be the manager, added without
// --user. --lang, the command's own language, is also the person's.
func runUserAdd(args []string, in io.Reader, out io.Writer) error {
	var role string
	u, err := openUserCommand("add", args, func(fs *flag.FlagSet) { fs.StringVar(&role, "role", "", "flag.user.role manager|cashier") })
	if err != nil {
		return err
	}
	defer u.st.Close()
	st, cat, name, user := u.st, u.cat, u.name, u.user
	p := store.Person{Name: name, Role: store.Role(role)}
	if p.Role != store.RoleManager && p.Role != store.RoleCashier {
		return usageErr(cat.T("people.bad_role"), nil)
	}
	if u.cfg.langFlag {
		p.Lang = u.cfg.Lang
	}
	pins := newPINReader(in, out, cat)
	now := time.Now()
	has, err := st.HasPeople()
	if err != nil {
		return booksErr(cat.T("cli.db_failed", st.Path(), err), err)
	}
	var by store.Person
	switch {
	case !has && p.Role != store.RoleManager:
		return usageErr(cat.T("people.first_manager"), store.ErrFirstManager)
	case has:
		if by, err = signInManager(st, cat, user, pins, now); err != nil {
			return err
		}
	}
	if _, err := st.Person(name); err == nil {
		return personErr(cat, store.ErrPersonExists, name)
	}
	pin, err := pins.newPIN(strings.TrimSpace(name))
	if err != nil {
		return err
	}
	if err := st.AddPerson(p, pin, by.Name, now); err != nil {
		return personErr(cat, err, name)
	}
	fmt.Fprintln(out, cat.T("people.added_"+role, strings.TrimSpace(name)))
	return nil
}

// runUserList lists the till's people: never their PINs or hashes.
func runUserList(args []string, out io.Writer) error {
	st, cat, err := openStore(args)
	if err != nil {
		return err
	}
	defer st.Close()
	people, err := st.People()
	if err != nil {
		return booksErr(cat.T("cli.db_failed", st.Path(), err), err)
	}
	if len(people) == 0 {
		fmt.Fprintln(out, cat.T("people.none"))
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, cat.T("people.list_header"))
	for _, p := range people {
		lang := p.Lang
		if lang == "" {
			lang = cat.T("people.lang_till")
		}
		var state []string
		if p.Disabled {
			state = append(state, cat.T("people.state_disabled"))
		}
		if p.Locked {
			state = append(state, cat.T("people.state_locked"))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, cat.T("people.role_"+string(p.Role)), lang, strings.Join(state, ", "))
	}
	return tw.Flush()
}

// runUserChange disables, enables, unlocks a person or gives them a new
// PIN, as the manager --user names. Unlock without --user is the way out
// for a till whose every manager is locked.
func runUserChange(what string, args []string, in io.Reader, out io.Writer) error {
	u, err := openUserCommand(what, args, nil)
	if err != nil {
		return err
	}
	defer u.st.Close()
	st, cat, name, user := u.st, u.cat, u.name, u.user
	pins := newPINReader(in, out, cat)
	now := time.Now()
	p, err := st.Person(name)
	if err != nil {
		return personErr(cat, err, name)
	}
	var by store.Person
	if what != "unlock" || user != "" {
		if by, err = signInManager(st, cat, user, pins, now); err != nil {
			return err
		}
	}
	switch what {
	case "disable":
		err = st.DisablePerson(p.Name, by.Name, now)
	case "enable":
		err = st.EnablePerson(p.Name, by.Name, now)
	case "unlock":
		err = st.UnlockPerson(p.Name, by.Name, now)
		if errors.Is(err, store.ErrNotManager) && by.Name == "" {
			return usageErr(cat.T("people.needs_manager"), err)
		}
	case "reset-pin":
		var pin string
		if pin, err = pins.newPIN(p.Name); err != nil {
			return err
		}
		err = st.ResetPIN(p.Name, pin, by.Name, now)
	}
	if err != nil {
		return personErr(cat, err, p.Name)
	}
	fmt.Fprintln(out, cat.T("people.done_"+strings.ReplaceAll(what, "-", "_"), p.Name))
	return nil
}

// listFlag is a comma list flag (--approve refund,export); "" is none.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = nil
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

func (l *listFlag) Get() any { return []string(*l) }

// validApproval refuses [approval] actions kassa does not know and a
// refund_above that is not an amount.
func validApproval(a store.Approval, cat *locale.Catalog) error {
	for _, act := range a.Actions {
		if !slices.Contains(store.ApprovalActions, act) {
			return usageErr(cat.T("people.approve_unknown", act, strings.Join(store.ApprovalActions, ", ")), nil)
		}
	}
	if err := a.Validate(); err != nil {
		return usageErr(cat.T("people.refund_above", a.RefundAbove), err)
	}
	return nil
}
