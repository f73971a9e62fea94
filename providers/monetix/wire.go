package monetix

// The Gate's contract for Click QR (SPEC §4, seed 003): every path, body,
// field and response code is here, and only here.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kassa-till/kassa/providers"
)

const (
	PathSale   = "/v2/payment/sbp-qr/sale"
	PathStatus = "/v2/payment/status"
	PathRefund = "/v2/payment/sbp-qr/refund"
)

// codeKinds sorts the Gate's response codes by what the till does about
// them. Every code is a refusal: the Gate answered that it did not act.
var codeKinds = map[int]providers.ErrorKind{
	100:   providers.ErrProvider,      // general decline
	301:   providers.ErrProvider,      // cancelled
	310:   providers.ErrUnsupported,   // not allowed by the project's settings
	314:   providers.ErrProvider,      // the provider (Click) is unavailable: retry
	402:   providers.ErrBlocked,       // declined by the risk system
	501:   providers.ErrProvider,      // internal error
	502:   providers.ErrInvalid,       // validation error
	601:   providers.ErrRateLimited,   // try again
	602:   providers.ErrNoInternet,    // network error at the Gate: retry
	702:   providers.ErrInvalid,       // malformed request
	2003:  providers.ErrInvalid,       // invalid JSON
	2004:  providers.ErrInvalid,       // a required field is missing
	2442:  providers.ErrAuth,          // project not found: the project id is wrong
	2541:  providers.ErrUnsupported,   // unknown payment method (Click QR not on the project)
	2642:  providers.ErrLimit,         // amount over the limit
	3024:  providers.ErrInvalid,       // invalid payment_id
	3041:  providers.ErrInvalid,       // duplicate payment_id
	3060:  providers.ErrNotResolvable, // the payment's status does not allow the action
	3061:  providers.ErrNotFound,      // transaction not found
	20000: providers.ErrProvider,      // general decline
}

// Codes lists every response code of SPEC §4 but 0 (success).
func Codes() []int {
	codes := make([]int, 0, len(codeKinds))
	for c := range codeKinds {
		codes = append(codes, c)
	}
	return codes
}

// KindOfCode is the error kind the Gate's code becomes (ErrProvider for a
// code SPEC §4 does not list).
func KindOfCode(code int) providers.ErrorKind {
	if k, ok := codeKinds[code]; ok {
		return k
	}
	return providers.ErrProvider
}

// retryCodes are the refusals worth repeating after RetryPause: the Gate
// or Click were briefly unable, and the same payment_id makes a repeat ask
// about the same payment (a second one is refused with 3041).
var retryCodes = map[string]bool{"314": true, "601": true, "602": true}

// RetryPause is how long to wait before repeating a Retryable request.
const RetryPause = 5 * time.Second

// Retryable reports whether err is a refusal (314, 601, 602) to repeat,
// unchanged, after RetryPause.
func Retryable(err error) bool {
	var pe *providers.Error
	return errors.As(err, &pe) && retryCodes[pe.Code]
}

// Ack is the Gate's synchronous answer to a sale or refund: the request
// was taken; its result comes by callback (and status).
type Ack struct {
	RequestID string
	PaymentID string
	Raw       json.RawMessage
}

// Operation is one operation on a payment (a sale, a refund).
type Operation struct {
	ID        string // the Gate's operation id
	Type      string // "sale", "refund"
	Status    string // "success", "decline", "processing", …
	Date      string
	RequestID string
	Amount    int64 // sum_initial.amount, in minor units
	Currency  string
	Code      string // "0", "20000", …
	Message   string // "Success", "General decline", …
	// Click's own ids for it.
	ProviderID        string
	ProviderPaymentID string
	AuthCode          string
}

// Payment is a payment as the Gate describes it: in a status answer with
// every operation, in a callback with the one the callback is about.
type Payment struct {
	ID       string // the merchant's payment_id
	Type     string // "purchase"
	Status   string // payment.status: "processing", "success", "decline", "refunded", …
	Method   string
	Date     string
	Amount   int64
	Currency string
	// Operations are in the order the Gate lists them: the last is the
	// latest.
	Operations []Operation
	Raw        json.RawMessage
}

