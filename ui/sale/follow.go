package sale

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/store/tracker"
	"github.com/kassa-till/kassa/ui/common"
	"github.com/kassa-till/kassa/ui/qrcode"
)

// Again asks the sale screen to take the same amount again at the same
// provider: one key after a decline.
type Again struct {
	Provider string
	Amount   providers.Money
	// Sale is the product and customer of a payment whose provider
	// registers the fiscal receipt, taken again as they were.
	Sale *providers.Sale
}

// LeaveMsg is how the cashier left an operation's screen: for a new sale,
// for the same amount again, or with the first digit of the next sale.
type LeaveMsg struct {
	Again *Again
	Typed rune
}

// Follow is one operation's screen: the QR or the terminal's progress and
// the time left while the customer acts, then the outcome and the receipt.
// It shows what the tracker publishes and asks the tracker to cancel or
// hand over; it never follows the operation itself.
type Follow struct {
	c *common.Common
	// What is being started, until the tracker has it.
	kind     store.Kind
	provider string
	amount   providers.Money

	m     tracker.Machine
	begun bool
	// early keeps states published before the start returned, so none is
	// missed.
	early map[store.ID]tracker.Machine
	// now is the clock's time at the last tick, for the countdown.
	now time.Time

	spinner spinner.Model
	// receipt scrolls the finished operation's receipt; receiptFor is the
	// operation it holds.
	receipt    viewport.Model
	receiptFor store.ID
	// receiptFiscal is how the fiscal data stood when the receipt was
	// laid out: it is laid out again when that changes.
	receiptFiscal string
	// fiscalQR shows the fiscal receipt's QR in the whole frame.
	fiscalQR bool
	// printing is set while a receipt prints; autoPrinted is the
	// operation whose receipt printed by itself (once); printErr why the
	// last print failed. slipping and slipErr are the QR slip's.
	printing    bool
	autoPrinted store.ID
	printErr    error
	slipping    bool
	slipErr     error
	// link takes the fiscal receipt's link where the provider keeps one.
	link    textinput.Model
	linking bool
	linkErr error
	// askErr is why the tracker refused the cashier's cancel or hand-over.
	askErr error
	// nav is the cashier's way out, for the root to take.
	nav common.Nav
	// qr is the customer's code drawn for the terminal's size: drawing
	// takes milliseconds, so it is done when the payload or the size
	// changes, not in View.
	qr qrDrawing
}

// qrDrawing is a drawn QR and what it was drawn for.
type qrDrawing struct {
	payload       string
	width, height int
	drawing       qrcode.Drawing
	err           error
}

// TakeNav returns the cashier's way out of the screen, if they took one.
func (f Follow) TakeNav() (common.Nav, Follow) {
	nav := f.nav
	f.nav = common.Nav{}
	return nav, f
}

// leave asks the root to close the screen and tell the one below how.
func (f Follow) leave(msg LeaveMsg) (Follow, tea.Cmd) {
	f.nav = common.Nav{Pop: true, Then: msg}
	return f, nil
}

type (
	begunMsg struct {
		m   tracker.Machine
		err error
	}
	tickMsg struct {
		id store.ID
		at time.Time
	}
	askedMsg struct {
		id  store.ID
		err error
	}
	linkedMsg struct {
		op  store.Operation
		err error
	}
)

func newFollow(c *common.Common, kind store.Kind, provider string, a providers.Money) Follow {
	link := textinput.New()
	link.Placeholder = "https://ofd.soliq.uz/check?…"
	link.CharLimit = 500
	link.SetWidth(60)
	return Follow{
		c: c, kind: kind, provider: provider, amount: a, now: c.Clock.Now(),
		early:   map[store.ID]tracker.Machine{},
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		receipt: viewport.New(), link: link,
	}
}

// Pay opens the screen of a payment of a at provider; its command writes
// the payment ahead and hands it to the tracker.
func Pay(c *common.Common, provider string, a providers.Money) (common.Screen, tea.Cmd) {
	return PaySale(c, provider, a, providers.Sale{})
}

// PaySale is Pay with the product and customer a provider that registers
// the fiscal receipt needs.
func PaySale(c *common.Common, provider string, a providers.Money, sale providers.Sale) (common.Screen, tea.Cmd) {
	f := newFollow(c, store.KindPayment, provider, a)
	tr, cashier, demo := c.Tracker, c.Cashier, c.Demo
	return common.AsScreen(f), tea.Batch(func() tea.Msg {
		m, err := tr.PaySale(provider, a, sale, cashier, demo)
		return begunMsg{m: m, err: err}
	}, f.spinner.Tick)
}

