package main

import (
	"bytes"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	mxsim "github.com/kassa-till/kassa/providers/monetix/sim"
)

// Click QR without its callback listener would never get a QR: the till
// does not start, and says what to give.
func TestClickQRNeedsItsListener(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "kassa.db")
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--monetix-project", "77"}, "--monetix-callback-listen"},
		{[]string{"--monetix-callback-url", "https://shop.example.uz/k"}, "--monetix-project"},
		{[]string{"--monetix-project", "77", "--monetix-callback-listen", "nonsense"}, "HOST:PORT"},
		{[]string{"--monetix-project", "77", "--monetix-callback-listen", "127.0.0.1:0", "--monetix-callback-url", "shop.example.uz"}, "https://HOST/PATH"},
		{[]string{"--monetix-project", "77", "--monetix-callback-listen", "127.0.0.1:0", "--monetix-callback-url", "https://s.uz/k", "--monetix-callback-cert", "c.pem"}, "go together"},
		{[]string{"--monetix-project", "77", "--kaspi-url", "http://10.0.0.5:8080"}, "one country's money"},
	} {
		_, _, closeTill, err := openTill(append(tc.args, "--db", db), false)
		if err == nil {
			closeTill()
			t.Fatalf("%v: the till started", tc.args)
		}
		if exitCode(err) != exitUsage || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%v: exit %d, %v", tc.args, exitCode(err), err)
		}
	}
}

// kassa key monetix keeps the secret; kassa check monetix proves the
// Gate takes the signature made with it, and says where callbacks go.
func TestCheckMonetixAgainstTheGate(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	s := mxsim.New(mxsim.Options{ProjectID: 77, Secret: "s3cret"})
	gate := httptest.NewServer(s.Handler())
	defer gate.Close()
	db := filepath.Join(t.TempDir(), "kassa.db")
	args := []string{"--monetix-url", gate.URL, "--monetix-project", "77", "--db", db}
	var out bytes.Buffer
	if err := runKey([]string{"monetix", "--db", db}, strings.NewReader("wrong\n"), &out); err != nil || strings.Contains(out.String(), "wrong") {
		t.Fatalf("key: %v %q", err, &out)
	}
	out.Reset()
	if err := runCheckMonetix(args, &out); exitCode(err) != exitNotMoved || !strings.Contains(out.String(), "did not take") {
		t.Fatalf("a wrong secret: %v\n%s", err, &out)
	}
	runKey([]string{"monetix", "--db", db}, strings.NewReader("s3cret\n"), &out)
	out.Reset()
	if err := runCheckMonetix(args, &out); exitCode(err) != exitNotMoved || !strings.Contains(out.String(), "takes the till's signature") || !strings.Contains(out.String(), "No callback URL") {
		t.Fatalf("no callback URL: %v\n%s", err, &out)
	}
	out.Reset()
	withCallback := append(args, "--monetix-callback-listen", "0.0.0.0:8088", "--monetix-callback-url", "https://shop.example.uz/kassa/monetix")
	if err := runCheckMonetix(withCallback, &out); err != nil || !strings.Contains(out.String(), "at /kassa/monetix") {
		t.Fatalf("%v\n%s", err, &out)
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Fatal("the secret was printed")
	}
}
