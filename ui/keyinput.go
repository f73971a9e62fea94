package ui

import (
	"io"
	"os"
	"runtime"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
)

// Without help, Esc followed quickly by another key is lost with it.
// Terminals without the Kitty keyboard protocol (tmux, xterm, GNOME
// Terminal, the Linux console) send Esc as a lone ESC byte, and Bubble Tea
// waits 50 ms for more: ESC then F2's ESC O Q within that time reads as
// Alt+F2, ESC then 7 as Alt+7, and kassa binds no Alt key. tmux makes it
// worse: within its escape-time (500 ms unless set) it sends Esc and the
// next key as one Meta key, ESC ESC O Q or ESC 7, in one write.
//
// A terminal writes each key whole, so a read that ends in ESC is Esc, and
// so is an ESC followed by anything that does not go on into a sequence
// (CSI, SS3, DCS, OSC, APC, PM, SOS, or the ST ending a string): followed
// by a key, it is that Meta prefix, which only Alt+key would mean and
// kassa has no use for. escapeReader writes such an ESC the way the Kitty
// protocol writes Esc (CSI 27 u), which Bubble Tea takes as Esc at once.

// escUnambiguous is the Esc key in the Kitty keyboard protocol.
const escUnambiguous = "\x1b[27u"

// goesOn reports whether b after ESC goes on into a sequence: '[' CSI,
// 'O' SS3, 'P' DCS, ']' OSC, '_' APC, '^' PM, 'X' SOS, '\\' ST.
func goesOn(b byte) bool {
	switch b {
	case '[', 'O', 'P', ']', '_', '^', 'X', '\\':
		return true
	}
	return false
}

// WithKeyInput reads keys as Bubble Tea would (stdin, or the terminal when
// stdin is not one) through escapeReader. Without a terminal, or on
// Windows, whose console reports keys as events, it leaves input alone.
func WithKeyInput() tea.ProgramOption {
	none := func(*tea.Program) {}
	if runtime.GOOS == "windows" {
		return none
	}
	in := os.Stdin
	if !term.IsTerminal(in.Fd()) {
		tty, _, err := tea.OpenTTY()
		if err != nil {
			return none
		}
		in = tty
	}
	return tea.WithInput(escapeFile{f: in, r: escapeReader{r: in}})
}

// escapeReader passes keys through, writing a lone Esc as CSI 27 u.
type escapeReader struct{ r io.Reader }

func (e escapeReader) Read(p []byte) (int, error) {
	// Each byte may become len(escUnambiguous): read little enough that
	// everything read fits, so nothing waits in here for a later Read.
	room := len(p) / len(escUnambiguous)
	if room == 0 {
		return e.r.Read(p)
	}
	in := make([]byte, room)
	n, err := e.r.Read(in)
	in = in[:n]
	out := p[:0]
	for i, b := range in {
		last := i == len(in)-1
		// A read that filled its buffer may have cut a sequence after its
		// ESC: the rest is still coming.
		if b == 0x1b && ((last && n < room) || (!last && !goesOn(in[i+1]))) {
			out = append(out, escUnambiguous...)
			continue
		}
		out = append(out, b)
	}
	return len(out), err
}

// escapeFile is the terminal with escapeReader's reads: Bubble Tea puts it
// in raw mode and waits on it by its descriptor.
type escapeFile struct {
	f *os.File
	r escapeReader
}

func (e escapeFile) Read(p []byte) (int, error)  { return e.r.Read(p) }
func (e escapeFile) Write(p []byte) (int, error) { return e.f.Write(p) }
func (e escapeFile) Close() error                { return e.f.Close() }
func (e escapeFile) Fd() uintptr                 { return e.f.Fd() }
func (e escapeFile) Name() string                { return e.f.Name() }
