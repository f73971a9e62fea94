package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestSimUzQRRefusesAnUnknownCustomer(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"sim", "uzqr", "--listen", "127.0.0.1:0", "--customer", "sing"}, &out); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if s := out.String(); !strings.Contains(s, `customer "sing"`) || !strings.Contains(s, "pay-on-cancel") {
		t.Fatalf("said %q", s)
	}
	out.Reset()
	// No such simulator is bad usage: the simulators are listed.
	if code := run([]string{"sim", "paynet"}, &out); code != exitUsage || !strings.Contains(out.String(), "kassa sim uzqr") {
		t.Fatalf("exit %d, said %q", code, out.String())
	}
}
