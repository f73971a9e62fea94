package amount

import (
	"testing"

	"github.com/kassa-till/kassa/providers"
)

func typed(in Input, keys string) Input {
	for _, r := range keys {
		in = in.Type(r)
	}
	return in
}

func TestTypingTenge(t *testing.T) {
	cases := []struct {
		name    string
		keys    string
		text    string
		problem Problem
	}{
		{"plain", "1500", "1500", NoProblem},
		{"leading zeros dropped", "0007", "7", NoProblem},
		// A point in tenge must not vanish: 1500.50 would become 150 050.
		{"a point refused", "1500.", "1500", NoMinorUnits},
		{"a comma refused", "1500,", "1500", NoMinorUnits},
		{"a letter refused", "15a", "15", NotDigit},
		{"digits capped", "12345678901", "1234567890", TooLong},
		{"keys after a refused one refused", "15a00", "15", NotDigit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := typed(New(providers.KZT), c.keys)
			if in.Text != c.text || in.Problem != c.problem {
				t.Fatalf("text %q problem %v, want %q %v", in.Text, in.Problem, c.text, c.problem)
			}
		})
	}
	// The refused key is named, and holds: "1500.50" does not become
	// 150 050 behind a message shown for a moment.
	in := typed(New(providers.KZT), "1500.50")
	if in.Refused != "." || in.Text != "1500" || in.Problem != NoMinorUnits || !in.Refusing() {
		t.Fatalf("1500.50 in tenge: %q %v refused %q", in.Text, in.Problem, in.Refused)
	}
	// Backspace takes the refusal back; the digits typed stay.
	if in = in.Backspace(); in.Problem != NoProblem || in.Text != "1500" {
		t.Fatalf("after backspace: %q %v", in.Text, in.Problem)
	}
	if in = in.Type('0'); in.Problem != NoProblem || in.Text != "15000" {
		t.Fatalf("after a good key: %q %v", in.Text, in.Problem)
	}
}

func TestTypingSoums(t *testing.T) {
	in := typed(New(providers.UZS), "15000,50")
	if in.Text != "15000.50" {
		t.Fatalf("text %q", in.Text)
	}
	if a, p := in.Value(); p != NoProblem || a.Minor != 1500050 {
		t.Fatalf("value %v %v", a, p)
	}
	if in = in.Type('1'); in.Problem != TooManyDecimals || in.Text != "15000.50" {
		t.Fatalf("a third decimal: %q %v", in.Text, in.Problem)
	}
	if in = typed(New(providers.UZS), "1.5."); in.Problem != Format || in.Text != "1.5" {
		t.Fatalf("a second separator: %q %v", in.Text, in.Problem)
	}
	if a, _ := typed(New(providers.UZS), ",5").Value(); a.Minor != 50 {
		t.Fatalf("',5' is %v", a)
	}
	if a, p := typed(New(providers.UZS), "15000.").Value(); p != NoProblem || a.Minor != 1500000 {
		t.Fatalf("a trailing separator: %v %v", a, p)
	}
}

func TestValueProblems(t *testing.T) {
	if _, p := New(providers.KZT).Value(); p != Empty {
		t.Fatalf("empty: %v", p)
	}
	if _, p := typed(New(providers.KZT), "0").Value(); p != Zero {
		t.Fatalf("zero: %v", p)
	}
	if _, p := typed(New(providers.UZS), "0.00").Value(); p != Zero {
		t.Fatalf("0.00: %v", p)
	}
}

func TestPaste(t *testing.T) {
	for _, c := range []struct {
		cur     providers.Currency
		paste   string
		text    string
		problem Problem
	}{
		{providers.KZT, "12 500", "12500", NoProblem},
		{providers.KZT, "12\u00a0500\n", "12500", NoProblem},
		{providers.KZT, "1500", "1500", NoProblem},
		{providers.KZT, "1500.50", "", NoMinorUnits},
		{providers.KZT, "12 500 ₸", "", NotDigit},
		{providers.UZS, "15 000,50", "15000.50", NoProblem},
		{providers.UZS, "15000.505", "", TooManyDecimals},
	} {
		in := New(c.cur).Paste(c.paste)
		if in.Text != c.text || in.Problem != c.problem {
			t.Errorf("paste %q in %s: text %q problem %v, want %q %v", c.paste, c.cur.Code, in.Text, in.Problem, c.text, c.problem)
		}
		if c.problem != NoProblem && in.Refused != c.paste {
			t.Errorf("paste %q: refused %q", c.paste, in.Refused)
		}
	}
	// A refused paste leaves what was typed before.
	in := typed(New(providers.KZT), "7").Paste("abc")
	if in.Text != "7" || in.Problem != NotDigit {
		t.Fatalf("%q %v", in.Text, in.Problem)
	}
}

func TestEditing(t *testing.T) {
	in := typed(New(providers.KZT), "123").Backspace()
	if in.Text != "12" {
		t.Fatalf("backspace: %q", in.Text)
	}
	if in = in.Clear(); in.Text != "" {
		t.Fatalf("clear: %q", in.Text)
	}
	if in = in.Backspace(); in.Text != "" {
		t.Fatal("backspace on empty")
	}
	if got := New(providers.UZS).SetMoney(providers.New(150050, providers.UZS)).Text; got != "1500.50" {
		t.Fatalf("set 1500.50: %q", got)
	}
	if a, _ := New(providers.UZS).SetMoney(providers.New(150000, providers.UZS)).Value(); a.Minor != 150000 {
		t.Fatalf("set 1500.00: %v", a)
	}
	if got := New(providers.KZT).SetMoney(providers.New(1500, providers.KZT)).Text; got != "1500" {
		t.Fatalf("set 1500 ₸: %q", got)
	}
	if got := typed(New(providers.UZS), "1234567.5").Shown(" ", ","); got != "1 234 567,5" {
		t.Fatalf("shown %q", got)
	}
}
