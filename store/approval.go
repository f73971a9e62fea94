package store

import (
	"fmt"
	"slices"

	"github.com/kassa-till/kassa/providers"
)

// Actions a manager may have to approve (Approval.Actions).
const (
	ActionRefund   = "refund"
	ActionHistory  = "history"
	ActionChecks   = "checks" // the operations to check (F4)
	ActionSettings = "settings"
	ActionKeys     = "keys" // keys and pairing
	ActionExport   = "export"
	ActionWipe     = "wipe" // training data
)

// What only a manager does, whatever Approval says: these are never in
// Approval.Actions, and a cashier always needs a manager's PIN for them.
const (
	ActionAudit      = "audit" // the audit log's screen
	ActionPeople     = "people"
	ActionCloseShift = "close_shift" // the Z report
)

// ApprovalActions is every action Approval knows, which is also its
// default: all of them need a manager.
var ApprovalActions = []string{ActionRefund, ActionHistory, ActionChecks, ActionSettings, ActionKeys, ActionExport, ActionWipe}

// Approval says which actions need a manager: one signed in, or one who
// types their PIN there and then. The command line and the screens both
// ask it. It is the config's [approval] table.
type Approval struct {
	Actions []string `toml:"actions"`
	// RefundAbove is an amount in major units ("50000", "100.50"): a
	// refund of more always needs a manager, whatever Actions say. ""
	// sets no such amount.
	RefundAbove string `toml:"refund_above"`
}

// DefaultApproval is what needs a manager when the config says nothing.
func DefaultApproval() Approval { return Approval{Actions: slices.Clone(ApprovalActions)} }

// Validate refuses an action Approval does not know, or a RefundAbove
// that is not an amount.
func (a Approval) Validate() error {
	for _, act := range a.Actions {
		if !slices.Contains(ApprovalActions, act) {
			return fmt.Errorf("store: approval of %q: the actions are %v", act, ApprovalActions)
		}
	}
	if _, err := a.refundAbove(); err != nil {
		return err
	}
	return nil
}

// hundredths are the decimals RefundAbove is read to: no currency the
// till takes has more.
var hundredths = providers.Currency{Code: "refund_above", Digits: 2}

// refundAbove is RefundAbove in hundredths of a major unit, -1 for none.
func (a Approval) refundAbove() (int64, error) {
	if a.RefundAbove == "" {
		return -1, nil
	}
	m, err := providers.ParseMajor(a.RefundAbove, hundredths)
	if err != nil || m.Minor < 0 {
		return 0, fmt.Errorf("store: refund_above %q is not an amount", a.RefundAbove)
	}
	return m.Minor, nil
}

// Needs reports whether action by the person signed in needs a manager's
// approval. A manager never does. On a till without people nothing asks:
// the caller knows (HasPeople).
func (a Approval) Needs(action string, by Person) bool {
	return !by.Manager() && slices.Contains(a.Actions, action)
}

// NeedsRefund reports whether a refund of amount by the person signed in
// needs a manager's approval: refunds need one, or this one is above
// RefundAbove. A RefundAbove that cannot be read (Validate says so) asks
// for a manager for every refund.
func (a Approval) NeedsRefund(amount providers.Money, by Person) bool {
	if by.Manager() {
		return false
	}
	if a.Needs(ActionRefund, by) {
		return true
	}
	limit, err := a.refundAbove()
	switch {
	case err != nil:
		return true
	case limit < 0:
		return false
	}
	// Both in hundredths: a currency's minor units are at most those.
	got := amount.Minor
	for d := amount.Currency.Digits; d < 2; d++ {
		got *= 10
	}
	return got > limit
}
