package display

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
)

// OutcomeFor is how long the outcome of a payment stays on the display,
// on the till's clock, before it goes back to idle (sooner when the next
// payment starts).
const OutcomeFor = 20 * time.Second

// feed turns the tracker's publications into what the customer sees: the
// newest operation that holds the till wins; when the one shown ends, its
// outcome stays for OutcomeFor.
type feed struct {
	shop string
	clk  clock.Clock
	// holding is the newest state of every operation that holds the till.
	holding map[store.ID]tracker.Machine
	// seq is the newest state read of each operation, so an older one
	// read later changes nothing.
	seq map[store.ID]uint64
	// outcome is the ended operation shown, until outcomeUntil.
	outcome      *State
	outcomeID    store.ID
	outcomeUntil time.Time
}

func newFeed(shop string, clk clock.Clock) *feed {
	return &feed{shop: shop, clk: clk, holding: map[store.ID]tracker.Machine{}, seq: map[store.ID]uint64{}}
}

// newest is the operation holding the till with the highest id.
func (f *feed) newest() (tracker.Machine, bool) {
	var best tracker.Machine
	found := false
	for id, m := range f.holding {
		if !found || id > best.Op.ID {
			best, found = m, true
		}
	}
	return best, found
}

// take reads new states, oldest change first.
func (f *feed) take(ms ...tracker.Machine) {
	for _, m := range ms {
		id := m.Op.ID
		if seq, ok := f.seq[id]; ok && m.Seq < seq {
			continue
		}
		f.seq[id] = m.Seq
		shown, showing := f.newest()
		if m.Holds() {
			f.holding[id] = m
			if f.outcome != nil && id > f.outcomeID {
				f.outcome = nil // the next payment began
			}
			continue
		}
		_, held := f.holding[id]
		delete(f.holding, id)
		// Only the end of the operation the customer was looking at is
		// told: not a late payment's news, nor an older one's.
		if !held || !showing || shown.Op.ID != id {
			continue
		}
		if s, ok := Of(m, f.shop, f.clk); ok {
			f.outcome, f.outcomeID = &s, id
			f.outcomeUntil = f.clk.Add(f.clk.Now(), OutcomeFor)
		}
	}
	if len(f.seq) > 512 {
		// Forget the ended ones: the tracker keeps only hundreds either.
		for id := range f.seq {
			if _, ok := f.holding[id]; !ok {
				delete(f.seq, id)
			}
		}
	}
}

// state is what the customer sees now; wake is when that changes by
// itself (an outcome that ends), zero for never.
func (f *feed) state() (s State, wake time.Duration) {
	if f.outcome != nil {
		left := f.clk.Sub(f.outcomeUntil, f.clk.Now())
		if left <= 0 {
			f.outcome = nil
		} else if m, ok := f.newest(); !ok || m.Op.ID < f.outcomeID {
			return *f.outcome, left
		}
	}
	if m, ok := f.newest(); ok {
		if s, ok := Of(m, f.shop, f.clk); ok {
			return s, 0
		}
	}
	return State{Screen: Idle, Shop: f.shop}, 0
}

// Handler streams what the customer sees of tr's operations, one State
// a line, each flushed: the present state at once, then every change,
// until the asker goes away or the tracker closes. shop is the shop's
// name for the idle screen.
func Handler(tr *tracker.Tracker, shop string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		sub := tr.Subscribe()
		defer sub.Close()
		clk := tr.Clock()
		f := newFeed(shop, clk)
		// Subscribed first, so nothing published between is missed; a
		// state read twice changes nothing.
		f.take(tr.Following()...)

		news := make(chan []tracker.Machine)
		go func() {
			defer close(news)
			for {
				ms, err := sub.Wait(ctx)
				if err != nil {
					return
				}
				select {
				case news <- ms:
				case <-ctx.Done():
					return
				}
			}
		}()

		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		flusher, _ := w.(http.Flusher)
		var last []byte
		timer := clock.Timer{Stop: func() bool { return false }}
		defer func() { timer.Stop() }()
		for {
			s, wake := f.state()
			line, err := json.Marshal(s)
			if err != nil {
				return
			}
			if !bytes.Equal(line, last) {
				if _, err := w.Write(append(line, '\n')); err != nil {
					return
				}
				if flusher != nil {
					flusher.Flush()
				}
				last = line
			}
			timer.Stop()
			timer = clock.Timer{Stop: func() bool { return false }}
			if wake > 0 {
				timer = clk.NewTimer(wake)
			}
			select {
			case ms, ok := <-news:
				if !ok {
					return
				}
				f.take(ms...)
			case <-timer.C:
			case <-ctx.Done():
				return
			}
		}
	})
}
