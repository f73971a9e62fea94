package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// control serves /sim/…, GET, so a sim started from a shell can be
// steered with curl (durations in seconds or Go syntax such as 500ms).
func (s *Sim) control(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var err error
	switch r.URL.Path {
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
		rs := RefundScript{Ends: RefundEnd(q.Get("ends"))}
		if rs.Ends == "" {
			rs.Ends = RefundDone
		}
		if rs.Ends != RefundDone && rs.Ends != RefundFail {
			err = fmt.Errorf("ends=%q: done or fail", rs.Ends)
		} else if rs.After, err = duration(q.Get("after")); err == nil {
			if r.URL.Path == "/sim/refund" {
				s.NextRefund(rs)
			} else {
				s.SetDefaultRefund(rs)
			}
		}
	case "/sim/fault":
		f := Fault(q.Get("fault"))
		path := q.Get("path")
		if path == "" {
			path = PathSale
		}
		_, isCode := strconv.Atoi(string(f))
		switch {
		case !slices.Contains(Paths, path):
			err = fmt.Errorf("path=%q: one of %v", path, Paths)
		case isCode != nil && !slices.Contains(TransportFaults, f):
			err = fmt.Errorf("fault=%q: a response code or one of %v", f, TransportFaults)
		default:
			s.Inject(path, f)
		}
	case "/sim/pay":
		err = s.PayNow(q.Get("payment_id"))
	case "/sim/decline":
		err = s.DeclineNow(q.Get("payment_id"))
	case "/sim/flush":
		s.Flush(r.Context())
	case "/sim/state":
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Ledger  []Entry `json:"ledger"`
		Pending int     `json:"callbacks_pending"`
	}{s.Ledger(), s.Pending()})
}

func parseCustomer(q url.Values) (Customer, error) {
	c := Customer{Does: Behaviour(q.Get("customer"))}
	if c.Does == "" {
		c.Does = Pay
	}
	if !slices.Contains(Behaviours, c.Does) {
		return c, fmt.Errorf("customer=%q: one of %v", c.Does, Behaviours)
	}
	var err error
	if c.Delay, err = duration(q.Get("delay")); err != nil {
		return c, err
	}
	if c.Late, err = duration(q.Get("late")); err != nil {
		return c, err
	}
	if v := q.Get("repeat"); v != "" {
		if c.Repeat, err = strconv.Atoi(v); err != nil || c.Repeat < 0 {
			return c, fmt.Errorf("repeat=%q: a count", v)
		}
	}
	flag := func(name string) bool { v, _ := strconv.ParseBool(q.Get(name)); return v }
	c.LoseFinal, c.LoseDisplay = flag("lose_final"), flag("lose_display")
	c.BadSignature, c.BeforeAnswer = flag("bad_signature"), flag("before_answer")
	return c, nil
}

func duration(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration", v)
	}
	return d, nil
}
