package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/kassa-till/kassa/providers"
)

// Records written with codec 1 are read with its dictionary for ever.
func TestTheDictionaryOfCodec1NeverChanges(t *testing.T) {
	sum := sha256.Sum256(opDict1)
	if got := hex.EncodeToString(sum[:]); got != "aa98ed5d483d60c0eb8fbf13bf92572a3e716831c7f044e28b7a3b928946b7b2" {
		t.Fatalf("opdict1.txt changed (%s): records written with it would no longer read; make a codec 2", got)
	}
}

func TestARecordReadsBackAsItsJSON(t *testing.T) {
	op := NewPayment("octo", providers.New(1_500_000, providers.UZS), "Dilnoza «касса»", false, t0)
	op.ID = 7
	op.ApplyStatus(providers.Status{State: providers.StateSuccess, TransactionID: "4b1e8a0c", Raw: json.RawMessage(`{"a":1}`)}, t0)
	v, err := encodeOp(&op)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(op)
	if len(v) >= len(js)/2 {
		t.Errorf("a record of %d bytes from %d of JSON", len(v), len(js))
	}
	got, err := recordJSON(v)
	if err != nil || string(got) != string(js) {
		t.Fatalf("%s, %v", got, err)
	}
	// An older file's record is its JSON.
	if got, err := recordJSON(js); err != nil || string(got) != string(js) {
		t.Fatalf("JSON as stored before: %s, %v", got, err)
	}
	for i := range v {
		bad := append([]byte(nil), v...)
		bad[i] ^= 0x10
		if err := decodeOp(bad, &Operation{}); !errors.Is(err, errBadRecord) {
			t.Fatalf("a record changed at byte %d read: %v", i, err)
		}
		if validOperation(bad) {
			t.Fatalf("the check passes a record changed at byte %d", i)
		}
	}
}
