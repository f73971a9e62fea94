package printer_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/kassa-till/kassa/receipts/printer"
	"github.com/kassa-till/kassa/receipts/printer/fakeprinter"
)

// Short timeouts: every test that waits, waits for one of these.
var fast = printer.Options{
	ConnectTimeout: 2 * time.Second,
	WriteTimeout:   300 * time.Millisecond,
	StatusTimeout:  50 * time.Millisecond,
}

// receipt is a job with bytes that matter: ESC @, text, and a DLE inside.
var receipt = []byte("\x1b@KASSA\n\x10\x04 not a query\nИТОГО 1 500 ₸\n\x1dV\x41\x03")

func open(t *testing.T, spec string, opts printer.Options) printer.Printer {
	t.Helper()
	p, err := printer.New(spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func wantKind(t *testing.T, err error, want printer.ErrorKind) {
	t.Helper()
	if got := printer.KindOf(err); got != want {
		t.Fatalf("error %v: kind %q, want %q", err, got, want)
	}
}

func TestNetworkPrintsOneJob(t *testing.T) {
	fp := fakeprinter.Start(t, fakeprinter.Config{})
	p := open(t, fp.Spec(), fast)
	st, err := p.Print(context.Background(), receipt)
	if err != nil {
		t.Fatal(err)
	}
	if st != (printer.Status{Known: true}) {
		t.Errorf("status %v, want ready", st)
	}
	// Print returns once the printer has closed its side, by when it has
	// recorded the job.
	sessions := fp.Sessions()
	if len(sessions) != 1 {
		t.Fatalf("%d connections, want 1 job on 1 connection", len(sessions))
	}
	if got := sessions[0].Queries; !bytes.Equal(got, []byte{1, 2, 4}) {
		t.Errorf("status queries %v, want DLE EOT 1, 2, 4", got)
	}
	if !bytes.Equal(sessions[0].Data, receipt) {
		t.Errorf("printer got %q, want %q", sessions[0].Data, receipt)
	}
}

func TestNetworkSkipStatusSendsOnlyTheJob(t *testing.T) {
	fp := fakeprinter.Start(t, fakeprinter.Config{Paper: fakeprinter.PaperOut})
	opts := fast
	opts.SkipStatus = true
	st, err := open(t, fp.Spec(), opts).Print(context.Background(), receipt)
	if err != nil {
		t.Fatal(err)
	}
	if st.Known {
		t.Errorf("status %v without asking", st)
	}
	s := fp.Sessions()
	if len(s) != 1 || len(s[0].Queries) != 0 || !bytes.Equal(s[0].Data, receipt) {
		t.Fatalf("sessions %+v, want the receipt alone", s)
	}
}

func TestNetworkRefusesBeforeSending(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  fakeprinter.Config
		want printer.ErrorKind
	}{
		{"paper out", fakeprinter.Config{Paper: fakeprinter.PaperOut}, printer.ErrPaperOut},
		{"cover open", fakeprinter.Config{CoverOpen: true}, printer.ErrCoverOpen},
		{"fault", fakeprinter.Config{Fault: true}, printer.ErrFault},
		{"offline", fakeprinter.Config{Offline: true}, printer.ErrOffline},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fp := fakeprinter.Start(t, tc.cfg)
			p := open(t, fp.Spec(), fast)
			st, err := p.Print(context.Background(), receipt)
			wantKind(t, err, tc.want)
			if printer.MaybePrinted(err) || !st.Known || st.Refusal() != tc.want {
				t.Errorf("status %v, error %v", st, err)
			}
			s := fp.WaitSessions(t, 1)
			if len(s) != 1 || len(s[0].Data) != 0 {
				t.Fatalf("sessions %+v: the receipt must not be sent", s)
			}
			if got, err := p.Status(context.Background()); err != nil || got != st {
				t.Errorf("Status() = %v, %v; want %v", got, err, st)
			}
		})
	}
}

func TestNetworkPaperNearEndStillPrints(t *testing.T) {
	fp := fakeprinter.Start(t, fakeprinter.Config{Paper: fakeprinter.PaperNearEnd})
	st, err := open(t, fp.Spec(), fast).Print(context.Background(), receipt)
	if err != nil {
		t.Fatal(err)
	}
	if !st.PaperNearEnd || st.PaperOut {
		t.Errorf("status %v, want paper near end", st)
	}
	if jobs := fp.Jobs(); len(jobs) != 1 || !bytes.Equal(jobs[0], receipt) {
		t.Errorf("jobs %q", jobs)
	}
}

