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

// data reads the data object of an answer.
func (e *env) data(path string) map[string]any {
	e.t.Helper()
	_, body := e.get(path)
	var ans struct {
		Data map[string]any
	}
	if err := json.Unmarshal([]byte(body), &ans); err != nil {
		e.t.Fatalf("%s: %v: %s", path, err, body)
	}
	return ans.Data
}

// complete runs a payment (or refund, by path) to its end and returns its
// processId and final data.
func (e *env) complete(path string) (string, map[string]any) {
	e.t.Helper()
	pid, _ := e.data(path)["processId"].(string)
	if pid == "" {
		e.t.Fatalf("%s did not start", path)
	}
	e.clk.Advance(time.Minute)
	return pid, e.data("/v2/status?processId=" + pid)
}

// A payment taken in an earlier run is refundable in this one, up to what
// is left after the refunds made then.
func TestPaymentsOfAnEarlierRunAreRefundable(t *testing.T) {
	e := newEnv(t, sim.Options{Payments: []sim.Payment{
		{Method: "qr", TransactionID: "504711333", Amount: 1000, Refunded: 300},
		{Method: "card", TransactionID: "307208187011", Amount: 500},
	}})
	e.want("/v2/refund?method=qr&amount=701&transactionId=504711333", 400,
		`{"errorText":"Param unvalidated: amount. Must not be greater than available refund amount 700","statusCode":999}`)
	e.want("/v2/refund?method=card&amount=1&transactionId=504711333", 200,
		`{"errorText":"Could not register transaction. Something went wrong.","statusCode":108}`)
	_, done := e.complete("/v2/refund?method=qr&amount=700&transactionId=504711333")
	cheque, _ := done["chequeInfo"].(map[string]any)
	if done["status"] != "success" || cheque["amount"] != "- 700 ₸" || cheque["orderNumber"] == "504711333" {
		t.Fatalf("QR refund of an earlier payment: %v", done)
	}
	e.want("/v2/refund?method=qr&amount=1&transactionId=504711333", 400,
		`{"errorText":"Param unvalidated: amount. Must not be greater than available refund amount 0","statusCode":999}`)
	e.sim.Next(sim.Customer{Does: sim.PayCard})
	if _, done := e.complete("/v2/refund?method=card&amount=500&transactionId=307208187011"); done["status"] != "success" || done["transactionId"] != "307208187011" {
		t.Fatalf("card refund of an earlier payment: %v", done)
	}
}

// A data file written when numbers repeated holds one number on several
// payments: each stays refundable up to its own amount's share.
func TestRepeatedNumberOfEarlierRunsAddsUp(t *testing.T) {
	e := newEnv(t, sim.Options{Payments: []sim.Payment{
		{Method: "qr", TransactionID: "504711333", Amount: 1000},
		{Method: "qr", TransactionID: "504711333", Amount: 200, Refunded: 200},
	}})
	e.want("/v2/refund?method=qr&amount=1001&transactionId=504711333", 400,
		`{"errorText":"Param unvalidated: amount. Must not be greater than available refund amount 1000","statusCode":999}`)
}

// A second run of the POS, told what the first gave, gives none of it
// again, even at the very same millisecond.
func TestNumbersNeverRepeatAcrossRuns(t *testing.T) {
	first := newEnv(t, sim.Options{})
	given := map[string]bool{}
	var payments []sim.Payment
	var used []string
	take := func(e *env, path string, c sim.Customer) map[string]any {
		e.sim.Next(c)
		pid, done := e.complete(path)
		tx, _ := done["transactionId"].(string)
		if done["status"] != "success" || tx == "" {
			t.Fatalf("%s: %v", path, done)
		}
		for _, n := range []string{pid, tx} {
			if given[n] {
				t.Fatalf("%s gave %s again", path, n)
			}
			given[n] = true
		}
		used = append(used, pid, tx)
		return done
	}
	qr := take(first, "/v2/payment?amount=1000", sim.Customer{Does: sim.PayQR})
	card := take(first, "/v2/payment?amount=500", sim.Customer{Does: sim.PayCard})
	take(first, "/v2/refund?method=qr&amount=100&transactionId="+qr["transactionId"].(string), sim.Customer{Does: sim.PayQR})
	payments = append(payments,
		sim.Payment{Method: "qr", TransactionID: qr["transactionId"].(string), Amount: 1000, Refunded: 100},
		sim.Payment{Method: "card", TransactionID: card["transactionId"].(string), Amount: 500})

	// The second run starts on the same clock reading as the first did.
	second := newEnv(t, sim.Options{Payments: payments, Used: used})
	for range 3 {
		take(second, "/v2/payment?amount=10", sim.Customer{Does: sim.PayQR})
		take(second, "/v2/payment?amount=10", sim.Customer{Does: sim.PayCard})
	}
	if len(given) != 2+2+2+12 {
		t.Fatalf("%d numbers given: %v", len(given), given)
	}
}

// At 20 times the speed of life the customer scans and pays 20 times
// sooner, and the cheque's date is the wall time it happened at, never
// the scaled clock's future.
func TestScaledClockDatesChequesOnTheWall(t *testing.T) {
	wall := clock.NewFake(t0.Add(900 * time.Millisecond))
	s := sim.New(sim.Options{Clock: clock.NewScaledOn(wall, 20), Location: almaty})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, clk: wall, sim: s, url: srv.URL}

	pid, _ := e.data("/v2/payment?amount=1")["processId"].(string)
	if pid != "1678094400900" {
		t.Fatalf("processId %s is not the wall time's", pid)
	}
	wall.Advance(200 * time.Millisecond) // 4 s on the training clock: scanned at 3 s
	if got := e.data("/v2/status?processId=" + pid)["subStatus"]; got != "WaitForQrConfirmation" {
		t.Fatalf("at 4 s of training time: %v", got)
	}
	wall.Advance(time.Second) // 20 s more: paid at 5 s
	done := e.data("/v2/status?processId=" + pid)
	cheque, _ := done["chequeInfo"].(map[string]any)
	// Paid at 5 s of training time: 250 ms of the wall's, 14:20:01.15.
	if done["status"] != "success" || cheque["date"] != "06.03.23 14:20:01" {
		t.Fatalf("cheque %v", done)
	}
	date, err := time.ParseInLocation("02.01.06 15:04:05", cheque["date"].(string), almaty)
	if err != nil || date.After(wall.Now()) {
		t.Fatalf("cheque dated %v, the wall says %v (%v)", date, wall.Now(), err)
	}
}
