// Package sim is a fiscal box that proxies UzQR for tills, speaking the
// one_qr contract (SPEC §3) over HTTP, for tests, demo and training.
//
// # Model
//
// Every invoice has a customer, scripted when it is created (Customer):
// they pay or decline Delay after it, never pay, or pay at the very moment
// the cashier cancels. An invoice nobody paid can be paid for
// InvoiceLifetime (5 min); then its status is 3. Nothing runs in the
// background: an invoice's status is computed from the clock whenever it
// is asked for, so with a clock.Fake a test moves a payment along by
// advancing the clock, and with a clock.Scaled training runs faster than
// life: delays and lifetimes are in the clock's time (clock.Clock.Sub),
// stamps and ids in wall time. All state sits behind one mutex; a held
// status call waits with it released.
//
// Every answer is HTTP 200 with the envelope
// {"data": …, "error": null | {"code", "message", "data"}, "is_success"}.
// A declined invoice and a failed refund come with is_success false and
// error null. Messages are Russian (Messages).
//
// Status calls answer at once, or with LongPoll (SetLongPoll, /sim/mode)
// an invoice in progress is held until it is final or HoldFor (2 min) has
// passed, looked at every UpstreamEvery (3 s) as the box polls UzQR; the
// answer then comes up to 3 s after the payment. Refund status is never
// held.
//
// qr_text is an EMVCo merchant-presented payload (point of initiation 12,
// dynamic) with correct lengths and CRC-16/CCITT-FALSE at tag 63, the
// amount at 54 and the invoice id as the bill number at 62.01: 200 to 250
// characters, or with ShortQR about 150 (only EMVCo's mandatory fields
// and the invoice id). CheckQR and Field read one back.
//
// # Choices where the contract is silent
//
//   - external_id: 1 to 20 characters without blanks, else 2003. The same
//     external_id with the same amount answers with the same invoice (id
//     and qr_text), whatever became of it: a till that lost the answer and
//     asks again learns its invoice instead of making a second. With
//     another amount it is 2003.
//   - amount: soums with a dot and at most two decimals, positive, as a
//     JSON string ("100", "100.5", "100.01"); anything else is 2002. A
//     missing field is 105; a body that is not a JSON object 2001.
//   - cancel of an invoice in progress makes its status 3; of one paid,
//     3002; of one declined, cancelled or expired, {} (it cannot be paid
//     either way); of one the box does not know, 3001.
//   - refund: only a paid invoice's pay_id (else 4001); the amount may
//     not exceed what is left after refunds done or pending (failed ones
//     give theirs back), else 2001. The answer's status is always 1
//     (accepted); the refund ends by its RefundScript: done or failed,
//     at once or after a delay. An unknown refund_id is 4001.
//   - receipt: a paid pay_id (else 4001) and an absolute http(s) link
//     (missing 105, else 2001); a link naming a fiscal module (its t
//     parameter, as ofd.soliq.uz links do) other than the box's is 2004.
//     A second link replaces the first.
//   - INN and APIKey, when set, are checked on every call (1001).
//     NotConfigured answers 104 to every call. Block (the cabinet's
//     blocking) refuses new invoices with 1002 and removes unpaid ones
//     (3001 from then on); paid ones, refunds and receipts go on.
//   - RateLimit, when set, answers 6001 to a status call on one id that
//     starts sooner than that after the one before; FastStatusCalls counts
//     those less than 2 s apart whether or not it is set.
//   - An unknown path is HTTP 404, a wrong method 405, both plain text.
//   - Payments (Options.Payments) are payments an earlier run took; they
//     stay refundable up to what is left of them.
//   - Ids follow from the clock, a counter and Seed: a fake clock gives
//     the same ids every run, the wall clock never the same twice.
//
// Injected faults (Inject, /sim/fault) take one call each: the refusing
// ones answer their code instead of doing the call; badgateway (HTTP 502)
// and redirect (HTTP 302 to RedirectTo) answer instead of it too; garbage,
// foreign (JSON that is not the envelope) and drop do the call and then
// spoil the answer, which is what makes them dangerous.
//
// # Control surface
//
// Besides /payment/one_qr/, the handler serves GET endpoints under /sim/
// so a sim started from a shell can be steered with curl (durations in
// seconds or Go syntax like 500ms or 2h):
//
//	/sim/next?customer=pay&delay=5       queue what the next customer does (pay,
//	                                     decline, never, pay-on-cancel; card,
//	                                     card_type, phone: the payer's details)
//	/sim/default?customer=never          what customers do when the queue is empty
//	/sim/refund?ends=fail&after=2h       queue how the next refund ends (done, fail)
//	/sim/refund-default?ends=done&after=0  how refunds end when the queue is empty
//	/sim/fault?path=/payment/one_qr/create&fault=rate-limit
//	                                     make the next call on path meet a fault,
//	                                     by name or by code (fault=6001)
//	/sim/pay?invoice_id=INVC…            the invoice's customer pays now
//	/sim/decline?invoice_id=INVC…        … or declines now
//	/sim/block                           block the dynamic QR (1002; unpaid removed)
//	/sim/unblock?reason=…                unblock it (a reason of at most 120 characters)
//	/sim/mode?long_poll=true             hold status calls (false: answer at once)
//	/sim/state                           what the sim holds, as JSON
package sim
