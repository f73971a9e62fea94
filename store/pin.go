package store

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// ErrBadPIN refuses a PIN that is not 4 to 8 ASCII digits.
var ErrBadPIN = errors.New("store: a PIN is 4 to 8 digits")

// PINParams are argon2id's costs. The data file may be copied off the
// till, and a PIN has at most 10^8 values: each guess must be slow. These
// are OWASP's first choice for argon2id (19 MiB, 2 passes, 1 lane), about
// 30 ms on a till's CPU.
type PINParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// PINCost is the cost new hashes get. Tests elsewhere lower it to run
// fast; the cost of every hash is written in it, so a hash made at
// another cost still checks.
var PINCost = PINParams{Memory: 19456, Time: 2, Threads: 1}

const (
	pinSaltLen = 16
	pinKeyLen  = 32
)

var b64 = base64.RawStdEncoding

// ValidPIN reports whether pin is 4 to 8 ASCII digits.
func ValidPIN(pin string) bool {
	if len(pin) < 4 || len(pin) > 8 {
		return false
	}
	for i := range len(pin) {
		if pin[i] < '0' || pin[i] > '9' {
			return false
		}
	}
	return true
}

// hashPIN hashes pin with a new random salt, in the PHC string format
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" (unpadded base64), so
// the costs travel with the hash.
func hashPIN(pin string) (string, error) {
	if !ValidPIN(pin) {
		return "", ErrBadPIN
	}
	salt := make([]byte, pinSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := PINCost
	key := argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, pinKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// errBadHash is a stored hash kassa cannot read: no PIN matches it.
var errBadHash = errors.New("store: the PIN hash cannot be read")

// checkPIN reports whether pin matches hash, comparing in constant time.
// A hash that cannot be read matches nothing.
func checkPIN(hash, pin string) (bool, error) {
	p, salt, key, err := parsePINHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

func parsePINHash(hash string) (PINParams, []byte, []byte, error) {
	var p PINParams
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errBadHash
	}
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil || n != 3 ||
		p.Time == 0 || p.Time > 16 || threads == 0 || threads > 255 || p.Memory < 8*threads || p.Memory > 1<<18 {
		return p, nil, nil, errBadHash // also bounds what an edited file can make kassa spend
	}
	p.Threads = uint8(threads)
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, errBadHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}