// Display is a callback's display_data: what to show the customer.
type Display struct {
	Amount          string
	Currency        string
	ReceiverName    string
	ReceiverAccount string
	QRData          string // the QR's content, a link: draw it as given
	BankName        string
	Lifetime        time.Duration
}

// Callback is a verified callback from the Gate.
type Callback struct {
	ProjectID int64
	Payment   Payment
	// Operation is the callback's operation object (nil when it has none,
	// as a display_data callback may).
	Operation *Operation
	// Display is set when the callback carries display_data.
	Display *Display
	Raw     json.RawMessage
}

type general struct {
	ProjectID   int64  `json:"project_id"`
	PaymentID   string `json:"payment_id"`
	CallbackURL string `json:"merchant_callback_url,omitempty"`
	Signature   string `json:"signature"`
}

type customer struct {
	ID        string `json:"id"`
	IPAddress string `json:"ip_address"`
}

type paymentReq struct {
	Amount      int64  `json:"amount,omitempty"`
	Currency    string `json:"currency"`
	Description string `json:"description,omitempty"`
}

// SaleRequest is what a sale sends besides the project's own fields.
type SaleRequest struct {
	PaymentID   string
	Amount      providers.Money
	Description string
	// CustomerID and CustomerIP are required by the Gate; a till serves
	// shoppers it does not know, so they name the till.
	CustomerID string
	CustomerIP string
}

// Sale asks for a Click QR payment. The answer only acknowledges it: the
// QR comes by callback.
func (c *Client) Sale(ctx context.Context, r SaleRequest) (Ack, error) {
	if err := uzs(r.Amount); err != nil {
		return Ack{}, err
	}
	body := struct {
		General  *general   `json:"general"`
		Customer customer   `json:"customer"`
		Payment  paymentReq `json:"payment"`
	}{c.general(r.PaymentID), customer{r.CustomerID, r.CustomerIP},
		paymentReq{r.Amount.Minor, r.Amount.Currency.Code, r.Description}}
	return c.ack(ctx, PathSale, r.PaymentID, body, body.General)
}

// Refund asks to return amount (all or part) of the payment paymentID.
func (c *Client) Refund(ctx context.Context, paymentID string, amount providers.Money, description string) (Ack, error) {
	if err := uzs(amount); err != nil {
		return Ack{}, err
	}
	if description == "" {
		description = "refund"
	}
	body := struct {
		General *general   `json:"general"`
		Payment paymentReq `json:"payment"`
	}{c.general(paymentID), paymentReq{amount.Minor, amount.Currency.Code, description}}
	return c.ack(ctx, PathRefund, paymentID, body, body.General)
}

// Status asks how the payment paymentID stands, with all its operations.
func (c *Client) Status(ctx context.Context, paymentID string) (Payment, error) {
	body := struct {
		General *general `json:"general"`
	}{c.general(paymentID)}
	body.General.CallbackURL = ""
	resp, err := c.signedPost(ctx, PathStatus, body, body.General)
	if err != nil {
		return Payment{}, err
	}
	var v struct {
		Payment    json.RawMessage `json:"payment"`
		Operations []wireOperation `json:"operations"`
		Status     json.RawMessage `json:"status"`
		Code       json.RawMessage `json:"code"`
	}
	if json.Unmarshal(resp.Body, &v) != nil || isNull(v.Payment) {
		return Payment{}, c.fault(PathStatus, resp)
	}
	var wp wirePayment
	if err := json.Unmarshal(v.Payment, &wp); err != nil {
		return Payment{}, malformed(PathStatus, resp.Status, "payment", err)
	}
	p := wp.payment()
	if p.ID != "" && p.ID != paymentID {
		return Payment{}, malformed(PathStatus, resp.Status, fmt.Sprintf("asked about %s, answered about %s", paymentID, p.ID), nil)
	}
	p.ID = paymentID
	for _, o := range v.Operations {
		p.Operations = append(p.Operations, o.operation())
	}
	p.Raw = resp.Body
	return p, nil
}

func (c *Client) general(paymentID string) *general {
	return &general{ProjectID: c.ProjectID, PaymentID: paymentID, CallbackURL: c.CallbackURL}
}

