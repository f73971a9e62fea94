package printer

import (
	"context"
	"testing"
	"time"
)

// Work that cannot be interrupted: the caller stops waiting at its timeout,
// and work that had not begun writing by then never writes.
func TestRunApartNeverWritesAfterTheCallerLeft(t *testing.T) {
	release := make(chan struct{})
	wrote := make(chan bool, 1)
	sent, err := runApart(context.Background(), 20*time.Millisecond, func(g *jobGuard) (int, error) {
		<-release // stuck opening the printer
		ok := g.begin()
		wrote <- ok
		return 0, nil
	})
	if sent || classify(context.Background(), err) != ErrTimeout {
		t.Fatalf("sent %v, %v; want a timeout with nothing sent", sent, err)
	}
	close(release)
	if <-wrote {
		t.Fatal("the work wrote after its caller had gone")
	}
}

func TestRunApartStuckWhileWritingMayHavePrinted(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	begun := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-begun; cancel() }() // the caller gives up mid-write
	sent, err := runApart(ctx, time.Minute, func(g *jobGuard) (int, error) {
		if !g.begin() {
			return 0, errAbandoned
		}
		close(begun)
		<-release // stuck in the write
		return 1, nil
	})
	if !sent || err == nil {
		t.Fatalf("sent %v, %v; want maybe sent, an error", sent, err)
	}
	if k := fail(ctx, "p", sent, err).Kind; k != ErrMaybePrinted {
		t.Fatalf("kind %q", k)
	}
}
