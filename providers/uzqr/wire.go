package uzqr

// The one_qr contract as the fiscal box documents it (SPEC §3): every
// path, header, body, field, amount format and error code is here, and
// only here.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kassa-till/kassa/providers"
)

const (
	pathCreate       = "/payment/one_qr/create"
	pathStatus       = "/payment/one_qr/status"
	pathCancel       = "/payment/one_qr/cancel"
	pathRefund       = "/payment/one_qr/refund"
	pathRefundStatus = "/payment/one_qr/refund/status"
	pathReceipt      = "/payment/one_qr/receipt"

	headerINN    = "X-Inn"
	headerAPIKey = "X-Api-Key"
)

// codeKinds sorts the box's error codes by what the till does about them.
var codeKinds = map[int]providers.ErrorKind{
	1001: providers.ErrAuth,          // wrong INN or API key
	1002: providers.ErrBlocked,       // the dynamic QR is blocked in the cabinet
	2001: providers.ErrInvalid,       // invalid params
	2002: providers.ErrInvalid,       // invalid amount format
	2003: providers.ErrInvalid,       // invalid external_id
	2004: providers.ErrInvalid,       // invalid fiscal module
	3001: providers.ErrNotFound,      // invoice not found
	3002: providers.ErrNotResolvable, // invoice already paid
	4001: providers.ErrNotFound,      // payment not found (refund, receipt)
	6001: providers.ErrRateLimited,   // retry later
	9001: providers.ErrProvider,      // UzQR internal error, retry later
	104:  providers.ErrProvider,      // the UzQR endpoint is not configured on the box
	105:  providers.ErrInvalid,       // a required field is missing
}

// Create asks for an invoice of amount under externalID, the till's own
// operation id (at most 20 characters): the box knows the invoice by it,
// so the id is never given to two payments.
func (c *Client) Create(ctx context.Context, externalID string, amount providers.Money) (Invoice, error) {
	sum, err := soums(amount)
	if err != nil {
		return Invoice{}, err
	}
	body := struct {
		ExternalID string `json:"external_id"`
		Amount     string `json:"amount"`
	}{externalID, sum}
	data, err := c.okCall(ctx, request{method: http.MethodPost, path: pathCreate, body: body})
	if err != nil {
		return Invoice{}, err
	}
	var v struct {
		InvoiceID json.RawMessage `json:"invoice_id"`
		QRText    json.RawMessage `json:"qr_text"`
	}
	if err := decodeData(data.body, &v); err != nil {
		return Invoice{}, err
	}
	inv := Invoice{ID: text(v.InvoiceID), QRText: text(v.QRText)}
	if inv.ID == "" || inv.QRText == "" {
		return Invoice{}, malformed("create answered without invoice_id or qr_text", nil)
	}
	return inv, nil
}

// Status asks how the invoice stands. The box may hold the call until the
// status is final, for up to 2 minutes.
func (c *Client) Status(ctx context.Context, invoiceID string) (Payment, error) {
	data, ok, err := c.call(ctx, request{method: http.MethodGet, path: pathStatus,
		query: url.Values{"invoice_id": {invoiceID}}, status: true})
	if err != nil {
		return Payment{}, err
	}
	var v struct {
		InvoiceID    json.RawMessage `json:"invoice_id"`
		Status       json.RawMessage `json:"status"`
		PayID        json.RawMessage `json:"pay_id"`
		PayerPhone   json.RawMessage `json:"payer_phone"`
		CardType     json.RawMessage `json:"card_type"`
		CardNo       json.RawMessage `json:"card_no"`
		FiscalModule json.RawMessage `json:"fiscal_module"`
	}
	if err := decodeData(data.body, &v); err != nil {
		return Payment{}, err
	}
	p := Payment{InvoiceID: text(v.InvoiceID), PayID: text(v.PayID), PayerPhone: text(v.PayerPhone),
		CardType: text(v.CardType), CardNo: text(v.CardNo), FiscalModule: text(v.FiscalModule), Raw: data.raw}
	if p.InvoiceID != "" && p.InvoiceID != invoiceID {
		return Payment{}, malformed(fmt.Sprintf("asked about invoice %s, answered about %s", invoiceID, p.InvoiceID), nil)
	}
	p.InvoiceID = invoiceID
	switch n, _ := strconv.Atoi(text(v.Status)); n {
	case 1:
		p.State = InvoiceInProgress
	case 2:
		p.State = InvoicePaid
	case 3:
		p.State = InvoiceDeclined
	default:
		return Payment{}, malformed(fmt.Sprintf("invoice status %q", text(v.Status)), nil)
	}
	// A declined invoice comes with is_success false and no error; one
	// that is not final cannot.
	if !ok && p.State != InvoiceDeclined {
		return Payment{}, malformed(fmt.Sprintf("is_success false for invoice status %d", p.State), nil)
	}
	return p, nil
}