func TestNetworkRefusedConnection(t *testing.T) {
	p := open(t, "tcp://"+fakeprinter.ClosedAddr(t), fast)
	_, err := p.Print(context.Background(), receipt)
	wantKind(t, err, printer.ErrRefused)
	_, err = p.Status(context.Background())
	wantKind(t, err, printer.ErrRefused)

	// A printer unplugged mid-shift: it printed, now it refuses.
	fp := fakeprinter.Start(t, fakeprinter.Config{})
	p = open(t, fp.Spec(), fast)
	if _, err := p.Print(context.Background(), receipt); err != nil {
		t.Fatal(err)
	}
	fp.Close()
	_, err = p.Print(context.Background(), receipt)
	wantKind(t, err, printer.ErrRefused)
	if n := len(fp.Jobs()); n != 1 {
		t.Errorf("%d jobs, want 1", n)
	}
}

func TestNetworkMutePrinterPrintsWithUnknownStatus(t *testing.T) {
	fp := fakeprinter.Start(t, fakeprinter.Config{Mute: true})
	p := open(t, fp.Spec(), fast)
	st, err := p.Status(context.Background())
	if err != nil || st.Known {
		t.Fatalf("Status() = %v, %v; want unknown, no error", st, err)
	}
	st, err = p.Print(context.Background(), receipt)
	if err != nil || st.Known {
		t.Fatalf("Print = %v, %v; want printed with status unknown", st, err)
	}
	s := fp.Sessions()
	last := s[len(s)-1]
	// One unanswered query, then the job: no more queries after silence.
	if !bytes.Equal(last.Queries, []byte{1}) || !bytes.Equal(last.Data, receipt) {
		t.Errorf("session %+v", last)
	}
}

func TestNetworkStalledPrinterHitsTimeouts(t *testing.T) {
	fp := fakeprinter.Start(t, fakeprinter.Config{Stall: true})
	p := open(t, fp.Spec(), fast)
	bound := fast.StatusTimeout + fast.WriteTimeout + time.Second

	start := time.Now()
	st, err := p.Status(context.Background())
	if err != nil || st.Known {
		t.Errorf("Status() = %v, %v; want unknown, no error", st, err)
	}
	// A small job fits in the buffers, and the printer never confirms it
	// by closing; a big one does not fit, and the write deadline hits.
	// Either way it may have printed: never sent again.
	for _, job := range [][]byte{receipt, make([]byte, 16<<20)} {
		_, err := p.Print(context.Background(), job)
		wantKind(t, err, printer.ErrMaybePrinted)
	}
	if d := time.Since(start); d > 3*bound {
		t.Errorf("took %v: the timeouts did not hold", d)
	}
	if n := fp.Accepted(); n != 3 {
		t.Errorf("%d connections, want 3 (no retry)", n)
	}
}

func TestNetworkResetMidJob(t *testing.T) {
	fp := fakeprinter.Start(t, fakeprinter.Config{ResetAfter: 1000})
	job := bytes.Repeat([]byte("0123456789"), 400_000)
	_, err := open(t, fp.Spec(), fast).Print(context.Background(), job)
	wantKind(t, err, printer.ErrMaybePrinted)
	s := fp.Sessions()
	if len(s) != 1 || !bytes.Equal(s[0].Data, job[:1000]) {
		t.Fatalf("sessions: %d, want 1 that got the first 1000 bytes", len(s))
	}
	if n := fp.Accepted(); n != 1 {
		t.Errorf("%d connections, want 1 (no retry)", n)
	}
}

func TestNetworkCallerGivesUp(t *testing.T) {
	fp := fakeprinter.Start(t, fakeprinter.Config{})
	p := open(t, fp.Spec(), fast)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Print(ctx, receipt)
	wantKind(t, err, printer.ErrCanceled)
	if len(fp.Jobs()) != 0 {
		t.Error("a canceled job was sent")
	}

	// Canceled while waiting on a stalled printer: it returns at once,
	// maybe printed.
	stalled := fakeprinter.Start(t, fakeprinter.Config{Stall: true})
	slow := fast
	slow.WriteTimeout = time.Minute
	ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = open(t, stalled.Spec(), slow).Print(ctx, receipt)
	wantKind(t, err, printer.ErrMaybePrinted)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v past the caller's deadline", d)
	}
}