// ack makes a sale or refund and reads its acknowledgement.
func (c *Client) ack(ctx context.Context, path, paymentID string, body any, g *general) (Ack, error) {
	resp, err := c.signedPost(ctx, path, body, g)
	if err != nil {
		return Ack{}, err
	}
	var v struct {
		Status    string          `json:"status"`
		RequestID json.RawMessage `json:"request_id"`
		PaymentID json.RawMessage `json:"payment_id"`
	}
	if resp.Status != http.StatusOK || json.Unmarshal(resp.Body, &v) != nil || v.Status != "success" {
		return Ack{}, c.fault(path, resp)
	}
	a := Ack{RequestID: text(v.RequestID), PaymentID: text(v.PaymentID), Raw: resp.Body}
	if a.PaymentID != "" && a.PaymentID != paymentID {
		return Ack{}, malformed(path, resp.Status, fmt.Sprintf("sent %s, acknowledged %s", paymentID, a.PaymentID), nil)
	}
	if a.RequestID == "" {
		return Ack{}, malformed(path, resp.Status, "acknowledged without request_id", nil)
	}
	a.PaymentID = paymentID
	return a, nil
}

// signedPost signs body (whose general is g) with the project's key and
// sends it.
func (c *Client) signedPost(ctx context.Context, path string, body any, g *general) (response, error) {
	g.Signature = ""
	b, err := json.Marshal(body)
	if err == nil {
		g.Signature, err = Sign([]byte(string(c.Secret)), b)
	}
	if err == nil {
		b, err = json.Marshal(body)
	}
	if err != nil {
		return response{}, &providers.Error{Kind: providers.ErrInvalid, Err: fmt.Errorf("POST %s: %w", path, err)}
	}
	return c.post(ctx, path, b)
}

