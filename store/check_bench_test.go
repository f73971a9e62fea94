package store

import (
	"os"
	"testing"
)

// BenchmarkCheck measures the checks over data files of 1e4 to 1e6
// operations: the structure (every open), every page (small files at open,
// every backup, kassa db check) and bbolt's own tx.Check. The page cache
// is warm after the first run; a cold disk is slower (see check.go).
func BenchmarkCheck(b *testing.B) {
	for _, size := range sizes {
		b.Run("ops="+size.name, func(b *testing.B) {
			path := benchStore(b, size.n).Path()
			for _, c := range []struct {
				name string
				opt  CheckOptions
			}{{"structure", CheckOptions{}}, {"full", CheckOptions{Full: true}}} {
				b.Run(c.name, func(b *testing.B) {
					f, err := os.Open(path)
					if err != nil {
						b.Fatal(err)
					}
					defer f.Close()
					for b.Loop() {
						rep, err := checkFile(f, c.opt.Full)
						if err != nil || !rep.OK() {
							b.Fatal(err, rep.Problems)
						}
					}
				})
			}
			b.Run("bolt", func(b *testing.B) {
				s := benchStore(b, size.n)
				for b.Loop() {
					rep := &Report{}
					boltCheck(s.db, rep)
					if !rep.OK() {
						b.Fatal(rep.Problems)
					}
				}
			})
		})
	}
}
