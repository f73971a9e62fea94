package sim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/octo/sim"
)

var t0 = time.Date(2026, 6, 26, 14, 20, 0, 0, time.UTC)

func post(t *testing.T, url, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const auth = `"octo_shop_id":7,"octo_secret":"s"`

func prepare(extra string) string {
	return `{` + auth + `,"shop_transaction_id":"t1","auto_capture":true,"test":true,"init_time":"2026-06-26 19:20:00",` +
		`"user_data":{"phone":"998901234567"},"total_sum":100.00,"currency":"UZS","description":"d","ttl":5` + extra + `}`
}

// What the sim refuses, as a careless client would send it.
func TestPrepareChecks(t *testing.T) {
	s := sim.New(sim.Options{Clock: clock.NewFake(t0), ShopID: 7, Secret: "s",
		Products: []sim.Product{{SPIC: "1", PackageCode: "2", NDS: 1, INN: "3"}}})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	item := func(spic, price string) string {
		return `,"basket":[{"position_desc":"x","count":1,"price":` + price + `,"spic":"` + spic + `","package_code":"2","nds":1,"inn":"3"}]`
	}
	for name, body := range map[string]string{
		"no contact":   strings.Replace(prepare(""), `"user_data":{"phone":"998901234567"},`, "", 1),
		"float sum":    strings.Replace(prepare(""), `100.00`, `100.001`, 1),
		"no capture":   strings.Replace(prepare(""), `"auto_capture":true,`, "", 1),
		"ISO time":     strings.Replace(prepare(""), `2026-06-26 19:20:00`, `2026-06-26T19:20:00Z`, 1),
		"unregistered": prepare(item("9", "100.00")),
		"basket sum":   prepare(item("1", "50.00")),
		"wrong secret": strings.Replace(prepare(""), `"octo_secret":"s"`, `"octo_secret":"x"`, 1),
	} {
		v := post(t, srv.URL+sim.PathPrepare, body)
		if v["error"] == float64(0) {
			t.Errorf("%s: taken: %v", name, v)
		}
	}
	if len(s.Ledger()) != 0 {
		t.Fatalf("ledger %+v", s.Ledger())
	}
	if v := post(t, srv.URL+sim.PathPrepare, prepare(item("1", "100.00"))); v["error"] != float64(0) {
		t.Fatalf("a good sale refused: %v", v)
	}
}

func TestControlSurface(t *testing.T) {
	clk := clock.NewFake(t0)
	s := sim.New(sim.Options{Clock: clk, ShopID: 7, Secret: "s", FiscalLate: true})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	if code, _ := get(t, srv.URL+"/sim/next?customer=never"); code != http.StatusOK {
		t.Fatal(code)
	}
	v := post(t, srv.URL+sim.PathPrepare, prepare(""))
	data := v["data"].(map[string]any)
	uuid, payURL := data["octo_payment_UUID"].(string), data["octo_pay_url"].(string)
	if code, page := get(t, payURL); code != http.StatusOK || !strings.Contains(page, "100.00") {
		t.Fatalf("pay page: %d %s", code, page)
	}
	if code, _ := get(t, srv.URL+"/sim/fiscal?uuid="+uuid); code != http.StatusBadRequest {
		t.Fatal("the receipt of an unpaid payment was registered")
	}
	if code, _ := get(t, srv.URL+"/sim/pay?uuid="+uuid); code != http.StatusOK {
		t.Fatal(code)
	}
	if code, _ := get(t, srv.URL+"/sim/shape?shape=flat"); code != http.StatusOK {
		t.Fatal(code)
	}
	f := post(t, srv.URL+sim.PathFiscal, `{`+auth+`,"payment_uuid":"`+uuid+`"}`)
	if f["error"] != float64(0) || f["fiscalSign"] != nil {
		t.Fatalf("late receipt: %v", f)
	}
	if code, _ := get(t, srv.URL+"/sim/fiscal?uuid="+uuid); code != http.StatusOK {
		t.Fatal(code)
	}
	f = post(t, srv.URL+sim.PathFiscal, `{`+auth+`,"payment_uuid":"`+uuid+`"}`)
	if f["fiscalSign"] == nil || f["qrCodeURL"] == nil || f["data"] != nil {
		t.Fatalf("flat receipt: %v", f)
	}
	if code, _ := get(t, srv.URL+"/sim/fault?path=/refund&fault=3:Invalid%20refund%20amount"); code != http.StatusOK {
		t.Fatal(code)
	}
	r := post(t, srv.URL+sim.PathRefund, `{`+auth+`,"shop_refund_id":"r1","octo_payment_UUID":"`+uuid+`","amount":1.00}`)
	if r["error"] != float64(3) || r["errorMessage"] != "Invalid refund amount" || r["errMessage"] != nil {
		t.Fatalf("injected, flat: %v", r)
	}
	for _, bad := range []string{"/sim/next?customer=fly", "/sim/shape?shape=xml", "/sim/fault?fault=boom", "/sim/refund?ends=maybe"} {
		if code, _ := get(t, srv.URL+bad); code != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, code)
		}
	}
	_, state := get(t, srv.URL+"/sim/state")
	if !strings.Contains(state, `"status":"succeeded"`) || !strings.Contains(state, `"fiscal":true`) {
		t.Fatalf("state %s", state)
	}
}
