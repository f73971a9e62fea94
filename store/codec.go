package store

import (
	"bytes"
	"compress/flate"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"sync"
	"time"
)

// An operation's stored record is its JSON, compressed: a history screen
// never reads it (the summaries answer those), only a detail view, a
// receipt, a recovery. Deflate with a preset dictionary of typical records
// of every provider brings the ~1,000 bytes of JSON to ~150, and the
// checksum lets the full check tell a scribbled record as the JSON's own
// shape did.
//
//	'{' …                     JSON, as files before the compact layout hold them
//	0x01, crc32c (4), created (unix nanos, 8), deflate(JSON) with opDict1
//
// The creation time is outside the deflate so that an operation's
// summary key (created + id) is found from its id alone: a search by
// receipt number needs no index (see receiptKeys).
const (
	codecDeflate1 = 0x01
	recordPrefix  = 13
)

// opDict1 is the dictionary of codec 1. Records written with it are read
// with it for ever: it never changes (a test pins its hash); a better one
// would be codec 2.
//
//go:embed opdict1.txt
var opDict1 []byte

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var (
	deflaters = sync.Pool{New: func() any {
		w, err := flate.NewWriterDict(nil, flate.DefaultCompression, opDict1)
		if err != nil {
			panic(err) // only for a bad level
		}
		return w
	}}
	inflaters = sync.Pool{New: func() any { return flate.NewReaderDict(nil, opDict1) }}
)

// errBadRecord is an operation record that does not read: its checksum or
// its deflate stream is wrong.
var errBadRecord = errors.New("store: an operation's record is damaged")

// encodeOp is the stored record of op.
func encodeOp(op *Operation) ([]byte, error) {
	js, err := json.Marshal(op)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(js)/4 + recordPrefix)
	var head [recordPrefix]byte
	head[0] = codecDeflate1
	binary.BigEndian.PutUint64(head[5:], uint64(op.Created.UnixNano()))
	buf.Write(head[:])
	w := deflaters.Get().(*flate.Writer)
	w.Reset(&buf)
	w.Write(js) // a bytes.Buffer does not fail
	w.Close()
	deflaters.Put(w)
	out := buf.Bytes()
	binary.BigEndian.PutUint32(out[1:5], crc32.Checksum(out[5:], castagnoli))
	return out, nil
}

// recordJSON is the JSON of a stored record, of either codec.
func recordJSON(v []byte) ([]byte, error) {
	if len(v) > 0 && v[0] == '{' {
		return v, nil
	}
	if !validRecord(v) {
		return nil, errBadRecord
	}
	r := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(v[recordPrefix:]), opDict1); err != nil {
		return nil, errBadRecord
	}
	var out bytes.Buffer
	out.Grow(len(v) * 8)
	if _, err := out.ReadFrom(r); err != nil {
		return nil, errBadRecord
	}
	return out.Bytes(), nil
}

// decodeOp reads a stored record into op.
func decodeOp(v []byte, op *Operation) error {
	js, err := recordJSON(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(js, op)
}

// validRecord reports whether a compressed record's checksum holds.
func validRecord(v []byte) bool {
	return len(v) > recordPrefix && v[0] == codecDeflate1 && binary.BigEndian.Uint32(v[1:5]) == crc32.Checksum(v[5:], castagnoli)
}

// recordCreated is the creation time of a stored record, read without
// decoding it where it is compressed.
func recordCreated(v []byte) (time.Time, bool) {
	if len(v) > recordPrefix && v[0] == codecDeflate1 {
		return time.Unix(0, int64(binary.BigEndian.Uint64(v[5:]))), true
	}
	var prev previous
	if decodePrevious(v, &prev) != nil {
		return time.Time{}, false
	}
	return prev.Created, true
}

// decodePrevious reads what put needs of a stored record to undo its
// index entries.
func decodePrevious(v []byte, prev *previous) error {
	js, err := recordJSON(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(js, prev)
}
