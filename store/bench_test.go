package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
)

// Benchmarks over data files of 1e4, 1e5 and 1e6 operations spread over
// six months, built once per size per run (the 1e6 file takes a while).
var sizes = []struct {
	name string
	n    int
}{{"1e4", 10_000}, {"1e5", 100_000}, {"1e6", 1_000_000}}

var (
	benchMu    sync.Mutex
	benchFiles = map[int]string{}
	benchDir   string
)

func benchStore(b *testing.B, n int) *Store {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	path, ok := benchFiles[n]
	if !ok {
		if benchDir == "" {
			dir, err := os.MkdirTemp("", "kassa-bench")
			if err != nil {
				b.Fatal(err)
			}
			benchDir = dir
		}
		path = filepath.Join(benchDir, fmt.Sprintf("ops-%d.db", n))
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		historyOver(b, s, n, 42, 180*24*time.Hour)
		s.Close()
		benchFiles[n] = path
	}
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func monthQuery() Query { return Query{From: t0.AddDate(0, 0, -29), To: t0} }

func BenchmarkFirstPage(b *testing.B) {
	for _, size := range sizes {
		b.Run("ops="+size.name, func(b *testing.B) {
			s := benchStore(b, size.n)
			q := monthQuery()
			q.Kind = KindPayment
			b.ResetTimer()
			for b.Loop() {
				if rows, _, err := s.Page(q, nil, 50); err != nil || len(rows) == 0 {
					b.Fatal(err, len(rows))
				}
			}
		})
	}
}

// A 35-day filter applied: the first page of card payments on one
// terminal, and the period's totals.
func BenchmarkPeriodFilter(b *testing.B) {
	for _, size := range sizes {
		b.Run("ops="+size.name, func(b *testing.B) {
			s := benchStore(b, size.n)
			q := Query{From: t0.AddDate(0, 0, -34), To: t0, Kind: KindPayment, Method: providers.MethodCard, Terminal: "31452961"}
			b.ResetTimer()
			for b.Loop() {
				if _, _, err := s.Page(q, nil, 50); err != nil {
					b.Fatal(err)
				}
				if _, err := s.Totals(q, providers.KZT); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSearch(b *testing.B) {
	for _, size := range sizes {
		b.Run("ops="+size.name, func(b *testing.B) {
			s := benchStore(b, size.n)
			q := Query{From: t0.AddDate(0, 0, -34), To: t0, Search: fmt.Sprintf("5047%05d", size.n-7)[:8]}
			b.ResetTimer()
			for b.Loop() {
				if _, _, err := s.Page(q, nil, 50); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Scrolling: every page of a month, 50 rows at a time.
func BenchmarkScrollMonth(b *testing.B) {
	for _, size := range sizes {
		b.Run("ops="+size.name, func(b *testing.B) {
			s := benchStore(b, size.n)
			b.ResetTimer()
			for b.Loop() {
				var after Cursor
				for {
					_, next, err := s.Page(monthQuery(), after, 50)
					if err != nil {
						b.Fatal(err)
					}
					if next == nil {
						break
					}
					after = next
				}
			}
		})
	}
}

func BenchmarkExportCSV(b *testing.B) {
	for _, size := range sizes {
		b.Run("ops="+size.name, func(b *testing.B) {
			s := benchStore(b, size.n)
			q := Query{From: t0.AddDate(0, 0, -34), To: t0}
			b.ResetTimer()
			rows := 0
			for b.Loop() {
				n, err := s.WriteCSV(io.Discard, q)
				if err != nil {
					b.Fatal(err)
				}
				rows += n
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
