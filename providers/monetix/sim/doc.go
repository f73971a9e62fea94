// Package sim is a Monetix Gate for Click QR (SPEC §4), speaking the
// Gate's wire format over HTTP and sending signed callbacks, for tests,
// demo and training.
//
// # Model
//
// A sale is checked (JSON 2003, fields 2004, project 2442, signature 502,
// payment_id 3024, amount and currency 502, limits 2642, a payment_id
// taken 3041), acknowledged, and its customer scripted (Customer, queued
// with Next or /sim/next): they pay or decline Delay after it, or never
// scan, and the payment is declined when the QR's lifetime (600 s) ends.
// DisplayAfter (1 s) after the sale the display_data callback goes to the
// sale's merchant_callback_url (or Options.CallbackURL); the final one
// when the customer acted. A refund (only with Options.Refunds, else 310)
// of a paid payment, up to what is left (502), ends by its RefundScript.
//
// Time comes from the clock and nothing runs by itself: what is due is
// settled, and due callbacks are sent one by one, whenever a request comes
// (before it is answered) or Flush is called. With a clock.Fake a test
// moves things by advancing the clock; Start (kassa sim monetix) runs
// Run, which flushes every second of the clock.
//
// A callback not answered 200 is sent again every RetryEvery (5 s) until
// it is; the real Gate backs off for days. Per payment, the Customer can
// make callbacks Late, Repeat the final one, LoseFinal or LoseDisplay,
// send each preceded by a forged copy (BadSignature: altered, signature
// kept; never sent again), or send display_data BeforeAnswer. Sent lists
// every POST and its answer; Ledger every payment with what it charged
// and refunded, so a test proves nothing was charged twice.
//
// Inject makes the next request on a path answer a response code (Code)
// instead of doing it, or meet a fault on the way: badgateway (HTTP 502)
// and redirect (302) instead of it, drop and garbage after doing it.
//
// # Control surface (GET, answers the ledger as JSON)
//
//	/sim/next?customer=pay&delay=5&late=30&repeat=2&lose_final=1&lose_display=1&bad_signature=1&before_answer=1
//	/sim/default?customer=never          what customers do when the queue is empty
//	/sim/refund?ends=fail&after=2h       how the next refund ends (done, fail)
//	/sim/refund-default?ends=done        how refunds end when the queue is empty
//	/sim/fault?path=/v2/payment/sbp-qr/sale&fault=601   a code or badgateway, redirect, drop, garbage
//	/sim/pay?payment_id=…                the customer pays now (/sim/decline: declines)
//	/sim/flush                           send what is due now
//	/sim/state                           the ledger and the callbacks pending
package sim
