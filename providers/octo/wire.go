package octo

// OCTO's contract (SPEC §5, seed 002): every path, body, field, status and
// error code is here, and only here.

import (
	"bytes"
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
	PathPrepare   = "/prepare_payment"
	PathSetAccept = "/set_accept"
	PathRefund    = "/refund"
	PathFiscal    = "/fiscal-data"
)

// Payment statuses (SPEC §5).
const (
	StatusCreated           = "created"
	StatusWaitUserAction    = "wait_user_action"
	StatusWaitingUserAction = "waiting_user_action" // the other spelling
	StatusWaitingForCapture = "waiting_for_capture"
	StatusSucceeded         = "succeeded"
	StatusCanceled          = "canceled"
	StatusFailed            = "failed"
	StatusRefunded          = "refunded"
)

// PaymentStatuses lists every payment status SPEC §5 names.
var PaymentStatuses = []string{StatusCreated, StatusWaitUserAction, StatusWaitingUserAction,
	StatusWaitingForCapture, StatusSucceeded, StatusCanceled, StatusFailed, StatusRefunded}

// Refund statuses (SPEC §5).
const (
	RefundNew       = "new"
	RefundPending   = "pending"
	RefundSucceeded = "succeeded"
	RefundCanceled  = "canceled"
	RefundUnknown   = "unknown"
	RefundError     = "error"
)

// RefundStatuses lists them.
var RefundStatuses = []string{RefundNew, RefundPending, RefundSucceeded, RefundCanceled, RefundUnknown, RefundError}

// MaxRefund is the most one refund returns: 10,000,000.00 UZS in tiyin.
const MaxRefund = 1_000_000_000

// CodeFiscalObject is the refusal of a basket item OCTO has not
// registered (seed 002); its errMessage says which and is shown whole.
const CodeFiscalObject = 403

// refundCodeKinds are /refund's error codes (SPEC §5).
var refundCodeKinds = map[int]providers.ErrorKind{
	1: providers.ErrInvalid, // data format
	2: providers.ErrAuth,    // authorisation
	3: providers.ErrLimit,   // invalid refund amount
}

// KindOfCode is the error kind OCTO's error code on path becomes. Every
// code is a refusal: OCTO answered that it did not act.
func KindOfCode(path string, code int, text string) providers.ErrorKind {
	if path == PathRefund {
		if k, ok := refundCodeKinds[code]; ok {
			return k
		}
	}
	switch {
	case code == CodeFiscalObject:
		return providers.ErrInvalid
	case code == 2, strings.Contains(strings.ToLower(text), "secret"):
		// Seed 002's "wrong secret" comes as error 1.
		return providers.ErrAuth
	case code == 1:
		return providers.ErrInvalid
	}
	return providers.ErrProvider
}

// ErrFiscalNotReady is wrapped by the ErrNotFound error FiscalData gives
// while OCTO has not registered the receipt yet: ask again later.
var ErrFiscalNotReady = errors.New("the fiscal receipt is not ready yet")

// ErrRefundTooLarge is wrapped by the ErrLimit error of a refund over
// MaxRefund, refused before sending.
var ErrRefundTooLarge = errors.New("one OCTO refund returns at most 10 000 000.00 UZS")

