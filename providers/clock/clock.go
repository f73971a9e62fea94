// Package clock gives the till and the simulators their time, so timeouts
// (180 s to scan, 10 s between actualize calls, 24 h tokens) can be tested
// in microseconds and training can run faster than life.
//
// Now is always the wall time: it is what operations and receipts are
// stamped with. A clock may run faster than the wall (training's Scaled):
// its durations, the waits of After and what Sub measures between two
// stamps, then pass faster. So a deadline is never "a stamp plus a
// duration, compared with Now" but "Sub(now, stamp), compared with the
// duration", and the moment a duration ends is Add(stamp, d).
package clock

import (
	"math"
	"sort"
	"sync"
	"time"
)

// Clock is the time source everything in kassa uses instead of package time.
type Clock interface {
	// Now is the wall time.
	Now() time.Time
	// Sub is how much of this clock's time passed from the stamp from to
	// the stamp to (both read from Now; negative when to comes first).
	Sub(to, from time.Time) time.Duration
	// Add is the stamp at which d of this clock's time has passed since t,
	// the inverse of Sub. Beyond Now it assumes the speed stays as it is.
	Add(t time.Time, d time.Duration) time.Time
	// After delivers the time on the channel once d has passed on this clock.
	After(d time.Duration) <-chan time.Time
	// NewTimer is After that can be stopped, for a wait that may no longer
	// be wanted (a screen left before its refresh): a stopped timer leaves
	// nothing pending on a Fake clock.
	NewTimer(d time.Duration) Timer
}

// Since is how much of c's time has passed since the stamp t.
func Since(c Clock, t time.Time) time.Duration { return c.Sub(c.Now(), t) }

// Timer is a stoppable After: C delivers the time once, unless Stop
// comes first.
type Timer struct {
	C    <-chan time.Time
	Stop func() bool // true if it stopped the timer before it fired
}

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time                             { return time.Now() }
func (Real) Sub(to, from time.Time) time.Duration       { return to.Sub(from) }
func (Real) Add(t time.Time, d time.Duration) time.Time { return t.Add(d) }
func (Real) After(d time.Duration) <-chan time.Time     { return time.After(d) }
func (Real) NewTimer(d time.Duration) Timer {
	t := time.NewTimer(d)
	return Timer{C: t.C, Stop: t.Stop}
}

// Scaled runs Speed times faster than the wall clock it runs on, for
// training, and can change speed while running. Its Now is the wall's: only
// its durations are scaled, so nothing it stamps lies in the future. Speed
// 1 is the wall clock.
type Scaled struct {
	wall  Clock
	mu    sync.Mutex
	spans []span // the speeds in force, oldest first; never empty
}

// span is a speed in force from a wall time until the next span's. The
// first reaches back before the clock was made: stamps of an earlier run
// are measured at the speed the clock started with.
type span struct {
	from  time.Time
	speed int64
}

// NewScaled returns a clock running speed times faster than real time.
func NewScaled(speed int) *Scaled { return NewScaledOn(Real{}, speed) }

// NewScaledOn returns a clock running speed times faster than wall, which
// tests give as a Fake.
func NewScaledOn(wall Clock, speed int) *Scaled {
	return &Scaled{wall: wall, spans: []span{{from: wall.Now(), speed: int64(max(speed, 1))}}}
}

// Speed is how many times faster than life the clock runs.
func (s *Scaled) Speed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int(s.spans[len(s.spans)-1].speed)
}

// SetSpeed changes the speed from now on; time already passed stays.
func (s *Scaled) SetSpeed(speed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, now := int64(max(speed, 1)), s.wall.Now()
	last := &s.spans[len(s.spans)-1]
	switch {
	case last.speed == sp:
	case !now.After(last.from):
		last.speed = sp
	default:
		s.spans = append(s.spans, span{from: now, speed: sp})
	}
}

func (s *Scaled) Now() time.Time { return s.wall.Now() }

