package sale

import (
	"github.com/kassa-till/kassa/store"
)

// Drive runs the machine without a terminal until it needs no more IO,
// carrying out each effect with the runner in turn. report, when not nil,
// sees the machine after every step. It is how `kassa pay` and `kassa
// recover` use the same workflow as the screen.
func Drive(m Machine, eff []Effect, r Runner, report func(Machine)) Machine {
	for len(eff) > 0 {
		var next []Effect
		for _, e := range eff {
			var more []Effect
			m, more = m.Update(r.Cmd(e)())
			next = append(next, more...)
			if report != nil {
				report(m)
			}
		}
		eff = next
	}
	return m
}

// Recoverable reports whether an operation left open by an earlier run is
// one the till takes up by itself at startup: one with a provider handle
// whose outcome is still to be learned, or one sent without an answer,
// which goes to a person. A timed-out one waits for a manager.
func Recoverable(op store.Operation) bool {
	switch op.State {
	case store.StatePending, store.StateUnknown, store.StateCreated:
		return true
	}
	return false
}
