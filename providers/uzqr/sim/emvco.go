package sim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// An EMVCo merchant-presented QR payload (EMV QRCPS) is a string of data
// objects: a two-digit tag, a two-digit length and the value; templates
// (26–51 merchant account, 62 additional data, 64 language) nest data
// objects in their value. The last object is the CRC (tag 63, length 04):
// CRC-16/CCITT-FALSE over the whole payload up to and including "6304",
// as four upper-case hex digits.

// TLV is one data object of a payload.
type TLV struct {
	Tag   string
	Value string
}

// CRC16 is CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no
// reflection, no final xor ("123456789" gives 0x29B1).
func CRC16(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// ParseTLV splits a payload, or a template's value, into its data
// objects, checking that every length fits.
func ParseTLV(s string) ([]TLV, error) {
	var out []TLV
	for i := 0; i < len(s); {
		if len(s)-i < 4 {
			return nil, fmt.Errorf("emvco: %d characters left at %d, a data object needs 4 or more", len(s)-i, i)
		}
		tag, ln := s[i:i+2], s[i+2:i+4]
		n, err := strconv.Atoi(ln)
		if err != nil || !digits(tag) || !digits(ln) {
			return nil, fmt.Errorf("emvco: bad tag or length %q at %d", s[i:i+4], i)
		}
		if i+4+n > len(s) {
			return nil, fmt.Errorf("emvco: tag %s at %d is %d long, only %d left", tag, i, n, len(s)-i-4)
		}
		out = append(out, TLV{Tag: tag, Value: s[i+4 : i+4+n]})
		i += 4 + n
	}
	return out, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// CheckQR verifies a merchant-presented payload: every length, the
// payload format indicator first (00 = "01") and the CRC last and right.
func CheckQR(payload string) error {
	objs, err := ParseTLV(payload)
	if err != nil {
		return err
	}
	if len(objs) < 2 || objs[0].Tag != "00" || objs[0].Value != "01" {
		return errors.New("emvco: the payload does not start with 000201")
	}
	last := objs[len(objs)-1]
	if last.Tag != "63" || len(last.Value) != 4 {
		return errors.New("emvco: the payload does not end with the CRC (6304....)")
	}
	want := fmt.Sprintf("%04X", CRC16([]byte(payload[:len(payload)-4])))
	if last.Value != want {
		return fmt.Errorf("emvco: CRC %s, the payload's is %s", last.Value, want)
	}
	return nil
}

// Field returns the value of the data object at path: "54" the amount,
// "62.01" the bill number inside the additional data template.
func Field(payload, path string) (string, bool) {
	s := payload
	for part := range strings.SplitSeq(path, ".") {
		objs, err := ParseTLV(s)
		if err != nil {
			return "", false
		}
		found := false
		for _, o := range objs {
			if o.Tag == part {
				s, found = o.Value, true
				break
			}
		}
		if !found {
			return "", false
		}
	}
	return s, true
}

// tlv writes one data object; the value must be ASCII and at most 99
// characters, as every value the sim writes is.
func tlv(tag, value string) string {
	if len(value) > 99 {
		panic(fmt.Sprintf("emvco: tag %s value of %d characters", tag, len(value)))
	}
	return fmt.Sprintf("%s%02d%s", tag, len(value), value)
}

// Merchant is what the sim writes about the merchant in qr_text.
type Merchant struct {
	Name string // at most 25 ASCII characters [KASSA DEMO SHOP]
	// AltName is the name in the merchant's own language (tag 64), ASCII
	// [KASSA NAMUNA DOKONI].
	AltName    string
	City       string // at most 15 [TASHKENT]
	AltCity    string // [TOSHKENT]
	MCC        string // merchant category code [5411, grocery]
	QRID       string // the dynamic QR's id at UzQR [612E4A0C9B7D4F21]
	MerchantID string // the merchant's id at UzQR [100000001234]
}

// DefaultMerchant is the sim's shop.
var DefaultMerchant = Merchant{
	Name: "KASSA DEMO SHOP", AltName: "KASSA NAMUNA DOKONI", City: "TASHKENT", AltCity: "TOSHKENT",
	MCC: "5411", QRID: "612E4A0C9B7D4F21", MerchantID: "100000001234",
}

// guid names the payment system in the merchant account template. The box's
// documentation does not print one; this is the sim's.
const guid = "UZ.CBU.UZQR"

// qrText builds a dynamic (point of initiation 12) payload for an invoice:
// the full one of 200 to 250 characters, or, short, only what EMVCo makes
// mandatory and the invoice id (about 150).
func qrText(m Merchant, qrName, invoiceID, amount string, short bool) string {
	var b strings.Builder
	b.WriteString(tlv("00", "01"))
	b.WriteString(tlv("01", "12"))
	if short {
		b.WriteString(tlv("26", tlv("00", "UZQR")+tlv("01", m.QRID)))
	} else {
		b.WriteString(tlv("26", tlv("00", guid)+tlv("01", m.QRID)+tlv("02", m.MerchantID)))
	}
	b.WriteString(tlv("52", m.MCC))
	b.WriteString(tlv("53", "860")) // ISO 4217 numeric for UZS
	b.WriteString(tlv("54", amount))
	b.WriteString(tlv("58", "UZ"))
	b.WriteString(tlv("59", m.Name))
	b.WriteString(tlv("60", m.City))
	add := tlv("01", invoiceID) // bill number
	if !short {
		if qrName != "" {
			add += tlv("07", qrName) // terminal label
		}
		add += tlv("08", "PAYMENT") // purpose of transaction
	}
	b.WriteString(tlv("62", add))
	if !short {
		b.WriteString(tlv("64", tlv("00", "UZ")+tlv("01", m.AltName)+tlv("02", m.AltCity)))
	}
	b.WriteString("6304")
	return b.String() + fmt.Sprintf("%04X", CRC16([]byte(b.String())))
}
