package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// Role is what a person may do at the till.
type Role string

const (
	RoleManager Role = "manager"
	RoleCashier Role = "cashier"
)

// Person is a cashier or a manager of the till, kept in the people bucket
// under the name in lower case.
type Person struct {
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	Lang     string `json:"lang,omitempty"` // "" = the till's language
	Disabled bool   `json:"disabled,omitempty"`
	// PINHash is the PIN's argon2id hash (see hashPIN). It never leaves
	// the store: every Person the store returns has it empty.
	PINHash    string    `json:"pin_hash"`
	Failed     int       `json:"failed,omitempty"` // wrong PINs in a row
	LastFailed time.Time `json:"last_failed,omitzero"`
	Locked     bool      `json:"locked,omitempty"` // too many wrong PINs: a manager must unlock
	Added      time.Time `json:"added"`
}

// Manager reports whether the person is a manager.
func (p Person) Manager() bool { return p.Role == RoleManager }

var (
	ErrNoPerson       = errors.New("store: no such person")
	ErrPersonExists   = errors.New("store: a person of that name exists already")
	ErrBadName        = errors.New("store: a name is 1 to 32 letters, without control characters")
	ErrBadRole        = errors.New("store: a role is manager or cashier")
	ErrWrongPIN       = errors.New("store: wrong PIN")
	ErrPersonLocked   = errors.New("store: locked after too many wrong PINs; a manager must unlock")
	ErrPersonDisabled = errors.New("store: the person is disabled")
	ErrNotManager     = errors.New("store: not a manager")
	ErrLastManager    = errors.New("store: the last manager cannot be disabled")
	ErrFirstManager   = errors.New("store: the first person must be a manager")
	ErrTooSoon        = errors.New("store: too soon after a wrong PIN")
)

// PINRefused is a wrong PIN: Left tries before the person is locked, Wait
// before the next try. It is ErrWrongPIN, and ErrPersonLocked as well when
// it locked the person.
type PINRefused struct {
	Left   int
	Wait   time.Duration
	Locked bool
}

func (e *PINRefused) Error() string {
	if e.Locked {
		return "store: wrong PIN; the person is now locked"
	}
	return fmt.Sprintf("store: wrong PIN; %d tries left, the next after %v", e.Left, e.Wait)
}

func (e *PINRefused) Unwrap() error { return ErrWrongPIN }

func (e *PINRefused) Is(target error) bool { return e.Locked && target == ErrPersonLocked }

// TooSoon is a try before the pause after the last wrong PIN has passed:
// no PIN was checked, and it does not count. It is ErrTooSoon.
type TooSoon struct{ Until time.Time }

func (e *TooSoon) Error() string {
	return fmt.Sprintf("store: too soon after a wrong PIN; try again at %s", e.Until.Format(time.TimeOnly))
}

func (e *TooSoon) Is(target error) bool { return target == ErrTooSoon }

// MaxPINTries is how many wrong PINs in a row lock a person: the 5th does.
const MaxPINTries = 5

// PINPause is how long a person waits for the next try after failed wrong
// PINs in a row: none after none, then 1 s, 2 s, 4 s, 8 s, doubling (the
// lock comes first), at most 5 minutes. A slip costs a second; guessing
// four digits at the counter does not get far before the lock.
func PINPause(failed int) time.Duration {
	if failed <= 0 {
		return 0
	}
	if failed > 9 {
		return 5 * time.Minute
	}
	return min(time.Second<<(failed-1), 5*time.Minute)
}

// personKey is where a name is kept: names match without regard to case.
func personKey(name string) []byte { return []byte(strings.ToLower(strings.TrimSpace(name))) }

// cleanName is name trimmed, or ErrBadName.
func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 1 || n > 32 || !utf8.ValidString(name) ||
		strings.ContainsFunc(name, unicode.IsControl) {
		return "", ErrBadName
	}
	return name, nil
}

func getPerson(tx *bolt.Tx, name string) (Person, error) {
	var p Person
	v := tx.Bucket(bPeople).Get(personKey(name))
	if v == nil {
		return p, fmt.Errorf("%w: %q", ErrNoPerson, strings.TrimSpace(name))
	}
	if err := json.Unmarshal(v, &p); err != nil {
		return p, fmt.Errorf("store: person %q: %w", name, err)
	}
	return p, nil
}