// Sub adds up the wall time between the stamps at the speeds then in force.
func (s *Scaled) Sub(to, from time.Time) time.Duration {
	if to.Before(from) {
		return -s.Sub(from, to)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var d time.Duration
	for i, sp := range s.spans {
		lo, hi := from, to
		if i > 0 && lo.Before(sp.from) {
			lo = sp.from
		}
		if i+1 < len(s.spans) && hi.After(s.spans[i+1].from) {
			hi = s.spans[i+1].from
		}
		if hi.After(lo) {
			d = addSat(d, scale(hi.Sub(lo), sp.speed))
		}
	}
	return d
}

// Add walks from t across the speed changes until d has passed.
func (s *Scaled) Add(t time.Time, d time.Duration) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := 0
	for i+1 < len(s.spans) && !t.Before(s.spans[i+1].from) {
		i++
	}
	if d >= 0 {
		for ; i+1 < len(s.spans); i++ {
			end := s.spans[i+1].from
			room := scale(end.Sub(t), s.spans[i].speed)
			if d < room {
				break
			}
			d, t = d-room, end
		}
	} else {
		for ; i > 0; i-- {
			start := s.spans[i].from
			room := scale(t.Sub(start), s.spans[i].speed)
			if -d <= room {
				break
			}
			d, t = d+room, start
		}
	}
	return t.Add(d / time.Duration(s.spans[i].speed))
}

// After waits d of this clock's time at the speed in force when called.
func (s *Scaled) After(d time.Duration) <-chan time.Time { return s.NewTimer(d).C }

func (s *Scaled) NewTimer(d time.Duration) Timer {
	return s.wall.NewTimer(d / time.Duration(s.Speed()))
}

// scale is d times k, held at the ends of Duration's range instead of
// wrapping (a zero stamp is two thousand years away).
func scale(d time.Duration, k int64) time.Duration {
	switch {
	case d > math.MaxInt64/time.Duration(k):
		return math.MaxInt64
	case d < math.MinInt64/time.Duration(k):
		return math.MinInt64
	}
	return d * time.Duration(k)
}

// addSat adds two durations that are not negative, held at the top.
func addSat(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// Fake is a clock that moves only when told to. Safe for concurrent use.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewFake returns a fake clock set to t.
func NewFake(t time.Time) *Fake { return &Fake{now: t} }

func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *Fake) Sub(to, from time.Time) time.Duration       { return to.Sub(from) }
func (f *Fake) Add(t time.Time, d time.Duration) time.Time { return t.Add(d) }

func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan time.Time, 1)
	at := f.now.Add(d)
	if d <= 0 {
		ch <- f.now
		return ch
	}
	f.waiters = append(f.waiters, waiter{at: at, ch: ch})
	return ch
}

func (f *Fake) NewTimer(d time.Duration) Timer {
	ch := f.After(d)
	return Timer{C: ch, Stop: func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, w := range f.waiters {
			if w.ch == ch {
				f.waiters = append(f.waiters[:i], f.waiters[i+1:]...)
				return true
			}
		}
		return false
	}}
}

// Advance moves the clock forward by d and fires every timer now due, in
// order of their times.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	now := f.now
	sort.SliceStable(f.waiters, func(i, j int) bool { return f.waiters[i].at.Before(f.waiters[j].at) })
	var due []waiter
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if !w.at.After(now) {
			due = append(due, w)
		} else {
			kept = append(kept, w)
		}
	}
	f.waiters = kept
	f.mu.Unlock()
	for _, w := range due {
		w.ch <- now
	}
}

// Set moves the clock to t (forward only) and fires what is due.
func (f *Fake) Set(t time.Time) {
	if d := t.Sub(f.Now()); d > 0 {
		f.Advance(d)
	}
}

// Next is how long until the earliest pending timer fires; false when
// none is pending. Tests use it to move the clock to the next thing the
// code under test waits for.
func (f *Fake) Next() (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.waiters) == 0 {
		return 0, false
	}
	next := f.waiters[0].at
	for _, w := range f.waiters[1:] {
		if w.at.Before(next) {
			next = w.at
		}
	}
	return max(next.Sub(f.now), 0), true
}

// Waiters reports how many timers are pending, so a test can wait until
// the code under test is blocked on the clock before advancing it.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}
