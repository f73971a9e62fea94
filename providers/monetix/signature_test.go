package monetix_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kassa-till/kassa/providers/monetix"
)

// The public vector of SPEC §4.
func TestSignaturePublicVector(t *testing.T) {
	body := []byte(`{"project_id":11,"payment_currency":"EUR","some_bool_param":true,"two_levels_param":{"param1":1,"param2":2}}`)
	flat, err := monetix.Flatten(body)
	if err != nil {
		t.Fatal(err)
	}
	if want := "payment_currency:EUR;project_id:11;some_bool_param:1;two_levels_param:param1:1;two_levels_param:param2:2"; flat != want {
		t.Fatalf("flattened\n%s\nwant\n%s", flat, want)
	}
	sig, err := monetix.Sign([]byte("qwerty"), body)
	if err != nil {
		t.Fatal(err)
	}
	if want := "ehwG+e+Sq6b0QEek2hmHGUFzViX9/Xfcgnh0Ysn1+AqCY8BsKhC/Vcyr4XH8CKXW3iS0vW9S2mTwOt/0Ozf5pg=="; sig != want {
		t.Fatalf("signature %s, want %s", sig, want)
	}
}

func TestFlatten(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"nested objects", `{"a":{"b":{"c":"x"},"d":"y"},"Z":"keeps case"}`, "Z:keeps case;a:b:c:x;a:d:y"},
		{"signature dropped at every depth", `{"signature":"s","general":{"signature":"t","project_id":1},"x":[{"signature":"u","v":2}]}`,
			"general:project_id:1;x:0:v:2"},
		{"booleans and null", `{"t":true,"f":false,"n":null}`, "f:0;n:;t:1"},
		{"empty objects and arrays contribute nothing", `{"a":[],"b":{},"c":{"d":[]},"e":"1"}`, "e:1"},
		{"numbers as their literal", `{"big":9007199254740993,"neg":-5,"frac":1.50,"exp":1e3}`,
			"big:9007199254740993;exp:1e3;frac:1.50;neg:-5"},
		{"strings as they are", `{"s":"a:b;c","u":"Тошкент"}`, "s:a:b;c;u:Тошкент"},
		{"arrays of ten and more: 10 after 9", `{"a":[0,1,2,3,4,5,6,7,8,9,10,11]}`,
			"a:0:0;a:1:1;a:2:2;a:3:3;a:4:4;a:5:5;a:6:6;a:7:7;a:8:8;a:9:9;a:10:10;a:11:11"},
		{"display_data as a callback carries it", `{"display_data":[{"type":"add_info","title":"lifetime","data":600}]}`,
			"display_data:0:data:600;display_data:0:title:lifetime;display_data:0:type:add_info"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := monetix.Flatten([]byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
	for _, bad := range []string{``, `[1]`, `"x"`, `{"a":1} {}`, `{"a":`} {
		if _, err := monetix.Flatten([]byte(bad)); err == nil {
			t.Errorf("%q flattened", bad)
		}
	}
}

// The success callback of seed 003, as the tests sign it.
const seedCallback = `{"project_id":1234,"payment":{"id":"payment_47","type":"purchase","status":"success","date":"2022-03-25T11:08:45+0000","method":"sbp-qr","sum":{"amount":20000000,"currency":"UZS"},"description":""},"customer":{"id":"customer_123"},"operation":{"id":28,"type":"sale","status":"success","date":"2022-03-25T11:08:45+0000","created_date":"2022-03-25T11:08:05+0000","request_id":"9e32835fb27907e0b08569d7d150e387a16a80e336c5117242b5cf60a4e17839","sum_initial":{"amount":20000000,"currency":"UZS"},"sum_converted":{"amount":20000000,"currency":"UZS"},"code":"0","message":"Success","provider":{"id":12345,"payment_id":"123abc123-321","auth_code":""}},"display_data":[{"type":"add_info","title":"lifetime","data":600},{"type":"add_info","title":"qr_data","data":"https://example.uz/qr"}],"flag":true,"none":null}`

func signedJSON(t testing.TB, secret string, body string) []byte {
	t.Helper()
	sig, err := monetix.Sign([]byte(secret), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	m["signature"], _ = json.Marshal(sig)
	b, _ := json.Marshal(m)
	return b
}

// leaves lists the paths of every leaf of v.
func leaves(prefix []any, v any, out *[][]any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k != "signature" {
				leaves(append(append([]any(nil), prefix...), k), x, out)
			}
		}
	case []any:
		for i, x := range v {
			leaves(append(append([]any(nil), prefix...), i), x, out)
		}
	default:
		*out = append(*out, prefix)
	}
}

