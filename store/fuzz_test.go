package store

import (
	"path/filepath"
	"slices"
	"testing"
)

// FuzzSearch types anything into the history's search: the rows found by
// the number index, by a walk of the period, and by the plain reading of
// every row (a number of the row starts with what was typed) are the same
// rows in the same order, page after page.
func FuzzSearch(f *testing.F) {
	s, err := Open(filepath.Join(f.TempDir(), "kassa.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	history(f, s, 400, 7)
	all := allRows(f, s)
	for _, r := range all[:3] {
		f.Add(r.Number, uint8(10))
		f.Add(r.Receipt(), uint8(1))
		f.Add(r.Ref, uint8(3))
	}
	for _, search := range []string{"", "5", "30", "004", "0003", "5047", "3072", "17950", "r1", "0", "000000", "\x00", "5047\x00", " 5047", "ё"} {
		f.Add(search, uint8(7))
	}
	f.Fuzz(func(t *testing.T, search string, n uint8) {
		q := month(Query{Search: search})
		want := want(all, q)
		size := 1 + int(n)%60
		defer func(was int) { maxIndexWalk = was }(maxIndexWalk)
		for _, walk := range []int{1 << 30, 0} { // by the index, by the period
			maxIndexWalk = walk
			if got := pages(t, s, q, size); !slices.Equal(got, want) {
				t.Fatalf("search %q, %d a page, index walk %d: rows %v, want %v", search, size, walk, got, want)
			}
		}
	})
}
