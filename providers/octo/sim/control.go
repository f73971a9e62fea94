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
	case "/sim/refund":
		rs := RefundScript{Ends: RefundEnd(q.Get("ends"))}
		if rs.Ends == "" {
			rs.Ends = RefundDone
		}
		if rs.Ends != RefundDone && rs.Ends != RefundFail {
			err = fmt.Errorf("ends=%q: done or fail", rs.Ends)
		} else if rs.After, err = duration(q.Get("after")); err == nil {
			s.NextRefund(rs)
		}
	case "/sim/fault":
		f := Fault(q.Get("fault"))
		path := q.Get("path")
		if path == "" {
			path = PathPrepare
		}
		code, _, _ := strings.Cut(string(f), ":")
		_, isCode := strconv.Atoi(code)
		switch {
		case !slices.Contains(Paths, path):
			err = fmt.Errorf("path=%q: one of %v", path, Paths)
		case isCode != nil && !slices.Contains(TransportFaults, f):
			err = fmt.Errorf("fault=%q: CODE:text or one of %v", f, TransportFaults)
		default:
			s.Inject(path, f)
		}
	case "/sim/shape":
		sh := Shape(q.Get("shape"))
		if sh != ShapeData && sh != ShapeFlat {
			err = fmt.Errorf("shape=%q: data or flat", sh)
		} else {
			s.SetShape(sh)
		}
	case "/sim/fiscal":
		if uuid := q.Get("uuid"); uuid != "" {
			err = s.ReleaseFiscal(uuid)
		} else {
			late, perr := strconv.ParseBool(q.Get("late"))
			if perr != nil {
				err = fmt.Errorf("late=%q: true or false (or uuid=… to release one)", q.Get("late"))
			} else {
				s.HoldFiscal(late)
			}
		}
	case "/sim/pay":
		err = s.PayNow(q.Get("uuid"))
	case "/sim/decline":
		err = s.DeclineNow(q.Get("uuid"))
	case "/sim/notify":
		var code int
		if code, err = s.SendNotification(r.Context(), q.Get("uuid")); err == nil && code != http.StatusOK {
			err = fmt.Errorf("the listener answered HTTP %d", code)
		}
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
		Ledger []Entry `json:"ledger"`
	}{s.Ledger()})
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
	c.Delay, err = duration(q.Get("delay"))
	return c, err
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