func putPerson(tx *bolt.Tx, p Person) error {
	buf, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return tx.Bucket(bPeople).Put(personKey(p.Name), buf)
}

// outward is p as the store hands it out: without its hash.
func outward(p Person) Person {
	p.PINHash = ""
	return p
}

// HasPeople reports whether the till has people yet. A file without any
// is a till not set up: nothing asks for a PIN.
func (s *Store) HasPeople() (bool, error) {
	var has bool
	err := s.view(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bPeople).Cursor().First()
		has = k != nil
		return nil
	})
	return has, err
}

// People lists the till's people by name, ignoring case.
func (s *Store) People() ([]Person, error) {
	var people []Person
	err := s.view(func(tx *bolt.Tx) error {
		return eachPerson(tx, func(p Person) { people = append(people, outward(p)) })
	})
	// The keys are the names in lower case: in order already, but say so.
	slices.SortStableFunc(people, func(a, b Person) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return people, err
}

// Person is the person of that name, matched without regard to case
// (ErrNoPerson if none).
func (s *Store) Person(name string) (Person, error) {
	var p Person
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		p, err = getPerson(tx, name)
		return err
	})
	return outward(p), err
}

// AddPerson adds a person with a PIN, as manager by, audited. The first
// person must be a manager (ErrFirstManager), added by nobody; after
// that, by must be a manager who may act (see requireManager).
func (s *Store) AddPerson(p Person, pin string, by string, at time.Time) error {
	name, err := cleanName(p.Name)
	if err != nil {
		return err
	}
	if p.Role != RoleManager && p.Role != RoleCashier {
		return ErrBadRole
	}
	if !ValidPIN(pin) {
		return ErrBadPIN
	}
	hash, err := hashPIN(pin) // slow: outside the transaction
	if err != nil {
		return err
	}
	add := Person{Name: name, Role: p.Role, Lang: p.Lang, Disabled: p.Disabled, PINHash: hash, Added: at}
	return s.update(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bPeople).Cursor().First(); k == nil {
			if add.Role != RoleManager || add.Disabled {
				return ErrFirstManager
			}
			by = ""
		} else if m, err := requireManager(tx, by); err != nil {
			return err
		} else {
			by = m.Name // as kept, not as typed
		}
		if tx.Bucket(bPeople).Get(personKey(name)) != nil {
			return fmt.Errorf("%w: %q", ErrPersonExists, name)
		}
		if err := putPerson(tx, add); err != nil {
			return err
		}
		_, err := appendAudit(tx, AuditEntry{At: at, Kind: AuditPersonAdded, Who: by, Detail: string(add.Role) + " " + name})
		return err
	})
}

// requireManager is the manager by, or ErrNotManager when by is not a
// manager who could sign in now: unknown, disabled or locked.
func requireManager(tx *bolt.Tx, by string) (Person, error) {
	m, err := getPerson(tx, by)
	if errors.Is(err, ErrNoPerson) || err == nil && (!m.Manager() || m.Disabled || m.Locked) {
		return m, fmt.Errorf("%w: %q", ErrNotManager, strings.TrimSpace(by))
	}
	return m, err
}

// SignIn checks a person's PIN at the till, with the pause and the lock
// after wrong PINs, and records the try in the audit log in the same
// write as the count of wrong PINs: a disabled person gets
// ErrPersonDisabled, a locked one ErrPersonLocked, a try within the pause
// *TooSoon (none of them checks the PIN or counts), a wrong PIN
// *PINRefused.
func (s *Store) SignIn(name, pin string, at time.Time) (Person, error) {
	return s.checkPIN(name, pin, at, "sign_in", func(p Person) AuditEntry {
		return AuditEntry{At: at, Kind: AuditSignIn, Who: p.Name}
	})
}

// Approve is a manager's PIN typed to approve action by cashier (who may
// be "" where no one is signed in): SignIn's checks, and ErrNotManager for
// someone who is not a manager (their PIN is not checked). It records
// the approval with both names.
func (s *Store) Approve(manager, pin, action, cashier string, at time.Time) (Person, error) {
	p, err := s.Person(manager)
	if err != nil {
		return p, err
	}
	if !p.Manager() {
		return p, fmt.Errorf("%w: %q", ErrNotManager, p.Name)
	}
	return s.checkPIN(manager, pin, at, action, func(p Person) AuditEntry {
		return AuditEntry{At: at, Kind: AuditApproval, Who: cashier, Approver: p.Name, Detail: action}
	})
}

