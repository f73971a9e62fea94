package octo_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/octo"
	"github.com/kassa-till/kassa/providers/octo/sim"
)

func (r *rig) notify(p *octo.Provider, body []byte) int {
	r.t.Helper()
	w := httptest.NewRecorder()
	p.Callbacks(r.rec.deliver).ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/kassa/octo", bytes.NewReader(body)))
	return w.Code
}

// reSign changes fields of a notification and signs it again with key.
func reSign(t *testing.T, body []byte, key string, set map[string]string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		m[k] = v
	}
	m["signature"] = octo.Signature(octo.Secret(key), m["octo_payment_UUID"].(string), m["status"].(string))
	b, _ := json.Marshal(m)
	return b
}

func TestSignatureIsUppercaseSHA1(t *testing.T) {
	// sha1("k" + "u" + "succeeded"), by sha1sum
	if got := octo.Signature("k", "u", "succeeded"); got != "A3E3C8B3FA5FEA79489B1C77BE127424B2327ADD" {
		t.Fatalf("%s", got)
	}
	n := octo.Notification{UUID: "u", Status: "succeeded", Signature: strings.ToLower(octo.Signature("k", "u", "succeeded"))}
	if !octo.VerifyNotification("k", n) {
		t.Fatal("a lowercase signature is refused")
	}
	if octo.VerifyNotification("", octo.Notification{UUID: "u", Status: "s", Signature: octo.Signature("", "u", "s")}) {
		t.Fatal("a notification is believed without a notification key")
	}
}

func TestNotifications(t *testing.T) {
	r := newRig(t, sim.Options{}, octo.Options{NotifyURL: "https://shop.example.uz/kassa/octo"})
	r.sim.Next(sim.Customer{Does: sim.Pay, Delay: 5 * time.Second}, sim.Customer{Does: sim.Never})
	a := r.start("op-a", providers.Sale{})
	b := r.start("op-b", providers.Sale{})
	if !strings.Contains(string(r.sn.last(octo.PathPrepare)), `"notify_url":"https://shop.example.uz/kassa/octo"`) {
		t.Fatalf("sent %s", r.sn.last(octo.PathPrepare))
	}
	r.clk.Advance(6 * time.Second)
	good, url, err := r.sim.Notification(a.Ref)
	if err != nil || url != "https://shop.example.uz/kassa/octo" {
		t.Fatalf("%q %v", url, err)
	}

	// Forged: the status changed, the signature kept.
	forged := bytes.Replace(good, []byte(`"succeeded"`), []byte(`"canceled"`), 1)
	// Another transaction's UUID, properly signed: the signature covers
	// neither the id nor the amount.
	swapped := reSign(t, good, testNotifyKey, map[string]string{"shop_transaction_id": "op-b"})
	wrongKey := reSign(t, good, "another-key", nil)
	for name, body := range map[string][]byte{"forged": forged, "another's UUID": swapped, "wrong key": wrongKey, "not JSON": []byte("<x>")} {
		if code := r.notify(r.p, body); code != http.StatusBadRequest {
			t.Errorf("%s: %d", name, code)
		}
		// A Provider that did not start it (after a restart) finds out by
		// the status call.
		if code := r.notify(r.fresh(), body); code != http.StatusBadRequest {
			t.Errorf("%s after a restart: %d", name, code)
		}
	}
	if ev := r.rec.all(); len(ev) != 0 {
		t.Fatalf("refused notifications delivered: %+v", ev)
	}
	if s := r.log.String(); strings.Contains(s, testSecret) || strings.Contains(s, testNotifyKey) || !strings.Contains(s, "refused") {
		t.Fatalf("log: %s", s)
	}

	lower := bytes.Replace(good, []byte(octo.Signature(testNotifyKey, a.Ref, "succeeded")),
		[]byte(strings.ToLower(octo.Signature(testNotifyKey, a.Ref, "succeeded"))), 1)
	if code := r.notify(r.p, lower); code != http.StatusOK {
		t.Fatalf("good notification: %d", code)
	}
	ev := r.rec.all()
	if len(ev) != 1 || ev[0].Handle.OperationID != "op-a" || ev[0].Handle.Ref != a.Ref || ev[0].Status.State != providers.StateSuccess {
		t.Fatalf("delivered %+v", ev)
	}

	// A notification whose status the status call does not bear out is
	// delivered as OCTO's status says, not as the notification does.
	claim := reSign(t, mustNotification(t, r, b.Ref), testNotifyKey, map[string]string{"status": "succeeded"})
	if code := r.notify(r.p, claim); code != http.StatusOK {
		t.Fatalf("claim: %d", code)
	}
	if ev := r.rec.all(); len(ev) != 2 || ev[1].Status.State != providers.StatePending {
		t.Fatalf("the notification's word was taken over OCTO's status: %+v", ev[1].Status)
	}

	// GET is refused.
	w := httptest.NewRecorder()
	r.p.Callbacks(r.rec.deliver).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/kassa/octo", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", w.Code)
	}
}

func mustNotification(t *testing.T, r *rig, uuid string) []byte {
	t.Helper()
	b, _, err := r.sim.Notification(uuid)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The sim's own notification, over loopback to the provider's listener.
func TestNotificationFromTheSim(t *testing.T) {
	r := newRig(t, sim.Options{}, octo.Options{})
	mux := http.NewServeMux() // safe to fill once serving
	listener := httptest.NewServer(mux)
	t.Cleanup(listener.Close)
	r.opts.NotifyURL = listener.URL + "/kassa/octo"
	r.p = r.fresh()
	mux.Handle("/kassa/octo", r.p.Callbacks(r.rec.deliver))
	r.sim.Next(sim.Customer{Does: sim.Pay, Delay: 5 * time.Second})
	st := r.start("op-1", providers.Sale{})
	r.clk.Advance(6 * time.Second)
	code, err := r.sim.SendNotification(r.ctx, st.Ref)
	if err != nil || code != http.StatusOK {
		t.Fatalf("%d %v", code, err)
	}
	if ev := r.rec.all(); len(ev) != 1 || ev[0].Status.State != providers.StateSuccess || ev[0].Handle.OperationID != "op-1" {
		t.Fatalf("delivered %+v", ev)
	}
}
