package printer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

func TestDecodeDLEEOT(t *testing.T) {
	for _, tc := range []struct {
		name            string
		printer, off, p byte
		want            Status
		refusal         ErrorKind
	}{
		{"ready", 0x12, 0x12, 0x12, Status{Known: true}, ""},
		// Out of paper, as Epson's reference tabulates it: offline (n=1
		// bit 3), stopped at paper end (n=2 bit 5), both roll sensors on
		// (n=4 bits 2-3 and 5-6).
		{"paper out", 0x1a, 0x32, 0x7e, Status{Known: true, Offline: true, PaperOut: true, PaperNearEnd: true}, ErrPaperOut},
		{"paper near end", 0x12, 0x12, 0x1e, Status{Known: true, PaperNearEnd: true}, ""},
		{"cover open", 0x1a, 0x16, 0x12, Status{Known: true, Offline: true, CoverOpen: true}, ErrCoverOpen},
		{"fault", 0x1a, 0x52, 0x12, Status{Known: true, Offline: true, Fault: true}, ErrFault},
		{"offline, no cause", 0x1a, 0x12, 0x12, Status{Known: true, Offline: true}, ErrOffline},
		// Paper end seen only by the roll sensor still refuses.
		{"roll sensor only", 0x12, 0x12, 0x72, Status{Known: true, PaperOut: true}, ErrPaperOut},
		// The cover being open outranks nothing but paper out.
		{"paper out, cover open", 0x1a, 0x36, 0x7e, Status{Known: true, Offline: true, CoverOpen: true, PaperOut: true, PaperNearEnd: true}, ErrPaperOut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st Status
			decode(&st, queryPrinter, tc.printer)
			decode(&st, queryOffline, tc.off)
			decode(&st, queryPaper, tc.p)
			if st != tc.want {
				t.Errorf("decoded %+v, want %+v", st, tc.want)
			}
			if got := st.Refusal(); got != tc.refusal {
				t.Errorf("refusal %q, want %q", got, tc.refusal)
			}
		})
	}
	if (Status{}).Refusal() != "" || (Status{}).String() != "unknown" {
		t.Error("an unknown status must not refuse")
	}
}

// script is a printer link that answers each query from a list, and then
// nothing (its reads time out at once).
type script struct {
	sent    bytes.Buffer
	answers []byte
}

func (s *script) Write(p []byte) (int, error) { return s.sent.Write(p) }
func (s *script) Read(p []byte) (int, error) {
	if len(s.answers) == 0 {
		return 0, os.ErrDeadlineExceeded
	}
	p[0], s.answers = s.answers[0], s.answers[1:]
	return 1, nil
}
func (s *script) SetDeadline(time.Time) error      { return nil }
func (s *script) SetReadDeadline(time.Time) error  { return nil }
func (s *script) SetWriteDeadline(time.Time) error { return nil }

func TestAskStatusStopsAtSilenceOrNoise(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []byte
		sent    string
		want    Status
	}{
		{"all three", []byte{0x12, 0x12, 0x7e}, "\x10\x04\x01\x10\x04\x02\x10\x04\x04", Status{Known: true, PaperOut: true, PaperNearEnd: true}},
		{"silent", nil, "\x10\x04\x01", Status{}},
		// Our own query echoed back (a loop, a FIFO) is not a status.
		{"echo", []byte{0x10, 0x04, 0x01}, "\x10\x04\x01", Status{}},
		{"answers only n=1", []byte{0x1a}, "\x10\x04\x01\x10\x04\x02", Status{Known: true, Offline: true}},
		{"noise after n=1", []byte{0x12, 0xff}, "\x10\x04\x01\x10\x04\x02", Status{Known: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &script{answers: tc.answers}
			st, err := askStatus(context.Background(), s, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if st != tc.want {
				t.Errorf("status %+v, want %+v", st, tc.want)
			}
			if got := s.sent.String(); got != tc.sent {
				t.Errorf("sent %q, want %q", got, tc.sent)
			}
		})
	}
}

type brokenLink struct{ script }

func (brokenLink) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestAskStatusReportsABrokenLink(t *testing.T) {
	if _, err := askStatus(context.Background(), &brokenLink{}, time.Second); err == nil {
		t.Fatal("a query that cannot be sent must be an error")
	}
}
