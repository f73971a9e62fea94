package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// control serves /sim/: steering a running sim from a shell.
func (s *Sim) control(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var err error
	var out any = map[string]any{"ok": true}
	code := http.StatusOK
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case "/sim/next", "/sim/default":
		var c Customer
		if c, err = parseCustomer(q); err == nil {
			if r.URL.Path == "/sim/next" {
				s.Next(c)
			} else {
				s.SetDefault(c)
			}
		}
	case "/sim/refund", "/sim/refund-default":
		var rs RefundScript
		if rs, err = parseRefund(q); err == nil {
			if strings.HasPrefix(r.URL.Path, "/sim/refund-default") {
				s.SetDefaultRefund(rs)
			} else {
				s.NextRefund(rs)
			}
		}
	case "/sim/fault":
		var f Fault
		if f, err = parseFault(q); err == nil {
			s.Inject(q.Get("path"), f)
		}
	case "/sim/pay":
		err = s.PayNow(q.Get("invoice_id"))
	case "/sim/decline":
		err = s.DeclineNow(q.Get("invoice_id"))
	case "/sim/block":
		s.Block()
	case "/sim/unblock":
		err = s.Unblock(q.Get("reason"))
	case "/sim/mode":
		var on bool
		if on, err = strconv.ParseBool(q.Get("long_poll")); err != nil {
			err = fmt.Errorf("long_poll: want true or false")
		} else {
			s.SetLongPoll(on)
		}
	case "/sim/state":
		out = s.state()
	default:
		code, err = http.StatusNotFound, fmt.Errorf("unknown control %s", r.URL.Path)
	}
	if err != nil {
		if code == http.StatusOK {
			code = http.StatusBadRequest
		}
		out = map[string]string{"error": err.Error()}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(out)
}

func parseCustomer(q url.Values) (Customer, error) {
	c := Customer{Does: Behaviour(q.Get("customer")), CardNo: q.Get("card"), CardType: q.Get("card_type"), Phone: q.Get("phone")}
	if c.Does == "" {
		c.Does = Pay
	}
	if !slices.Contains(Behaviours, c.Does) {
		return Customer{}, fmt.Errorf("unknown customer %q (one of pay, decline, never, pay-on-cancel)", c.Does)
	}
	if v := q.Get("delay"); v != "" {
		var err error
		if c.Delay, err = parseDuration(v); err != nil {
			return Customer{}, fmt.Errorf("delay: %w", err)
		}
	}
	return c, nil
}

func parseRefund(q url.Values) (RefundScript, error) {
	rs := RefundScript{Ends: RefundEnd(q.Get("ends"))}
	if rs.Ends == "" {
		rs.Ends = RefundDone
	}
	if rs.Ends != RefundDone && rs.Ends != RefundFail {
		return RefundScript{}, fmt.Errorf("unknown refund end %q (done or fail)", rs.Ends)
	}
	if v := q.Get("after"); v != "" {
		var err error
		if rs.After, err = parseDuration(v); err != nil {
			return RefundScript{}, fmt.Errorf("after: %w", err)
		}
	}
	return rs, nil
}

// parseFault takes a fault by name or, for the refusing ones, by code.
func parseFault(q url.Values) (Fault, error) {
	if !slices.Contains(Paths, q.Get("path")) {
		return "", fmt.Errorf("path %q is not one of %s", q.Get("path"), strings.Join(Paths, ", "))
	}
	name := q.Get("fault")
	if slices.Contains(Faults, Fault(name)) {
		return Fault(name), nil
	}
	if n, err := strconv.Atoi(name); err == nil {
		for f, c := range FaultCodes {
			if c == n {
				return f, nil
			}
		}
	}
	return "", fmt.Errorf("unknown fault %q", name)
}

// parseDuration takes seconds ("5", "0.5") or Go syntax ("500ms", "2h").
func parseDuration(v string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 {
			return 0, fmt.Errorf("negative duration %q", v)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		return 0, fmt.Errorf("negative duration %q", v)
	}
	return d, err
}

type customerView struct {
	Does     Behaviour `json:"customer"`
	Delay    string    `json:"delay"`
	CardNo   string    `json:"card"`
	CardType string    `json:"card_type"`
	Phone    string    `json:"phone"`
}

func viewCustomer(c Customer) customerView {
	c = c.withDefaults()
	return customerView{Does: c.Does, Delay: c.Delay.String(), CardNo: c.CardNo, CardType: c.CardType, Phone: c.Phone}
}

type scriptView struct {
	Ends  RefundEnd `json:"ends"`
	After string    `json:"after"`
}

func viewScript(r RefundScript) scriptView {
	r = r.withDefaults()
	return scriptView{Ends: r.Ends, After: r.After.String()}
}

type refundView struct {
	ID      string `json:"refund_id"`
	PayID   string `json:"pay_id"`
	Amount  int64  `json:"amount"`
	Status  int    `json:"status"`
	Started string `json:"started"`
}

// state is what /sim/state shows.
func (s *Sim) state() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	invoices := make([]InvoiceView, 0, len(s.invoices))
	for _, inv := range s.invoices {
		v := s.view(inv, now)
		v.QRText = ""
		invoices = append(invoices, v)
	}
	slices.SortFunc(invoices, func(a, b InvoiceView) int { return strings.Compare(a.ID, b.ID) })
	refunds := make([]refundView, 0, len(s.refundsBy))
	for _, r := range s.refundsBy {
		refunds = append(refunds, refundView{ID: r.id, PayID: r.payment.payID, Amount: r.amount, Status: r.status(now),
			Started: r.start.Format(time.RFC3339)})
	}
	slices.SortFunc(refunds, func(a, b refundView) int { return strings.Compare(a.ID, b.ID) })
	queue := make([]customerView, 0, len(s.queue))
	for _, c := range s.queue {
		queue = append(queue, viewCustomer(c))
	}
	refundQueue := make([]scriptView, 0, len(s.refunds))
	for _, r := range s.refunds {
		refundQueue = append(refundQueue, viewScript(r))
	}
	faults := map[string][]Fault{}
	for p, f := range s.faults {
		if len(f) > 0 {
			faults[p] = f
		}
	}
	return map[string]any{
		"now":             now.Format(time.RFC3339),
		"long_poll":       s.longPoll,
		"blocked":         s.blocked,
		"default":         viewCustomer(s.def),
		"queue":           queue,
		"refund_default":  viewScript(s.defRefund),
		"refund_queue":    refundQueue,
		"faults":          faults,
		"invoices":        invoices,
		"refunds":         refunds,
		"fast_status":     s.fastCalls,
		"invoice_seconds": s.o.InvoiceLifetime.Seconds(),
	}
}
