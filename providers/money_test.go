package providers

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestMajorAndGrouped(t *testing.T) {
	cases := []struct {
		m              Money
		major, grouped string
	}{
		{New(0, KZT), "0", "0"},
		{New(1500, KZT), "1500", "1 500"},
		{New(1234567, KZT), "1234567", "1 234 567"},
		{New(-500, KZT), "-500", "-500"},
		{New(10001, UZS), "100.01", "100.01"},
		{New(5, UZS), "0.05", "0.05"},
		{New(20000000000, UZS), "200000000.00", "200 000 000.00"},
		{New(-150, UZS), "-1.50", "-1.50"},
	}
	for _, c := range cases {
		if got := c.m.Major(); got != c.major {
			t.Errorf("%d %s Major = %q, want %q", c.m.Minor, c.m.Currency.Code, got, c.major)
		}
		if got := c.m.Grouped(); got != c.grouped {
			t.Errorf("%d %s Grouped = %q, want %q", c.m.Minor, c.m.Currency.Code, got, c.grouped)
		}
	}
}

func TestParseMajor(t *testing.T) {
	good := []struct {
		in string
		c  Currency
		v  int64
	}{
		{"1500", KZT, 1500}, {"100.01", UZS, 10001}, {"100.1", UZS, 10010}, {"7", UZS, 700}, {" 42 ", KZT, 42}, {"-3", KZT, -3},
	}
	for _, g := range good {
		m, err := ParseMajor(g.in, g.c)
		if err != nil || m.Minor != g.v || m.Currency != g.c {
			t.Errorf("ParseMajor(%q) = %v, %v; want %d", g.in, m, err, g.v)
		}
	}
	for _, in := range []string{"", "1.5", "12a", "1e3", "1.", ".5", "99999999999999999999", "1,5"} {
		if _, err := ParseMajor(in, KZT); !errors.Is(err, ErrBadAmount) {
			t.Errorf("ParseMajor(%q) accepted", in)
		}
	}
	if _, err := ParseMajor("1.234", UZS); err == nil {
		t.Error("three decimals accepted for UZS")
	}
}

func TestMoneyJSONKeepsTheCurrencyCode(t *testing.T) {
	b, err := json.Marshal(New(150050, UZS))
	if err != nil || string(b) != `{"minor":150050,"currency":"UZS"}` {
		t.Fatalf("%s %v", b, err)
	}
	var m Money
	if err := json.Unmarshal(b, &m); err != nil || m != New(150050, UZS) {
		t.Fatalf("%v %v", m, err)
	}
	if err := json.Unmarshal([]byte(`{"minor":1,"currency":"XXX"}`), &m); err == nil {
		t.Fatal("unknown currency accepted")
	}
}

func TestMixingCurrenciesPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("KZT + UZS did not panic")
		}
	}()
	New(1, KZT).Add(New(1, UZS))
}

func TestMaybeSent(t *testing.T) {
	for kind, sent := range map[ErrorKind]bool{
		ErrUnreachable: false, ErrBusy: false, ErrInvalid: false, ErrNoAnswer: true, ErrMalformed: true,
		ErrDropped: true, ErrRedirected: false,
	} {
		if got := MaybeSent(&Error{Kind: kind}); got != sent {
			t.Errorf("MaybeSent(%s) = %v", kind, got)
		}
	}
	if !MaybeSent(errors.New("something else")) {
		t.Error("an unclassified error must count as maybe sent")
	}
}
