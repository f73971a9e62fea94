package sim_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
)

var almaty = time.FixedZone("ALMT", 5*3600)
var t0 = time.Date(2023, 3, 6, 14, 20, 0, 0, almaty)

type env struct {
	t   *testing.T
	clk *clock.Fake
	sim *sim.Sim
	url string
}

func newEnv(t *testing.T, opts sim.Options) *env {
	clk := clock.NewFake(t0)
	opts.Clock, opts.Location = clk, almaty
	s := sim.New(opts)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, clk: clk, sim: s, url: srv.URL}
}

// get returns the HTTP status and body of a raw GET.
func (e *env) get(path string) (int, string) {
	e.t.Helper()
	resp, err := http.Get(e.url + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func (e *env) want(path string, status int, body string) {
	e.t.Helper()
	gotStatus, gotBody := e.get(path)
	if gotStatus != status || gotBody != body {
		e.t.Fatalf("GET %s:\n got %d %s\nwant %d %s", path, gotStatus, gotBody, status, body)
	}
}

func TestWireShapes(t *testing.T) {
	e := newEnv(t, sim.Options{})
	e.sim.Next(sim.Customer{Does: sim.PayQR, Delay: 2 * time.Second, Think: time.Second})
	e.want("/v2/payment?amount=1&owncheque=true", 200, `{"data":{"processId":"1678094400000","status":"wait"},"statusCode":0}`)
	e.want("/v2/status?processId=1678094400000", 200, `{"data":{"processId":"1678094400000","status":"wait","subStatus":"Initialize"},"statusCode":0}`)
	e.clk.Advance(time.Second)
	e.want("/v2/status?processId=1678094400000", 200, `{"data":{"processId":"1678094400000","status":"wait","subStatus":"WaitUser"},"statusCode":0}`)
	e.clk.Advance(2 * time.Second)
	e.want("/v2/status?processId=1678094400000", 200,
		`{"data":{"addInfo":{"IsOffer":false,"LoanTerm":0,"ProductType":"Gold"},"chequeInfo":{"address":"Қонаев 11, 6","amount":"1 ₸","bin":"960419351140","city":"Алматы қ.","date":"06.03.23 14:20:03","method":"qr","orderNumber":"504711333","status":"Kaspi Gold-ман сатып алу. Мақұлданды","storeName":"Kaspi Mark","terminalId":"31452963","type":"payment"},"processId":"1678094400000","status":"success","subStatus":"QrTransactionSuccess","transactionId":"504711333"},"statusCode":0}`)
	e.want("/v2/deviceinfo", 200, `{"data":{"posNum":"0","serialNum":"00043010171","terminalId":"31452963"},"statusCode":0}`)
	e.want("/v2/status?processId=42", 200, `{"errorText":"Process not found","statusCode":101}`)
}

func TestChequeBesideAsTheSeedsQRSample(t *testing.T) {
	e := newEnv(t, sim.Options{ChequeBeside: true})
	e.get("/v2/payment?amount=1")
	e.clk.Advance(time.Minute)
	_, body := e.get("/v2/status?processId=1678094400000")
	want := `{"data":{"addInfo":{"IsOffer":false,"LoanTerm":0,"ProductType":"Gold"},"chequeInfo":{"address":"Қонаев 11, 6","amount":"1 ₸","bin":"960419351140","city":"Алматы қ.","date":"06.03.23 14:20:05","method":"qr","orderNumber":"504711333"},"status":"Kaspi Gold-ман сатып алу. Мақұлданды","storeName":"Kaspi Mark","terminalId":"31452963","type":"payment","processId":"1678094400000","status":"success","subStatus":"QrTransactionSuccess","transactionId":"504711333"},"statusCode":0}`
	if body != want {
		t.Fatalf("\n got %s\nwant %s", body, want)
	}
}

func TestValidation(t *testing.T) {
	e := newEnv(t, sim.Options{})
	for _, tc := range []struct {
		path   string
		status int
		text   string
	}{
		{"/v2/payment", 400, "Missing param: amount"},
		{"/v2/payment?amount=0", 400, "Param unvalidated: amount. Must be greater 0"},
		{"/v2/payment?amount=-3", 400, "Param unvalidated: amount. Must be greater 0"},
		{"/v2/payment?amount=1.50", 400, "Param unvalidated: amount. Must be integer"},
		{"/v2/payment?amount=abc", 400, "Param unvalidated: amount. Must be integer"},
		{"/v2/payment?amount=99999999999999999999", 400, "Param unvalidated: amount. Must be integer"},
		{"/v2/payment?amount=1&owncheque=maybe", 400, "Param unvalidated: owncheque. Must be boolean"},
		{"/v2/refund?method=qr&transactionId=1", 400, "Missing param: amount"},
		{"/v2/refund?amount=1&transactionId=1", 400, "Missing param: method"},
		{"/v2/refund?amount=1&method=cash&transactionId=1", 400, "Param unvalidated: method. Unknown payment method"},
		{"/v2/refund?amount=1&method=qr", 400, "Missing param: transactionId"},
		{"/v2/refund?amount=1&method=qr&transactionId=", 400, "Param unvalidated: transactionId. It's empty"},
		{"/v2/refund?amount=1&method=qr&transactionId=504711333", 200, "Could not register transaction. Something went wrong."},
		{"/v2/status", 400, "Missing param: processId"},
		{"/v2/actualize", 400, "Missing param: processId"},
		{"/v2/actualize?processId=1", 200, "Process not found"},
		{"/v2/register", 400, "Missing param: name"},
		{"/v2/revoke?name=Kassa1", 400, "Missing param: refreshToken"},
		{"/v2/revoke?name=Kassa1&refreshToken=", 400, "Param unvalidated: refreshToken. It's empty"},
		{"/v2/nothing", 404, "Invalid Url. Please, contact developers"},
		{"/payment?amount=1", 404, "Invalid Url. Please, contact developers"},
		{"/v2/remains", 404, "Invalid Url. Please, contact developers"},
	} {
		status, body := e.get(tc.path)
		var ans struct {
			StatusCode int
			ErrorText  string
			Data       json.RawMessage
		}
		if err := json.Unmarshal([]byte(body), &ans); err != nil {
			t.Fatalf("%s: %v: %s", tc.path, err, body)
		}
		if status != tc.status || ans.ErrorText != tc.text || ans.StatusCode == 0 || ans.Data != nil {
			t.Errorf("%s: %d %s, want %d %q", tc.path, status, body, tc.status, tc.text)
		}
	}
	// Nothing refused started anything.
	e.want("/v2/payment?amount=1", 200, `{"data":{"processId":"1678094400000","status":"wait"},"statusCode":0}`)

	resp, err := http.Post(e.url+"/v2/payment?amount=1", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
}

func TestProcessIDsUnique(t *testing.T) {
	e := newEnv(t, sim.Options{Default: sim.Customer{Does: sim.Decline}})
	seen := map[string]bool{}
	for range 5 {
		_, body := e.get("/v2/payment?amount=1")
		var ans struct{ Data struct{ ProcessID string } }
		if err := json.Unmarshal([]byte(body), &ans); err != nil || ans.Data.ProcessID == "" || seen[ans.Data.ProcessID] {
			t.Fatalf("%s: %v", body, err)
		}
		seen[ans.Data.ProcessID] = true
		e.clk.Advance(time.Minute) // let it finish so the next one is not busy
	}
}

func TestControlSurface(t *testing.T) {
	e := newEnv(t, sim.Options{})
	e.want("/sim/next?customer=card&delay=5&think=0.5&nopin=0", 200, "{\"ok\":true}\n")
	e.want("/sim/fault?path=/v2/payment&fault=busy", 200, "{\"ok\":true}\n")
	e.want("/v2/payment?amount=10", 200, `{"errorText":"Could not register transaction. Last operation was not completed.","statusCode":107}`)
	e.get("/v2/payment?amount=10")
	e.clk.Advance(5 * time.Second)
	e.want("/v2/status?processId=1678094400000", 200, `{"data":{"processId":"1678094400000","status":"wait","subStatus":"ProcessingCard"},"statusCode":0}`)

	e.want("/sim/default?customer=never", 200, "{\"ok\":true}\n")
	e.want("/sim/fault?path=payment&fault=blocked", 200, "{\"ok\":true}\n")
	var state struct {
		Busy      bool
		Default   struct{ Customer string }
		Faults    map[string][]string
		Processes []struct {
			ProcessID, Kind, Method, Status, SubStatus string
		}
	}
	_, body := e.get("/sim/state")
	if err := json.Unmarshal([]byte(body), &state); err != nil {
		t.Fatal(err)
	}
	if !state.Busy || state.Default.Customer != "never" || len(state.Faults["/v2/payment"]) != 1 ||
		len(state.Processes) != 1 || state.Processes[0].Method != "card" || state.Processes[0].SubStatus != "ProcessingCard" {
		t.Fatalf("state %s", body)
	}

	for _, bad := range []string{
		"/sim/next?customer=juggle", "/sim/next?delay=soon", "/sim/fault?path=/v2/payment&fault=meteor",
		"/sim/fault?fault=busy", "/sim/unpair", "/sim/what",
	} {
		if status, body := e.get(bad); status < 400 || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %s", bad, status, body)
		}
	}
}

func TestFaultsAreOneShotPerPath(t *testing.T) {
	e := newEnv(t, sim.Options{})
	e.sim.Inject("/v2/deviceinfo", sim.FaultInternal, sim.FaultBlocked200)
	e.want("/v2/deviceinfo", 500, `{"errorText":"Internal Error. Please, contact developers","statusCode":999}`)
	e.want("/v2/deviceinfo", 200, `{"errorText":"Payments are blocked","statusCode":106}`)
	e.want("/v2/deviceinfo", 200, `{"data":{"posNum":"0","serialNum":"00043010171","terminalId":"31452963"},"statusCode":0}`)
	e.sim.Inject("/v2/register", sim.FaultService)
	e.want("/v2/register?name=K", 200, `{"data":{"message":"Service Error. Kaspi Pay is not available"},"errorText":"Error acquired in service process","statusCode":105}`)
	e.sim.Inject("/v2/payment", sim.FaultGarbage)
	if status, body := e.get("/v2/payment?amount=1"); status != 200 || json.Valid([]byte(body)) || body == "" {
		t.Fatalf("garbage: %d %q", status, body)
	}
}

func TestConcurrentRequests(t *testing.T) {
	e := newEnv(t, sim.Options{})
	e.get("/v2/payment?amount=1")
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				e.clk.Advance(50 * time.Millisecond)
				resp, err := http.Get(e.url + fmt.Sprintf("/v2/status?processId=1678094400000&n=%d", i))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("status %d", resp.StatusCode)
				}
				e.sim.ActualizeViolations()
			}
		}()
	}
	wg.Wait()
}

func TestStart(t *testing.T) {
	s := sim.New(sim.Options{Clock: clock.NewFake(t0)})
	srv, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL() + "/v2/deviceinfo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(srv.URL() + "/v2/deviceinfo"); err == nil {
		t.Fatal("still serving after Close")
	}
}

// Without a script, a customer scans at 3 s and confirms 2 s later.
func TestDefaultCustomer(t *testing.T) {
	e := newEnv(t, sim.Options{})
	e.get("/v2/payment?amount=1")
	e.clk.Advance(4 * time.Second) // default customer: scans at 3 s
	e.want("/v2/status?processId=1678094400000", 200, `{"data":{"processId":"1678094400000","status":"wait","subStatus":"WaitForQrConfirmation"},"statusCode":0}`)
	e.clk.Advance(time.Second)
	if _, body := e.get("/v2/status?processId=1678094400000"); !strings.Contains(body, `"status":"success"`) {
		t.Fatalf("default customer at 5 s: %s", body)
	}
}
