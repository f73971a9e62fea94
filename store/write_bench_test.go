package store

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// durableBig adds 1e5 and 1e6 existing operations to the durable-write
// benchmarks:
// go test ./store -run X -bench Durable -durable.big
var durableBig = flag.Bool("durable.big", false, "also measure durable writes over 1e5 and 1e6 existing operations")

// durableSizes are the numbers of existing operations the durable-write
// benchmarks write over.
func durableSizes() []struct {
	name string
	n    int
} {
	if *durableBig {
		return sizes
	}
	return sizes[:1]
}

// tillPayment is the i-th payment a till writes ahead in the durable-write
// benchmarks, one second after the newest operation of the bench files.
func tillPayment(i int) Operation {
	return NewPayment("kaspi", tenge(100+int64(i%50000)), "", false, t0.Add(time.Duration(i+1)*time.Second))
}

// tillStarted and tillPaid are the two saves of a payment's life the
// benchmarks measure: the provider took it (a handle), then it was paid
// (a payment number, a terminal).
func tillStarted(op *Operation, i int) {
	op.Started(providers.Status{Ref: fmt.Sprintf("27950%08d", i)}, op.Created)
}

func tillPaid(op *Operation, i int) {
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, Method: providers.MethodQR,
		TransactionID: fmt.Sprintf("6047%05d", i), Cheque: &providers.Cheque{TerminalID: "31452960"}}, op.Created.Add(time.Second))
}

// writeBenchStore is a private copy of the bench file of n operations, so
// what a benchmark writes never reaches the others.
func writeBenchStore(b *testing.B, n int) *Store {
	b.Helper()
	src, err := os.Open(benchFile(b, n))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(b.TempDir(), "ops.db")
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// usedBytes is how much of the data file bbolt uses: its high-water mark,
// not the file's size, which grows in steps of many megabytes.
func usedBytes(b *testing.B, s *Store) int64 {
	var size int64
	if err := s.view(func(tx *bolt.Tx) error { size = tx.Size(); return nil }); err != nil {
		b.Fatal(err)
	}
	return size
}

// durableTarget is a store the durable-write benchmarks write to: kassa's,
// or SQLite for comparison (sqlite_bench_test.go).
type durableTarget interface {
	create(op *Operation) error // gives op its ID
	save(op *Operation) error
	size() int64 // bytes of the file
	// settle finishes what a write left to do in the background (kassa's
	// journal applied to its file): timed with the writes.
	settle() error
}

type kassaTarget struct {
	b *testing.B
	s *Store
}

func (k kassaTarget) create(op *Operation) error { return k.s.Create(op) }
func (k kassaTarget) save(op *Operation) error   { return k.s.Save(op) }
func (k kassaTarget) size() int64                { return usedBytes(k.b, k.s) }
func (k kassaTarget) settle() error              { return k.s.settle() }

func openKassa(b *testing.B, n int) durableTarget { return kassaTarget{b, writeBenchStore(b, n)} }

// One durable create: the write-ahead before the provider is called,
// fsynced before it returns. B/op-file is the file's size per operation
// it holds after the run: bbolt reuses free pages, so what one create
// adds to the file would say little.
func BenchmarkDurableCreate(b *testing.B) { benchDurableCreate(b, "kassa", openKassa) }

// One durable save of an operation's next state, the average of the two
// saves a paid payment has after its create.
func BenchmarkDurableSave(b *testing.B) { benchDurableSave(b, "kassa", openKassa) }

func benchDurableCreate(b *testing.B, name string, open func(*testing.B, int) durableTarget) {
	for _, size := range durableSizes() {
		b.Run("store="+name+"/ops="+size.name, func(b *testing.B) {
			t := open(b, size.n)
			i := 0
			b.ResetTimer()
			for b.Loop() {
				op := tillPayment(i)
				if err := t.create(&op); err != nil {
					b.Fatal(err)
				}
				i++
			}
			if err := t.settle(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			reportDurable(b, i, float64(t.size())/float64(size.n+i))
		})
	}
}

func benchDurableSave(b *testing.B, name string, open func(*testing.B, int) durableTarget) {
	for _, size := range durableSizes() {
		b.Run("store="+name+"/ops="+size.name, func(b *testing.B) {
			t := open(b, size.n)
			saves := 0
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				op := tillPayment(i)
				if err := t.create(&op); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for _, next := range []func(*Operation, int){tillStarted, tillPaid} {
					next(&op, i)
					if err := t.save(&op); err != nil {
						b.Fatal(err)
					}
					saves++
				}
			}
			if err := t.settle(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			reportDurable(b, saves, -1)
		})
	}
}

// reportDurable reports µs per write and, unless perOp is negative, the
// file's bytes per operation.
func reportDurable(b *testing.B, writes int, perOp float64) {
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(writes), "µs/write")
	if perOp >= 0 {
		b.ReportMetric(perOp, "B/op-file")
	}
}
