package store

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
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

// historyReader is what the history benchmarks ask of a store: the
// methods of *Store that the history screens and the export call. With
// -tags sqlitebench SQLite answers them too (sqlite_read_bench_test.go).
type historyReader interface {
	Page(q Query, after Cursor, n int) ([]Row, Cursor, error)
	PageNewer(q Query, before Cursor, n int) ([]Row, bool, error)
	Totals(q Query, c providers.Currency) (Totals, error)
	Sources(q Query) ([]Source, error)
	Latest(q Query) (Row, bool, error)
	WriteCSV(w io.Writer, q Query, f CSVFormat) (int, error)
}

// readStores are the stores every history question is asked of, over the
// same bench file of n operations: kassa's first, the one the others'
// answers are checked against.
var readStores = []struct {
	name string
	open func(b *testing.B, n int) historyReader
}{{"kassa", func(b *testing.B, n int) historyReader { return benchStore(b, n) }}}

// A question is what a history benchmark asks: answer asks it once and
// returns what the store found, to compare; loop is the timed part.
type question struct {
	answer func(b *testing.B, s historyReader) any
	loop   func(b *testing.B, s historyReader)
}

// eachReader times the question ask makes (from the kassa store of the
// bench file, whose data it may read) once per store over the bench file
// of each size, as "store=NAME/ops=SIZE" + suffix, the stores side by
// side. A store other than kassa's must first answer it as kassa does.
func eachReader(b *testing.B, suffix string, ask func(b *testing.B, kassa *Store) question) {
	for _, size := range sizes {
		for _, store := range readStores {
			b.Run("store="+store.name+"/ops="+size.name+suffix, func(b *testing.B) {
				s := store.open(b, size.n)
				kassa, isKassa := s.(*Store)
				if !isKassa {
					kassa = benchStore(b, size.n) // after open: bbolt locks the file
				}
				q := ask(b, kassa)
				if !isKassa {
					if want, got := q.answer(b, kassa), q.answer(b, s); !reflect.DeepEqual(got, want) {
						b.Fatalf("%s answers\n%v\nkassa answers\n%v", store.name, got, want)
					}
				}
				b.ResetTimer()
				q.loop(b, s)
			})
		}
	}
}

func BenchmarkFirstPage(b *testing.B) {
	q := period35()
	q.Kind = KindPayment
	eachReader(b, "", func(*testing.B, *Store) question {
		return question{
			answer: func(b *testing.B, s historyReader) any {
				rows, next, err := s.Page(q, nil, 50)
				if err != nil {
					b.Fatal(err)
				}
				return []any{rows, next}
			},
			loop: func(b *testing.B, s historyReader) {
				for b.Loop() {
					if rows, _, err := s.Page(q, nil, 50); err != nil || len(rows) == 0 {
						b.Fatal(err, len(rows))
					}
				}
			},
		}
	})
}

// firstPageTotals is what s answers for the first page of q and its
// totals, to compare with another store's answer.
func firstPageTotals(b *testing.B, s historyReader, q Query) []any {
	rows, next, err := s.Page(q, nil, 50)
	if err != nil {
		b.Fatal(err)
	}
	totals, err := s.Totals(q, providers.KZT)
	if err != nil {
		b.Fatal(err)
	}
	return []any{rows, next, totals}
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
	for _, f := range filters {
		q := f.q
		q.From, q.To = period35().From, period35().To
		eachReader(b, "/filter="+f.name, func(*testing.B, *Store) question {
			return question{
				answer: func(b *testing.B, s historyReader) any {
					sources, err := s.Sources(q)
					if err != nil {
						b.Fatal(err)
					}
					return append(firstPageTotals(b, s, q), sources)
				},
				loop: func(b *testing.B, s historyReader) {
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
				},
			}
		})
	}
}

// Search as you type over 35 days, with the totals of what it finds as
// the screen shows them: a whole payment number, its first six digits, a
// receipt number, the first digit (which matches every QR payment and is
// answered by filtering the period instead), and a number from months
// before the period, which the screen then finds with Latest.
func BenchmarkSearch(b *testing.B) {
	for _, name := range []string{"payment-number", "payment-prefix", "receipt", "first-digit", "elsewhere"} {
		eachReader(b, "/"+name, func(b *testing.B, kassa *Store) question {
			q := period35()
			q.Search = searchText(b, kassa, name)
			return question{
				answer: func(b *testing.B, s historyReader) any {
					latest, ok, err := s.Latest(q)
					if err != nil {
						b.Fatal(err)
					}
					return append(firstPageTotals(b, s, q), latest, ok)
				},
				loop: func(b *testing.B, s historyReader) {
					for b.Loop() {
						rows, _, err := s.Page(q, nil, 50)
						if err != nil {
							b.Fatal(err)
						}
						if _, err := s.Totals(q, providers.KZT); err != nil {
							b.Fatal(err)
						}
						if len(rows) == 0 {
							if r, ok, err := s.Latest(q); err != nil || !ok || r.Number != q.Search {
								b.Fatal("not found elsewhere", err)
							}
						}
					}
				},
			}
		})
	}
}