// Cancel withdraws an invoice the customer has not paid. A paid one is
// refused with 3002.
func (c *Client) Cancel(ctx context.Context, invoiceID string) error {
	body := struct {
		InvoiceID string `json:"invoice_id"`
	}{invoiceID}
	_, err := c.okCall(ctx, request{method: http.MethodPost, path: pathCancel, body: body})
	return err
}

// Refund asks to return amount of the payment payID, in full or in part.
// The answer's status 1 means accepted: the refund may take hours.
func (c *Client) Refund(ctx context.Context, payID string, amount providers.Money) (Refund, error) {
	sum, err := soums(amount)
	if err != nil {
		return Refund{}, err
	}
	body := struct {
		PayID  string `json:"pay_id"`
		Amount string `json:"amount"`
	}{payID, sum}
	data, err := c.okCall(ctx, request{method: http.MethodPost, path: pathRefund, body: body})
	if err != nil {
		return Refund{}, err
	}
	return decodeRefund(data, "")
}

// RefundStatus asks how the refund stands.
func (c *Client) RefundStatus(ctx context.Context, refundID string) (Refund, error) {
	data, ok, err := c.call(ctx, request{method: http.MethodGet, path: pathRefundStatus,
		query: url.Values{"refund_id": {refundID}}, status: true})
	if err != nil {
		return Refund{}, err
	}
	r, err := decodeRefund(data, refundID)
	if err != nil {
		return Refund{}, err
	}
	// A failed refund may come as a declined invoice does, with
	// is_success false and no error.
	if !ok && r.State != RefundFailed {
		return Refund{}, malformed(fmt.Sprintf("is_success false for refund status %d", r.State), nil)
	}
	return r, nil
}

// Receipt tells the box where the fiscal receipt of the payment payID is
// (the link the fiscal register printed, e.g. https://ofd.soliq.uz/check?…).
func (c *Client) Receipt(ctx context.Context, payID, receiptURL string) error {
	body := struct {
		PayID            string `json:"pay_id"`
		FiscalReceiptURL string `json:"fiscal_receipt_url"`
	}{payID, receiptURL}
	_, err := c.okCall(ctx, request{method: http.MethodPost, path: pathReceipt, body: body})
	return err
}

// soums writes an UZS amount as the wire wants it: soums with a dot and
// the two decimals of tiyin ("100.01", "1500.00").
func soums(m providers.Money) (string, error) {
	if m.Currency.Code != providers.UZS.Code || m.Currency.Digits != 2 {
		return "", &providers.Error{Kind: providers.ErrInvalid,
			Err: fmt.Errorf("UzQR takes UZS in tiyin, not %s with %d decimals", m.Currency.Code, m.Currency.Digits)}
	}
	return m.Major(), nil
}

// answer is an envelope's data with the whole body as received.
type answer struct {
	body json.RawMessage // data
	raw  json.RawMessage // the envelope
}

// okCall is call for the calls whose every success says is_success true.
func (c *Client) okCall(ctx context.Context, r request) (answer, error) {
	data, ok, err := c.call(ctx, r)
	if err == nil && !ok {
		err = malformed("is_success false without an error", nil)
	}
	return data, err
}