// fault reads an answer that is not a success: a refusal with its code
// (whatever the HTTP status), or, where there is none, a fault on the way
// that says nothing about what the Gate did.
func (c *Client) fault(path string, resp response) error {
	call := "POST " + path
	var v struct {
		Code    json.RawMessage `json:"code"`
		Message json.RawMessage `json:"message"`
		Errors  []struct {
			Field   json.RawMessage `json:"field"`
			Message json.RawMessage `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(resp.Body, &v) == nil && text(v.Code) != "" {
		code, err := strconv.Atoi(text(v.Code))
		if err != nil {
			return malformed(path, resp.Status, fmt.Sprintf("response code %q is not a number", text(v.Code)), nil)
		}
		msg := text(v.Message)
		for _, e := range v.Errors {
			msg += "; " + strings.TrimPrefix(text(e.Field)+": ", ": ") + text(e.Message)
		}
		return &providers.Error{Kind: KindOfCode(code), HTTPStatus: resp.Status, Code: strconv.Itoa(code),
			Text: strings.TrimPrefix(msg, "; ")}
	}
	switch {
	case resp.Status/100 == 3:
		// The Gate never redirects: what answered is not the Gate, and the
		// request was not served there (see providers.Redirected).
		return providers.Redirected(resp.Status, resp.Location)
	case resp.Status != http.StatusOK:
		return &providers.Error{Kind: providers.ErrNoAnswer, HTTPStatus: resp.Status,
			Err: fmt.Errorf("%s: HTTP %d without a response code", call, resp.Status)}
	}
	return malformed(path, resp.Status, "neither a success nor a response code", nil)
}

func malformed(path string, status int, what string, err error) error {
	e := errors.New(what)
	if err != nil {
		e = fmt.Errorf("%s: %w", what, err)
	}
	return &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: status, Err: fmt.Errorf("POST %s: %w", path, e)}
}

// uzs checks that m is a positive UZS amount in tiyin: the Gate takes
// minor units (200,000.00 UZS is 20000000).
func uzs(m providers.Money) error {
	if m.Currency.Code != providers.UZS.Code || m.Currency.Digits != providers.UZS.Digits {
		return &providers.Error{Kind: providers.ErrInvalid,
			Err: fmt.Errorf("Click QR takes UZS in tiyin, not %s with %d decimals", m.Currency.Code, m.Currency.Digits)}
	}
	if m.Minor <= 0 {
		return &providers.Error{Kind: providers.ErrInvalid, Err: fmt.Errorf("amount must be positive, got %s", m)}
	}
	return nil
}

type wireSum struct {
	Amount   json.RawMessage `json:"amount"`
	Currency json.RawMessage `json:"currency"`
}

type wirePayment struct {
	ID     json.RawMessage `json:"id"`
	Type   json.RawMessage `json:"type"`
	Status json.RawMessage `json:"status"`
	Method json.RawMessage `json:"method"`
	Date   json.RawMessage `json:"date"`
	Sum    wireSum         `json:"sum"`
}

func (w wirePayment) payment() Payment {
	amount, _ := strconv.ParseInt(text(w.Sum.Amount), 10, 64)
	return Payment{ID: text(w.ID), Type: text(w.Type), Status: strings.ToLower(text(w.Status)),
		Method: text(w.Method), Date: text(w.Date), Amount: amount, Currency: text(w.Sum.Currency)}
}

type wireOperation struct {
	ID         json.RawMessage `json:"id"`
	Type       json.RawMessage `json:"type"`
	Status     json.RawMessage `json:"status"`
	Date       json.RawMessage `json:"date"`
	RequestID  json.RawMessage `json:"request_id"`
	SumInitial wireSum         `json:"sum_initial"`
	Code       json.RawMessage `json:"code"`
	Message    json.RawMessage `json:"message"`
	Provider   struct {
		ID        json.RawMessage `json:"id"`
		PaymentID json.RawMessage `json:"payment_id"`
		AuthCode  json.RawMessage `json:"auth_code"`
	} `json:"provider"`
}

func (w wireOperation) operation() Operation {
	amount, _ := strconv.ParseInt(text(w.SumInitial.Amount), 10, 64)
	return Operation{ID: text(w.ID), Type: text(w.Type), Status: strings.ToLower(text(w.Status)), Date: text(w.Date),
		RequestID: text(w.RequestID), Amount: amount, Currency: text(w.SumInitial.Currency),
		Code: text(w.Code), Message: text(w.Message), ProviderID: text(w.Provider.ID),
		ProviderPaymentID: text(w.Provider.PaymentID), AuthCode: text(w.Provider.AuthCode)}
}

// ParseCallback verifies a callback's signature with the project's key
// and reads it. It believes nothing before the signature holds: an error
// wrapping ErrSignature means forged or altered.
func ParseCallback(secret Secret, body []byte) (Callback, error) {
	if err := Verify([]byte(string(secret)), body); err != nil {
		return Callback{}, err
	}
	var v struct {
		ProjectID   json.RawMessage `json:"project_id"`
		Payment     *wirePayment    `json:"payment"`
		Operation   *wireOperation  `json:"operation"`
		DisplayData []struct {
			Type  json.RawMessage `json:"type"`
			Title json.RawMessage `json:"title"`
			Data  json.RawMessage `json:"data"`
		} `json:"display_data"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return Callback{}, fmt.Errorf("monetix: callback: %w", err)
	}
	if v.Payment == nil || text(v.Payment.ID) == "" {
		return Callback{}, errors.New("monetix: callback without payment.id")
	}
	cb := Callback{Payment: v.Payment.payment(), Raw: append(json.RawMessage(nil), body...)}
	cb.ProjectID, _ = strconv.ParseInt(text(v.ProjectID), 10, 64)
	if v.Operation != nil {
		op := v.Operation.operation()
		cb.Operation = &op
	}
	if len(v.DisplayData) > 0 {
		d := &Display{}
		for _, e := range v.DisplayData {
			if t := text(e.Type); t != "" && t != "add_info" {
				continue
			}
			s := text(e.Data)
			switch text(e.Title) {
			case "amount":
				d.Amount = s
			case "currency":
				d.Currency = s
			case "receiver_name":
				d.ReceiverName = s
			case "receiver_account":
				d.ReceiverAccount = s
			case "qr_data":
				d.QRData = s
			case "bank_name":
				d.BankName = s
			case "lifetime":
				// A number or a string of seconds.
				if n, err := strconv.ParseFloat(s, 64); err == nil && n > 0 && n < 1e9 {
					d.Lifetime = time.Duration(n * float64(time.Second))
				}
			}
		}
		cb.Display = d
	}
	return cb, nil
}

// text is providers.JSONText.
func text(v json.RawMessage) string { return providers.JSONText(v) }
