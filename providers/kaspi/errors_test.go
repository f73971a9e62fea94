package kaspi_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
)

func TestInjectedFaults(t *testing.T) {
	payment := func(r *rig) error { _, err := r.c.Payment(r.ctx, 100, true); return err }
	actualize := func(r *rig) error { _, err := r.c.Actualize(r.ctx, "1"); return err }
	register := func(r *rig) error { _, err := r.c.Register(r.ctx, "Kassa1"); return err }
	status := func(r *rig) error { _, err := r.c.Status(r.ctx, "1"); return err }
	refund := func(r *rig) error {
		_, err := r.c.Refund(r.ctx, providers.MethodQR, 100, "504711333", true)
		return err
	}
	for _, tc := range []struct {
		fault      sim.Fault
		path       string
		call       func(*rig) error
		kind       providers.ErrorKind
		httpStatus int
		code       string
		maybeSent  bool
		text       string
	}{
		{sim.FaultInternal, "/v2/payment", payment, providers.ErrProvider, 500, "999", false, "Internal Error. Please, contact developers"},
		{sim.FaultBlocked, "/v2/payment", payment, providers.ErrBlocked, 400, "106", false, "Payments are blocked"},
		{sim.FaultBlocked200, "/v2/payment", payment, providers.ErrBlocked, 200, "106", false, "Payments are blocked"},
		{sim.FaultFailed, "/v2/payment", payment, providers.ErrProvider, 200, "108", false, "Could not register transaction. Something went wrong."},
		{sim.FaultBusy, "/v2/payment", payment, providers.ErrBusy, 200, "107", false, ""},
		{sim.FaultNoInternet, "/v2/actualize", actualize, providers.ErrNoInternet, 200, "100", false, "No internet"},
		{sim.FaultService, "/v2/register", register, providers.ErrProvider, 200, "105", false, "Error acquired in service process: Service Error. Kaspi Pay is not available"},
		{sim.FaultUnsupported, "/v2/actualize", actualize, providers.ErrNotResolvable, 200, "102", false, ""},
		{sim.FaultTxNotFound, "/v2/actualize", actualize, providers.ErrNotFound, 200, "104", false, ""},
		{sim.FaultAuth, "/v2/payment", payment, providers.ErrAuth, 401, "999", false, "Authorization failed"},
		{sim.FaultExpired, "/v2/payment", payment, providers.ErrExpired, 403, "999", false, ""},
		// Not the POS's envelope: a proxy's or a web server's page says
		// nothing of what the POS did with a payment, and nothing matters
		// about a status call but that it did not answer.
		{sim.FaultBadGateway, "/v2/payment", payment, providers.ErrMalformed, 502, "", true, ""},
		{sim.FaultBadGateway, "/v2/status", status, providers.ErrProvider, 502, "", false, ""},
		{sim.FaultCrash, "/v2/payment", payment, providers.ErrMalformed, 500, "", true, ""},
		{sim.FaultCrash, "/v2/refund", refund, providers.ErrMalformed, 500, "", true, ""},
		{sim.FaultCrash, "/v2/status", status, providers.ErrProvider, 500, "", false, ""},
		{sim.FaultGarbage, "/v2/payment", payment, providers.ErrMalformed, 200, "", true, ""},
		{sim.FaultDrop, "/v2/payment", payment, providers.ErrDropped, 0, "", true, ""},
		{sim.FaultReset, "/v2/payment", payment, providers.ErrDropped, 0, "", true, ""},
		{sim.FaultReset, "/v2/status", status, providers.ErrDropped, 0, "", true, ""},
	} {
		t.Run(string(tc.fault), func(t *testing.T) {
			r := newRig(t, sim.Options{})
			r.sim.Inject(tc.path, tc.fault)
			pe := wantErr(t, tc.call(r), tc.kind, tc.httpStatus, tc.code, tc.maybeSent)
			if tc.text != "" && pe.Text != tc.text {
				t.Fatalf("text %q, want %q", pe.Text, tc.text)
			}
			// The fault was for one call only.
			if err := tc.call(r); err != nil && providers.KindOf(err) == tc.kind && tc.kind != providers.ErrNotFound && tc.kind != providers.ErrBusy {
				t.Fatalf("second call failed the same way: %v", err)
			}
		})
	}
}

// A spoiled answer to /v2/payment does not undo the payment: the POS
// started it, which is exactly why MaybeSent is true.
func TestSpoiledAnswerStillStartedThePayment(t *testing.T) {
	for _, f := range []sim.Fault{sim.FaultGarbage, sim.FaultDrop, sim.FaultReset, sim.FaultCrash} {
		t.Run(string(f), func(t *testing.T) {
			r := newRig(t, sim.Options{})
			r.sim.Inject("/v2/payment", f)
			_, err := r.c.Payment(r.ctx, 100, true)
			if !providers.MaybeSent(err) {
				t.Fatalf("%v: MaybeSent false", err)
			}
			_, err = r.c.Payment(r.ctx, 100, true)
			wantErr(t, err, providers.ErrBusy, 200, "107", false)
		})
	}
}

