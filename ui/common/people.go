package common

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// Needs reports whether action needs a manager's PIN now: people sign
// in, the rules ask for one, no manager is signed in, and none approved
// the screen in use.
func (c *Common) Needs(action string) bool {
	return c.SignIn && c.Approver == "" && c.Approval.Needs(action, c.Person)
}

// NeedsRefund reports whether a refund of amount needs a manager's PIN:
// a refund's approval is its own, whoever approved the screen it was
// started from.
func (c *Common) NeedsRefund(amount providers.Money) bool {
	return c.SignIn && c.Approval.NeedsRefund(amount, c.Person)
}

// NeedApproval asks the root for a manager's PIN for Action; once given,
// Then goes to the screen that asked.
type NeedApproval struct {
	Action string
	Then   tea.Msg
}

// Gate is the command that asks for a manager's approval of action,
// then has then delivered; nil where none is needed: the screen does then
// at once, so keys typed ahead land where they would without people.
func (c *Common) Gate(action string, then tea.Msg) tea.Cmd {
	if !c.Needs(action) {
		return nil
	}
	return func() tea.Msg { return NeedApproval{Action: action, Then: then} }
}

// AuditEntry is an audit entry of kind by whoever works the till now,
// with the manager who approved it; the caller adds the rest.
func (c *Common) AuditEntry(kind, detail string) store.AuditEntry {
	return store.AuditEntry{At: c.Clock.Now(), Kind: kind, Who: c.Cashier, Approver: c.Approver, Detail: detail}
}

// UseLanguage makes every screen speak lang from now on.
func (c *Common) UseLanguage(lang string) error {
	cat, err := locale.Load(lang)
	if err != nil {
		return err
	}
	c.Cat, c.Keys, c.Lang = cat, NewKeyMap(cat), lang
	return nil
}

// ManagerPresent reports whether a manager works the till now: signed
// in, or having approved the screen in use (always, where no one signs
// in).
func (c *Common) ManagerPresent() bool {
	return !c.SignIn || c.Person.Manager() || c.Approver != ""
}

// GateManager is Gate for what only a manager does, whatever the rules
// say: people, the audit log, closing the shift.
func (c *Common) GateManager(action string, then tea.Msg) tea.Cmd {
	if c.ManagerPresent() {
		return nil
	}
	return func() tea.Msg { return NeedApproval{Action: action, Then: then} }
}

// PrintAudited returns the job that prints op's receipt (a copy when
// copy is set) and records it in the audit log, to run in a command: the
// person and the approver are those of now.
func (c *Common) PrintAudited(op store.Operation, copy bool) func(context.Context) (store.Operation, error) {
	p, st := c.Printer, c.Store
	kind := store.AuditPrint
	if copy {
		kind = store.AuditReprint
	}
	e := c.AuditEntry(kind, "")
	e.Operation = op.ID
	return func(ctx context.Context) (store.Operation, error) {
		stored, err := p.PrintReceipt(ctx, op, copy)
		if err == nil {
			err = st.Audit(e)
		}
		return stored, err
	}
}
