package main

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
)

// tillBackups takes a running till's backups: one as it starts, then one
// every so often, in the background. A sale never waits for one: bbolt
// copies the file in a read transaction while writes go on.
type tillBackups struct {
	backups store.Backups
	st      *store.Store
	clk     clock.Clock
	every   time.Duration

	mu    sync.Mutex // one at a time: the timer's and kassa db backup's
	state atomic.Pointer[backupState]
	stop  chan struct{}
	done  chan struct{}
	// taken, in tests, hears of each backup the timer took.
	taken chan<- error
}

type backupState struct {
	last store.BackupFile
	err  error
}

// startBackups takes the first backup in the background and the next
// every every (none after the first when every is 0) until Close.
func startBackups(b store.Backups, st *store.Store, clk clock.Clock, every time.Duration) *tillBackups {
	t := newBackups(b, st, clk, every)
	go t.run()
	return t
}

func newBackups(b store.Backups, st *store.Store, clk clock.Clock, every time.Duration) *tillBackups {
	return &tillBackups{backups: b, st: st, clk: clk, every: every, stop: make(chan struct{}), done: make(chan struct{})}
}

func (t *tillBackups) run() {
	defer close(t.done)
	t.took()
	for t.every > 0 {
		timer := t.clk.NewTimer(t.every)
		select {
		case <-t.stop:
			timer.Stop()
			return
		case <-timer.C:
			t.took()
		}
	}
	<-t.stop
}

func (t *tillBackups) took() {
	_, err := t.Take()
	if t.taken != nil {
		t.taken <- err
	}
}

// Take takes a backup now. A copy that fails its check was copied from a
// damaged file: the till writes nothing more to it.
func (t *tillBackups) Take() (store.BackupFile, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, err := t.backups.Take(t.st, t.clk.Now())
	var d *store.DamagedError
	if errors.As(err, &d) && t.st.Damaged() == nil {
		t.st.MarkDamaged(d.Report)
	}
	t.state.Store(&backupState{last: f, err: err})
	return f, err
}

// Failed is why the last backup was not taken; nil when it was, or while
// the first one is still being taken.
func (t *tillBackups) Failed() error {
	if s := t.state.Load(); s != nil {
		return s.err
	}
	return nil
}

// Close stops taking backups, waiting for one under way.
func (t *tillBackups) Close() {
	close(t.stop)
	<-t.done
}