// searchText is what BenchmarkSearch types for the search called name,
// found in s: a QR payment from the middle of the period, or one from
// months before it for "elsewhere".
func searchText(b *testing.B, s *Store, name string) string {
	q := Query{Kind: KindPayment, Method: providers.MethodQR, From: t0.AddDate(0, 0, -17), To: t0.AddDate(0, 0, -17)}
	if name == "elsewhere" {
		q.From, q.To = t0.AddDate(0, 0, -120), t0.AddDate(0, 0, -120)
	}
	rows, _, err := s.Page(q, nil, 1)
	if err != nil || len(rows) != 1 {
		b.Fatal(err, len(rows))
	}
	target := rows[0]
	switch name {
	case "payment-prefix":
		return target.Number[:6]
	case "receipt":
		return target.Receipt()
	case "first-digit":
		return target.Number[:1]
	}
	return target.Number
}

// Scrolling: every page of a month, 50 rows at a time. B/page and
// allocs/page stay the same whatever the size: memory is flat.
func BenchmarkScrollMonth(b *testing.B) {
	benchScroll(b, func(s historyReader, c Cursor) ([]Row, Cursor, error) {
		return s.Page(monthQuery(), c, 50)
	})
}

// Scrolling back up a month from its oldest row: what the history screen
// asks for after it has let the newer rows go.
func BenchmarkScrollBackMonth(b *testing.B) {
	benchScroll(b, func(s historyReader, c Cursor) ([]Row, Cursor, error) {
		rows, more, err := s.PageNewer(monthQuery(), c, 50)
		if !more {
			return rows, nil, err
		}
		return rows, CursorAt(rows[0]), err
	})
}

// benchScroll reads pages with page, from a nil cursor until it gives
// none back, and reports the time and memory of one page.
func benchScroll(b *testing.B, page func(historyReader, Cursor) ([]Row, Cursor, error)) {
	eachReader(b, "", func(*testing.B, *Store) question {
		return question{
			answer: func(b *testing.B, s historyReader) any {
				var all []Row
				var cursor Cursor
				for {
					rows, next, err := page(s, cursor)
					if err != nil {
						b.Fatal(err)
					}
					all = append(all, rows...)
					if next == nil {
						return all
					}
					cursor = next
				}
			},
			loop: func(b *testing.B, s historyReader) {
				pages := 0
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				b.ResetTimer()
				for b.Loop() {
					var cursor Cursor
					for {
						_, next, err := page(s, cursor)
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
			},
		}
	})
}

func BenchmarkExportCSV(b *testing.B) {
	q := period35()
	eachReader(b, "", func(*testing.B, *Store) question {
		return question{
			answer: func(b *testing.B, s historyReader) any {
				var out bytes.Buffer
				if _, err := s.WriteCSV(&out, q, CSVFormat{}); err != nil {
					b.Fatal(err)
				}
				return out.String()
			},
			loop: func(b *testing.B, s historyReader) {
				rows := 0
				for b.Loop() {
					n, err := s.WriteCSV(io.Discard, q, CSVFormat{})
					if err != nil {
						b.Fatal(err)
					}
					rows += n
				}
				b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
			},
		}
	})
}

// The bench files' size: bytes of the data file per operation it holds
// (bbolt's high-water mark, free pages included) and in all; with
// -tags sqlitebench, SQLite's copy of the same operations beside it.
func BenchmarkFileSize(b *testing.B) {
	for _, size := range sizes {
		for _, store := range readStores {
			b.Run("store="+store.name+"/ops="+size.name, func(b *testing.B) {
				s := store.open(b, size.n)
				var used int64
				for b.Loop() {
					if k, ok := s.(*Store); ok {
						used = usedBytes(b, k)
					} else {
						used = s.(interface{ bytes(*testing.B) int64 }).bytes(b)
					}
				}
				b.ReportMetric(float64(used)/float64(size.n), "B/op-file")
				b.ReportMetric(float64(used)/1e6, "MB-file")
			})
		}
	}
}