// checkPIN is SignIn and Approve: for is what a wrong PIN's entry says
// the PIN was for, ok the entry a right one writes. The hash is checked
// outside the write (it is slow, and the tracker writes too), then the
// outcome written only if the person did not change meanwhile; if they
// did, the try starts again.
func (s *Store) checkPIN(name, pin string, at time.Time, what string, ok func(Person) AuditEntry) (Person, error) {
	if !ValidPIN(pin) {
		return Person{}, ErrBadPIN
	}
	for {
		var before Person
		err := s.view(func(tx *bolt.Tx) error {
			var err error
			before, err = getPerson(tx, name)
			return err
		})
		if err != nil {
			return Person{}, err
		}
		if err := admissible(before, at); err != nil {
			return outward(before), err
		}
		right, err := checkPIN(before.PINHash, pin)
		if err != nil {
			return outward(before), err
		}
		var p Person
		var refused error
		changed := false
		err = s.update(func(tx *bolt.Tx) error {
			var err error
			if p, err = getPerson(tx, name); err != nil {
				return err
			}
			if p.PINHash != before.PINHash || p.Failed != before.Failed || p.Locked != before.Locked || p.Disabled != before.Disabled {
				changed = true
				return nil
			}
			if right {
				p.Failed, p.LastFailed = 0, time.Time{}
				if err := putPerson(tx, p); err != nil {
					return err
				}
				_, err := appendAudit(tx, ok(p))
				return err
			}
			p.Failed++
			p.LastFailed = at
			r := &PINRefused{Left: MaxPINTries - p.Failed, Wait: PINPause(p.Failed)}
			if p.Failed >= MaxPINTries {
				p.Locked, r.Left, r.Wait, r.Locked = true, 0, 0, true
			}
			refused = r
			if err := putPerson(tx, p); err != nil {
				return err
			}
			if _, err := appendAudit(tx, AuditEntry{At: at, Kind: AuditPINFailed, Who: p.Name, Detail: what}); err != nil {
				return err
			}
			if p.Locked {
				_, err = appendAudit(tx, AuditEntry{At: at, Kind: AuditPersonLocked, Who: p.Name})
			}
			return err
		})
		if changed {
			continue
		}
		if err != nil {
			return outward(p), err
		}
		return outward(p), refused
	}
}

// admissible refuses a try without checking its PIN: the person is
// disabled or locked, or the pause after their last wrong PIN is still
// running. A clock set back before the last wrong PIN ends the pause
// rather than make it last until the clock gets there again; the lock
// after MaxPINTries still comes.
func admissible(p Person, at time.Time) error {
	switch {
	case p.Disabled:
		return ErrPersonDisabled
	case p.Locked:
		return ErrPersonLocked
	}
	if p.Failed > 0 && !at.Before(p.LastFailed) {
		if until := p.LastFailed.Add(PINPause(p.Failed)); at.Before(until) {
			return &TooSoon{Until: until}
		}
	}
	return nil
}

// What a person_changed entry's detail says changed, before the name.
const (
	ChangeDisabled = "disabled"
	ChangeEnabled  = "enabled"
	ChangePINReset = "pin_reset"
	ChangeUnlocked = "unlocked"
	ChangeLanguage = "language" // written "language=ru"; "language=" for the till's own
)

// PersonChange reads a person_changed entry's detail: what changed, the
// new value where there is one (the language), and whose.
func PersonChange(detail string) (what, value, name string) {
	change, name, _ := strings.Cut(detail, " ")
	what, value, _ = strings.Cut(change, "=")
	return what, value, name
}

// changePerson applies change to the person name as by, if may lets by
// (ErrNotManager otherwise), and audits it as what and the name. A change
// that leaves the person as they were writes nothing.
func (s *Store) changePerson(name, by string, at time.Time, what string, may permission, change func(tx *bolt.Tx, p *Person) error) error {
	return s.update(func(tx *bolt.Tx) error {
		p, err := getPerson(tx, name)
		if err != nil {
			return err
		}
		if err := may(tx, p, by); err != nil {
			return err
		}
		before := p
		if err := change(tx, &p); err != nil {
			return err
		}
		if p == before {
			return nil
		}
		if err := putPerson(tx, p); err != nil {
			return err
		}
		m, _ := getPerson(tx, by) // "" for nobody
		_, err = appendAudit(tx, AuditEntry{At: at, Kind: AuditPersonChanged, Who: m.Name, Detail: what + " " + p.Name})
		return err
	})
}

