// Package uzqr takes UzQR dynamic QR payments (seeds 000/001, SPEC §3)
// through the documented local API of a fiscal box that proxies UzQR for
// tills ("one_qr"), or any gateway that speaks the same contract.
//
// The till creates an invoice whose external_id is its own operation id,
// draws the qr_text the box answers with exactly as given, and asks the
// invoice's status until it is paid or declined; the box may hold a status
// call open for up to two minutes (long polling) or answer at once. An
// invoice the customer has not paid is cancelled on the box when the
// cashier gives up or the QR's time runs out, so it cannot be paid later.
// Refunds return part or all of a payment by its pay_id and may take from
// seconds to hours; the till follows them in the background.
//
// The package has three layers:
//
//   - wire.go is the whole HTTP mapping of the contract: paths, headers,
//     bodies, the envelope {data, error, is_success}, amounts in soums and
//     the error codes. The bank's own API, when a bank hands it over, is
//     meant to replace this one file.
//   - client.go is what the wire needs from HTTP: one round trip that never
//     follows a redirect and tells a request that never left from one that
//     may have been carried out, and the Go types the wire fills in.
//   - provider.go adapts the client to providers.Provider, Canceller and
//     ReceiptLinker.
//
// Errors map onto providers.ErrorKind as follows (error.code; the Russian
// message is the error's Text, the code its Code):
//
//	1001 wrong INN or API key                          ErrAuth
//	1002 access blocked (the dynamic QR is blocked)    ErrBlocked
//	2001 params, 2002 amount, 2003 external_id,
//	2004 fiscal module, 105 a required field missing   ErrInvalid
//	3001 invoice not found, 4001 payment not found     ErrNotFound
//	3002 invoice already paid                          ErrNotResolvable
//	6001 rate limit                                    ErrRateLimited
//	9001 UzQR internal error, 104 endpoint not
//	configured on the box, any other code              ErrProvider
//	dial or DNS failure: the request never left        ErrUnreachable (not sent)
//	a 3xx (never followed)                             ErrRedirected (not sent)
//	no answer in time, a non-200 status                ErrNoAnswer (maybe sent)
//	connection reset or closed before the answer       ErrDropped (maybe sent)
//	a 200 whose body is not the envelope               ErrMalformed (maybe sent)
//
// Every answer of the contract is HTTP 200, so any other status comes from
// something between the till and the box, or a box in trouble: it says
// nothing about whether the request was carried out. A redirect is the
// exception: it says the request was not served where it went (wire.go).
package uzqr
