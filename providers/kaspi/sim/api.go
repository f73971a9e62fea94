package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kassa-till/kassa/providers"
)

// Fault is what to do to one call instead of, or on top of, answering it.
type Fault string

const (
	FaultInternal    Fault = "internal"    // HTTP 500, 999 Internal Error
	FaultBlocked     Fault = "blocked"     // HTTP 400, 106 Payments are blocked
	FaultBlocked200  Fault = "blocked200"  // HTTP 200, 106 Payments are blocked
	FaultFailed      Fault = "failed"      // 108 Could not register transaction. Something went wrong.
	FaultBusy        Fault = "busy"        // 107 Last operation was not completed.
	FaultNoInternet  Fault = "nointernet"  // 100 No internet
	FaultService     Fault = "service"     // 105 Error acquired in service process + data.message
	FaultUnsupported Fault = "unsupported" // 102 Unsupported transaction pay method
	FaultTxNotFound  Fault = "txnotfound"  // 104 Transaction not found
	FaultAuth        Fault = "auth"        // HTTP 401, 999 Authorization failed
	FaultExpired     Fault = "expired"     // HTTP 403, 999 Session expires and need to be updated
	FaultBadGateway  Fault = "badgateway"  // HTTP 502 with a plain-text body, as a proxy would
	// The ones below do the call, then spoil the answer.
	FaultGarbage Fault = "garbage" // HTTP 200 with half the JSON
	FaultDrop    Fault = "drop"    // close the connection without answering
	FaultReset   Fault = "reset"   // reset the connection (TCP RST) without answering
	FaultSlow    Fault = "slow"    // hold the answer for SlowDelay on the sim's clock
	// FaultCrash answers HTTP 500 with an HTML page, as the web server
	// does when the API's handler dies after the call was carried out.
	FaultCrash Fault = "crash"
)

// Faults lists every fault, for the control surface and tests.
var Faults = []Fault{
	FaultInternal, FaultBlocked, FaultBlocked200, FaultFailed, FaultBusy, FaultNoInternet,
	FaultService, FaultUnsupported, FaultTxNotFound, FaultAuth, FaultExpired, FaultBadGateway,
	FaultGarbage, FaultDrop, FaultReset, FaultSlow, FaultCrash,
}

// The POS's error texts (seed 004 §4.14).
const (
	txtInvalidURL  = "Invalid Url. Please, contact developers"
	txtInternal    = "Internal Error. Please, contact developers"
	txtAuth        = "Authorization failed"
	txtSession     = "Session expires and need to be updated"
	txtNoInternet  = "No internet"
	txtNotFound    = "Process not found"
	txtUnsupported = "Unsupported transaction pay method"
	txtUnable      = "This transaction is unable to actualize"
	txtTxNotFound  = "Transaction not found"
	txtService     = "Error acquired in service process"
	txtBlocked     = "Payments are blocked"
	txtBusy        = "Could not register transaction. Last operation was not completed."
	txtFailed      = "Could not register transaction. Something went wrong."
)

// refusal is the answer a refusing fault gives instead of the call.
func refusal(f Fault) (reply, bool) {
	switch f {
	case FaultInternal:
		return errReply(http.StatusInternalServerError, 999, txtInternal), true
	case FaultBlocked:
		return errReply(http.StatusBadRequest, 106, txtBlocked), true
	case FaultBlocked200:
		return errReply(http.StatusOK, 106, txtBlocked), true
	case FaultFailed:
		return errReply(http.StatusOK, 108, txtFailed), true
	case FaultBusy:
		return errReply(http.StatusOK, 107, txtBusy), true
	case FaultNoInternet:
		return errReply(http.StatusOK, 100, txtNoInternet), true
	case FaultService:
		return errMsgReply(http.StatusOK, 105, txtService, "Service Error. Kaspi Pay is not available"), true
	case FaultUnsupported:
		return errReply(http.StatusOK, 102, txtUnsupported), true
	case FaultTxNotFound:
		return errReply(http.StatusOK, 104, txtTxNotFound), true
	case FaultAuth:
		return errReply(http.StatusUnauthorized, 999, txtAuth), true
	case FaultExpired:
		return errReply(http.StatusForbidden, 999, txtSession), true
	case FaultBadGateway:
		return reply{status: http.StatusBadGateway, body: []byte("Bad Gateway\n"), ctype: "text/plain; charset=utf-8"}, true
	}
	return reply{}, false
}

