package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/store"
)

// openStore opens the data file the flags name, without a POS: for the
// manager's commands.
func openStore(args []string, extra ...func(*flag.FlagSet)) (*store.Store, error) {
	cfg, _, err := loadConfig("kassa", args, extra...)
	if err != nil {
		return nil, err
	}
	path := cfg.DB
	if path == "" {
		path = filepath.Join(dataDir(), "kassa.db")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	st, err := store.Open(path)
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%s is open in another kassa; close that one first", path)
	}
	return st, err
}

// runExport writes a period's payments or refunds as CSV.
func runExport(args []string, out io.Writer) error {
	var from, to, kind, file string
	st, err := openStore(args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "first day, YYYY-MM-DD")
		fs.StringVar(&to, "to", "", "last day, YYYY-MM-DD (at most 35 days after --from)")
		fs.StringVar(&kind, "kind", "payments", "payments or refunds")
		fs.StringVar(&file, "out", "", "CSV file to write; default kassa-KIND-FROM-TO.csv")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	q := store.Query{Kind: store.KindPayment}
	switch kind {
	case "payments":
	case "refunds":
		q.Kind = store.KindRefund
	default:
		return fmt.Errorf("--kind %q: use payments or refunds", kind)
	}
	if q.From, err = store.ParseDay(from); err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	if q.To, err = store.ParseDay(to); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	if err := q.Validate(); err != nil {
		if errors.Is(err, store.ErrPeriodTooLong) {
			return fmt.Errorf("%s to %s is %d days; export at most %d at a time", from, to, q.Days(), store.MaxPeriod)
		}
		return fmt.Errorf("%s to %s: the period ends before it starts", from, to)
	}
	if file == "" {
		file = fmt.Sprintf("kassa-%s-%s-%s.csv", kind, from, to)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	rows, err := st.WriteCSV(f, q)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(file)
	fmt.Fprintf(out, "%d %s written to %s\n", rows, kind, abs)
	return nil
}

// runGen writes realistic operations for trying the history on a big shop.
func runGen(args []string, out io.Writer) error {
	var count int
	var seed uint64
	st, err := openStore(args, func(fs *flag.FlagSet) {
		fs.IntVar(&count, "count", 10000, "how many operations to write")
		fs.Uint64Var(&seed, "seed", 1, "the same seed writes the same operations")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	if count <= 0 {
		return errors.New("--count must be more than 0")
	}
	g := generator{rnd: rand.New(rand.NewPCG(seed, 7)), now: time.Now(), n: count}
	for done := 0; done < count; {
		batch := min(20000, count-done)
		if err := st.Batch(func(create func(*store.Operation) error) error { return g.write(create, done, batch) }); err != nil {
			return err
		}
		done += batch
	}
	fmt.Fprintf(out, "%d operations written to %s\n", count, st.Path())
	return nil
}

// generator makes a shop's operations over the last six months: mostly QR,
// some card, a few declines and a rare one to check; partial and full
// refunds. Nothing is left open for the till to take up.
type generator struct {
	rnd  *rand.Rand
	now  time.Time
	n    int
	paid []store.Operation
}

var genTerminals = []string{"31452963", "31452964", "31452970"}

func (g *generator) write(create func(*store.Operation) error, from, count int) error {
	// The step first: span × n would overflow a Duration.
	step := 180 * 24 * time.Hour / time.Duration(g.n)
	for i := from; i < from+count; i++ {
		at := g.now.Add(-step * time.Duration(g.n-i))
		if len(g.paid) > 0 && g.rnd.IntN(12) == 0 {
			if err := g.refund(create, at, i); err != nil {
				return err
			}
			continue
		}
		amount := providers.New(int64(50+g.rnd.IntN(400))*50, providers.KZT)
		op := store.NewPayment("kaspi", amount, "", false, at)
		op.Started(providers.Started{Ref: fmt.Sprintf("1795%09d", i)}, at)
		cheque := &providers.Cheque{Type: "payment", StoreName: "Kaspi Mark", City: "Алматы қ.", Address: "Қонаев 11, 6",
			BIN: "960419351140", TerminalID: genTerminals[g.rnd.IntN(len(genTerminals))], Date: at.Format("02.01.06 15:04:05"),
			Amount: amount.Grouped() + " ₸", Status: "Kaspi Gold-ман сатып алу. Мақұлданды"}
		st := providers.Status{State: providers.StateSuccess, Stage: providers.StageDone, Cheque: cheque}
		if g.rnd.IntN(4) == 0 {
			cheque.Method, cheque.RRN, cheque.CardMask, cheque.ICC = providers.MethodCard, fmt.Sprintf("3072%08d", i), "440043*****6389", "Visa Debit"
			cheque.AuthorizationCode, cheque.HostResponseCode = fmt.Sprintf("%06d", g.rnd.IntN(1e6)), "000"
			st.Method, st.TransactionID = providers.MethodCard, cheque.RRN
		} else {
			cheque.Method, cheque.OrderNumber = providers.MethodQR, fmt.Sprintf("5%08d", i)
			st.Method, st.TransactionID = providers.MethodQR, cheque.OrderNumber
		}
		switch r := g.rnd.IntN(100); {
		case r < 6:
			st = providers.Status{State: providers.StateFail, Stage: providers.StageDone, Message: "Сатып алушы сатып алуды жойды"}
		}
		op.ApplyStatus(st, at.Add(20*time.Second))
		if g.rnd.IntN(1000) == 0 {
			// A rare one the POS lost: waiting for a manager (F4), not for
			// the till, which would otherwise take each up at start.
			op.NeedsCheck("the provider does not know the operation", at.Add(time.Minute))
		}
		if err := create(&op); err != nil {
			return err
		}
		if op.State == store.StateSuccess && len(g.paid) < 2000 {
			g.paid = append(g.paid, op)
		}
	}
	return nil
}

func (g *generator) refund(create func(*store.Operation) error, at time.Time, i int) error {
	k := g.rnd.IntN(len(g.paid))
	p := g.paid[k]
	amount := p.Amount // full, or part of it
	if g.rnd.IntN(2) == 0 {
		amount = providers.New(max(1, p.Amount.Minor/int64(2+g.rnd.IntN(3))), providers.KZT)
	}
	r := store.NewRefund(p, amount, "", at)
	r.Started(providers.Started{Ref: fmt.Sprintf("1796%09d", i)}, at)
	ch := *p.Cheque
	ch.Type, ch.Amount = "refund", "- "+amount.Grouped()+" ₸"
	r.ApplyStatus(providers.Status{State: providers.StateSuccess, Stage: providers.StageDone, Method: p.Method,
		TransactionID: p.TransactionID, Cheque: &ch}, at.Add(30*time.Second))
	// Never more than was paid: a payment refunded once leaves the pool.
	g.paid = append(g.paid[:k], g.paid[k+1:]...)
	return create(&r)
}
