package display

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/ui/common"
)

// RetryEvery is how often the display looks for the till when it is not
// there.
const RetryEvery = time.Second

// Model is the customer's display: the program `kassa display` runs.
type Model struct {
	c       *common.Common
	connect Connect
	// where is the socket looked for, said while the till is not there.
	where string

	stream *Stream
	// up is set once the till said what to show; downErr is why it is
	// not there (a *RefusedError: it will not let this display in).
	up      bool
	downErr error
	st      State
	// deadline is when the customer's time runs out, on the display's
	// clock; now the clock at the last news or tick.
	deadline time.Time
	now      time.Time
	ticking  bool

	lay layout
}

// New is a display in the catalog's language cat that reaches the till
// with connect (where is the socket's path, said while it is not there),
// counting on clk.
func New(cat *locale.Catalog, clk clock.Clock, connect Connect, where string) Model {
	c := &common.Common{Cat: cat, Styles: common.DefaultStyles(), Clock: clk}
	return Model{c: c, connect: connect, where: where, now: clk.Now()}
}

type (
	retryMsg struct{}
	upMsg    struct{ s *Stream }
	stateMsg struct {
		s  *Stream
		st State
	}
	downMsg struct {
		s   *Stream
		err error
	}
	tickMsg struct{ at time.Time }
)

// Init looks for the till.
func (m Model) Init() tea.Cmd { return m.dial() }

func (m Model) dial() tea.Cmd {
	connect := m.connect
	return func() tea.Msg {
		s, err := connect(context.Background())
		if err != nil {
			return downMsg{err: err}
		}
		return upMsg{s: s}
	}
}

// read waits for the till's next word.
func read(s *Stream) tea.Cmd {
	if s == nil {
		return nil
	}
	return func() tea.Msg {
		st, err := s.Next()
		if err != nil {
			return downMsg{s: s, err: err}
		}
		return stateMsg{s: s, st: st}
	}
}

func (m Model) retry() tea.Cmd {
	clk := m.c.Clock
	return func() tea.Msg {
		<-clk.After(RetryEvery)
		return retryMsg{}
	}
}

// tick wakes the display when the countdown's shown second changes.
func (m Model) tick() tea.Cmd {
	left, ok := m.left()
	if !ok || left <= 0 || m.ticking {
		return nil
	}
	d := left % time.Second
	if d == 0 {
		d = time.Second
	}
	clk := m.c.Clock
	return func() tea.Msg { return tickMsg{at: <-clk.After(d)} }
}

// left is the customer's time left on the display's clock.
func (m Model) left() (time.Duration, bool) {
	if _, ok := m.st.Left(); !ok || !m.up {
		return 0, false
	}
	return max(m.deadline.Sub(m.now), 0), true
}

// Update takes the till's news, the clock and the keys: q or ctrl+c
// quits, every other key does nothing.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.lay = m.arrange()
	case tea.KeyPressMsg:
		if k := msg.String(); k == "q" || k == "ctrl+c" {
			if m.stream != nil {
				m.stream.Close()
			}
			return m, tea.Quit
		}
	case retryMsg:
		return m, m.dial()
	case upMsg:
		if m.stream != nil {
			m.stream.Close()
		}
		m.stream = msg.s
		return m, read(msg.s)
	case stateMsg:
		if msg.s != m.stream {
			return m, nil
		}
		m.up, m.downErr, m.st = true, nil, msg.st
		m.now = m.c.Clock.Now()
		if left, ok := msg.st.Left(); ok {
			m.deadline = m.now.Add(left)
		}
		m.lay = m.arrange()
		return m, tea.Batch(read(msg.s), m.startTick())
	case downMsg:
		if msg.s != nil && msg.s != m.stream {
			return m, nil
		}
		if m.stream != nil {
			m.stream.Close()
			m.stream = nil
		}
		m.up, m.downErr = false, msg.err
		var refused *RefusedError
		if !errors.As(msg.err, &refused) {
			m.downErr = nil
		}
		m.lay = m.arrange()
		return m, m.retry()
	case tickMsg:
		m.ticking = false
		m.now = msg.at
		return m, m.startTick()
	}
	return m, nil
}

// startTick starts the countdown's clock unless it runs already.
func (m *Model) startTick() tea.Cmd {
	cmd := m.tick()
	if cmd != nil {
		m.ticking = true
	}
	return cmd
}