// Refund opens the screen of a refund of a from payment.
func Refund(c *common.Common, payment store.Operation, a providers.Money) (common.Screen, tea.Cmd) {
	f := newFollow(c, store.KindRefund, payment.Provider, a)
	tr, cashier, approver := c.Tracker, c.Cashier, c.Approver
	return common.AsScreen(f), tea.Batch(func() tea.Msg {
		m, err := tr.RefundApproved(payment, a, cashier, approver)
		return begunMsg{m: m, err: err}
	}, f.spinner.Tick)
}

// Show opens the screen of an operation the tracker already follows (one
// an earlier run left open).
func Show(c *common.Common, m tracker.Machine) (common.Screen, tea.Cmd) {
	f := newFollow(c, m.Op.Kind, m.Op.Provider, m.Op.Amount)
	f.m, f.begun = m, true
	f = f.syncReceipt().drawQR()
	return common.AsScreen(f), tea.Batch(f.spinner.Tick, f.tick())
}

// Machine is the operation as last published, for the root and tests.
func (f Follow) Machine() tracker.Machine { return f.m }

// Begun reports whether the tracker has the operation.
func (f Follow) Begun() bool { return f.begun }

// phase is where the operation stands as shown: Starting until it begins.
func (f Follow) phase() tracker.Phase {
	if !f.begun && f.m.Phase == tracker.Starting && f.m.Err == nil {
		return tracker.Starting
	}
	return f.m.Phase
}

// Holds reports whether the cashier must wait for the operation.
func (f Follow) Holds() bool { return !f.begun && f.m.Err == nil || f.m.Holds() }

func (f Follow) info() providers.Info { return f.c.Info(f.provider) }

// tick runs the countdown on the till's clock while the customer acts: a
// provider may hold its status answer for minutes.
func (f Follow) tick() tea.Cmd {
	if !f.m.Holds() || !f.m.HasDeadline() {
		return nil
	}
	clk, id := f.c.Clock, f.m.Op.ID
	return func() tea.Msg { return tickMsg{id: id, at: <-clk.After(time.Second)} }
}

