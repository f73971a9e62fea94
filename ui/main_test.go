package ui

import (
	"os"
	"testing"
	"time"

	"github.com/kassa-till/kassa/store"
)

// The golden screens show local times; pin the zone so they read the same
// on every machine.
func TestMain(m *testing.M) {
	time.Local = time.UTC
	// PINs hash at a cost a test can afford: the store's own tests check
	// the real one.
	store.PINCost = store.PINParams{Memory: 64, Time: 1, Threads: 1}
	os.Exit(m.Run())
}
