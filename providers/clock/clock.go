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
}

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time                         { return time.Now() }
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Scaled runs Speed times faster than the wall clock from the moment it is
// made, for training. Speed 1 is the wall clock.
type Scaled struct {
	speed int64
	start time.Time
}

// NewScaled returns a clock running speed times faster than real time.
func NewScaled(speed int) *Scaled {
	if speed < 1 {
		speed = 1
	}
	return &Scaled{speed: int64(speed), start: time.Now()}
}

func (s *Scaled) Speed() int { return int(s.speed) }

func (s *Scaled) Now() time.Time {
	return s.start.Add(time.Since(s.start) * time.Duration(s.speed))
}

func (s *Scaled) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	time.AfterFunc(d/time.Duration(s.speed), func() { ch <- s.Now() })
	return ch
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

// Waiters reports how many timers are pending, so a test can wait until
// the code under test is blocked on the clock before advancing it.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}
