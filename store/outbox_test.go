package store

import (
	"errors"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
)

func outboxOf(t *testing.T, s *Store) OutboxBatch {
	t.Helper()
	b, err := s.Outbox(1000)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// outboxTill is a till with a central database and one payment.
func outboxTill(t *testing.T) (*Store, Operation) {
	t.Helper()
	s, _ := openTemp(t)
	if err := s.EnableOutbox(); err != nil {
		t.Fatal(err)
	}
	op := NewPayment("kaspi", tenge(100), "", false, t0)
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	return s, op
}

func TestOutboxIsWrittenOnlyOnceEnabled(t *testing.T) {
	s, _ := openTemp(t)
	op := NewPayment("kaspi", tenge(100), "", false, t0)
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	if b := outboxOf(t, s); len(b.Changes) != 0 {
		t.Fatalf("a till without a central database noted %d changes", len(b.Changes))
	}
	if err := s.Audit(AuditEntry{At: t0, Kind: AuditSignIn, Who: "Aigerim"}); err != nil {
		t.Fatal(err)
	}
	if err := s.EnableOutbox(); err != nil {
		t.Fatal(err)
	}
	id, _ := s.OutboxID()
	if err := s.EnableOutbox(); err != nil { // again: nothing more noted
		t.Fatal(err)
	}
	if again, _ := s.OutboxID(); len(id) != 24 || again != id {
		t.Fatalf("the file's line of changes is %q, then %q", id, again)
	}
	b := outboxOf(t, s)
	if len(b.Changes) != 2 || b.Changes[0].Operation == nil || b.Changes[0].Operation.ID != op.ID ||
		b.Changes[1].Audit == nil || b.Changes[1].Audit.Who != "Aigerim" || b.Last != 2 {
		t.Fatalf("enabling noted %+v, want the operation and the audit entry made before", b)
	}
}

func TestOutboxNotesEveryChangeOnceAsItStandsNow(t *testing.T) {
	s, op := outboxTill(t)
	op.Started(providers.Status{Ref: "P1", State: providers.StatePending}, t0.Add(time.Second))
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Modify(op.ID, func(o *Operation) error { o.Note = "kept"; return nil }); err != nil {
		t.Fatal(err)
	}
	other := NewPayment("kaspi", tenge(200), "", false, t0)
	if err := s.Create(&other); err != nil {
		t.Fatal(err)
	}
	b := outboxOf(t, s)
	if len(b.Changes) != 2 || b.Last != 4 {
		t.Fatalf("batch %+v, want two operations up to change 4", b)
	}
	first := b.Changes[0]
	if first.Seq != 3 || first.Operation.Note != "kept" || first.Operation.Ref != "P1" {
		t.Fatalf("first change %+v, want the payment as it stands, version 3", first)
	}
	// A batch smaller than the outbox covers the oldest entries only.
	small, err := s.Outbox(2)
	if err != nil {
		t.Fatal(err)
	}
	if small.Last != 2 || len(small.Changes) != 1 || small.Changes[0].Seq != 2 {
		t.Fatalf("a batch of two entries: %+v", small)
	}
	if err := s.DropOutbox(3); err != nil {
		t.Fatal(err)
	}
	if b := outboxOf(t, s); len(b.Changes) != 1 || b.Changes[0].Operation.ID != other.ID {
		t.Fatalf("after dropping up to 3: %+v", b)
	}
	if n, err := s.OutboxLen(); err != nil || n != 1 {
		t.Fatalf("OutboxLen = %d, %v; want 1", n, err)
	}
}

func TestChangeThatDoesNotCommitLeavesNoOutboxEntry(t *testing.T) {
	s, op := outboxTill(t)
	if err := s.DropOutbox(outboxOf(t, s).Last); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	// The change is put, then the transaction fails after it.
	_, err := s.Modify(op.ID, func(o *Operation) error { return refused })
	if !errors.Is(err, refused) {
		t.Fatal(err)
	}
	err = s.Batch(func(create func(*Operation) error) error {
		p := NewPayment("kaspi", tenge(5), "", false, t0)
		if err := create(&p); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatal(err)
	}
	if b := outboxOf(t, s); len(b.Changes) != 0 {
		t.Fatalf("changes that did not commit left %+v in the outbox", b)
	}
}

func TestOutboxFromNumbersAboveTheServer(t *testing.T) {
	s, op := outboxTill(t)
	// The server has changes up to 40 from this till (a restored backup).
	if err := s.OutboxFrom(40); err != nil {
		t.Fatal(err)
	}
	if b := outboxOf(t, s); len(b.Changes) != 0 {
		t.Fatalf("entries the server has were kept: %+v", b)
	}
	if _, err := s.Modify(op.ID, func(o *Operation) error { o.Note = "after"; return nil }); err != nil {
		t.Fatal(err)
	}
	if b := outboxOf(t, s); b.Last != 41 {
		t.Fatalf("the change after the restore is %d, want 41", b.Last)
	}
}