// net/http repeats a GET whose keep-alive connection broke before the
// answer. For /v2/payment that would be a second payment attempt; the
// client must not let it.
func TestDroppedPaymentIsNotRetried(t *testing.T) {
	r := newRig(t, sim.Options{})
	// Warm a keep-alive connection so the drop happens on a reused one,
	// the case net/http would retry.
	for range 2 {
		if _, err := r.c.DeviceInfo(r.ctx); err != nil {
			t.Fatal(err)
		}
	}
	r.sim.Inject("/v2/payment", sim.FaultDrop)
	_, err := r.c.Payment(r.ctx, 100, true)
	wantErr(t, err, providers.ErrDropped, 0, "", true)
	if n := r.sim.Requests("/v2/payment"); n != 1 {
		t.Fatalf("the POS saw %d payment requests, want 1", n)
	}
	// Status is safe to repeat and may be retried; it must still work.
	r.sim.Inject("/v2/deviceinfo", sim.FaultDrop)
	if _, err := r.c.DeviceInfo(r.ctx); err != nil && providers.KindOf(err) != providers.ErrDropped {
		t.Fatalf("deviceinfo after drop: %v", err)
	}
}

func TestSlowAnswer(t *testing.T) {
	r := newRig(t, sim.Options{SlowDelay: 30 * time.Second})
	id := r.pay(100)

	// Held answer, the till gives up: sent, outcome unknown.
	r.sim.Inject("/v2/status", sim.FaultSlow)
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan error, 1)
	go func() { _, err := r.c.Status(ctx, id); done <- err }()
	waitFor(t, "the sim to hold the answer", func() bool { return r.clk.Waiters() > 0 })
	cancel()
	wantErr(t, <-done, providers.ErrNoAnswer, 0, "", true)

	// Held answer, released by time passing on the sim's clock.
	r.sim.Inject("/v2/status", sim.FaultSlow)
	before := r.clk.Waiters()
	res := make(chan kaspi.Status, 1)
	go func() {
		st, err := r.c.Status(r.ctx, id)
		if err != nil {
			t.Error(err)
		}
		res <- st
	}()
	waitFor(t, "the sim to hold the answer", func() bool { return r.clk.Waiters() > before })
	r.advance(30 * time.Second)
	if st := <-res; st.ProcessID != id {
		t.Fatalf("status %+v", st)
	}
}

func TestClientTimeoutIsNoAnswer(t *testing.T) {
	r := newRig(t, sim.Options{})
	r.c.Timeout = 20 * time.Millisecond // real time: the only way to exercise it
	r.sim.Inject("/v2/payment", sim.FaultSlow)
	_, err := r.c.Payment(r.ctx, 100, true)
	pe := wantErr(t, err, providers.ErrNoAnswer, 0, "", true)
	if !errors.Is(pe, context.DeadlineExceeded) {
		t.Fatalf("cause %v", pe.Err)
	}
}

func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestDialFailureIsUnreachable(t *testing.T) {
	c := kaspi.NewClient("http://"+closedAddr(t), nil)
	ctx := context.Background()
	_, err := c.Payment(ctx, 100, true)
	pe := wantErr(t, err, providers.ErrUnreachable, 0, "", false)
	var op *net.OpError
	if !errors.As(pe, &op) || op.Op != "dial" {
		t.Fatalf("cause %v", pe.Err)
	}
	// Error texts never carry the query, where a refresh token may be.
	_, err = c.Revoke(ctx, "Kassa1", "d4a853dd320d179fde3271901c116bec", "99af370951a7b154a4ebd0c554d7eb24")
	wantErr(t, err, providers.ErrUnreachable, 0, "", false)
	if s := err.Error(); strings.Contains(s, "d4a853dd") || strings.Contains(s, "99af3709") || strings.Contains(s, "refreshToken") {
		t.Fatalf("secret in error: %s", s)
	}
}

func TestNotSentBeforeCall(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := kaspi.NewClient("http://"+closedAddr(t), nil).Payment(ctx, 1, true)
	wantErr(t, err, providers.ErrUnreachable, 0, "", false)
	for _, base := range []string{"", "192.168.80.4:8080", "ftp://pos:8080", "http://%zz"} {
		_, err := kaspi.NewClient(base, nil).Payment(context.Background(), 1, true)
		wantErr(t, err, providers.ErrUnreachable, 0, "", false)
	}
}

func TestRefusedRequestsAreInvalid(t *testing.T) {
	r := newRig(t, sim.Options{})
	for _, tc := range []struct {
		call func() error
		text string
	}{
		{func() error { _, err := r.c.Payment(r.ctx, 0, true); return err }, "Param unvalidated: amount. Must be greater 0"},
		{func() error { _, err := r.c.Refund(r.ctx, "cash", 1, "504711333", true); return err }, "Param unvalidated: method. Unknown payment method"},
		{func() error { _, err := r.c.Refund(r.ctx, providers.MethodQR, 1, "", true); return err }, "Param unvalidated: transactionId. It's empty"},
		{func() error { _, err := r.c.Register(r.ctx, ""); return err }, "Param unvalidated: name. It's empty"},
		{func() error { _, err := r.c.Status(r.ctx, ""); return err }, "Param unvalidated: processId. It's empty"},
	} {
		pe := wantErr(t, tc.call(), providers.ErrInvalid, 400, "999", false)
		if pe.Text != tc.text {
			t.Errorf("text %q, want %q", pe.Text, tc.text)
		}
	}
	// A base URL pointing at the wrong place: Invalid Url.
	c := kaspi.NewClient(r.srv.URL+"/old", r.srv.Client())
	_, err := c.DeviceInfo(r.ctx)
	pe := wantErr(t, err, providers.ErrInvalid, 404, "999", false)
	if pe.Text != "Invalid Url. Please, contact developers" {
		t.Fatalf("text %q", pe.Text)
	}
}
