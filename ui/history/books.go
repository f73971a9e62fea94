package history

import (
	"io"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/central"
)

// Books are what the screen reads: the till's own data file (New), or a
// chain's central database over every till (NewChain). The methods are
// *store.Store's, but for an operation named by its store.Ref, which in
// a chain's books holds the shop and till its receipt number is of.
type Books interface {
	Page(q store.Query, after store.Cursor, n int) ([]store.Row, store.Cursor, error)
	PageAt(q store.Query, at store.Cursor, n int) ([]store.Row, store.Cursor, error)
	PageNewer(q store.Query, before store.Cursor, n int) ([]store.Row, bool, error)
	Latest(q store.Query) (store.Row, bool, error)
	Totals(q store.Query, c providers.Currency) (store.Totals, error)
	Sources(q store.Query) ([]store.Source, error)
	CursorAt(r store.Row) store.Cursor
	Get(at store.Ref) (store.Operation, error)
	Refunds(payment store.Ref) ([]store.Operation, error)
	Refundable(payment store.Ref) (providers.Money, error)
	WriteCSV(w io.Writer, q store.Query, f store.CSVFormat) (int, error)
}

// Chain is what a chain's books tell besides a till's: where each till
// stands with the server, and a period's totals per shop, till and
// provider (central.Books).
type Chain interface {
	Books
	Tills() ([]central.Till, error)
	TotalsBy(q store.Query) ([]central.Total, error)
}

var _ Chain = (*central.Books)(nil)

// tillBooks are the till's own data file as Books.
type tillBooks struct{ *store.Store }

func (b tillBooks) CursorAt(r store.Row) store.Cursor { return store.CursorAt(r) }

func (b tillBooks) Get(at store.Ref) (store.Operation, error) { return b.Store.Get(at.ID) }

func (b tillBooks) Refunds(p store.Ref) ([]store.Operation, error) { return b.Store.Refunds(p.ID) }

func (b tillBooks) Refundable(p store.Ref) (providers.Money, error) { return b.Store.Refundable(p.ID) }