// Update takes the tracker's news and the cashier's keys.
func (f Follow) Update(msg tea.Msg) (Follow, tea.Cmd) {
	switch msg := msg.(type) {
	case begunMsg:
		if f.begun {
			return f, nil
		}
		f.begun = true
		f.m = msg.m
		if msg.err != nil && f.m.Op.ID == 0 {
			// Refused before it was written (the provider still busy): the
			// screen says why; nothing happened.
			f.m = tracker.Machine{Phase: tracker.NotStarted, Err: msg.err, Info: f.info()}
			f.m.Op.Kind, f.m.Op.Provider, f.m.Op.Amount = f.kind, f.provider, f.amount
		}
		if later, ok := f.early[f.m.Op.ID]; ok && later.Seq > f.m.Seq {
			f.m = later
		}
		f.early = nil
		f = f.syncReceipt().drawQR()
		return f, f.tick()
	case common.OpsChanged:
		for _, m := range msg.Machines {
			switch {
			case !f.begun:
				if m.Seq > f.early[m.Op.ID].Seq {
					f.early[m.Op.ID] = m
				}
			case m.Op.ID == f.m.Op.ID && m.Seq > f.m.Seq:
				f.m = m
				f.now = later(f.now, m.Now)
			}
		}
		return f.syncReceipt().drawQR().autoPrint()
	case printedMsg:
		if msg.op.ID == f.m.Op.ID {
			f.printing, f.printErr = false, msg.err
			// What the print recorded on the operation, kept beside what
			// the tracker published.
			f.m.Op.Printed, f.m.Op.Prints, f.m.Op.PrintError = msg.op.Printed, msg.op.Prints, msg.op.PrintError
		}
		return f, nil
	case slipMsg:
		if msg.id == f.m.Op.ID {
			f.slipping, f.slipErr = false, msg.err
		}
		return f, nil
	case tickMsg:
		if msg.id != f.m.Op.ID || !f.m.Holds() {
			return f, nil
		}
		f.now = later(f.now, msg.at)
		return f, f.tick()
	case askedMsg:
		if msg.id == f.m.Op.ID {
			f.askErr = msg.err
		}
		return f, nil
	case linkedMsg:
		if msg.op.ID == f.m.Op.ID {
			f.linkErr = msg.err
			if msg.err == nil || msg.op.ReceiptURL != "" {
				f.m.Op = msg.op
				f.linking = false
			}
		}
		return f, nil
	case spinner.TickMsg:
		if !f.Holds() {
			return f, nil
		}
		var cmd tea.Cmd
		f.spinner, cmd = f.spinner.Update(msg)
		return f, cmd
	case tea.WindowSizeMsg:
		return f.syncReceipt().drawQR(), nil
	case tea.PasteMsg:
		if f.linking || f.canLink() {
			f.linking = true
			f.link.Focus()
			var cmd tea.Cmd
			f.link, cmd = f.link.Update(msg)
			return f, cmd
		}
	case tea.KeyPressMsg:
		return f.key(msg)
	}
	return f, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (f Follow) key(msg tea.KeyPressMsg) (Follow, tea.Cmd) {
	k := f.c.Keys
	if f.linking {
		return f.keyLink(msg)
	}
	if f.Holds() {
		switch {
		case key.Matches(msg, k.PrintQR) && f.c.Printer != nil && f.showsQR():
			return f.printSlip()
		case key.Matches(msg, k.CancelOp) && f.canCancel():
			tr, id := f.c.Tracker, f.m.Op.ID
			f.askErr = nil
			return f, func() tea.Msg { return askedMsg{id: id, err: tr.Cancel(id)} }
		case key.Matches(msg, k.HandOver) && f.canHandOver():
			tr, id := f.c.Tracker, f.m.Op.ID
			f.askErr = nil
			return f, func() tea.Msg { return askedMsg{id: id, err: tr.HandOver(id)} }
		}
		return f, nil
	}
	if f.fiscalQR {
		// Any key gives the receipt back; Ctrl+C still quits at the root.
		f.fiscalQR = false
		return f, nil
	}
	again := f.again()
	switch {
	case key.Matches(msg, k.Print) && f.c.Printer != nil && f.phase() == tracker.Paid:
		return f.reprint()
	case key.Matches(msg, k.FiscalQR) && f.hasFiscalQR():
		f.fiscalQR = true
		return f.drawQR(), nil
	case key.Matches(msg, k.PayAgain) && again != nil:
		return f.leave(LeaveMsg{Again: again})
	case key.Matches(msg, k.Next), key.Matches(msg, k.NewSale) && again != nil:
		return f.leave(LeaveMsg{})
	case len(msg.Text) == 1 && msg.Text[0] >= '0' && msg.Text[0] <= '9':
		// The next customer's amount: the receipt screen gives way to it.
		return f.leave(LeaveMsg{Typed: rune(msg.Text[0])})
	case f.canLink() && msg.Text != "" && msg.Mod&^tea.ModShift == 0:
		// A barcode scanner types the fiscal receipt's link as keys.
		f.linking, f.linkErr = true, nil
		f.link.Reset()
		f.link.Focus()
		var cmd tea.Cmd
		f.link, cmd = f.link.Update(msg)
		return f, cmd
	case f.phase() == tracker.Paid && msg.String() == "home":
		f.receipt.GotoTop()
	case f.phase() == tracker.Paid && msg.String() == "end":
		f.receipt.GotoBottom()
	case f.phase() == tracker.Paid && key.Matches(msg, k.Scroll):
		var cmd tea.Cmd
		f.receipt, cmd = f.receipt.Update(msg)
		return f, cmd
	}
	return f, nil
}

func (f Follow) keyLink(msg tea.KeyPressMsg) (Follow, tea.Cmd) {
	k := f.c.Keys
	switch {
	case key.Matches(msg, k.Back):
		f.linking, f.linkErr = false, nil
		f.link.Blur()
		return f, nil
	case key.Matches(msg, k.Save):
		url := strings.TrimSpace(f.link.Value())
		if url == "" {
			f.linking = false
			return f, nil
		}
		tr, op := f.c.Tracker, f.m.Op
		return f, func() tea.Msg {
			linked, err := tr.LinkReceipt(op.ID, url)
			return linkedMsg{op: linked, err: err}
		}
	}
	var cmd tea.Cmd
	f.link, cmd = f.link.Update(msg)
	return f, cmd
}

// canCancel: the cashier may give up on a payment the till can withdraw.
func (f Follow) canCancel() bool {
	return f.begun && f.m.CanCancel && f.m.Phase == tracker.Waiting && f.m.Op.Kind == store.KindPayment
}

// canHandOver: the till cannot settle the operation now (no answer, or an
// outcome the provider does not know); a person may move it to the
// operations to check so the till can go on.
func (f Follow) canHandOver() bool {
	if !f.begun || !f.m.Holds() || f.m.Phase == tracker.Starting {
		return false
	}
	return f.m.Phase == tracker.Resolving || f.m.Failing > 0
}

// canLink: a paid payment whose provider keeps the fiscal receipt's link,
// not linked yet.
func (f Follow) canLink() bool {
	if f.phase() != tracker.Paid || f.m.Op.Kind != store.KindPayment {
		return false
	}
	p, ok := f.c.Providers.Get(f.m.Op.Provider)
	if !ok {
		return false
	}
	_, ok = p.(providers.ReceiptLinker)
	return ok && f.m.Op.ReceiptLinked.IsZero()
}

// again is the same payment once more, where that is safe: the customer
// was not charged and the provider said so.
func (f Follow) again() *Again {
	if f.m.Op.Kind != store.KindPayment {
		return nil
	}
	switch f.phase() {
	case tracker.Declined, tracker.Cancelled:
	case tracker.NotStarted:
		if f.m.Op.State == store.StateNeedsCheck {
			return nil
		}
	case tracker.TimedOut:
		if f.m.Op.State != store.StateFailed {
			return nil
		}
	default:
		return nil
	}
	return &Again{Provider: f.m.Op.Provider, Amount: f.m.Op.Amount, Sale: f.m.Op.Sale}
}

// Title is the operation's state in a few words, for the terminal's title
// bar: a cashier who switched windows still sees that a payment waits.
func (f Follow) Title() string {
	a := f.c.Money(f.amount)
	switch f.phase() {
	case tracker.Starting, tracker.Waiting, tracker.Cancelling:
		if f.m.Background {
			return f.kt("title.background", a)
		}
		return f.kt("title.waiting", a)
	case tracker.Resolving:
		if f.m.Background {
			return f.kt("title.background", a)
		}
		return f.kt("title.unknown", a)
	case tracker.Paid:
		return f.kt("title.paid", a)
	case tracker.Declined:
		return f.kt("title.declined", a)
	case tracker.NotStarted:
		return f.kt("title.notstarted", a)
	case tracker.Check:
		return f.kt("title.check", a)
	case tracker.TimedOut:
		return f.kt("title.timeout", a)
	case tracker.Cancelled:
		return f.kt("title.cancelled", a)
	}
	return f.kt("title.entry")
}

// kt is T with the refund's own wording where the catalog has one (key +
// "_refund"), and the provider's where it has one (key + "_" + provider),
// so one screen serves payments and refunds of every provider.
func (f Follow) kt(key string, args ...any) string {
	return f.c.TFor(f.provider, f.kindKey(key), args...)
}

// kn is kt for a text by the number n.
func (f Follow) kn(key string, n int, args ...any) string {
	return f.c.NFor(f.provider, f.kindKey(key), n, args...)
}

// kindKey is key in a refund's own words where the catalog has them.
func (f Follow) kindKey(key string) string {
	if f.kind == store.KindRefund && f.c.Cat.Has(key+"_refund") {
		return key + "_refund"
	}
	return key
}

// ShortHelp lists the keys that work now.
func (f Follow) ShortHelp() []key.Binding {
	k := f.c.Keys
	if f.linking {
		return []key.Binding{k.SaveLink, k.Back, k.Quit}
	}
	if f.Holds() {
		var keys []key.Binding
		if f.canCancel() {
			keys = append(keys, k.CancelOp)
		}
		if f.canHandOver() {
			keys = append(keys, k.HandOver)
		}
		if f.c.Printer != nil && f.showsQR() {
			keys = append(keys, k.PrintQR)
		}
		return append(keys, k.Quit)
	}
	var keys []key.Binding
	if f.again() != nil {
		keys = append(keys, k.PayAgain, k.NewSale)
	} else {
		keys = append(keys, k.Next)
	}
	if f.phase() == tracker.Paid && f.receipt.TotalLineCount() > f.receipt.Height() {
		keys = append(keys, k.Scroll)
	}
	if f.canLink() {
		keys = append(keys, k.Link)
	}
	if f.hasFiscalQR() {
		keys = append(keys, k.FiscalQR)
	}
	if f.c.Printer != nil && f.phase() == tracker.Paid {
		keys = append(keys, k.Print)
	}
	return append(keys, k.Quit)
}

// FullHelp is ShortHelp in one column.
func (f Follow) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
