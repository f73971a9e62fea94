// Package monetix takes Click QR payments through the Monetix Gate
// (seed 003, SPEC §4).
//
// The till sends a signed sale whose payment_id is its own operation id;
// the Gate only acknowledges it. The QR to draw comes later by callback
// (display_data: qr_data, the receiver, the bank, the lifetime), and so
// does the outcome. The till's listener verifies every callback before it
// believes it; the signed status request is the fallback for a callback
// lost, and the way back after a restart. Refunds, where the project has
// them enabled, go the same way.
//
// # What the till wires
//
//	p, err := monetix.New(monetix.Options{
//		URL: "https://api.trxhost.com", // --monetix-url; "" is DefaultURL
//		ProjectID: 1234,                // --monetix-project
//		Secret: key,                    // kassa key monetix (a Secret: never shown)
//		CallbackURL: "https://shop.example.uz/kassa/monetix", // --monetix-callback-url
//		Refunds: false,                 // --monetix-refunds
//		Log: logger,                    // rejected callbacks are noted here, without secrets
//	})
//	// The listener (--monetix-callback-listen) serves the callback URL's path:
//	mux.Handle("/kassa/monetix", p.Callbacks(func(ctx context.Context, e providers.Event) error {
//		return tracker.Deliver(ctx, monetix.Name, e) // 200 only once it returned nil
//	}))
//	err = p.Check(ctx) // kassa check monetix
//
// p is a providers.Provider and providers.Pusher:
//
//   - Info: UZS, the till draws the QR, PollEvery 5 s (MinPollEvery),
//     MinAmount/MaxAmount 50,000.00–20,000,000.00 UZS, MaxIDLength 255
//     (MaxPaymentID), Refunds as configured, RefundsAsync.
//   - Start of a payment: refused before sending when outside the limits
//     (ErrLimit, saying them) or with an id too long (ErrInvalid). Its
//     Status is pending, Stage starting, no QR, Ref the payment_id. A 3041
//     (the payment_id is taken: an earlier attempt of the same operation)
//     is looked up and answered as started when the amount is the same.
//   - Start of a refund: ErrUnsupported wrapping ErrRefundsInDashboard
//     unless Options.Refunds; else pending, Ref RefundRef(payment_id,
//     request_id), the outcome by callback and Status.
//   - Status: the signed status request. Pending carries the QR a callback
//     brought to this Provider (Stage wait_scan); success carries
//     TransactionID (the payment_id, which a refund quotes) and a Cheque:
//     OrderNumber the payment_id, GateOperation Monetix's operation id,
//     ProviderPaymentID Click's, Date, HostResponseCode and Status the
//     operation's code and message ("0", "Success"). A decline is
//     StateFail with Message the operation's message and Detail its code.
//   - Callbacks: POST only (405), at most MaxCallbackBody (413), the
//     signature and project checked first (400, nothing delivered, noted
//     in Options.Log). A display_data callback is an Event with a pending
//     Status whose QR has Payload, Receiver, Account, Bank and Expires
//     (its lifetime from now); a final one the outcome as Status gives it.
//     A payment's Event has Handle{Kind: payment, OperationID: payment_id};
//     a refund's Handle{Kind: refund, Ref: RefundRef(…)}. The answer is 200
//     only when deliver returned nil, else 500, and the Gate sends it again
//     (for days): deliver must be idempotent, and is called again for a
//     repeated callback.
//   - Retryable(err) is true for 314, 601 and 602: repeat the same request
//     after RetryPause; the same payment_id makes that safe.
//
// # Errors
//
// Every response code is a refusal (providers.MaybeSent false: the Gate
// answered that it did not act), whatever the HTTP status it came with;
// the Gate's message is the error's Text, the code its Code.
//
//	100 general decline, 301 cancelled, 314 provider
//	unavailable (retry), 501 internal error, 20000
//	general decline, any code not listed               ErrProvider
//	310 not allowed by the project, 2541 unknown
//	payment method                                     ErrUnsupported
//	402 declined by the risk system                    ErrBlocked
//	502 validation, 702 malformed, 2003 invalid JSON,
//	2004 field missing, 3024 invalid payment_id,
//	3041 duplicate payment_id                          ErrInvalid
//	601 try again (retry)                              ErrRateLimited
//	602 network error (retry)                          ErrNoInternet
//	2442 project not found                             ErrAuth
//	2642 amount over the limit                         ErrLimit
//	3060 the status does not allow the action          ErrNotResolvable
//	3061 transaction not found                         ErrNotFound
//	dial or DNS failure: never sent                    ErrUnreachable
//	timeout, reset, a non-200 without a code, a
//	redirect (never followed)                          ErrNoAnswer (maybe sent)
//	a 200 that is neither success nor a code           ErrMalformed (maybe sent)
//
// # Files
//
// signature.go is the signature (Flatten, Sign, Verify); wire.go every
// path, body and code; client.go the HTTP round trip; provider.go the
// providers.Provider and the listener. providers/monetix/sim is a Gate
// that sends callbacks like the real one, for tests, demo and training.
package monetix