// permission says whether by may change p.
type permission func(tx *bolt.Tx, p Person, by string) error

func byManager(tx *bolt.Tx, _ Person, by string) error {
	_, err := requireManager(tx, by)
	return err
}

func bySelfOrManager(tx *bolt.Tx, p Person, by string) error {
	if strings.EqualFold(strings.TrimSpace(by), p.Name) {
		return nil
	}
	return byManager(tx, p, by)
}

// byManagerOrNobody lets nobody ("") act only while no manager can sign
// in: every one who is not disabled is locked.
func byManagerOrNobody(tx *bolt.Tx, p Person, by string) error {
	if strings.TrimSpace(by) != "" {
		return byManager(tx, p, by)
	}
	usable := false
	err := eachPerson(tx, func(o Person) { usable = usable || o.Manager() && !o.Disabled && !o.Locked })
	if err == nil && usable {
		err = fmt.Errorf("%w: %q", ErrNotManager, "")
	}
	return err
}

func eachPerson(tx *bolt.Tx, fn func(Person)) error {
	return tx.Bucket(bPeople).ForEach(func(k, v []byte) error {
		var p Person
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("store: person %q: %w", k, err)
		}
		fn(p)
		return nil
	})
}

// DisablePerson keeps a person from signing in and approving; their name
// stays in the books. The last manager who is not disabled cannot be
// (ErrLastManager): nobody could manage the till then.
func (s *Store) DisablePerson(name, by string, at time.Time) error {
	return s.changePerson(name, by, at, ChangeDisabled, byManager, func(tx *bolt.Tx, p *Person) error {
		if p.Manager() && !p.Disabled {
			others := 0
			err := eachPerson(tx, func(o Person) {
				if o.Manager() && !o.Disabled && !strings.EqualFold(o.Name, p.Name) {
					others++
				}
			})
			if err != nil {
				return err
			}
			if others == 0 {
				return ErrLastManager
			}
		}
		p.Disabled = true
		return nil
	})
}

// EnablePerson lets a disabled person sign in again.
func (s *Store) EnablePerson(name, by string, at time.Time) error {
	return s.changePerson(name, by, at, ChangeEnabled, byManager, func(_ *bolt.Tx, p *Person) error {
		p.Disabled = false
		return nil
	})
}

// ResetPIN gives a person a new PIN and clears their wrong PINs and lock.
func (s *Store) ResetPIN(name, pin, by string, at time.Time) error {
	hash, err := hashPIN(pin) // ErrBadPIN; slow: outside the transaction
	if err != nil {
		return err
	}
	return s.changePerson(name, by, at, ChangePINReset, byManager, func(_ *bolt.Tx, p *Person) error {
		p.PINHash, p.Failed, p.LastFailed, p.Locked = hash, 0, time.Time{}, false
		return nil
	})
}

// UnlockPerson clears a person's wrong PINs and lock, as manager by. By
// "" may do it only while no manager can sign in (each one who is not
// disabled is locked): the way out, from the command line, for a till
// whose managers all locked themselves out; the entry names no one.
func (s *Store) UnlockPerson(name, by string, at time.Time) error {
	return s.changePerson(name, by, at, ChangeUnlocked, byManagerOrNobody, func(_ *bolt.Tx, p *Person) error {
		p.Failed, p.LastFailed, p.Locked = 0, time.Time{}, false
		return nil
	})
}

// SetPersonLanguage sets the language the till speaks to a person once
// they sign in ("" for the till's own), as the person themselves or a
// manager. The store does not know the languages: the caller checks it.
func (s *Store) SetPersonLanguage(name, lang, by string, at time.Time) error {
	return s.changePerson(name, by, at, ChangeLanguage+"="+lang, bySelfOrManager, func(_ *bolt.Tx, p *Person) error {
		p.Lang = lang
		return nil
	})
}
