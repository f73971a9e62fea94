package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// ErrOverRefund is returned when a refund would return more than is left of
// its payment.
var ErrOverRefund = errors.New("store: refund exceeds what is left of the payment")

// ErrNotRefundable is returned for an operation that cannot be refunded:
// a refund, or a payment that did not succeed.
var ErrNotRefundable = errors.New("store: not a successful payment")

// OverRefundError says how much was left when a refund asked for more.
type OverRefundError struct {
	Asked, Left providers.Money
}

func (e *OverRefundError) Error() string {
	return fmt.Sprintf("store: refund of %v exceeds the %v left", e.Asked, e.Left)
}

func (e *OverRefundError) Unwrap() error { return ErrOverRefund }

// CreateRefund writes a refund ahead of the provider call, in the same
// transaction that checks what is left of its payment. Two refunds started
// at once (a double Enter, two tills) cannot both pass the check. The
// audit log records it in the same write, with its cashier and approver.
func (s *Store) CreateRefund(op *Operation) error {
	if op.Kind != KindRefund || op.ID != 0 {
		return errors.New("store: CreateRefund takes a new refund")
	}
	if op.Amount.Minor <= 0 {
		return fmt.Errorf("store: refund of %v: %w", op.Amount, ErrOverRefund)
	}
	return s.update(func(tx *bolt.Tx) error {
		left, err := refundable(tx, op.PaymentID)
		if err != nil {
			return err
		}
		if op.Amount.Currency.Code != left.Currency.Code || op.Amount.Minor > left.Minor {
			return &OverRefundError{Asked: op.Amount, Left: left}
		}
		if err := s.create(tx, op); err != nil {
			return err
		}
		amount := op.Amount
		_, err = appendAudit(tx, AuditEntry{At: op.Created, Kind: AuditRefund, Who: op.Cashier, Approver: op.Approver,
			Operation: op.ID, Amount: &amount, Detail: op.PaymentID.Receipt()})
		return err
	})
}

// Holds reports whether a refund in this state counts against what is
// left of its payment: it went through, may have, or may yet.
func (s State) Holds() bool { return s != StateFailed && s != StateRefused }

// refundable is Refundable inside a transaction.
func refundable(tx *bolt.Tx, payment ID) (providers.Money, error) {
	p, err := get(tx, payment)
	if err != nil {
		return providers.Money{}, err
	}
	if p.Kind != KindPayment || p.State != StateSuccess {
		return providers.New(0, p.Amount.Currency), ErrNotRefundable
	}
	left := p.Amount
	err = forRefunds(tx, payment, func(r Operation) {
		if r.State.Holds() {
			left = left.Sub(r.Amount)
		}
	})
	return left, err
}
