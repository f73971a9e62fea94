package printer

import (
	"context"
	"io"
	"sync"
	"time"
)

// deadliner is a link to a printer whose reads and writes can be bounded in
// time: a TCP connection, or a device file the poller knows.
type deadliner interface {
	io.ReadWriter
	SetDeadline(t time.Time) error
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
}

// bounded makes a link's deadlines answer to a context as well: no deadline
// is later than the context's, and once the context ends every read and
// write in progress or to come fails at once.
type bounded struct {
	deadliner
	ctx  context.Context
	mu   sync.Mutex
	stop func() bool
}

func bind(ctx context.Context, l deadliner) *bounded {
	b := &bounded{deadliner: l, ctx: ctx}
	b.stop = context.AfterFunc(ctx, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		l.SetDeadline(time.Now())
	})
	return b
}

// release stops watching the context.
func (b *bounded) release() { b.stop() }

func (b *bounded) clamp(t time.Time) time.Time {
	if b.ctx.Err() != nil {
		return time.Now()
	}
	if d, ok := b.ctx.Deadline(); ok && (t.IsZero() || d.Before(t)) {
		return d
	}
	return t
}

func (b *bounded) SetDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.deadliner.SetDeadline(b.clamp(t))
}

func (b *bounded) SetReadDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.deadliner.SetReadDeadline(b.clamp(t))
}

func (b *bounded) SetWriteDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.deadliner.SetWriteDeadline(b.clamp(t))
}
