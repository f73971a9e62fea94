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
