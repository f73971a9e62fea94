package printer_test

import (
	"os"
	"os/exec"
	"testing"
)

// The Windows spooler code only compiles for Windows: build and vet the
// package, its tests and the fake printer for windows/amd64 so a change
// here cannot break the Windows till unseen. (-short skips it.)
func TestCrossBuildsForWindows(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no cross-build")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command(gobin, args...)
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("GOOS=windows go %v: %v\n%s", args, err, out)
		}
	}
}
