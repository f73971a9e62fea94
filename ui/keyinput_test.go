package ui

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// keyLog is a program that writes down every key and stops at "q".
type keyLog struct{ keys []string }

func (k keyLog) Init() tea.Cmd { return nil }

func (k keyLog) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		if msg.String() == "q" {
			return k, tea.Quit
		}
		k.keys = append(k.keys, msg.String())
	}
	return k, nil
}

func (k keyLog) View() tea.View { return tea.NewView("") }

// typeKeys runs a program reading writes (one pipe write each, each read
// whole before the next is written) through wrap, and returns its keys.
func typeKeys(t *testing.T, wrap func(io.Reader) io.Reader, writes ...string) []string {
	t.Helper()
	pr, pw := io.Pipe()
	// Only a guard against a hang: the program stops at "q".
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p := tea.NewProgram(keyLog{}, tea.WithInput(wrap(pr)), tea.WithOutput(io.Discard),
		tea.WithContext(ctx), tea.WithEnvironment([]string{"TERM=xterm-256color"}), tea.WithoutSignalHandler())
	go func() {
		for _, w := range append(writes, "q") {
			// An io.Pipe write returns once the program has read it all, so
			// every write is a read of its own, well within the 50 ms
			// Bubble Tea waits after an ESC.
			if _, err := pw.Write([]byte(w)); err != nil {
				return
			}
		}
	}()
	m, err := p.Run()
	_ = pw.Close()
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	return m.(keyLog).keys
}

func asIs(r io.Reader) io.Reader { return r }

func wrapped(r io.Reader) io.Reader { return escapeReader{r: r} }

// TestEscapeThenAKey is issue 9 point 15: Esc and the key typed right
// after it both arrive, whether the terminal's bytes come in two reads (a
// terminal, keys typed 30 ms apart) or in one (tmux, or keys typed while
// the program was busy).
func TestEscapeThenAKey(t *testing.T) {
	cases := []struct {
		name   string
		writes []string
		want   []string
	}{
		{"esc f2 in one read", []string{"\x1b\x1bOQ"}, []string{"esc", "f2"}},
		{"esc, then f2", []string{"\x1b", "\x1bOQ"}, []string{"esc", "f2"}},
		{"esc, then a", []string{"\x1b", "a"}, []string{"esc", "a"}},
		{"esc, then 5", []string{"\x1b", "5"}, []string{"esc", "5"}},
		{"esc, then enter", []string{"\x1b", "\r"}, []string{"esc", "enter"}},
		{"esc esc in one read", []string{"\x1b\x1b"}, []string{"esc", "esc"}},
		{"esc, then up", []string{"\x1b", "\x1b[A"}, []string{"esc", "up"}},
		{"esc, then f9 (CSI)", []string{"\x1b", "\x1b[20~"}, []string{"esc", "f9"}},
		{"esc alone", []string{"\x1b"}, []string{"esc"}},
		// What a terminal sends whole stays what it was.
		{"f2", []string{"\x1bOQ"}, []string{"f2"}},
		{"up, down in one read", []string{"\x1b[A\x1b[B"}, []string{"up", "down"}},
		// tmux within its escape-time: Esc and the next key as one Meta key.
		{"esc 7 in one read", []string{"\x1b7"}, []string{"esc", "7"}},
		{"esc enter in one read", []string{"\x1b\r"}, []string{"esc", "enter"}},
		{"esc я in one read", []string{"\x1bя"}, []string{"esc", "я"}},
		// A terminal's answer ends its string with ESC \\: not a key.
		{"background colour answer", []string{"\x1b]11;rgb:0000/0000/0000\x1b\\", "\x1bOQ"}, []string{"f2"}},
		{"shift+f2 (xterm)", []string{"\x1b[1;2Q"}, []string{"shift+f2"}},
		{"kitty esc", []string{"\x1b[27u", "\x1bOQ"}, []string{"esc", "f2"}},
		{"digits and enter", []string{"125", "00\r"}, []string{"1", "2", "5", "0", "0", "enter"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := typeKeys(t, wrapped, c.writes...); !slices.Equal(got, c.want) {
				t.Fatalf("keys %q, want %q", got, c.want)
			}
		})
	}
}

// TestEscapeThenAKeyWithoutTheReader is why escapeReader exists: read as
// it comes, Esc and F2 in one read are Alt+F2, and kassa binds no Alt key.
// When this fails, Bubble Tea tells them apart by itself and the reader
// can go.
func TestEscapeThenAKeyWithoutTheReader(t *testing.T) {
	if got := typeKeys(t, asIs, "\x1b\x1bOQ"); !slices.Equal(got, []string{"alt+f2"}) {
		t.Fatalf("keys %q, want alt+f2 alone", got)
	}
}

// A read that fills the buffer it was given may end in the middle of a
// sequence: its last ESC is left for the rest to follow.
func TestEscapeReaderLeavesACutSequence(t *testing.T) {
	in := strings.Repeat("1", 3) + "\x1b" + "[A"
	r := escapeReader{r: strings.NewReader(in)}
	p := make([]byte, 4*len(escUnambiguous)) // reads 4 bytes at a time
	var got []byte
	for {
		n, err := r.Read(p)
		got = append(got, p[:n]...)
		if err != nil {
			break
		}
	}
	if string(got) != in {
		t.Fatalf("read %q, want %q", got, in)
	}
	// A buffer too small to grow into is read as it comes.
	small := make([]byte, 2)
	n, _ := escapeReader{r: strings.NewReader("\x1b")}.Read(small)
	if string(small[:n]) != "\x1b" {
		t.Fatalf("small read %q", small[:n])
	}
}
