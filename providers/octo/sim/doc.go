// Package sim is OCTO (SPEC §5, seed 002) for one shop, speaking OCTO's
// wire format over HTTP, for tests, demo and training.
//
// # Model
//
// prepare_payment is checked (shop and secret: error 1 "wrong secret";
// total_sum, auto_capture, currency, init_time, user_data phone or email,
// ttl: error 1) and every basket item must be a registered fiscal object
// (Options.Products), else error 403 "Fiscal object with merchant ID …
// not contains in system" as seed 002 writes it. The payment is created,
// wait_user_action a second later, and its customer (queued with Next or
// /sim/next) pays, declines (failed) or holds for capture (Hold:
// waiting_for_capture) Delay after the start, or never: canceled when the
// ttl ends. The same shop_transaction_id again answers the payment as it
// stands (another amount: error 1); with only shop, secret and id it is
// the status call. octo_pay_url is this server's /pay/{uuid}: a page
// whose buttons pay or decline.
//
// set_accept captures or cancels only a payment waiting for capture.
// refund (errors 1 format, 2 authorisation, 3 amount: over 10,000,000 UZS,
// over what is left, or a payment not succeeded) is pending until its
// RefundScript ends it (succeeded or error); the same shop_refund_id
// again answers that refund as it stands. fiscal-data answers data null
// until the receipt is registered: at once on success, or, with
// FiscalLate (HoldFiscal, /sim/fiscal?late=1), only on ReleaseFiscal.
//
// Answers come in the data shape ({error, errMessage, data}; errors also
// carry the deprecated errorMessage) or the older flat one (fields beside
// error, errorMessage only): Options.Shape, SetShape, /sim/shape.
// Notification gives a payment's signed notification as OCTO sends it;
// SendNotification (/sim/notify) posts it to the payment's notify_url.
// Time comes from the clock; what is due is settled whenever asked.
//
// Inject makes the next request on a path answer an error code (Code)
// instead of doing it, or meet a fault: badgateway (HTTP 502) and
// redirect (302) instead of it, drop and garbage after doing it.
//
// # Control surface (GET, answers the ledger as JSON)
//
//	/sim/next?customer=pay&delay=5      pay, decline, never, hold
//	/sim/default?customer=never         what customers do when none is queued
//	/sim/refund?ends=fail&after=2h      how the next refund ends (done, fail)
//	/sim/fault?path=/refund&fault=3:Invalid%20refund%20amount   CODE:text or badgateway, redirect, drop, garbage
//	/sim/shape?shape=flat               data or flat
//	/sim/fiscal?late=1                  fiscal receipts late; ?uuid=… registers one now
//	/sim/pay?uuid=…                     the customer pays now (/sim/decline: declines)
//	/sim/notify?uuid=…                  post the payment's notification to its notify_url
//	/sim/state                          the ledger
package sim
