package check

import (
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

var t0 = time.Date(2026, 11, 23, 14, 20, 0, 0, time.UTC)

// A shop with 937 operations to check: PgUp/PgDn move a window's worth,
// Home and End go to either end, and the list holds every one of them.
func TestALongListPagesAndGoesToItsEnds(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Batch(func(create func(*store.Operation) error) error {
		for i := range 937 {
			op := store.NewPayment("kaspi", providers.New(100+int64(i), providers.KZT), "", false, t0.Add(time.Duration(i)*time.Minute))
			op.NeedsCheck(store.NoteInterrupted, op.Created)
			if err := create(&op); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cat := locale.MustLoad("en")
	c := &common.Common{Cat: cat, Styles: common.DefaultStyles(), Keys: common.NewKeyMap(cat), Clock: clock.NewFake(t0), Store: st, Width: 80, Height: 24}
	m, cmd := New(c).Open()
	m, _ = m.Update(cmd())
	if m.Count() != 937 || m.Title() != "937 operations to check" {
		t.Fatalf("%d listed, title %q", m.Count(), m.Title())
	}
	rows := m.visibleRows()
	press := func(code rune) {
		m, _ = m.Update(tea.KeyPressMsg{Code: code})
	}
	for _, step := range []struct {
		key  rune
		want int
	}{
		{tea.KeyPgDown, rows}, {tea.KeyPgDown, 2 * rows}, {tea.KeyPgUp, rows}, {tea.KeyEnd, 936},
		{tea.KeyPgDown, 936}, {tea.KeyUp, 935}, {tea.KeyHome, 0}, {tea.KeyPgUp, 0},
	} {
		press(step.key)
		if m.cursor != step.want {
			t.Fatalf("after %v the cursor is on %d, want %d", tea.KeyPressMsg{Code: step.key}, m.cursor, step.want)
		}
	}
	var helped []string
	for _, b := range m.ShortHelp() {
		helped = append(helped, b.Help().Key)
	}
	if len(helped) < 5 || helped[3] != "pgup/pgdn" || helped[4] != "home/end" {
		t.Fatalf("help %q", helped)
	}
}