// Contact is the customer's phone or email for the fiscal receipt
// (user_data); one is required.
type Contact struct {
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Item is one basket position. Price is the whole position's amount
// (count times the unit price), in tiyin, sent as decimal soums.
type Item struct {
	Desc        string
	Count       int
	Price       providers.Money
	SPIC        string
	PackageCode string
	NDS         int
	INN         string // a legal entity's, or
	PINFL       string // a sole trader's
}

type wireItem struct {
	PositionDesc string      `json:"position_desc"`
	Count        int         `json:"count"`
	Price        json.Number `json:"price"`
	SPIC         string      `json:"spic"`
	PackageCode  string      `json:"package_code"`
	NDS          int         `json:"nds"`
	INN          string      `json:"inn,omitempty"`
	PINFL        string      `json:"pinfl,omitempty"`
}

// PrepareRequest is a new payment.
type PrepareRequest struct {
	ShopTransactionID string
	Test              bool
	InitTime          time.Time
	User              Contact
	Total             providers.Money
	Description       string
	Basket            []Item
	TTL               time.Duration // rounded up to whole minutes
	NotifyURL         string
	Language          string // uz, ru, en
}

// Payment is what prepare_payment answers: the payment as it stands.
type Payment struct {
	ShopTransactionID string
	UUID              string // octo_payment_UUID
	Status            string
	PayURL            string // octo_pay_url: the customer pays there
	Raw               json.RawMessage
}

// Refund is what /refund answers.
type Refund struct {
	UUID     string // the payment's
	RefundID string
	Time     string
	Status   string
	Raw      json.RawMessage
}

// FiscalData is a registered fiscal receipt (seed 002).
type FiscalData struct {
	Phone      string
	Code       string
	Message    string
	TerminalID string
	ReceiptID  string
	DateTime   string // YYYYMMDDHHMMSS
	FiscalSign string
	QRCodeURL  string
	Raw        json.RawMessage
}

// Fiscal is the receipt's fiscal block.
func (f FiscalData) Fiscal() *providers.Fiscal {
	return &providers.Fiscal{TerminalID: f.TerminalID, ReceiptID: f.ReceiptID, DateTime: f.DateTime,
		FiscalSign: f.FiscalSign, QRCodeURL: f.QRCodeURL}
}

// initTimeLayout is init_time's yyyy-MM-dd HH:mm:ss.
const initTimeLayout = "2006-01-02 15:04:05"

// tashkent is the time init_time is written in.
var tashkent = time.FixedZone("UZT", 5*3600)

// shopAuth opens every request body (embedded, its fields sit beside the
// call's own).
type shopAuth struct {
	ShopID int64  `json:"octo_shop_id"`
	Secret string `json:"octo_secret"`
}

func (c *Client) auth() shopAuth { return shopAuth{c.ShopID, string(c.Secret)} }

// Prepare creates the payment r.ShopTransactionID (or, for an id OCTO
// already has, answers it as it stands: the id is the idempotency key).
func (c *Client) Prepare(ctx context.Context, r PrepareRequest) (Payment, error) {
	if err := uzs(r.Total); err != nil {
		return Payment{}, err
	}
	if r.User.Phone == "" && r.User.Email == "" {
		return Payment{}, invalid("OCTO needs the customer's phone or email for the fiscal receipt")
	}
	basket := make([]wireItem, 0, len(r.Basket))
	for _, it := range r.Basket {
		if err := uzs(it.Price); err != nil {
			return Payment{}, err
		}
		basket = append(basket, wireItem{PositionDesc: it.Desc, Count: max(it.Count, 1), Price: json.Number(it.Price.Major()),
			SPIC: it.SPIC, PackageCode: it.PackageCode, NDS: it.NDS, INN: it.INN, PINFL: it.PINFL})
	}
	ttl := int64((r.TTL + time.Minute - 1) / time.Minute)
	body := struct {
		shopAuth
		TxID        string      `json:"shop_transaction_id"`
		AutoCapture bool        `json:"auto_capture"`
		Test        bool        `json:"test"`
		InitTime    string      `json:"init_time"`
		UserData    Contact     `json:"user_data"`
		TotalSum    json.Number `json:"total_sum"`
		Currency    string      `json:"currency"`
		Description string      `json:"description"`
		Basket      []wireItem  `json:"basket,omitempty"`
		TTL         int64       `json:"ttl,omitempty"`
		NotifyURL   string      `json:"notify_url,omitempty"`
		Language    string      `json:"language,omitempty"`
	}{c.auth(), r.ShopTransactionID, true, r.Test, r.InitTime.In(tashkent).Format(initTimeLayout), r.User,
		json.Number(r.Total.Major()), providers.UZS.Code, r.Description, basket, ttl, r.NotifyURL, r.Language}
	return c.payment(ctx, r.ShopTransactionID, body)
}

// Status asks how the payment shopTransactionID stands: prepare_payment
// with only the shop, the secret and the id (SPEC §5).
func (c *Client) Status(ctx context.Context, shopTransactionID string) (Payment, error) {
	body := struct {
		shopAuth
		TxID string `json:"shop_transaction_id"`
	}{c.auth(), shopTransactionID}
	return c.payment(ctx, shopTransactionID, body)
}

func (c *Client) payment(ctx context.Context, txID string, body any) (Payment, error) {
	data, resp, err := c.call(ctx, PathPrepare, body)
	if err != nil {
		return Payment{}, err
	}
	var v struct {
		TxID   json.RawMessage `json:"shop_transaction_id"`
		UUID   json.RawMessage `json:"octo_payment_UUID"`
		Status json.RawMessage `json:"status"`
		PayURL json.RawMessage `json:"octo_pay_url"`
	}
	if json.Unmarshal(data, &v) != nil || text(v.UUID) == "" || text(v.Status) == "" {
		return Payment{}, malformed(PathPrepare, resp.Status, "an answer without octo_payment_UUID or status", nil)
	}
	p := Payment{ShopTransactionID: text(v.TxID), UUID: text(v.UUID), Status: strings.ToLower(text(v.Status)),
		PayURL: text(v.PayURL), Raw: resp.Body}
	if p.ShopTransactionID != "" && p.ShopTransactionID != txID {
		return Payment{}, malformed(PathPrepare, resp.Status, fmt.Sprintf("asked about %s, answered about %s", txID, p.ShopTransactionID), nil)
	}
	p.ShopTransactionID = txID
	return p, nil
}

// SetAccept captures or cancels a payment waiting for capture.
func (c *Client) SetAccept(ctx context.Context, uuid string, capture bool) (Payment, error) {
	st := "cancel"
	if capture {
		st = "capture"
	}
	body := struct {
		shopAuth
		UUID   string `json:"octo_payment_UUID"`
		Accept string `json:"accept_status"`
	}{c.auth(), uuid, st}
	data, resp, err := c.call(ctx, PathSetAccept, body)
	if err != nil {
		return Payment{}, err
	}
	var v struct {
		TxID   json.RawMessage `json:"shop_transaction_id"`
		UUID   json.RawMessage `json:"octo_payment_UUID"`
		Status json.RawMessage `json:"status"`
	}
	_ = json.Unmarshal(data, &v)
	return Payment{ShopTransactionID: text(v.TxID), UUID: text(v.UUID), Status: strings.ToLower(text(v.Status)), Raw: resp.Body}, nil
}

// Refund returns amount (all or part) of the payment uuid; shopRefundID is
// the refund's idempotency key, so asking again with it asks about the
// same refund. Over MaxRefund it is refused before sending.
func (c *Client) Refund(ctx context.Context, shopRefundID, uuid string, amount providers.Money) (Refund, error) {
	if err := uzs(amount); err != nil {
		return Refund{}, err
	}
	if amount.Minor > MaxRefund {
		return Refund{}, &providers.Error{Kind: providers.ErrLimit,
			Err: fmt.Errorf("%w, not %s", ErrRefundTooLarge, amount)}
	}
	if shopRefundID == "" || uuid == "" {
		return Refund{}, invalid("a refund needs its shop_refund_id and the payment's octo_payment_UUID")
	}
	body := struct {
		shopAuth
		RefundID string      `json:"shop_refund_id"`
		UUID     string      `json:"octo_payment_UUID"`
		Amount   json.Number `json:"amount"`
	}{c.auth(), shopRefundID, uuid, json.Number(amount.Major())}
	data, resp, err := c.call(ctx, PathRefund, body)
	if err != nil {
		return Refund{}, err
	}
	var v struct {
		UUID     json.RawMessage `json:"octo_payment_UUID"`
		RefundID json.RawMessage `json:"refund_id"`
		Time     json.RawMessage `json:"refund_time"`
		Status   json.RawMessage `json:"status"`
	}
	if json.Unmarshal(data, &v) != nil || text(v.Status) == "" {
		return Refund{}, malformed(PathRefund, resp.Status, "a refund answer without status", nil)
	}
	return Refund{UUID: text(v.UUID), RefundID: text(v.RefundID), Time: text(v.Time),
		Status: strings.ToLower(text(v.Status)), Raw: resp.Body}, nil
}

// FiscalData asks for the fiscal receipt of the payment uuid. While OCTO
// has none yet (an answer without a fiscal sign) the error is ErrNotFound
// wrapping ErrFiscalNotReady: ask again later.
func (c *Client) FiscalData(ctx context.Context, uuid string) (FiscalData, error) {
	body := struct {
		shopAuth
		UUID string `json:"payment_uuid"`
	}{c.auth(), uuid}
	data, resp, err := c.call(ctx, PathFiscal, body)
	if err != nil {
		return FiscalData{}, err
	}
	var v struct {
		Phone      json.RawMessage `json:"phone"`
		Code       json.RawMessage `json:"code"`
		Message    json.RawMessage `json:"message"`
		TerminalID json.RawMessage `json:"terminalID"`
		ReceiptID  json.RawMessage `json:"receiptId"`
		DateTime   json.RawMessage `json:"dateTime"`
		FiscalSign json.RawMessage `json:"fiscalSign"`
		QRCodeURL  json.RawMessage `json:"qrCodeURL"`
	}
	if json.Unmarshal(data, &v) != nil {
		return FiscalData{}, malformed(PathFiscal, resp.Status, "fiscal data unreadable", nil)
	}
	f := FiscalData{Phone: text(v.Phone), Code: text(v.Code), Message: text(v.Message), TerminalID: text(v.TerminalID),
		ReceiptID: text(v.ReceiptID), DateTime: text(v.DateTime), FiscalSign: text(v.FiscalSign),
		QRCodeURL: text(v.QRCodeURL), Raw: resp.Body}
	if f.FiscalSign == "" || f.QRCodeURL == "" {
		return FiscalData{}, &providers.Error{Kind: providers.ErrNotFound, HTTPStatus: resp.Status, Text: f.Message,
			Err: fmt.Errorf("POST %s: %w", PathFiscal, ErrFiscalNotReady)}
	}
	return f, nil
}

// call sends body to path and reads the envelope: on error 0 it returns
// the fields, from data where the answer has it, else from beside error
// (the older, flat shape).
func (c *Client) call(ctx context.Context, path string, body any) (json.RawMessage, response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, response{}, &providers.Error{Kind: providers.ErrInvalid, Err: fmt.Errorf("POST %s: %w", path, err)}
	}
	resp, err := c.post(ctx, path, b)
	if err != nil {
		return nil, resp, err
	}
	var env struct {
		Error        json.RawMessage `json:"error"`
		ErrMessage   json.RawMessage `json:"errMessage"`
		ErrorMessage json.RawMessage `json:"errorMessage"`
		Data         json.RawMessage `json:"data"`
	}
	if json.Unmarshal(resp.Body, &env) != nil || text(env.Error) == "" {
		return nil, resp, fault(path, resp)
	}
	code, err := strconv.Atoi(text(env.Error))
	if err != nil {
		return nil, resp, malformed(path, resp.Status, fmt.Sprintf("error %q is not a number", text(env.Error)), nil)
	}
	if code != 0 {
		msg := text(env.ErrMessage)
		if msg == "" {
			msg = text(env.ErrorMessage) // deprecated, still sent
		}
		return nil, resp, &providers.Error{Kind: KindOfCode(path, code, msg), HTTPStatus: resp.Status,
			Code: strconv.Itoa(code), Text: msg}
	}
	if d := bytes.TrimSpace(env.Data); len(d) > 0 && d[0] == '{' {
		return d, resp, nil
	}
	return resp.Body, resp, nil
}

