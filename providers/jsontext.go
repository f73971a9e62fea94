package providers

import (
	"bytes"
	"encoding/json"
)

// JSONText renders a JSON string or number as text ("" for null, absent,
// or an object, array or boolean), so ids, codes and statuses read the
// same whichever a provider writes: "42" and 42 alike.
func JSONText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		return ""
	case 'n', '{', '[', 't', 'f':
		return ""
	}
	return string(v)
}

// JSONNull reports whether v is absent or null.
func JSONNull(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) == 0 || string(v) == "null"
}
