package kaspi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
)

func TestParseExpiration(t *testing.T) {
	want := time.Date(2023, 3, 7, 15, 2, 56, 0, almaty)
	for _, s := range []string{
		"Mar 7, 2023 15:02:56",
		"2023-03-07 15:02:56",
		"Mar 7, 2023 3:02:56 PM",
		"Mar 7, 2023 3:02:56\u202fPM", // Java 20+ puts a narrow no-break space before PM
		" Mar  7, 2023 15:02:56 ",
	} {
		got, err := kaspi.ParseExpiration(s, almaty)
		if err != nil || !got.Equal(want) || got.Location() != almaty {
			t.Errorf("%q: %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "tomorrow", "07.03.2023 15:02:56", "2023-03-07", "1678201376"} {
		if got, err := kaspi.ParseExpiration(s, almaty); err == nil || !got.IsZero() {
			t.Errorf("%q: %v, %v; want an error and the zero time", s, got, err)
		}
	}
}

func TestTokensExpiry(t *testing.T) {
	exp := time.Date(2023, 3, 7, 15, 2, 56, 0, almaty)
	tok := kaspi.Tokens{AccessToken: "a", RefreshToken: "r", Expires: exp}
	if tok.Expired(exp.Add(-time.Second)) || !tok.Expired(exp) {
		t.Fatal("expiry boundary")
	}
	// An unreadable date counts as expired: refresh rather than guess.
	bad, err := canned(t, 200, `{"statusCode":0,"data":{"accessToken":"a1","refreshToken":"r1","expirationDate":"soon"}}`).Register(bg, "Kassa1")
	if err != nil {
		t.Fatal(err)
	}
	if !bad.Expires.IsZero() || !bad.Expired(t0) || bad.AccessToken != "a1" || bad.ExpirationDate != "soon" {
		t.Fatalf("%+v", bad)
	}
	_, err = canned(t, 200, `{"statusCode":0,"data":{"accessToken":"a1","expirationDate":"2023-03-07 15:02:56"}}`).Register(bg, "Kassa1")
	wantErr(t, err, providers.ErrMalformed, 200, "", true)
}

func TestTokensNeverPrinted(t *testing.T) {
	tok := kaspi.Tokens{AccessToken: "99af370951a7b154a4ebd0c554d7eb24", RefreshToken: "d4a853dd320d179fde3271901c116bec", ExpirationDate: "Mar 7, 2023 15:02:56"}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(format, tok); strings.Contains(s, "99af37") || strings.Contains(s, "d4a853") {
			t.Errorf("%s prints a secret: %s", format, s)
		}
	}
}

func TestRegisterRevokeDeviceInfo(t *testing.T) {
	for _, layout := range []string{"2006-01-02 15:04:05", "Jan 2, 2006 15:04:05"} {
		t.Run(layout, func(t *testing.T) {
			r := newRig(t, sim.Options{RequireToken: true, ExpirationLayout: layout})

			// Without a token the secured API refuses.
			_, err := r.c.DeviceInfo(r.ctx)
			wantErr(t, err, providers.ErrAuth, 401, "999", false)

			tok, err := r.c.Register(r.ctx, "Kassa1")
			if err != nil {
				t.Fatal(err)
			}
			if len(tok.AccessToken) != 32 || len(tok.RefreshToken) != 32 || !tok.Expires.Equal(t0.Add(24*time.Hour)) {
				t.Fatalf("tokens %v expires %v", tok, tok.Expires)
			}
			current := tok.AccessToken
			r.c.Token = func(context.Context) (string, error) { return current, nil }

			d, err := r.c.DeviceInfo(r.ctx)
			if err != nil || d != (kaspi.DeviceInfo{PosNum: "0", SerialNum: "00043010171", TerminalID: "31452963"}) {
				t.Fatalf("deviceinfo %+v, %v", d, err)
			}
			r.complete(r.pay(100))

			// A paired name cannot be registered again.
			_, err = r.c.Register(r.ctx, "Kassa1")
			wantErr(t, err, providers.ErrProvider, 200, "105", false)

			// A day later the token is dead: 403.
			r.advance(24 * time.Hour)
			_, err = r.c.DeviceInfo(r.ctx)
			wantErr(t, err, providers.ErrExpired, 403, "999", false)

			// Revoke with the wrong refresh token, then the right one.
			_, err = r.c.Revoke(r.ctx, "Kassa1", "0000", current)
			if pe := wantErr(t, err, providers.ErrProvider, 200, "105", false); !strings.Contains(pe.Text, "Wrong refresh token") {
				t.Fatalf("text %q", pe.Text)
			}
			fresh, err := r.c.Revoke(r.ctx, "Kassa1", tok.RefreshToken, current)
			if err != nil {
				t.Fatal(err)
			}
			if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken || !fresh.Expires.Equal(r.clk.Now().Add(24*time.Hour)) {
				t.Fatalf("fresh %v expires %v", fresh, fresh.Expires)
			}
			// The old access token dies at once, even though refreshed early.
			_, err = r.c.DeviceInfo(r.ctx)
			wantErr(t, err, providers.ErrAuth, 401, "999", false)
			current = fresh.AccessToken
			if _, err := r.c.DeviceInfo(r.ctx); err != nil {
				t.Fatal(err)
			}
			// The old refresh token is spent.
			_, err = r.c.Revoke(r.ctx, "Kassa1", tok.RefreshToken, current)
			wantErr(t, err, providers.ErrProvider, 200, "105", false)

			// After the pairing is removed on the POS, the name registers again.
			r.sim.Unpair("Kassa1")
			if _, err := r.c.Register(r.ctx, "Kassa1"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTokenHookFailureIsNotSent(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.c.Token = func(context.Context) (string, error) { return "", fmt.Errorf("no pairing stored") }
	_, err := r.c.Payment(r.ctx, 100, true)
	wantErr(t, err, providers.ErrAuth, 0, "", false)
	if n := r.sim.Requests("/v2/payment"); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestRegisterWaitsForAllow(t *testing.T) {
	r := newRig(t, sim.Options{RegisterAfter: 30 * time.Second})
	done := make(chan error, 1)
	go func() { _, err := r.c.Register(r.ctx, "Kassa1"); done <- err }()
	waitFor(t, "register to wait for «Allow»", func() bool { return r.clk.Waiters() > 0 })

	// A second register while the first waits is refused.
	_, err := r.c.Register(r.ctx, "Kassa2")
	if pe := wantErr(t, err, providers.ErrProvider, 200, "105", false); !strings.Contains(pe.Text, "Last register request not completed") {
		t.Fatalf("text %q", pe.Text)
	}
	select {
	case err := <-done:
		t.Fatalf("register returned before «Allow»: %v", err)
	default:
	}
	r.advance(30 * time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRegisterDeniedOrIgnored(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sim.Options
		text string
	}{
		{"denied", sim.Options{RegisterDeny: true}, "Access denied"},
		{"nobody presses", sim.Options{RegisterAfter: time.Hour}, "Timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.opts)
			done := make(chan error, 1)
			go func() { _, err := r.c.Register(r.ctx, "Kassa1"); done <- err }()
			if tc.opts.RegisterAfter > 0 {
				waitFor(t, "register to wait", func() bool { return r.clk.Waiters() > 0 })
				r.advance(180 * time.Second)
			}
			pe := wantErr(t, <-done, providers.ErrProvider, 200, "105", false)
			if !strings.Contains(pe.Text, tc.text) {
				t.Fatalf("text %q", pe.Text)
			}
		})
	}
}
