package ui

import (
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/central"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/history"
)

// fakeChain is a chain's books for the screens: one data file whose
// operations are filed under the shop and till where names them, as the
// central database would give them (package central tests the real one
// against PostgreSQL).
type fakeChain struct {
	st    *store.Store
	where map[store.ID][2]string
	tills []central.Till
}

var _ history.Chain = fakeChain{}

func (f fakeChain) mark(q store.Query, rows []store.Row) []store.Row {
	for i := range rows {
		w := f.where[rows[i].ID]
		rows[i].Shop, rows[i].Till = w[0], w[1]
	}
	return slices.DeleteFunc(rows, func(r store.Row) bool {
		return q.Shop != "" && r.Shop != q.Shop || q.Till != "" && r.Till != q.Till
	})
}

func (f fakeChain) Page(q store.Query, after store.Cursor, n int) ([]store.Row, store.Cursor, error) {
	rows, next, err := f.st.Page(q, after, n)
	return f.mark(q, rows), next, err
}

func (f fakeChain) PageAt(q store.Query, at store.Cursor, n int) ([]store.Row, store.Cursor, error) {
	rows, next, err := f.st.PageAt(q, at, n)
	return f.mark(q, rows), next, err
}

func (f fakeChain) PageNewer(q store.Query, before store.Cursor, n int) ([]store.Row, bool, error) {
	rows, more, err := f.st.PageNewer(q, before, n)
	return f.mark(q, rows), more, err
}

func (f fakeChain) Latest(q store.Query) (store.Row, bool, error) { return f.st.Latest(q) }

func (f fakeChain) Sources(q store.Query) ([]store.Source, error) { return f.st.Sources(q) }

func (f fakeChain) CursorAt(r store.Row) store.Cursor { return store.CursorAt(r) }

func (f fakeChain) Get(at store.Ref) (store.Operation, error) { return f.st.Get(at.ID) }

func (f fakeChain) Refunds(p store.Ref) ([]store.Operation, error) { return f.st.Refunds(p.ID) }

func (f fakeChain) Refundable(p store.Ref) (providers.Money, error) { return f.st.Refundable(p.ID) }

func (f fakeChain) WriteCSV(w io.Writer, q store.Query, format store.CSVFormat) (int, error) {
	return f.st.WriteCSV(w, q, format)
}

func (f fakeChain) Tills() ([]central.Till, error) { return f.tills, nil }

// TotalsBy sums the successful rows per shop, till and provider.
func (f fakeChain) TotalsBy(q store.Query) ([]central.Total, error) {
	q.Kind = ""
	rows, _, err := f.Page(q, nil, 1000)
	var out []central.Total
	for _, r := range rows {
		if r.State != store.StateSuccess {
			continue
		}
		i := slices.IndexFunc(out, func(t central.Total) bool { return t.Shop == r.Shop && t.Till == r.Till && t.Provider == r.Provider })
		if i < 0 {
			zero := providers.New(0, r.Amount.Currency)
			out = append(out, central.Total{Shop: r.Shop, Till: r.Till, Provider: r.Provider, Totals: store.Totals{Paid: zero, Refunded: zero}})
			i = len(out) - 1
		}
		if r.Kind == store.KindPayment {
			out[i].Payments++
			out[i].Paid = out[i].Paid.Add(r.Amount)
		} else {
			out[i].Refunds++
			out[i].Refunded = out[i].Refunded.Add(r.Amount)
		}
	}
	slices.SortFunc(out, func(a, b central.Total) int { return strings.Compare(a.Shop+"\x00"+a.Till, b.Shop+"\x00"+b.Till) })
	return out, err
}

func (f fakeChain) Totals(q store.Query, c providers.Currency) (store.Totals, error) {
	t := store.Totals{Paid: providers.New(0, c), Refunded: providers.New(0, c)}
	list, err := f.TotalsBy(q)
	for _, one := range list {
		t.Payments, t.Refunds = t.Payments+one.Payments, t.Refunds+one.Refunds
		t.Paid, t.Refunded = t.Paid.Add(one.Paid), t.Refunded.Add(one.Refunded)
	}
	return t, err
}

