package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
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

// TestMain removes the benchmarks' data files: the 1e6 one is large. It
// is also the processes that TestAConversionKilledGoesOnAtTheNextOpen and
// TestAKilledTillLosesNoAcknowledgedWrite kill.
func TestMain(m *testing.M) {
	if path := os.Getenv("KASSA_CONVERT_HANG"); path != "" {
		convertAndHang(path)
	}
	if path := os.Getenv("KASSA_JOURNAL_WRITER"); path != "" {
		killedWriter(path)
	}
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchStore(b *testing.B, n int) *Store {
	b.Helper()
	s, err := Open(benchFile(b, n))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// benchFile is the path of the shared data file of n operations, built
// on first use.
func benchFile(b *testing.B, n int) string {
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
		start := time.Now()
		historyOver(b, s, n, 42, 180*24*time.Hour)
		s.Close()
		fi, _ := os.Stat(path)
		b.Logf("built %d operations in %v (%.0f ops/s), %d MB", n, time.Since(start).Round(time.Millisecond),
			float64(n)/time.Since(start).Seconds(), fi.Size()>>20)
		benchFiles[n] = path
	}
	return path
}

func monthQuery() Query { return Query{From: t0.AddDate(0, 0, -29), To: t0} }

// period35 is the longest period allowed, ending at the newest data.
func period35() Query { return Query{From: t0.AddDate(0, 0, -34), To: t0} }

func BenchmarkFirstPage(b *testing.B) {
	for _, size := range sizes {
		b.Run("ops="+size.name, func(b *testing.B) {
			s := benchStore(b, size.n)
			q := period35()
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

// A 35-day filter applied as the screen applies it: its first page, its
// totals and the terminals for the terminal filter. filter=none matches no row, so the page reads every summary of
// the 35 days: the worst case.
func BenchmarkPeriodFilter(b *testing.B) {
	filters := []struct {
		name string
		q    Query
	}{
		{"card+terminal", Query{Kind: KindPayment, Method: providers.MethodCard, Terminal: "31452961"}},
		{"failed", Query{Kind: KindPayment, States: []State{StateFailed}}},
		{"none", Query{Kind: KindPayment, Terminal: "no such terminal"}},
	}
	for _, size := range sizes {
		for _, f := range filters {
			b.Run("ops="+size.name+"/filter="+f.name, func(b *testing.B) {
				s := benchStore(b, size.n)
				q := f.q
				q.From, q.To = period35().From, period35().To
				b.ResetTimer()
				for b.Loop() {
					if _, _, err := s.Page(q, nil, 50); err != nil {
						b.Fatal(err)
					}
					if _, err := s.Totals(q, providers.KZT); err != nil {
						b.Fatal(err)
					}
					if _, err := s.Sources(q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// Search as you type over 35 days, with the totals of what it finds as
// the screen shows them: a whole payment number, its first six digits, a
// receipt number, the first digit (which matches every QR payment and is
// answered by filtering the period instead), and a number from months
// before the period, which the screen then finds with Latest.
func BenchmarkSearch(b *testing.B) {
	for _, size := range sizes {
		b.Run("ops="+size.name, func(b *testing.B) {
			s := benchStore(b, size.n)
			// A QR payment from the middle of the period to look for.
			q := Query{Kind: KindPayment, Method: providers.MethodQR, From: t0.AddDate(0, 0, -17), To: t0.AddDate(0, 0, -17)}
			rows, _, err := s.Page(q, nil, 1)
			if err != nil || len(rows) != 1 {
				b.Fatal(err, len(rows))
			}
			target := rows[0]
			old := q
			old.From, old.To = t0.AddDate(0, 0, -120), t0.AddDate(0, 0, -120)
			rows, _, err = s.Page(old, nil, 1)
			if err != nil || len(rows) != 1 {
				b.Fatal(err, len(rows))
			}
			before := rows[0]
			for _, search := range []struct{ name, text string }{
				{"payment-number", target.Number},
				{"payment-prefix", target.Number[:6]},
				{"receipt", target.Receipt()},
				{"first-digit", target.Number[:1]},
				{"elsewhere", before.Number},
			} {
				b.Run(search.name, func(b *testing.B) {
					q := period35()
					q.Search = search.text
					for b.Loop() {
						rows, _, err := s.Page(q, nil, 50)
						if err != nil {
							b.Fatal(err)
						}
						if _, err := s.Totals(q, providers.KZT); err != nil {
							b.Fatal(err)
						}
						if len(rows) == 0 {
							if r, ok, err := s.Latest(q); err != nil || !ok || r.Number != search.text {
								b.Fatal("not found elsewhere", err)
							}
						}
					}
				})
			}
		})
	}
}

// Scrolling: every page of a month, 50 rows at a time. B/page and
// allocs/page stay the same whatever the size: memory is flat.
func BenchmarkScrollMonth(b *testing.B) {
	benchScroll(b, func(s *Store, c Cursor) (Cursor, error) {
		_, next, err := s.Page(monthQuery(), c, 50)
		return next, err
	})
}

// Scrolling back up a month from its oldest row: what the history screen
// asks for after it has let the newer rows go.
func BenchmarkScrollBackMonth(b *testing.B) {
	benchScroll(b, func(s *Store, c Cursor) (Cursor, error) {
		rows, more, err := s.PageNewer(monthQuery(), c, 50)
		if !more {
			return nil, err
		}
		return CursorAt(rows[0]), err
	})
}

// benchScroll reads pages with page, from a nil cursor until it gives
// none back, and reports the time and memory of one page.
func benchScroll(b *testing.B, page func(*Store, Cursor) (Cursor, error)) {
	for _, size := range sizes {
		b.Run("ops="+size.name, func(b *testing.B) {
			s := benchStore(b, size.n)
			pages := 0
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				var cursor Cursor
				for {
					next, err := page(s, cursor)
					if err != nil {
						b.Fatal(err)
					}
					pages++
					if next == nil {
						break
					}
					cursor = next
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pages), "ns/page")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(pages), "B/page")
		})
	}
}

func BenchmarkExportCSV(b *testing.B) {
	for _, size := range sizes {
		b.Run("ops="+size.name, func(b *testing.B) {
			s := benchStore(b, size.n)
			q := period35()
			b.ResetTimer()
			rows := 0
			for b.Loop() {
				n, err := s.WriteCSV(io.Discard, q, CSVFormat{})
				if err != nil {
					b.Fatal(err)
				}
				rows += n
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// The bench files' size: bytes of the data file per operation it holds
// (bbolt's high-water mark, free pages included) and in all.
func BenchmarkFileSize(b *testing.B) {
	for _, size := range sizes {
		b.Run("ops="+size.name, func(b *testing.B) {
			s := benchStore(b, size.n)
			var used int64
			for b.Loop() {
				used = usedBytes(b, s)
			}
			b.ReportMetric(float64(used)/float64(size.n), "B/op-file")
			b.ReportMetric(float64(used)/1e6, "MB-file")
		})
	}
}
