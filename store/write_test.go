package store

import (
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// pagesWritten is how many pages the store's commits have written so far.
func pagesWritten(s *Store) int64 {
	st := s.db.Stats().TxStats
	return st.GetWrite()
}

// A save that changes nothing an index or a day total depends on writes
// none of their pages: each page costs every durable write its time.
func TestSaveWritesOnlyWhatChanged(t *testing.T) {
	s, _ := openTemp(t)
	op := tillPayment(1)
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	tillStarted(&op, 1)
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	tillPaid(&op, 1)
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	before := pagesWritten(s)
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	// The freelist and the meta page: bbolt writes them on every commit.
	if n := pagesWritten(s) - before; n > 2 {
		t.Fatalf("an unchanged save wrote %d pages", n)
	}
	// Saved three times, paid once: counted once, found by every number.
	q := Query{From: op.Created, To: op.Created}
	if tot, err := s.Totals(q, providers.KZT); err != nil || tot.Payments != 1 || tot.Paid != op.Amount {
		t.Fatalf("totals %+v, %v", tot, err)
	}
	for _, n := range []string{op.Receipt(), op.Ref, op.TransactionID} {
		q.Search = n
		if rows, _, err := s.Page(q, nil, 10); err != nil || len(rows) != 1 || rows[0].ID != op.ID {
			t.Fatalf("search %q: %+v, %v", n, rows, err)
		}
	}
	if open, _ := s.Unfinished(); len(open) != 0 {
		t.Fatalf("a paid payment is still open: %+v", open)
	}
}

// A save puts back a search number its index lacks (a file written before
// the index held it), though the number itself did not change.
func TestSaveRestoresAMissingNumber(t *testing.T) {
	s, _ := openTemp(t)
	op := tillPayment(1)
	if err := s.Create(&op); err != nil {
		t.Fatal(err)
	}
	tillPaid(&op, 1)
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	s.update(func(tx *bolt.Tx) error { return tx.Bucket(bNumbers).Delete(numberKey(op.TransactionID, op.ID)) })
	q := Query{From: op.Created, To: op.Created, Search: op.TransactionID}
	if rows, _, _ := s.Page(q, nil, 10); len(rows) != 0 {
		t.Fatal("the number is still indexed")
	}
	op.Cashier = "Aigerim"
	if err := s.Save(&op); err != nil {
		t.Fatal(err)
	}
	if rows, _, err := s.Page(q, nil, 10); err != nil || len(rows) != 1 || rows[0].ID != op.ID {
		t.Fatalf("after the save: %+v, %v", rows, err)
	}
}