// chainShop is shopData filed under two shops' three tills; the third
// till last reached the server two days ago.
func chainShop(t *testing.T) fakeChain {
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	shopData(st, nil)
	return fakeChain{st: st,
		where: map[store.ID][2]string{1: {"Chilanzar", "T1"}, 2: {"Chilanzar", "T2"}, 3: {"Yunusabad", "T1"}, 4: {"Chilanzar", "T2"}},
		tills: []central.Till{
			{Shop: "Chilanzar", Till: "T1", Seen: t0.Add(-time.Minute)},
			{Shop: "Chilanzar", Till: "T2", Seen: t0.Add(-48 * time.Hour)},
			{Shop: "Yunusabad", Till: "T1", Seen: t0.Add(-time.Minute)},
		}}
}

type chainScene struct {
	name  string
	drive func(k *till)
	want  []string
}

func chainScenes() []chainScene {
	open := func(k *till) {
		k.waitTitle(k.cat.T("centralhistory.title") + " · " + k.cat.T("title.history", k.cat.T("history.payments"), 2))
	}
	return []chainScene{
		// Every till's payments of the day, the shop and till beside each,
		// and the till not heard from for two days named above them.
		{name: "chain_history", drive: open, want: []string{"centralhistory.col_where", "Chilanzar · T2", "Yunusabad · T1"}},
		{name: "chain_by_till", want: []string{"centralhistory.col_net", "centralhistory.col_refunded"}, drive: func(k *till) {
			open(k)
			k.key('b', "b")
			k.waitTitle(k.cat.T("centralhistory.title") + " · " + k.cat.N("centralhistory.title_by_till", 2, 2))
			k.key(tea.KeyEnter) // no list shown: nothing opens
		}},
		{name: "chain_one_till", drive: func(k *till) {
			open(k)
			k.key('k', "k") // Chilanzar
			k.key('k', "k") // Chilanzar, T1
			k.key('k', "k") // Chilanzar, T2
			k.waitTitle(k.cat.T("centralhistory.title") + " · " + k.cat.T("title.history", k.cat.T("history.payments"), 1))
		}},
		// A refund asked of the chain's history: made at the till, it says.
		{name: "chain_detail_refund_refused", want: []string{"Chilanzar"}, drive: func(k *till) {
			open(k)
			k.key(tea.KeyDown)
			k.key(tea.KeyEnter)
			k.waitTitle(k.cat.T("centralhistory.title") + " · " + k.cat.T("title.history_detail", "000002"))
			k.key('r', "r") // answered at once: the screen shows it when the test stops it
		}},
	}
}

// newChainTill is kassa history --central over chainShop in a
// width×height terminal.
func newChainTill(t *testing.T, width, height int, lang string) *till {
	t.Helper()
	clk := clock.NewFake(t0)
	cat := locale.MustLoad(lang)
	c := &common.Common{Cat: cat, Styles: common.DefaultStyles(), Keys: common.NewKeyMap(cat), Clock: clk, Lang: lang}
	m := NewChain(c, chainShop(t), providers.KZT, "db.example/kassa", "", "")
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(width, height))
	return &till{t: t, tm: tm, clk: clk, cat: cat}
}

// The chain's history at 80×24 in every language: its picture in each,
// no line cut, no English left.
func TestChainHistoryAt80x24(t *testing.T) {
	for _, sc := range chainScenes() {
		for _, lang := range locale.Languages() {
			t.Run(sc.name+"/"+lang, func(t *testing.T) {
				k := newChainTill(t, 80, 24, lang)
				sc.drive(k)
				s := k.screen()
				checkFits(t, s, 80, 24)
				checkNoEnglish(t, flatten(s), k.cat)
				for _, key := range sc.want {
					text := key
					if k.cat.Has(key) {
						text = k.cat.T(key)
					}
					if !strings.Contains(flatten(s), flatten(text)) {
						t.Errorf("the screen does not show %s whole: %q", key, text)
					}
				}
				golden.RequireEqual(t, s)
			})
		}
	}
}