// kv and obj write JSON objects with keys in a chosen order, duplicates
// included: the seed's QR sample has two "status" keys in data.
type kv struct {
	k string
	v any
}

type obj []kv

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.k)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type reply struct {
	status int
	body   []byte
	ctype  string
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only the sim's own obj values get here
	}
	return b
}

func okReply(data obj) reply {
	return reply{status: http.StatusOK, body: mustJSON(obj{{"data", data}, {"statusCode", 0}})}
}

func errReply(httpStatus, code int, text string) reply {
	return reply{status: httpStatus, body: mustJSON(obj{{"errorText", text}, {"statusCode", code}})}
}

func errMsgReply(httpStatus, code int, text, msg string) reply {
	return reply{status: httpStatus, body: mustJSON(obj{{"data", obj{{"message", msg}}}, {"errorText", text}, {"statusCode", code}})}
}

func missing(name string) reply {
	return errReply(http.StatusBadRequest, 999, "Missing param: "+name)
}

func unvalidated(name, cause string) reply {
	return errReply(http.StatusBadRequest, 999, "Param unvalidated: "+name+". "+cause)
}

func write(w http.ResponseWriter, rep reply) {
	ct := rep.ctype
	if ct == "" {
		ct = "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

func (s *Sim) api(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	s.mu.Lock()
	s.requests[path]++
	var fault Fault
	if q := s.faults[path]; len(q) > 0 {
		fault, s.faults[path] = q[0], q[1:]
	}
	s.mu.Unlock()

	if rep, ok := refusal(fault); ok {
		write(w, rep)
		return
	}
	var rep reply
	switch {
	case r.Method != http.MethodGet:
		rep = errReply(http.StatusNotFound, 999, txtInvalidURL)
	case path == "/v2/register":
		// Register blocks until «Allow»; it takes the lock itself.
		rep = s.register(r.Context(), r.URL.Query())
	default:
		s.mu.Lock()
		rep = s.serve(r, path)
		s.mu.Unlock()
	}
	if rep.status == 0 {
		return // the client went away while register waited
	}
	s.deliver(w, r, rep, fault)
}

// deliver writes rep, spoiled by fault.
func (s *Sim) deliver(w http.ResponseWriter, r *http.Request, rep reply, fault Fault) {
	switch fault {
	case FaultGarbage:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(rep.body[:len(rep.body)/2])
	case FaultDrop, FaultReset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok && fault == FaultReset {
					_ = tc.SetLinger(0) // close sends RST, not FIN
				}
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream instead
	case FaultCrash:
		write(w, reply{status: http.StatusInternalServerError, ctype: "text/html; charset=utf-8",
			body: []byte("<html><body><h1>500 Internal Server Error</h1></body></html>\n")})
	case FaultSlow:
		select {
		case <-s.clk.After(s.o.SlowDelay):
			write(w, rep)
		case <-r.Context().Done():
		}
	default:
		write(w, rep)
	}
}

// serve answers a /v2/ call other than register. s.mu is held.
func (s *Sim) serve(r *http.Request, path string) reply {
	now := s.clk.Now()
	s.purge(now)
	var h func(url.Values, time.Time) reply
	switch path {
	case "/v2/payment":
		h = s.payment
	case "/v2/refund":
		h = s.refund
	case "/v2/status":
		h = s.status
	case "/v2/actualize":
		h = s.actualize
	case "/v2/deviceinfo":
		h = s.deviceInfo
	case "/v2/revoke":
		h = func(q url.Values, now time.Time) reply { return s.revoke(q, r.Header.Get("accesstoken"), now) }
	default:
		return errReply(http.StatusNotFound, 999, txtInvalidURL)
	}
	if rep, ok := s.checkToken(r, path, now); !ok {
		return rep
	}
	return h(r.URL.Query(), now)
}

func (s *Sim) purge(now time.Time) {
	for id, p := range s.procs {
		if s.clk.Sub(now, p.start) >= s.o.Retention {
			delete(s.procs, id)
			if s.current == p {
				s.current = nil
			}
		}
	}
}

func (s *Sim) busy(now time.Time) bool {
	return s.current != nil && s.current.view(now).status == stWait
}

func intParam(q url.Values, name string) (int64, reply, bool) {
	if !q.Has(name) {
		return 0, missing(name), false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(q.Get(name)), 10, 64)
	if err != nil {
		return 0, unvalidated(name, "Must be integer"), false
	}
	if n <= 0 {
		return 0, unvalidated(name, "Must be greater 0"), false
	}
	return n, reply{}, true
}

func boolParam(q url.Values, name string) (bool, reply, bool) {
	if !q.Has(name) {
		return false, reply{}, true
	}
	switch strings.ToLower(q.Get(name)) {
	case "true":
		return true, reply{}, true
	case "false":
		return false, reply{}, true
	}
	return false, unvalidated(name, "Must be boolean"), false
}

func strParam(q url.Values, name string) (string, reply, bool) {
	if !q.Has(name) {
		return "", missing(name), false
	}
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return "", unvalidated(name, "It's empty"), false
	}
	return v, reply{}, true
}

// newPID, newOrder and newRRN never give a number twice, nor one given
// before the sim started (Options.Used, Options.Payments).
func (s *Sim) newPID(now time.Time) string {
	id := max(now.UnixMilli(), s.lastPID+1)
	for s.used[strconv.FormatInt(id, 10)] {
		id++
	}
	s.lastPID = id
	return strconv.FormatInt(id, 10)
}

func (s *Sim) newOrder() string {
	for {
		n := strconv.FormatInt(s.orderSeq, 10)
		s.orderSeq++
		if !s.used[n] {
			return n
		}
	}
}

func (s *Sim) newRRN() string {
	for {
		n := fmt.Sprintf("%012d", s.rrnSeq)
		s.rrnSeq++
		if !s.used[n] {
			return n
		}
	}
}

func ledgerKey(m providers.Method, txID string) string { return string(m) + ":" + txID }

func (s *Sim) payment(q url.Values, now time.Time) reply {
	amount, rep, ok := intParam(q, "amount")
	if !ok {
		return rep
	}
	own, rep, ok := boolParam(q, "owncheque")
	if !ok {
		return rep
	}
	if s.busy(now) {
		return errReply(http.StatusOK, 107, txtBusy)
	}
	c := s.nextCustomer()
	p := &process{clk: s.clk, id: s.newPID(now), kind: kindPayment, amount: amount, ownCheque: own, start: now, cust: c,
		authCode: fmt.Sprintf("%06d", s.rnd.IntN(1000000))}
	if c.Does == PayCard {
		p.method, p.rrn = providers.MethodCard, s.newRRN()
	} else {
		p.method, p.orderNumber = providers.MethodQR, s.newOrder()
	}
	p.plan(s.o)
	s.procs[p.id] = p
	s.current = p
	s.ledger[ledgerKey(p.method, p.transactionID())] = p
	return okReply(obj{{"processId", p.id}, {"status", stWait}})
}

func (s *Sim) refund(q url.Values, now time.Time) reply {
	amount, rep, ok := intParam(q, "amount")
	if !ok {
		return rep
	}
	m, rep, ok := strParam(q, "method")
	if !ok {
		return rep
	}
	method := providers.Method(m)
	if method != providers.MethodQR && method != providers.MethodCard {
		return unvalidated("method", "Unknown payment method")
	}
	txID, rep, ok := strParam(q, "transactionId")
	if !ok {
		return rep
	}
	own, rep, ok := boolParam(q, "owncheque")
	if !ok {
		return rep
	}
	if s.busy(now) {
		return errReply(http.StatusOK, 107, txtBusy)
	}
	pay := s.ledger[ledgerKey(method, txID)]
	if pay == nil || pay.truth(now).status != stSuccess {
		return errReply(http.StatusOK, 108, txtFailed)
	}
	left := pay.amount - pay.refunded
	for _, r := range pay.refunds {
		if r.holds(now) {
			left -= r.amount
		}
	}
	if amount > left {
		return unvalidated("amount", fmt.Sprintf("Must not be greater than available refund amount %d", left))
	}
	p := &process{clk: s.clk, id: s.newPID(now), kind: kindRefund, method: method, amount: amount, ownCheque: own, start: now,
		cust: s.nextCustomer(), payment: pay, authCode: fmt.Sprintf("%06d", s.rnd.IntN(1000000))}
	if method == providers.MethodCard {
		p.rrn = pay.rrn // the seed's card refund quotes the payment's rrn
	} else {
		p.orderNumber = s.newOrder()
	}
	p.plan(s.o)
	s.procs[p.id] = p
	s.current = p
	pay.refunds = append(pay.refunds, p)
	return okReply(obj{{"processId", p.id}, {"status", stWait}})
}

func (s *Sim) status(q url.Values, now time.Time) reply {
	id, rep, ok := strParam(q, "processId")
	if !ok {
		return rep
	}
	p := s.procs[id]
	if p == nil {
		return errReply(http.StatusOK, 101, txtNotFound)
	}
	return okReply(s.statusData(p, p.view(now)))
}

func (s *Sim) actualize(q url.Values, now time.Time) reply {
	id, rep, ok := strParam(q, "processId")
	if !ok {
		return rep
	}
	p := s.procs[id]
	if p == nil {
		return errReply(http.StatusOK, 101, txtNotFound)
	}
	if !p.lastActualize.IsZero() && s.clk.Sub(now, p.lastActualize) < s.o.ActualizeEvery {
		s.violations++
	}
	p.lastActualize = now
	if p.view(now).status != stUnknown {
		return errReply(http.StatusOK, 103, txtUnable)
	}
	if !p.resolvable {
		return errReply(http.StatusOK, 102, txtUnsupported)
	}
	t := p.truth(now)
	if t.status != stUnknown {
		p.settled = &t
	}
	return okReply(s.statusData(p, t))
}

func (s *Sim) deviceInfo(_ url.Values, _ time.Time) reply {
	return okReply(obj{{"posNum", s.o.Shop.PosNum}, {"serialNum", s.o.Shop.SerialNum}, {"terminalId", s.o.Shop.TerminalID}})
}

func (s *Sim) statusData(p *process, st step) obj {
	switch st.status {
	case stSuccess:
		return s.successData(p, st)
	case stFail, stUnknown:
		return obj{{"message", st.message}, {"processId", p.id}, {"status", st.status}, {"subStatus", st.sub}}
	}
	return obj{{"processId", p.id}, {"status", st.status}, {"subStatus", st.sub}}
}

// statusTexts is chequeInfo.status for a purchase by ProductType.
var statusTexts = map[string]string{
	"Gold":   "Kaspi Gold-ман сатып алу. Мақұлданды",
	"Red":    "Kaspi Red-пен сатып алу. Мақұлданды",
	"Credit": "Kaspi Кредитпен сатып алу. Мақұлданды",
}

const refundText = "Қайтару сәтті жасалды"

func (s *Sim) successData(p *process, st step) obj {
	sh := s.o.Shop
	cust := p.cust
	if p.payment != nil {
		cust = p.payment.cust // the refund goes back to the paying product
	}
	amount := providers.New(p.amount, providers.KZT).Grouped() + " ₸"
	typ, text := "payment", statusTexts[cust.Product]
	if text == "" {
		text = "Сатып алу. Мақұлданды"
	}
	if p.kind == kindRefund {
		typ, text, amount = "refund", refundText, "- "+amount
	}
	card := p.method == providers.MethodCard
	refund := p.kind == kindRefund
	date := s.clk.Add(p.start, st.at).In(s.o.Location).Format("02.01.06 15:04:05")

	// Keys in the seed's (alphabetical) order. Card refunds carry no icc
	// or hostResponseCode: the POS makes them as manual refunds.
	ch := obj{{"address", sh.Address}, {"amount", amount}}
	if card {
		ch = append(ch, kv{"authorizationCode", p.authCode})
	}
	ch = append(ch, kv{"bin", sh.BIN})
	if card {
		ch = append(ch, kv{"cardMask", cust.CardMask})
	}
	ch = append(ch, kv{"city", sh.City}, kv{"date", date})
	if card && !refund {
		ch = append(ch, kv{"hostResponseCode", "000"}, kv{"icc", cust.ICC})
	}
	ch = append(ch, kv{"method", string(p.method)})
	if !card {
		ch = append(ch, kv{"orderNumber", p.orderNumber})
	}
	if card && !refund {
		ch = append(ch, kv{"pinEntered", !cust.NoPIN})
	}
	if card {
		ch = append(ch, kv{"rrn", p.rrn})
	}
	tail := obj{{"status", text}, {"storeName", sh.StoreName}, {"terminalId", sh.TerminalID}, {"type", typ}}

	data := obj{{"addInfo", obj{{"IsOffer", false}, {"LoanTerm", 0}, {"ProductType", cust.Product}}}}
	if s.o.ChequeBeside {
		data = append(data, kv{"chequeInfo", ch})
		data = append(data, tail...)
	} else {
		data = append(data, kv{"chequeInfo", append(ch, tail...)})
	}
	return append(data, kv{"processId", p.id}, kv{"status", stSuccess}, kv{"subStatus", st.sub}, kv{"transactionId", p.transactionID()})
}
