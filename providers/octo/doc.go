// Package octo takes payments through OCTO (SPEC §5) and gets their
// fiscal receipts (seed 002).
//
// The till sends prepare_payment whose shop_transaction_id is its own
// operation id, with the product sold as the basket and the customer's
// phone or email for the fiscal receipt; the answer carries octo_pay_url,
// which the till draws as the QR. It follows the payment by calling
// prepare_payment again with only the id (no faster than every 3 s), and
// may be told sooner by a signed notification. After success it asks
// fiscal-data for the receipt's fiscal block.
//
// # What the till wires
//
//	p, err := octo.New(octo.Options{
//		URL: "https://secure.octo.uz", // --octo-url; "" is DefaultURL
//		ShopID: 10000,                 // --octo-shop-id
//		Secret: key,                   // kassa key octo (a Secret: never shown)
//		NotifyKey: uniqueKey,          // kassa key octo-notify (unique_key)
//		NotifyURL: "https://shop.example.uz/kassa/octo", // with the listener only
//		Test: false,                   // --octo-test
//		Products: products,            // [[octo.products]], in the cashier's order
//		Contact: octo.Contact{Phone: "998901234567"}, // [octo] default_phone or default_email
//		Log: logger,
//	})
//	// New refuses a product missing a field, naming both (Product.Validate).
//	req.Sale = providers.Sale{Product: p.Products()[digit-1], Contact: "+998" + nine}
//	st, err := p.Start(ctx, req)
//	mux.Handle("/kassa/octo", p.Callbacks(func(ctx context.Context, e providers.Event) error {
//		return tracker.Deliver(ctx, octo.Name, e)
//	}))
//	f, err := p.Fiscalize(ctx, paid.Handle()) // the receipt's fiscal block
//	err = p.Check(ctx)                         // kassa check octo
//
// The request's Sale names the product (empty: the first) and the
// customer's phone or email (empty: Options.Contact; neither is refused
// before sending). With no Products the basket is omitted and OCTO uses
// the shop's first active product (seed 002).
//
// p is a providers.Provider, Canceller, Pusher and Fiscalizer:
//
//   - Info: UZS, the till draws the QR, PollEvery 3 s (MinPollEvery),
//     ScanTimeout the ttl (DefaultTTL 15 min, whole minutes), refunds
//     partial and asynchronous. No amount limits are documented.
//   - Start of a payment: pending, Ref the octo_payment_UUID, QR the
//     octo_pay_url expiring the ttl after the start. The same operation
//     id sent again answers the same payment (after a fault on the way
//     that may have been sent, asking again is safe).
//   - Status of a payment: created, wait_user_action and
//     waiting_user_action are pending (Stage wait_scan, with the QR);
//     waiting_for_capture pending (Stage wait_confirm); succeeded and
//     refunded success, TransactionID the UUID (a refund and fiscal-data
//     quote it), Cheque.OrderNumber the shop_transaction_id; canceled and
//     failed fail. Detail is OCTO's status as it wrote it.
//   - Cancel: set_accept cancel, only for a payment waiting for capture.
//     kassa sends auto_capture true (see Cancel for why), so a payment the
//     customer has not paid cannot be withdrawn: ErrNotResolvable, and
//     the tracker follows it to the ttl's end, where a late success is
//     shown as a late payment to keep or refund.
//   - Start of a refund (req.TransactionID or req.Payment.Ref the UUID):
//     shop_refund_id is the refund's operation id; Ref is RefundRef(UUID,
//     amount); over MaxRefund (10,000,000.00 UZS) ErrLimit wrapping
//     ErrRefundTooLarge before sending. Status of a refund sends the same
//     refund again: its shop_refund_id makes it the same refund, and the
//     answer its status (new, pending, unknown: pending; succeeded:
//     success; canceled, error: fail).
//   - FiscalData (Fiscalize, by the payment's Ref): terminal id, receipt id, dateTime (YYYYMMDDHHMMSS),
//     fiscal sign, qrCodeURL; not registered yet is ErrNotFound wrapping
//     ErrFiscalNotReady (ask again later); any other error is not that.
//   - Callbacks: POST only, at most MaxNotifyBody. The signature
//     (Signature: uppercase hex SHA1 of unique_key + octo_payment_UUID +
//     status, compared whatever its case, in constant time) is checked
//     first; it covers neither the amount nor shop_transaction_id, so the
//     notification is believed only for the UUID this Provider started
//     for that id, and in every case only once a status call for the id
//     answers the same UUID. The Event carries that status call's answer
//     (the tracker applies it as a poll's), never the notification's own
//     word. 400 for a forged one or another transaction's UUID (noted in
//     Options.Log without secrets); 500 when the status call or deliver
//     failed, so OCTO sends it again; 200 otherwise.
//
// # Errors
//
// Every answer with a nonzero error is a refusal (providers.MaybeSent
// false); its errMessage, or the deprecated errorMessage, is the error's
// Text, whole; the code its Code.
//
//	403 Fiscal object … not contains in system         ErrInvalid (show Text whole:
//	                                                    register the product with the bank manager)
//	1 "wrong secret", 2, any text naming the secret    ErrAuth
//	1 (other texts)                                    ErrInvalid
//	refund 1 data format, 2 authorisation, 3 amount    ErrInvalid, ErrAuth, ErrLimit
//	any other code                                     ErrProvider
//	dial or DNS failure: never sent                    ErrUnreachable
//	a redirect (never followed)                        ErrRedirected
//	timeout; a non-200 without a code                  ErrNoAnswer (maybe sent)
//	connection closed or reset under it                ErrDropped (maybe sent)
//	a 200 that is neither                              ErrMalformed (maybe sent)
//
// # Files
//
// wire.go is every path, body, status and code; client.go the HTTP round
// trip; provider.go the providers.Provider and the notify handler.
// providers/octo/sim is OCTO for tests, demo and training.
package octo
