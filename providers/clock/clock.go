// Package clock gives the till and the simulators their time, so timeouts
// (180 s to scan, 10 s between actualize calls, 24 h tokens) can be tested
// in microseconds and training can run faster than life.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock is the time source everything in kassa uses instead of package time.
type Clock interface {
	Now() time.Time
	// After delivers the time on the channel once d has passed on this clock.
	After(d time.Duration) <-chan time.Time
	// NewTimer is After that can be stopped, for a wait that may no longer
	// be wanted (a screen left before its refresh): a stopped timer leaves
	// nothing pending on a Fake clock.
	NewTimer(d time.Duration) Timer
}

// Timer is a stoppable After: C delivers the time once, unless Stop
// comes first.
type Timer struct {
	C    <-chan time.Time
	Stop func() bool // true if it stopped the timer before it fired
}

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time                         { return time.Now() }
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }
func (Real) NewTimer(d time.Duration) Timer {
	t := time.NewTimer(d)
	return Timer{C: t.C, Stop: t.Stop}
}

// Scaled runs Speed times faster than the wall clock, for training, and
// can change speed while running without jumping. Speed 1 is the wall clock.
type Scaled struct {
	mu     sync.Mutex
	speed  int64
	base   time.Time // the scaled time at anchor
	anchor time.Time // the wall time of the last speed change
}

// NewScaled returns a clock running speed times faster than real time.
func NewScaled(speed int) *Scaled {
	now := time.Now()
	return &Scaled{speed: int64(max(speed, 1)), base: now, anchor: now}
}

// Speed is how many times faster than life the clock runs.
func (s *Scaled) Speed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int(s.speed)
}

// SetSpeed changes the speed from now on; time already passed stays.
func (s *Scaled) SetSpeed(speed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wall := time.Now()
	s.base = s.base.Add(wall.Sub(s.anchor) * time.Duration(s.speed))
	s.anchor, s.speed = wall, int64(max(speed, 1))
}

func (s *Scaled) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base.Add(time.Since(s.anchor) * time.Duration(s.speed))
}

// After waits d of this clock's time at the speed in force when called.
func (s *Scaled) After(d time.Duration) <-chan time.Time { return s.NewTimer(d).C }

func (s *Scaled) NewTimer(d time.Duration) Timer {
	ch := make(chan time.Time, 1)
	t := time.AfterFunc(d/time.Duration(s.Speed()), func() { ch <- s.Now() })
	return Timer{C: ch, Stop: t.Stop}
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