// call makes r with the merchant's headers and reads the envelope. ok is
// is_success; an error object comes back as a *providers.Error.
func (c *Client) call(ctx context.Context, r request) (answer, bool, error) {
	r.header = http.Header{"Accept": {"application/json"}}
	if r.body != nil {
		r.header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if c.INN != "" {
		r.header.Set(headerINN, c.INN)
	}
	if key := c.apiKey(); key != "" {
		r.header.Set(headerAPIKey, string(key))
	}
	resp, err := c.roundTrip(ctx, r)
	if err != nil {
		return answer{}, false, err
	}
	return decodeEnvelope(r.method+" "+r.path, resp)
}

// decodeEnvelope reads {"data", "error", "is_success"}. Every answer of
// the contract is HTTP 200: any other status is a fault on the way, which
// proves nothing about what the box did, but for a redirect. The box never
// redirects, so a 3xx comes from whatever answers at its address instead
// (a web server's http to https rule, a router's page, a captive portal),
// which served nothing: a 3xx says the request was not carried out there
// (RFC 9110 §15.4), and the box, the only one that could carry it out,
// never saw it. So it is a refusal, as a refused dial is, not an unknown
// outcome: an invoice is not left for a person for a wrong address.
func decodeEnvelope(call string, resp response) (answer, bool, error) {
	if resp.status/100 == 3 {
		pe := providers.Redirected(resp.status, resp.location)
		pe.Err = fmt.Errorf("%s: %w", call, pe.Err)
		return answer{}, false, pe
	}
	if resp.status != http.StatusOK {
		err := fmt.Errorf("%s: HTTP %d instead of an answer", call, resp.status)
		return answer{}, false, &providers.Error{Kind: providers.ErrNoAnswer, HTTPStatus: resp.status, Err: err}
	}
	var env struct {
		Data      json.RawMessage `json:"data"`
		Error     json.RawMessage `json:"error"`
		IsSuccess *bool           `json:"is_success"`
	}
	if err := json.Unmarshal(resp.body, &env); err != nil || env.IsSuccess == nil {
		if err == nil {
			err = errors.New("no is_success")
		}
		return answer{}, false, &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: resp.status,
			Err: fmt.Errorf("%s: not the envelope: %w", call, err)}
	}
	if !isNull(env.Error) {
		if *env.IsSuccess {
			return answer{}, false, &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: resp.status,
				Err: fmt.Errorf("%s: is_success true with an error", call)}
		}
		return answer{}, false, refusal(call, resp.status, env.Error)
	}
	return answer{body: env.Data, raw: append(json.RawMessage(nil), resp.body...)}, *env.IsSuccess, nil
}

// refusal turns the envelope's error object into a *providers.Error: the
// box's code, and its message (Russian, meant for a person) as Text.
func refusal(call string, httpStatus int, raw json.RawMessage) error {
	var e struct {
		Code    json.RawMessage `json:"code"`
		Message json.RawMessage `json:"message"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: httpStatus, Err: fmt.Errorf("%s: error: %w", call, err)}
	}
	code, err := strconv.Atoi(text(e.Code))
	if err != nil {
		return &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: httpStatus,
			Err: fmt.Errorf("%s: error code %q is not a number", call, text(e.Code))}
	}
	kind, ok := codeKinds[code]
	if !ok {
		// A refusal all the same: the box answered, and did not do it.
		kind = providers.ErrProvider
	}
	return &providers.Error{Kind: kind, HTTPStatus: httpStatus, Code: strconv.Itoa(code), Text: text(e.Message)}
}

func decodeRefund(data answer, asked string) (Refund, error) {
	var v struct {
		RefundID json.RawMessage `json:"refund_id"`
		Status   json.RawMessage `json:"status"`
	}
	if err := decodeData(data.body, &v); err != nil {
		return Refund{}, err
	}
	r := Refund{ID: text(v.RefundID), Raw: data.raw}
	switch {
	case asked == "" && r.ID == "":
		return Refund{}, malformed("refund answered without refund_id", nil)
	case asked != "" && r.ID != "" && r.ID != asked:
		return Refund{}, malformed(fmt.Sprintf("asked about refund %s, answered about %s", asked, r.ID), nil)
	case r.ID == "":
		r.ID = asked
	}
	switch n, _ := strconv.Atoi(text(v.Status)); n {
	case 1:
		r.State = RefundPending
	case 2:
		r.State = RefundDone
	case 3:
		r.State = RefundFailed
	default:
		return Refund{}, malformed(fmt.Sprintf("refund status %q", text(v.Status)), nil)
	}
	return r, nil
}

func decodeData(data json.RawMessage, v any) error {
	if isNull(data) {
		return malformed("answer without data", nil)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return malformed("data", err)
	}
	return nil
}

func malformed(what string, err error) error {
	if err != nil {
		err = fmt.Errorf("%s: %w", what, err)
	} else {
		err = errors.New(what)
	}
	return &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: http.StatusOK, Err: err}
}

func isNull(v json.RawMessage) bool { return providers.JSONNull(v) }

// text is providers.JSONText.
func text(v json.RawMessage) string { return providers.JSONText(v) }
