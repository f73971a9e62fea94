package kaspi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/kassa-till/kassa/providers"
)

// member is one key of a JSON object, in the order received. A slice of
// them keeps duplicate keys, which encoding/json's maps and structs lose.
type member struct {
	key string
	val json.RawMessage
}

type object []member

// members reads the top-level keys of a JSON object.
func members(b []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("not an object: %v", tok)
	}
	var m object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key is %T", tok)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		m = append(m, member{key: key, val: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return m, nil
}

// all returns every value under key, matched without regard to case as
// encoding/json does.
func (m object) all(key string) []json.RawMessage {
	var vs []json.RawMessage
	for _, kv := range m {
		if strings.EqualFold(kv.key, key) {
			vs = append(vs, kv.val)
		}
	}
	return vs
}

func (m object) raw(key string) json.RawMessage {
	vs := m.all(key)
	if len(vs) == 0 {
		return nil
	}
	return vs[len(vs)-1]
}

// str returns the last scalar under key as text ("" when absent or null).
func (m object) str(key string) string {
	for _, v := range reverse(m.all(key)) {
		if s, ok := scalar(v); ok {
			return s
		}
	}
	return ""
}

func reverse(vs []json.RawMessage) []json.RawMessage {
	out := make([]json.RawMessage, len(vs))
	for i, v := range vs {
		out[len(vs)-1-i] = v
	}
	return out
}

// scalar renders a JSON string, number or boolean as text, so fields the
// seed leaves untyped (pinEntered, processId, LoanTerm) read either way.
func scalar(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "", false
	}
	switch v[0] {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", false
		}
		return s, true
	case 'n':
		return "", true
	case '{', '[':
		return "", false
	}
	return string(v), true // number, true or false, as written
}

func decodeProcessRef(data []byte) (ProcessRef, error) {
	m, err := members(data)
	if err != nil {
		return ProcessRef{}, malformed("process data", err)
	}
	ref := ProcessRef{
		ProcessID:     m.str("processId"),
		Status:        m.str("status"),
		TransactionID: m.str("transactionId"),
	}
	if ref.ProcessID == "" {
		return ProcessRef{}, malformed("answer without processId", nil)
	}
	return ref, nil
}

var states = map[string]providers.State{
	"wait":    providers.StatePending,
	"success": providers.StateSuccess,
	"fail":    providers.StateFail,
	"unknown": providers.StateUnknown,
}

var stages = map[string]providers.Stage{
	"initialize":             providers.StageStarting,
	"waituser":               providers.StageWaitScan,
	"waitforqrconfirmation":  providers.StageWaitConfirm,
	"processingcard":         providers.StageCard,
	"waitforpincode":         providers.StagePIN,
	"processrefund":          providers.StageRefund,
	"qrtransactionsuccess":   providers.StageDone,
	"qrtransactionfailure":   providers.StageDone,
	"cardtransactionsuccess": providers.StageDone,
	"cardtransactionfailure": providers.StageDone,
	"processcancelled":       providers.StageCancelled,
}

// StageOf maps a Smart POS subStatus to the till's stage ("" if unknown).
func StageOf(subStatus string) providers.Stage {
	s := strings.ToLower(subStatus)
	if st, ok := stages[s]; ok {
		return st
	}
	if strings.HasSuffix(s, "success") || strings.HasSuffix(s, "failure") {
		return providers.StageDone
	}
	return ""
}

// chequeKeys are the chequeInfo fields; the seed's QR sample writes some of
// them beside chequeInfo in data, so both places are read.
var chequeKeys = []string{
	"type", "storeName", "city", "address", "amount", "date", "bin", "terminalId",
	"orderNumber", "method", "cardMask", "icc", "rrn", "rrr", "authorizationCode",
	"hostResponseCode", "pinEntered",
}