// alter changes the leaf at path to another value of a kind that flattens
// differently.
func alter(v any, path []any) {
	for i, k := range path {
		last := i == len(path)-1
		switch c := v.(type) {
		case map[string]any:
			if last {
				c[k.(string)] = altered(c[k.(string)])
				return
			}
			v = c[k.(string)]
		case []any:
			if last {
				c[k.(int)] = altered(c[k.(int)])
				return
			}
			v = c[k.(int)]
		}
	}
}

func altered(v any) any {
	switch v := v.(type) {
	case string:
		return v + "x"
	case json.Number:
		return json.Number(v.String() + "1")
	case bool:
		return !v
	case nil:
		return "0"
	}
	panic(fmt.Sprintf("no leaf: %T", v))
}

// A callback altered in any one field, each leaf in turn, fails; so does
// one signed with another key, one without a signature, and one whose
// signature is cut.
func TestVerifyRefusesEveryAlteredField(t *testing.T) {
	const secret = "project-secret"
	body := signedJSON(t, secret, seedCallback)
	if err := monetix.Verify([]byte(secret), body); err != nil {
		t.Fatalf("the signed callback: %v", err)
	}
	var doc any
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var paths [][]any
	leaves(nil, doc, &paths)
	if len(paths) < 30 {
		t.Fatalf("only %d leaves", len(paths))
	}
	for _, p := range paths {
		var v any
		d := json.NewDecoder(strings.NewReader(string(body)))
		d.UseNumber()
		_ = d.Decode(&v)
		alter(v, p)
		b, _ := json.Marshal(v)
		if err := monetix.Verify([]byte(secret), b); !errors.Is(err, monetix.ErrSignature) {
			t.Errorf("altered at %v: %v", p, err)
		}
	}
	if err := monetix.Verify([]byte("other"), body); !errors.Is(err, monetix.ErrSignature) {
		t.Errorf("another key: %v", err)
	}
	if err := monetix.Verify([]byte(secret), []byte(seedCallback)); !errors.Is(err, monetix.ErrSignature) {
		t.Errorf("unsigned: %v", err)
	}
	cut := strings.Replace(string(body), `=="`, `"`, 1)
	if err := monetix.Verify([]byte(secret), []byte(cut)); !errors.Is(err, monetix.ErrSignature) {
		t.Errorf("cut signature: %v", err)
	}
}

// A request carries its signature in general.signature.
func TestVerifyRequestSignature(t *testing.T) {
	body := `{"general":{"project_id":1234,"payment_id":"K1-000001"},"payment":{"amount":20000000,"currency":"UZS"}}`
	sig, _ := monetix.Sign([]byte("k"), []byte(body))
	signed := strings.Replace(body, `"K1-000001"}`, `"K1-000001","signature":"`+sig+`"}`, 1)
	if err := monetix.Verify([]byte("k"), []byte(signed)); err != nil {
		t.Fatal(err)
	}
}

func FuzzSignature(f *testing.F) {
	f.Add([]byte(seedCallback))
	f.Add([]byte(`{"a":[0,1,2,3,4,5,6,7,8,9,10],"b":{},"c":null,"d":true}`))
	f.Add([]byte(`{"signature":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		flat, err := monetix.Flatten(body)
		if err != nil {
			return
		}
		sig, err := monetix.Sign([]byte("k"), body)
		if err != nil {
			t.Fatalf("flattened (%q) but not signed: %v", flat, err)
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) != nil {
			return // duplicate keys and the like: Flatten's reading is the one that counts
		}
		m["signature"], _ = json.Marshal(sig)
		signed, _ := json.Marshal(m)
		if err := monetix.Verify([]byte("k"), signed); err != nil {
			t.Fatalf("signed %q, then: %v", signed, err)
		}
	})
}
