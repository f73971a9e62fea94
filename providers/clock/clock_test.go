package clock

import (
	"testing"
	"time"
)

func TestFakeFiresInOrderWhenDue(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	late, early := f.After(10*time.Second), f.After(time.Second)
	if f.Waiters() != 2 {
		t.Fatalf("%d waiters", f.Waiters())
	}
	f.Advance(time.Second)
	select {
	case <-early:
	default:
		t.Fatal("1 s timer did not fire at 1 s")
	}
	select {
	case <-late:
		t.Fatal("10 s timer fired at 1 s")
	default:
	}
	f.Advance(9 * time.Second)
	if at := <-late; !at.Equal(time.Unix(10, 0)) {
		t.Fatalf("fired at %v", at)
	}
	if f.Waiters() != 0 {
		t.Fatal("waiters left")
	}
}

func TestFakeTimerStopsWithoutTrace(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	stopped, kept := f.NewTimer(5*time.Second), f.NewTimer(5*time.Second)
	if !stopped.Stop() || f.Waiters() != 1 {
		t.Fatalf("stop: %d waiters left", f.Waiters())
	}
	f.Advance(5 * time.Second)
	select {
	case <-stopped.C:
		t.Fatal("a stopped timer fired")
	default:
	}
	if at := <-kept.C; !at.Equal(time.Unix(5, 0)) || kept.Stop() {
		t.Fatalf("the other fired at %v, or stopped after firing", at)
	}
}

func TestScaledStampsWallTimeAndScalesDurations(t *testing.T) {
	wall := NewFake(time.Date(2026, 3, 6, 5, 17, 0, 0, time.UTC))
	start := wall.Now()
	s := NewScaledOn(wall, 20)
	before := start.Add(-time.Second) // a stamp of an earlier run

	wall.Advance(time.Second)
	if !s.Now().Equal(wall.Now()) {
		t.Fatalf("now %v, wall %v", s.Now(), wall.Now())
	}
	s.SetSpeed(5)
	wall.Advance(2 * time.Second)
	s.SetSpeed(5) // the same speed: nothing changes
	s.SetSpeed(1)
	wall.Advance(3 * time.Second)
	now := wall.Now()
	for _, c := range []struct {
		name     string
		to, from time.Time
		want     time.Duration
	}{
		{"across every speed", now, start, 20*time.Second + 10*time.Second + 3*time.Second},
		{"within the first", start.Add(500 * time.Millisecond), start, 10 * time.Second},
		{"from the second on", now, start.Add(2 * time.Second), 5*time.Second + 3*time.Second},
		{"backwards", start, now, -33 * time.Second},
		{"before the clock began, at its first speed", start, before, 20 * time.Second},
		{"the same stamp", now, now, 0},
	} {
		if got := s.Sub(c.to, c.from); got != c.want {
			t.Errorf("%s: Sub %v, want %v", c.name, got, c.want)
		}
		if got := s.Add(c.from, c.want); !got.Equal(c.to) {
			t.Errorf("%s: Add gives %v, want %v", c.name, got, c.to)
		}
	}
	if got := Since(s, start); got != 33*time.Second {
		t.Fatalf("Since %v", got)
	}
	// Beyond now Add assumes the speed in force (1) holds.
	if got := s.Add(now, time.Minute); !got.Equal(now.Add(time.Minute)) {
		t.Fatalf("ahead: %v", got)
	}
	// A zero stamp is far away, not a wrapped negative.
	if got := s.Sub(now, time.Time{}); got <= 0 {
		t.Fatalf("since the zero time: %v", got)
	}
}

func TestScaledTimersRunOnTheWallClock(t *testing.T) {
	wall := NewFake(time.Unix(0, 0))
	s := NewScaledOn(wall, 20)
	scan := s.After(180 * time.Second) // the scan timeout: 9 s at speed 20
	wall.Advance(8 * time.Second)
	select {
	case <-scan:
		t.Fatal("fired after 8 s of wall time")
	default:
	}
	wall.Advance(time.Second)
	if at := <-scan; !at.Equal(time.Unix(9, 0)) {
		t.Fatalf("fired at %v, a stamp not on the wall clock", at)
	}
	stopped := s.NewTimer(time.Minute)
	if !stopped.Stop() || wall.Waiters() != 0 {
		t.Fatalf("stop left %d waiters", wall.Waiters())
	}
}

func TestScaledNeverGoesBack(t *testing.T) {
	s := NewScaled(20)
	a := s.Now()
	s.SetSpeed(1)
	b := s.Now()
	s.SetSpeed(5)
	c := s.Now()
	if b.Before(a) || c.Before(b) || s.Speed() != 5 {
		t.Fatalf("%v %v %v speed %d", a, b, c, s.Speed())
	}
	s.SetSpeed(0)
	if s.Speed() != 1 {
		t.Fatal("speed below 1")
	}
}
