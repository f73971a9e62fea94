package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// runGen writes realistic operations for trying the history on a big shop,
// saying on progress how far it is every tenth: a million take a minute.
func runGen(args []string, out, progress io.Writer) error {
	// Made-up payments in a till's own file could never be told from real
	// ones again: gen writes only where it is told, into a new file.
	if !hasFlag(args, "db") && !hasFlag(args, "help") && !hasFlag(args, "h") {
		return usageErr(catalogFor(langFlag(args)).T("cli.gen_needs_db"), nil)
	}
	var count int
	var seed uint64
	st, cat, err := openStore(args, func(fs *flag.FlagSet) {
		fs.IntVar(&count, "count", 10000, "flag.gen.count")
		fs.Uint64Var(&seed, "seed", 1, "flag.gen.seed")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	if count <= 0 {
		return usageErr(cat.T("cli.gen_count"), nil)
	}
	if ops, err := st.Recent(1); err != nil {
		return booksErr(cat.T("cli.db_failed", st.Path(), err), err)
	} else if len(ops) > 0 {
		return usageErr(cat.T("cli.gen_not_new", st.Path()), nil)
	}
	start := time.Now()
	g := newGenerator(seed, start, count)
	fmt.Fprintln(progress, cat.T("cli.gen_start", cat.Number(int64(count)), st.Path()))
	for done, tenth := 0, 0; done < count; {
		batch := min(genBatch, count-done)
		if err := st.Batch(func(create func(*store.Operation) error) error { return g.write(create, done, batch) }); err != nil {
			return booksErr(cat.T("cli.db_failed", st.Path(), err), err)
		}
		done += batch
		if t := done * 10 / count; t > tenth && done < count {
			tenth = t
			fmt.Fprintln(progress, cat.T("cli.gen_progress", cat.Number(int64(done)), cat.Number(int64(count)), 10*t))
		}
	}
	fmt.Fprintln(out, cat.N("cli.gen_done", count, count, st.Path(), time.Since(start).Round(time.Millisecond)))
	return nil
}

// hasFlag reports whether args set the flag name on the command line.
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// generator makes a Kaspi shop's operations over the last six months, in
// opening hours (09:00–22:00): mostly QR with orderNumber, a quarter card
// with rrn and card mask; a few declines, refusals (the POS busy) and
// payments a person had to check; partial and full refunds, a few of them
// failed, never more in all than their payment. Nothing is left open
// (pending, unknown, timeout): the till would take each up at start and
// ask the POS about a process that never was.
type generator struct {
	rnd  *rand.Rand
	now  time.Time
	n    int
	step time.Duration // of opening hours between two operations
	paid []refundable  // recent payments refunds are made from
}

type refundable struct {
	op   store.Operation
	left providers.Money
}

// genBatch is how many operations gen writes in one transaction: larger
// bbolt transactions get slower, not faster.
var genBatch = 20000

const (
	genOpen, genClose = 9 * time.Hour, 22 * time.Hour
	genDays           = 180
)

var (
	genTerminals = []string{"31452963", "31452964", "31452970"}
	genCashiers  = []string{"Айгерім", "Данияр", "Мария"}
	genProducts  = []string{"Gold", "Gold", "Gold", "Red", "Credit", "BusinessAccount"}
)

func newGenerator(seed uint64, now time.Time, n int) *generator {
	// The step first: span × n would overflow a Duration.
	return &generator{rnd: rand.New(rand.NewPCG(seed, 7)), now: now, n: n,
		step: genDays * (genClose - genOpen) / time.Duration(n)}
}

// at is when operation i of n happens: counted back from now through
// opening hours only, so times rise with i and nights stay empty.
func (g *generator) at(i int) time.Time {
	back := g.step * time.Duration(g.n-i)
	y, m, d := g.now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, g.now.Location())
	open := min(max(g.now.Sub(today.Add(genOpen)), 0), genClose-genOpen) // of today, so far
	if back < open {
		return today.Add(genOpen).Add(open - back)
	}
	back -= open
	hours := genClose - genOpen
	days := int(back / hours)
	return today.AddDate(0, 0, -days-1).Add(genClose - back%hours)
}

func (g *generator) write(create func(*store.Operation) error, from, count int) error {
	for i := from; i < from+count; i++ {
		at := g.at(i)
		if len(g.paid) > 0 && g.rnd.IntN(12) == 0 {
			if err := g.refund(create, at, i); err != nil {
				return err
			}
			continue
		}
		if err := g.payment(create, at, i); err != nil {
			return err
		}
	}
	return nil
}

// amount is a purchase in whole tenge: mostly small, some large.
func (g *generator) amount() providers.Money {
	var t int64
	switch r := g.rnd.IntN(100); {
	case r < 70:
		t = 300 + 10*g.rnd.Int64N(970) // 300 – 9,990
	case r < 95:
		t = 10000 + 50*g.rnd.Int64N(800) // 10,000 – 49,950
	default:
		t = 50000 + 100*g.rnd.Int64N(2500) // 50,000 – 299,900
	}
	return providers.New(t, providers.KZT)
}

func (g *generator) payment(create func(*store.Operation) error, at time.Time, i int) error {
	amount := g.amount()
	op := store.NewPayment("kaspi", amount, genCashiers[g.rnd.IntN(len(genCashiers))], false, at)
	switch r := g.rnd.IntN(1000); {
	case r < 5: // the POS was still busy with the last one (107)
		op.Refused(&providers.Error{Kind: providers.ErrBusy, HTTPStatus: 200, Code: "107",
			Text: "Could not register transaction. Last operation was not completed."}, at)
		return create(&op)
	case r < 7: // the answer to /payment never came; a person checks the POS
		op.NeedsCheck(store.NoteNoAnswer, at.Add(time.Minute))
		if r == 6 {
			number := fmt.Sprintf("5%08d", i)
			if err := op.Checked(store.Check{At: at.Add(time.Hour), By: "Manager", Paid: true,
				Note: "paid in the POS history, order " + number}, number); err != nil {
				return err
			}
			op.Method = providers.MethodQR
		}
		return create(&op)
	}
	op.Started(providers.Status{Ref: fmt.Sprintf("1795%09d", i), State: providers.StatePending, Stage: providers.StageStarting, Detail: "Initialize"}, at)
	cheque := &providers.Cheque{Type: "payment", StoreName: "Kaspi Mark", City: "Алматы қ.", Address: "Қонаев 11, 6",
		BIN: "960419351140", TerminalID: genTerminals[g.rnd.IntN(len(genTerminals))], Date: at.Format("02.01.06 15:04:05"),
		Amount: amount.Grouped() + " ₸"}
	st := providers.Status{State: providers.StateSuccess, Stage: providers.StageDone, Cheque: cheque}
	if g.rnd.IntN(4) == 0 {
		cheque.Method, cheque.RRN, cheque.CardMask, cheque.ICC = providers.MethodCard, fmt.Sprintf("3072%08d", i), "440043******6389", "A0000000031010"
		cheque.AuthorizationCode, cheque.HostResponseCode = fmt.Sprintf("%06d", g.rnd.IntN(1e6)), "00"
		cheque.Status = "Покупка. Одобрено"
		if amount.Minor > 25000 {
			cheque.PinEntered = "true"
		}
		st.Method, st.TransactionID, st.Detail = providers.MethodCard, cheque.RRN, "CardTransactionSuccess"
	} else {
		cheque.Method, cheque.OrderNumber = providers.MethodQR, fmt.Sprintf("5%08d", i)
		cheque.Status = "Kaspi Gold-ман сатып алу. Мақұлданды"
		st.Method, st.TransactionID, st.Detail = providers.MethodQR, cheque.OrderNumber, "QrTransactionSuccess"
		st.Offer = &providers.Offer{ProductType: genProducts[g.rnd.IntN(len(genProducts))]}
	}
	if g.rnd.IntN(100) < 5 { // the customer cancelled or the card was declined
		st = providers.Status{State: providers.StateFail, Stage: providers.StageDone, Detail: "ProcessCancelled",
			Message: "Сатып алушы сатып алуды жойды"}
	}
	op.ApplyStatus(st, at.Add(time.Duration(8+g.rnd.IntN(40))*time.Second))
	if err := create(&op); err != nil {
		return err
	}
	if op.State == store.StateSuccess && op.TransactionID != "" {
		if len(g.paid) == 2000 { // forget the oldest third: refunds come soon after
			g.paid = append(g.paid[:0], g.paid[len(g.paid)/3:]...)
		}
		g.paid = append(g.paid, refundable{op: op, left: op.Amount})
	}
	return nil
}

func (g *generator) refund(create func(*store.Operation) error, at time.Time, i int) error {
	k := g.rnd.IntN(len(g.paid))
	p := &g.paid[k]
	amount := p.left // the rest, or part of it
	if g.rnd.IntN(2) == 0 {
		amount = providers.New(max(1, amount.Minor/int64(2+g.rnd.IntN(3))), providers.KZT)
	}
	r := store.NewRefund(p.op, amount, p.op.Cashier, at)
	r.Started(providers.Status{Ref: fmt.Sprintf("1796%09d", i)}, at)
	ch := *p.op.Cheque
	ch.Type, ch.Amount, ch.Date = "refund", "- "+amount.Grouped()+" ₸", at.Format("02.01.06 15:04:05")
	ch.ICC, ch.HostResponseCode, ch.PinEntered = "", "", "" // not on a card refund's cheque
	// A QR refund gets an order number of its own; a card refund quotes
	// its payment's rrn, as the POS's do.
	number := p.op.TransactionID
	if p.op.Method == providers.MethodQR {
		number = fmt.Sprintf("5%08d", i)
		ch.OrderNumber = number
	}
	st := providers.Status{State: providers.StateSuccess, Stage: providers.StageDone, Method: p.op.Method,
		TransactionID: number, Cheque: &ch}
	if g.rnd.IntN(100) < 3 {
		st = providers.Status{State: providers.StateFail, Stage: providers.StageDone, Message: "Refund declined"}
	}
	r.ApplyStatus(st, at.Add(30*time.Second))
	if r.State == store.StateSuccess {
		p.left = p.left.Sub(amount)
		if p.left.Minor == 0 {
			g.paid[k] = g.paid[len(g.paid)-1]
			g.paid = g.paid[:len(g.paid)-1]
		}
	}
	return create(&r)
}
