package sim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/monetix"
	"github.com/kassa-till/kassa/providers/monetix/sim"
)

var t0 = time.Date(2026, 6, 26, 14, 20, 0, 0, time.UTC)

// Driven from a shell: queue a customer, take a sale, pay it by hand, and
// read the ledger and the signed callbacks.
func TestControlSurface(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
	}))
	defer merchant.Close()
	clk := clock.NewFake(t0)
	s := sim.New(sim.Options{Clock: clk, CallbackURL: merchant.URL})
	gate := httptest.NewServer(s.Handler())
	defer gate.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(gate.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if c, _ := get("/sim/next?customer=never&repeat=1"); c != 200 {
		t.Fatal(c)
	}
	for _, bad := range []string{"/sim/next?customer=maybe", "/sim/next?delay=x", "/sim/refund?ends=later",
		"/sim/fault?fault=nonsense", "/sim/fault?path=/x&fault=601", "/sim/pay?payment_id=none"} {
		if c, _ := get(bad); c != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, c)
		}
	}
	c := &monetix.Client{BaseURL: gate.URL, ProjectID: 1234, Secret: "secret"}
	if _, err := c.Sale(context.Background(), monetix.SaleRequest{PaymentID: "P-1", Amount: monetixAmount, CustomerID: "c", CustomerIP: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if code, _ := get("/sim/pay?payment_id=P-1"); code != 200 {
		t.Fatal(code)
	}
	_, state := get("/sim/flush")
	var v struct {
		Ledger []sim.Entry `json:"ledger"`
	}
	if err := json.Unmarshal([]byte(state), &v); err != nil || len(v.Ledger) != 1 || v.Ledger[0].Charged != monetixAmount.Minor {
		t.Fatalf("%s %v", state, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 3 {
		t.Fatalf("%d callbacks, want display, final and its repeat", len(bodies))
	}
	for _, b := range bodies {
		if err := monetix.Verify([]byte("secret"), b); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
	}
	if !strings.Contains(string(bodies[0]), `"display_data"`) || !strings.Contains(string(bodies[1]), `"status":"success"`) {
		t.Fatalf("%s", bodies)
	}
}

var monetixAmount = providers.New(20_000_000, providers.UZS)
