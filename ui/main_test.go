package ui

import (
	"os"
	"testing"
	"time"
)

// The golden screens show local times; pin the zone so they read the same
// on every machine.
func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Exit(m.Run())
}
