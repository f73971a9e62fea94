package history

import (
	"errors"
	"testing"
	"time"

	"github.com/kassa-till/kassa/store"
)

func midnight(t time.Time) bool {
	return t.Location() == time.Local && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// FuzzPeriod: the history screen never takes a period over MaxPeriod days
// or one that ends before it starts; what it takes is whole local days,
// and reads the same again as the screen writes it.
func FuzzPeriod(f *testing.F) {
	for _, s := range []string{
		"01.11.2026 23.11.2026", "2026-11-01 2026-11-23", "1.11.2026 – 23.11.2026", "01.11.2026 - 2026-11-23",
		"32.11.2026", "23.11.2026", "01.11.2026 05.12.2026", "01.11.2026 06.12.2026", "23.11.2026 01.11.2026",
		"29.02.2028", "29.02.2027", "1.1.0000 31.12.9999", "0001-01-01", "- -", "01.11.2026 02.11.2026 03.11.2026",
		"31.12.2026—04.02.2027", "2026-3-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		from, to, err := parsePeriod(text)
		q := store.Query{From: from, To: to}
		switch {
		case errors.Is(err, errPeriodFormat):
			return
		case errors.Is(err, store.ErrPeriodTooLong):
			if q.Days() <= store.MaxPeriod {
				t.Fatalf("%q: %d days refused as too long", text, q.Days())
			}
			return
		case err != nil:
			if !to.Before(from) && !from.IsZero() && !to.IsZero() {
				t.Fatalf("%q: %v – %v refused: %v", text, from, to, err)
			}
			return
		}
		if to.Before(from) || q.Days() > store.MaxPeriod || q.Days() < 1 || !midnight(from) || !midnight(to) {
			t.Fatalf("%q taken as %v – %v (%d days)", text, from, to, q.Days())
		}
		if to.Sub(from) > time.Duration(store.MaxPeriod)*25*time.Hour {
			t.Fatalf("%q: %v – %v is longer than %d days", text, from, to, store.MaxPeriod)
		}
		shown := from.Format(dayLayout) + " – " + to.Format(dayLayout)
		f2, t2, err := parsePeriod(shown)
		if err != nil || !f2.Equal(from) || !t2.Equal(to) {
			t.Fatalf("%q shown as %q reads %v – %v, %v", text, shown, f2, t2, err)
		}
	})
}