// fault reads an answer without an error code: a redirect (never
// followed, nothing served), or a fault on the way that says nothing
// about what OCTO did.
func fault(path string, resp response) error {
	switch {
	case resp.Status/100 == 3:
		return providers.Redirected(resp.Status, resp.Location)
	case resp.Status != http.StatusOK:
		return &providers.Error{Kind: providers.ErrNoAnswer, HTTPStatus: resp.Status,
			Err: fmt.Errorf("POST %s: HTTP %d without an error code", path, resp.Status)}
	}
	return malformed(path, resp.Status, "neither a success nor an error code", nil)
}

func malformed(path string, status int, what string, err error) error {
	e := errors.New(what)
	if err != nil {
		e = fmt.Errorf("%s: %w", what, err)
	}
	return &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: status, Err: fmt.Errorf("POST %s: %w", path, e)}
}

func invalid(format string, args ...any) error {
	return &providers.Error{Kind: providers.ErrInvalid, Err: fmt.Errorf(format, args...)}
}

// uzs checks that m is a positive UZS amount in tiyin.
func uzs(m providers.Money) error {
	if m.Currency.Code != providers.UZS.Code || m.Currency.Digits != providers.UZS.Digits {
		return invalid("OCTO takes UZS in tiyin, not %s with %d decimals", m.Currency.Code, m.Currency.Digits)
	}
	if m.Minor <= 0 {
		return invalid("amount must be positive, got %s", m)
	}
	return nil
}

// text is providers.JSONText.
func text(v json.RawMessage) string { return providers.JSONText(v) }
