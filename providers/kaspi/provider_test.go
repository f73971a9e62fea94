package kaspi_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/kaspi"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
)

func TestProviderInfo(t *testing.T) {
	p := kaspi.New(kaspi.NewClient("http://192.168.80.4:8080", nil), kaspi.Options{})
	info := p.Info()
	want := providers.Info{
		Name:           "kaspi",
		Currency:       providers.KZT,
		QRShownBy:      providers.DisplayTerminal,
		Methods:        []providers.Method{providers.MethodQR, providers.MethodCard},
		PollEvery:      time.Second,
		ResolveEvery:   10 * time.Second,
		ScanTimeout:    180 * time.Second,
		ConfirmTimeout: 60 * time.Second,
		MinAmount:      providers.New(1, providers.KZT),
		MaxAmount:      providers.New(10_000_000, providers.KZT),
		CallTimeout:    15 * time.Second,
		StatusTimeout:  5 * time.Second,
		// The POS answers 107 to a second operation while one runs.
		OneAtATime:     true,
		Refunds:        true,
		PartialRefunds: true,
	}
	if !slices.Equal(info.Methods, want.Methods) {
		t.Fatalf("methods %v", info.Methods)
	}
	info.Methods, want.Methods = nil, nil
	if !reflect.DeepEqual(info, want) {
		t.Fatalf("info\n got %+v\nwant %+v", info, want)
	}
	p = kaspi.New(kaspi.NewClient("http://pos", nil), kaspi.Options{ScanTimeout: 90 * time.Second, ConfirmTimeout: 30 * time.Second, MaxAmount: 500_000})
	if i := p.Info(); i.ScanTimeout != 90*time.Second || i.ConfirmTimeout != 30*time.Second || i.MaxAmount.Minor != 500_000 {
		t.Fatalf("options not applied: %+v", i)
	}
}

func TestProviderRefusesWithoutCalling(t *testing.T) {
	r := newRig(t, sim.Options{})
	p := kaspi.New(r.c, kaspi.Options{})
	for _, tc := range []struct {
		name   string
		amount providers.Money
		kind   providers.ErrorKind
	}{
		{"UZS", providers.New(100000, providers.UZS), providers.ErrInvalid},
		{"tiyn", providers.New(100, providers.Currency{Code: "KZT", Digits: 2}), providers.ErrInvalid},
		{"zero", providers.New(0, providers.KZT), providers.ErrInvalid},
		{"negative", providers.New(-5, providers.KZT), providers.ErrInvalid},
		{"over the limit", providers.New(10_000_001, providers.KZT), providers.ErrLimit},
	} {
		_, err := p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "op-1", Amount: tc.amount})
		if providers.KindOf(err) != tc.kind || providers.MaybeSent(err) {
			t.Errorf("%s: %v (MaybeSent %v), want %s, not sent", tc.name, err, providers.MaybeSent(err), tc.kind)
		}
	}
	for _, req := range []providers.Request{
		{Kind: providers.KindRefund, Amount: providers.New(100, providers.UZS), Method: providers.MethodQR, TransactionID: "504711333"},
		{Kind: providers.KindRefund, Amount: providers.New(100, providers.KZT), Method: "cash", TransactionID: "504711333"},
		{Kind: providers.KindRefund, Amount: providers.New(100, providers.KZT), Method: providers.MethodCard},
		{Kind: "exchange", Amount: providers.New(100, providers.KZT)},
	} {
		if _, err := p.Start(r.ctx, req); providers.KindOf(err) != providers.ErrInvalid {
			t.Errorf("refund %+v: %v", req, err)
		}
	}
	if n := r.sim.Requests("/v2/payment") + r.sim.Requests("/v2/refund"); n != 0 {
		t.Fatalf("%d requests reached the POS", n)
	}
	if _, ok := any(p).(providers.Canceller); ok {
		t.Fatal("the Smart POS has no cancel call, yet the provider offers one")
	}
}

// The till's whole loop through the Provider interface: pay, poll, refund
// part, resolve an unknown one.
func TestProviderFlow(t *testing.T) {
	r := newRig(t, sim.Options{})
	var p providers.Provider = kaspi.New(r.c, kaspi.Options{})
	poll := func(ref string) providers.Status {
		h := providers.Handle{Ref: ref}
		t.Helper()
		for range 1000 {
			st, err := p.Status(r.ctx, h)
			if err != nil {
				t.Fatal(err)
			}
			if st.State != providers.StatePending {
				return st
			}
			r.advance(p.Info().PollEvery)
		}
		t.Fatal("never ended")
		return providers.Status{}
	}

	started, err := p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "op-1", Amount: providers.New(5000, providers.KZT)})
	if err != nil {
		t.Fatal(err)
	}
	if started.Ref == "" || started.QR != nil || started.State != providers.StatePending || started.Stage != providers.StageStarting {
		t.Fatalf("started %+v", started)
	}
	paid := poll(started.Ref)
	if paid.State != providers.StateSuccess || paid.TransactionID == "" || paid.Method != providers.MethodQR || paid.Cheque == nil {
		t.Fatalf("paid %+v", paid)
	}
	if _, err := p.(providers.Resolver).Resolve(r.ctx, providers.Handle{Ref: started.Ref}); providers.KindOf(err) != providers.ErrNotResolvable {
		t.Fatalf("resolve a final payment: %v", err)
	}

	rs, err := p.Start(r.ctx, providers.Request{Kind: providers.KindRefund, OperationID: "op-2", Amount: providers.New(2000, providers.KZT),
		Method: paid.Method, TransactionID: paid.TransactionID, Payment: providers.Handle{Kind: providers.KindPayment, Ref: started.Ref}})
	if err != nil {
		t.Fatal(err)
	}
	if st := poll(rs.Ref); st.State != providers.StateSuccess || st.Cheque.Type != "refund" || st.Cheque.Amount != "- 2 000 ₸" {
		t.Fatalf("refund %+v", st)
	}

	r.sim.Next(sim.Customer{Does: sim.UnknownThenSuccess, ResolveAfter: 5 * time.Second})
	started, err = p.Start(r.ctx, providers.Request{Kind: providers.KindPayment, OperationID: "op-3", Amount: providers.New(700, providers.KZT)})
	if err != nil {
		t.Fatal(err)
	}
	if st := poll(started.Ref); st.State != providers.StateUnknown {
		t.Fatalf("want unknown, got %+v", st)
	}
	for range 10 {
		st, err := p.(providers.Resolver).Resolve(r.ctx, providers.Handle{Ref: started.Ref})
		if err != nil {
			t.Fatal(err)
		}
		if st.State.Final() {
			if st.State != providers.StateSuccess || st.Cheque == nil {
				t.Fatalf("resolved %+v", st)
			}
			if n := r.sim.ActualizeViolations(); n != 0 {
				t.Fatalf("%d actualize violations", n)
			}
			return
		}
		r.advance(p.Info().ResolveEvery)
	}
	t.Fatal("never resolved")
}