func decodeStatus(data []byte) (Status, error) {
	m, err := members(data)
	if err != nil {
		return Status{}, malformed("status data", err)
	}
	var st Status
	st.ProcessID = m.str("processId")
	st.Raw = append(json.RawMessage(nil), data...)

	// data may hold two "status" keys: the process status (one of four
	// words) and the cheque's text status. Sort them by value.
	var chequeStatus string
	for _, v := range m.all("status") {
		s, ok := scalar(v)
		if !ok {
			continue
		}
		if state, ok := states[strings.ToLower(strings.TrimSpace(s))]; ok && st.State == "" {
			st.State = state
		} else if s != "" {
			chequeStatus = s
		}
	}
	if st.State == "" {
		return Status{}, malformed("answer without a process status", nil)
	}
	st.Detail = m.str("subStatus")
	st.Stage = StageOf(st.Detail)
	st.Message = m.str("message")
	st.TransactionID = m.str("transactionId")

	cheque, err := decodeCheque(m, chequeStatus)
	if err != nil {
		return Status{}, err
	}
	st.Cheque = cheque
	if raw := m.raw("addInfo"); raw != nil {
		offer, err := decodeOffer(raw)
		if err != nil {
			return Status{}, err
		}
		st.Offer = offer
	}

	switch {
	case cheque != nil && cheque.Method != "":
		st.Method = cheque.Method
	case strings.HasPrefix(strings.ToLower(st.Detail), "qr"):
		st.Method = providers.MethodQR
	case strings.HasPrefix(strings.ToLower(st.Detail), "card"):
		st.Method = providers.MethodCard
	}
	if st.TransactionID == "" && st.State == providers.StateSuccess && cheque != nil {
		// The refund reference the till must keep: orderNumber or rrn.
		if st.Method == providers.MethodCard {
			st.TransactionID = cheque.RRN
		} else {
			st.TransactionID = cheque.OrderNumber
		}
	}
	return st, nil
}

// decodeCheque gathers chequeInfo's fields, preferring chequeInfo's own
// values and filling gaps from data's top level. It returns nil when there
// is no cheque data at all.
func decodeCheque(data object, statusText string) (*providers.Cheque, error) {
	var inner object
	if raw := data.raw("chequeInfo"); raw != nil && string(bytes.TrimSpace(raw)) != "null" {
		var err error
		if inner, err = members(raw); err != nil {
			return nil, malformed("chequeInfo", err)
		}
	}
	get := func(key string) string {
		if s := inner.str(key); s != "" {
			return s
		}
		return data.str(key)
	}
	f := map[string]string{}
	found := false
	for _, k := range chequeKeys {
		if s := get(k); s != "" {
			f[k] = s
			found = true
		}
	}
	status := inner.str("status")
	if status == "" {
		status = statusText
	}
	if !found && status == "" && inner == nil {
		return nil, nil
	}
	rrn := f["rrn"]
	if rrn == "" {
		rrn = f["rrr"] // the seed's table spells it so
	}
	return &providers.Cheque{
		Type:              f["type"],
		StoreName:         f["storeName"],
		City:              f["city"],
		Address:           f["address"],
		Status:            status,
		Amount:            f["amount"],
		Date:              f["date"],
		BIN:               f["bin"],
		TerminalID:        f["terminalId"],
		OrderNumber:       f["orderNumber"],
		Method:            providers.Method(strings.ToLower(f["method"])),
		CardMask:          f["cardMask"],
		ICC:               f["icc"],
		RRN:               rrn,
		AuthorizationCode: f["authorizationCode"],
		HostResponseCode:  f["hostResponseCode"],
		PinEntered:        f["pinEntered"],
	}, nil
}

func decodeOffer(raw json.RawMessage) (*providers.Offer, error) {
	if string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	m, err := members(raw)
	if err != nil {
		return nil, malformed("addInfo", err)
	}
	o := &providers.Offer{
		ProductType:   m.str("ProductType"),
		LoanOfferName: m.str("LoanOfferName"),
	}
	if s := m.str("IsOffer"); s != "" {
		o.IsOffer, err = strconv.ParseBool(s)
		if err != nil {
			return nil, malformed("addInfo.IsOffer", err)
		}
	}
	if s := m.str("LoanTerm"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, malformed("addInfo.LoanTerm", err)
		}
		o.LoanTerm = n
	}
	return o, nil
}
