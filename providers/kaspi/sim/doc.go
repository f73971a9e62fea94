// Package sim is a Kaspi Smart POS that speaks the integration API v2 over
// HTTP, for tests, demo and training.
//
// # Model
//
// Every payment or refund is a process with a timeline fixed when it
// starts: the scripted customer (Customer) decides when they scan or
// present a card and what they do then, and the POS's own rules (Initialize
// first, 180 s to scan, 60 s to confirm, ~3 min QR lifetime, 24 h
// retention) decide the rest. Nothing runs in the background: a process's
// status is computed from the clock whenever it is asked for, so with a
// clock.Fake a test moves a payment along by advancing the clock, and with
// a clock.Scaled training runs faster than life: timelines are in the
// clock's time (clock.Clock.Sub), while processIds and cheque dates are
// wall time (clock.Clock.Add), never ahead of it. All state sits behind one
// mutex, so concurrent requests are safe.
//
// Payment timelines (offsets from the /v2/payment call; Delay is when the
// customer acts, never before Initialize ends; Think is the customer's
// time to confirm in the app or type the PIN):
//
//	PayQR          Initialize → WaitUser → WaitForQrConfirmation (at Delay) → success QrTransactionSuccess (Delay+Think)
//	PayCard        Initialize → WaitUser → ProcessingCard (Delay) → WaitForPinCode → ProcessingCard → success CardTransactionSuccess
//	Decline        … → WaitForQrConfirmation → fail QrTransactionFailure (Delay+Think)
//	NeverScan      … → WaitUser → fail ProcessCancelled at ScanTimeout (180 s)
//	ScanNoConfirm  … → WaitForQrConfirmation → fail ProcessCancelled at Delay+ConfirmTimeout (60 s)
//	UnknownThen*   … → WaitForQrConfirmation → unknown ProcessCancelled (Delay+Think)
//
// A customer who has not acted by ScanTimeout, or who thinks longer than
// ConfirmTimeout, times out whatever the script says. An unknown process
// stays unknown on /v2/status; /v2/actualize answers unknown until
// ResolveAfter has passed since the process went unknown, then success or
// fail by the script, which /v2/status reports from then on. If that moment
// falls after the QR lifetime (QRLifetime from the start), the outcome is
// fail. An unknown card process cannot be actualized (102).
//
// Refunds follow the same scripts with the refund's method: a QR refund is
// WaitUser → WaitForQrConfirmation → ProcessRefund → QrTransactionSuccess,
// a card refund WaitUser → ProcessingCard → ProcessRefund →
// CardTransactionSuccess; PayQR and PayCard both mean "the customer
// confirms the way the refund needs".
//
// # Choices where the seed is silent
//
//   - /v2/refund for a transactionId the POS has no successful payment for
//     (or by the other method) answers 108 at once: the refund cannot be
//     registered.
//   - A refund amount above what is left after earlier refunds answers
//     HTTP 400 "Param unvalidated: amount. …" at once: the seed states it as
//     a rule on the input parameter. Refunds that succeeded, are running, or
//     are unknown count against what is left.
//   - A process whose status is unknown does not block a new operation
//     (the POS has left it); only wait does (107).
//   - Processes are forgotten Retention (24 h) after they start; payments
//     stay refundable after that.
//   - A real POS keeps its payments when the till restarts; a sim forgets
//     them when it stops. Options.Payments tells a new sim the payments an
//     earlier one took (demo rebuilds them from the till's books), and
//     Options.Used the numbers it gave: orderNumbers, rrns and processIds
//     are never given twice.
//   - Calls to /v2/actualize on one process less than 10 s apart are
//     answered normally and counted (ActualizeViolations): the seed states
//     the rule but no error for breaking it.
//   - Injected refusals (500, 106, 107, 108, 100, 105, …) are answered
//     instead of doing the call. Garbage, drop, reset, crash (an HTML 500)
//     and slow do the call and then mangle, lose or delay the answer,
//     because that is what makes them dangerous for the till.
//
// # Secured API
//
// With RequireToken every call but /v2/register needs header accesstoken:
// missing or unknown → HTTP 401 "Authorization failed", expired → HTTP 403
// "Session expires and need to be updated" (revoke takes an expired one).
// Tokens live TokenLifetime (seconds work); /v2/revoke kills the old pair
// at once. /v2/register waits RegisterAfter on the sim's clock for «Allow»
// (RegisterDeny: «Deny»; RegisterWindow or more: nobody, 105 Timeout); a
// second register while one waits, or of a name already paired, is 105
// with data.message. StartTLS serves HTTPS with a CA made at start (ECDSA
// P-256) and a certificate for ServerName, localhost and 127.0.0.1;
// Server.CAPEM gives the CA to trust.
//
// # Control surface
//
// Besides /v2/, the handler serves GET endpoints under /sim/ so a sim
// started from a shell can be steered with curl:
//
//	/sim/next?customer=card&delay=5&think=2&resolve=20&product=Red&nopin=1
//	    queue what the next customer does (customer: qr, card, decline,
//	    never, noconfirm, unknown-success, unknown-fail; durations in
//	    seconds or Go syntax like 500ms)
//	/sim/default?customer=qr&delay=3     what customers do when the queue is empty
//	/sim/fault?path=/v2/payment&fault=busy
//	    make the next call on path fail (fault: internal, garbage, blocked,
//	    blocked200, failed, busy, nointernet, service, unsupported,
//	    txnotfound, auth, expired, badgateway, drop, reset, slow, crash)
//	/sim/unpair?name=Kassa1              remove a till's pairing
//	/sim/state                           what the sim holds, as JSON
//
// Tokens and ids come from a seeded math/rand: this is a simulator, not a
// security boundary.
package sim
