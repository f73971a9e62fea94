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
	case "/sim/next":
		var c Customer
		if c, err = parseCustomer(q); err == nil {
			s.Next(c)
		}
	case "/sim/default":
		var c Customer
		if c, err = parseCustomer(q); err == nil {
			s.SetDefault(c)
		}
	case "/sim/fault":
		f := Fault(q.Get("fault"))
		switch {
		case q.Get("path") == "":
			err = fmt.Errorf("path is required")
		case !slices.Contains(Faults, f):
			err = fmt.Errorf("unknown fault %q", f)
		default:
			s.Inject(q.Get("path"), f)
		}
	case "/sim/unpair":
		if q.Get("name") == "" {
			err = fmt.Errorf("name is required")
		} else {
			s.Unpair(q.Get("name"))
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
	c := Customer{Does: Behaviour(q.Get("customer")), Product: q.Get("product")}
	if c.Does == "" {
		c.Does = PayQR
	}
	if !slices.Contains(behaviours, c.Does) {
		return Customer{}, fmt.Errorf("unknown customer %q", c.Does)
	}
	for name, d := range map[string]*time.Duration{"delay": &c.Delay, "think": &c.Think, "resolve": &c.ResolveAfter} {
		if v := q.Get(name); v != "" {
			var err error
			if *d, err = parseDuration(v); err != nil {
				return Customer{}, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	if v := q.Get("nopin"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Customer{}, fmt.Errorf("nopin: %w", err)
		}
		c.NoPIN = b
	}
	return c, nil
}

// parseDuration takes seconds ("5", "0.5") or Go syntax ("500ms").
func parseDuration(v string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 {
			return 0, fmt.Errorf("negative duration %q", v)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.ParseDuration(v)
}

type customerView struct {
	Does         Behaviour `json:"customer"`
	Delay        string    `json:"delay"`
	Think        string    `json:"think"`
	ResolveAfter string    `json:"resolve"`
	Product      string    `json:"product,omitempty"`
	NoPIN        bool      `json:"nopin,omitempty"`
}

func viewCustomer(c Customer) customerView {
	return customerView{Does: c.Does, Delay: c.Delay.String(), Think: c.Think.String(),
		ResolveAfter: c.ResolveAfter.String(), Product: c.Product, NoPIN: c.NoPIN}
}

type processView struct {
	ProcessID     string `json:"processId"`
	Kind          string `json:"kind"`
	Method        string `json:"method"`
	Amount        int64  `json:"amount"`
	Started       string `json:"started"`
	Status        string `json:"status"`
	SubStatus     string `json:"subStatus"`
	TransactionID string `json:"transactionId,omitempty"`
}

// state is what /sim/state shows.
func (s *Sim) state() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	s.purge(now)
	queue := make([]customerView, 0, len(s.queue))
	for _, c := range s.queue {
		queue = append(queue, viewCustomer(c.withDefaults()))
	}
	procs := make([]processView, 0, len(s.procs))
	for _, p := range s.procs {
		v := p.view(now)
		kind := "payment"
		if p.kind == kindRefund {
			kind = "refund"
		}
		pv := processView{ProcessID: p.id, Kind: kind, Method: string(p.method), Amount: p.amount,
			Started: p.start.Format(time.RFC3339), Status: v.status, SubStatus: v.sub}
		if v.status == stSuccess {
			pv.TransactionID = p.transactionID()
		}
		procs = append(procs, pv)
	}
	slices.SortFunc(procs, func(a, b processView) int { return strings.Compare(a.ProcessID, b.ProcessID) })
	faults := map[string][]Fault{}
	for p, f := range s.faults {
		if len(f) > 0 {
			faults[p] = f
		}
	}
	pairs := make([]string, 0, len(s.pairs))
	for name := range s.pairs {
		pairs = append(pairs, name)
	}
	slices.Sort(pairs)
	return map[string]any{
		"now":                 now.Format(time.RFC3339),
		"busy":                s.busy(now),
		"actualizeViolations": s.violations,
		"default":             viewCustomer(s.def.withDefaults()),
		"queue":               queue,
		"faults":              faults,
		"processes":           procs,
		"pairings":            pairs,
	}
}
