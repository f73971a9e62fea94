// Package kaspi speaks the Kaspi Pay Smart POS integration API v2 (seed 004)
// and adapts it to providers.Provider.
//
// The Smart POS is an HTTP server on the shop's LAN (port 8080). The till is
// its client: every call is a GET under /v2/ with query parameters, and
// every answer is {"statusCode":0,"data":{...}} or
// {"statusCode":N,"errorText":"...","data":{"message":"..."}}.
//
// A payment or refund is a process: /v2/payment or /v2/refund returns its
// processId, /v2/status is polled about once a second until the status is
// success, fail or unknown, and /v2/actualize (at most every 10 s) settles
// an unknown one. The terminal shows its own QR and takes cards, so the till
// draws nothing.
//
// Client is the wire client and nothing more: it sends what it is given
// (validation is the Provider's job, so the terminal's own refusals can be
// tested) and turns every answer into either data or a *providers.Error
// whose Kind and providers.MaybeSent tell the till what to do next.
//
// Errors map onto providers.ErrorKind as follows (HTTP / statusCode):
//
//	404/999 Invalid Url, 400/999 Missing param / Param unvalidated   ErrInvalid
//	400 or 200/106 Payments are blocked                              ErrBlocked
//	401/999 Authorization failed (or 401 without JSON)               ErrAuth
//	401/999 Session expires…, any 403                                ErrExpired
//	500/999 Internal Error, 105 (text + data.message), 108, others   ErrProvider
//	100 No internet                                                  ErrNoInternet
//	101 Process not found, 104 Transaction not found                 ErrNotFound
//	102 Unsupported pay method, 103 unable to actualize              ErrNotResolvable
//	107 Last operation was not completed                             ErrBusy
//	any 3xx (never followed)                                         ErrRedirected (not sent)
//	4xx without a JSON body                                          ErrProvider (HTTPStatus set)
//	5xx without a JSON body: to payment, refund, register, revoke    ErrMalformed (maybe sent)
//	                         to status, actualize, deviceinfo        ErrProvider (HTTPStatus set)
//	2xx that cannot be read                                          ErrMalformed (maybe sent)
//	dial or DNS failure: the request never left                      ErrUnreachable (not sent)
//	no answer in time once connected                                 ErrNoAnswer (maybe sent)
//	connection closed or reset once connected                        ErrDropped (maybe sent)
//
// Redirects are never followed, whatever HTTP client is given: the
// accesstoken header goes to BaseURL's host and nowhere else.
//
// Calls that start something (payment, refund, register, revoke) are
// never repeated by net/http's transparent retry, which would otherwise
// resend a GET whose keep-alive connection broke before the answer.
//
// Decoding is tolerant where the seed is loose: chequeInfo fields may sit
// inside data.chequeInfo or beside it in data, data may carry two "status"
// keys (the process status and the cheque's text status), the card
// reference is rrn (the seed's table says rrr; both are read), and scalar
// fields may come as strings, numbers or booleans.
package kaspi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kassa-till/kassa/providers"
)

const (
	// DefaultTimeout bounds one call when Client.Timeout is zero. The POS
	// is on the LAN and answers at once; a call that takes longer is lost.
	DefaultTimeout = 15 * time.Second
	// DefaultRegisterTimeout bounds /v2/register, which blocks until a
	// person presses «Allow» on the POS (it gives them 180 s).
	DefaultRegisterTimeout = 200 * time.Second

	maxBody = 1 << 20
)

// Client calls one Smart POS. The zero value is not usable; set BaseURL.
type Client struct {
	// BaseURL is the POS's address, e.g. "http://192.168.80.4:8080".
	BaseURL string
	// HTTP sends the requests; nil means a client with a short dial
	// timeout. Its CheckRedirect is replaced: redirects are never followed.
	HTTP *http.Client
	// Token, when set, supplies the accesstoken header for every call but
	// register and revoke (secured API). An empty token sends no header.
	// Token refresh lives behind this hook.
	Token func(ctx context.Context) (string, error)
	// Reauth, when set, is called once when the POS refuses the token a
	// call carried (HTTP 401 or 403); the call is then made once more with
	// the token Token gives next. The refusal proves the POS did nothing,
	// so even a payment may be sent again.
	Reauth func(ctx context.Context, refused string) error
	// Location is the POS's time zone, used to read token expiration dates
	// (written without a zone); nil means time.Local.
	Location *time.Location
	// Timeout bounds each call, RegisterTimeout the register call; zero
	// means DefaultTimeout and DefaultRegisterTimeout.
	Timeout         time.Duration
	RegisterTimeout time.Duration
}

// NewClient returns a client for the POS at baseURL. httpClient may be nil.
func NewClient(baseURL string, httpClient *http.Client) *Client {
	return &Client{BaseURL: baseURL, HTTP: httpClient}
}

// defaultHTTP dials with a short timeout: a POS on the LAN that does not
// accept within seconds is off, and a dial failure proves nothing was sent.
var defaultHTTP = providers.NoRedirects(&http.Client{Transport: &http.Transport{
	DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	MaxIdleConnsPerHost: 2,
	IdleConnTimeout:     30 * time.Second,
}})

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return providers.NoRedirects(c.HTTP)
	}
	return defaultHTTP
}

func (c *Client) location() *time.Location {
	if c.Location != nil {
		return c.Location
	}
	return time.Local
}

// ProcessRef is the answer to /v2/payment and /v2/refund.
type ProcessRef struct {
	ProcessID string
	Status    string // the wire status, "wait" when accepted
	// TransactionID is set when the POS sends it with a refund's start.
	TransactionID string
}

// Status is a process as /v2/status or /v2/actualize reported it.
type Status struct {
	ProcessID string
	providers.Status
}

// DeviceInfo is the answer to /v2/deviceinfo.
type DeviceInfo struct {
	PosNum     string
	SerialNum  string
	TerminalID string
}

// Payment starts a payment of amount whole tenge. ownCheque true tells the
// POS not to print: the till prints the receipt.
func (c *Client) Payment(ctx context.Context, amount int64, ownCheque bool) (ProcessRef, error) {
	q := url.Values{"amount": {strconv.FormatInt(amount, 10)}}
	if ownCheque {
		q.Set("owncheque", "true")
	}
	a, err := c.do(ctx, call{path: "payment", query: q, once: true})
	if err != nil {
		return ProcessRef{}, err
	}
	v, err := decodeProcessRef(a.data)
	return v, a.stamp(err)
}

// Refund starts returning amount tenge of the payment identified by method
// and transactionID (orderNumber for QR, rrn for card).
func (c *Client) Refund(ctx context.Context, method providers.Method, amount int64, transactionID string, ownCheque bool) (ProcessRef, error) {
	q := url.Values{
		"method":        {string(method)},
		"amount":        {strconv.FormatInt(amount, 10)},
		"transactionId": {transactionID},
	}
	if ownCheque {
		q.Set("owncheque", "true")
	}
	a, err := c.do(ctx, call{path: "refund", query: q, once: true})
	if err != nil {
		return ProcessRef{}, err
	}
	v, err := decodeProcessRef(a.data)
	return v, a.stamp(err)
}

// Status asks how the process stands.
func (c *Client) Status(ctx context.Context, processID string) (Status, error) {
	a, err := c.do(ctx, call{path: "status", query: url.Values{"processId": {processID}}})
	if err != nil {
		return Status{}, err
	}
	v, err := decodeStatus(a.data)
	return v, a.stamp(err)
}

// Actualize asks the POS to settle a process whose status is unknown. The
// POS allows it at most once every 10 s per process.
func (c *Client) Actualize(ctx context.Context, processID string) (Status, error) {
	a, err := c.do(ctx, call{path: "actualize", query: url.Values{"processId": {processID}}})
	if err != nil {
		return Status{}, err
	}
	v, err := decodeStatus(a.data)
	return v, a.stamp(err)
}

// DeviceInfo asks the POS who it is; it is the cheapest reachability check.
func (c *Client) DeviceInfo(ctx context.Context) (DeviceInfo, error) {
	a, err := c.do(ctx, call{path: "deviceinfo"})
	if err != nil {
		return DeviceInfo{}, err
	}
	v, err := decodeDeviceInfo(a.data)
	return v, a.stamp(err)
}

func decodeDeviceInfo(data []byte) (DeviceInfo, error) {
	m, err := members(data)
	if err != nil {
		return DeviceInfo{}, malformed("deviceinfo data", err)
	}
	d := DeviceInfo{
		PosNum:     m.str("posNum"),
		SerialNum:  m.str("serialNum"),
		TerminalID: m.str("terminalId"),
	}
	if d.SerialNum == "" && d.TerminalID == "" {
		return DeviceInfo{}, malformed("deviceinfo without serialNum and terminalId", nil)
	}
	return d, nil
}

// Register pairs the till under name with a POS whose integration
// protection is on. The call blocks until someone presses «Allow» on the
// POS. It never sends an access token: it is where tokens come from.
func (c *Client) Register(ctx context.Context, name string) (Tokens, error) {
	timeout := c.RegisterTimeout
	if timeout <= 0 {
		timeout = DefaultRegisterTimeout
	}
	a, err := c.do(ctx, call{path: "register", query: url.Values{"name": {name}}, once: true, noToken: true, timeout: timeout})
	if err != nil {
		return Tokens{}, err
	}
	v, err := c.decodeTokens(a.data)
	return v, a.stamp(err)
}

// Revoke exchanges refreshToken for new tokens. accessToken is the latest
// access token, expired or not; the POS kills it at once, which is why a
// lost answer here needs care (the call is never repeated automatically).
func (c *Client) Revoke(ctx context.Context, name, refreshToken, accessToken string) (Tokens, error) {
	q := url.Values{"name": {name}, "refreshToken": {refreshToken}}
	a, err := c.do(ctx, call{path: "revoke", query: q, once: true, token: accessToken, fixedToken: true})
	if err != nil {
		return Tokens{}, err
	}
	v, err := c.decodeTokens(a.data)
	return v, a.stamp(err)
}

type call struct {
	path  string
	query url.Values
	// once marks calls that must not be repeated behind the caller's back:
	// a second /payment would be a second payment attempt.
	once       bool
	noToken    bool
	fixedToken bool // send token as given instead of asking Client.Token
	token      string
	timeout    time.Duration
}

// onceBody makes a GET non-replayable. net/http retries an idempotent
// request on a reused connection that broke before the answer, and treats
// every GET as idempotent; it documents that a request with a Body and no
// GetBody is not retried. The body is empty, so nothing extra is sent.
type onceBody struct{}

func (onceBody) Read([]byte) (int, error) { return 0, io.EOF }
func (onceBody) Close() error             { return nil }

// do makes a call, renewing the session once if the POS refuses its token.
func (c *Client) do(ctx context.Context, cl call) (answer, error) {
	hooked := !cl.noToken && !cl.fixedToken && c.Token != nil
	if !hooked {
		return c.doOnce(ctx, cl)
	}
	token, err := c.token(ctx)
	if err != nil {
		return answer{}, err
	}
	cl.token, cl.fixedToken = token, true
	a, err := c.doOnce(ctx, cl)
	var pe *providers.Error
	if c.Reauth == nil || !errors.As(err, &pe) ||
		(pe.HTTPStatus != http.StatusUnauthorized && pe.HTTPStatus != http.StatusForbidden) {
		return a, err
	}
	if rerr := c.Reauth(ctx, token); rerr != nil {
		return a, err
	}
	if cl.token, err = c.token(ctx); err != nil {
		return answer{}, err
	}
	return c.doOnce(ctx, cl)
}

func (c *Client) token(ctx context.Context) (string, error) {
	token, err := c.Token(ctx)
	if err != nil {
		var pe *providers.Error
		if errors.As(err, &pe) {
			return "", err
		}
		// No Text: the screens show Text as the POS's own words.
		return "", &providers.Error{Kind: providers.ErrAuth, Err: fmt.Errorf("no access token: %w", err)}
	}
	return token, nil
}

func (c *Client) doOnce(ctx context.Context, cl call) (answer, error) {
	if err := ctx.Err(); err != nil {
		return answer{}, &providers.Error{Kind: providers.ErrUnreachable, Text: "not sent", Err: err}
	}
	u, err := url.Parse(strings.TrimRight(c.BaseURL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		if err == nil {
			err = fmt.Errorf("address %q is not http(s)://host:port", c.BaseURL)
		}
		return answer{}, &providers.Error{Kind: providers.ErrUnreachable, Text: "bad Smart POS address", Err: err}
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/v2/" + cl.path
	u.RawQuery = cl.query.Encode()

	token := cl.token

	timeout := cl.timeout
	if timeout <= 0 {
		timeout = c.Timeout
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Whether a connection was ever handed to the request tells a dial
	// failure (nothing sent) from a failure after the request went out.
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return answer{}, &providers.Error{Kind: providers.ErrUnreachable, Text: "bad request", Err: err}
	}
	if cl.once {
		req.Body = onceBody{}
	}
	req.Header.Set("Accept", "application/json")
	if token != "" && !cl.noToken {
		req.Header.Set("accesstoken", token)
	}

	resp, err := c.httpClient().Do(req)
	if err != nil {
		return answer{}, transportError(cl.path, err, connected.Load())
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 3 {
		// The POS API never redirects (seed 004 §4.14 lists every answer),
		// so whatever answers here is not the POS: a web server's http to
		// https rule, a device that took the POS's address, something in
		// the way. Every call is a GET, and a 3xx to a GET says it was not
		// served here (RFC 9110 §15.4): nothing was started, so a payment
		// that meets one is refused, not left unknown. Were that ever
		// wrong, the POS would refuse the next payment with 107.
		return answer{}, providers.Redirected(resp.StatusCode, resp.Header.Get("Location"))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return answer{}, &providers.Error{Kind: providers.AfterSent(err), HTTPStatus: resp.StatusCode, Text: "answer cut off",
			Err: fmt.Errorf("GET /v2/%s: %w", cl.path, err)}
	}
	if len(body) > maxBody {
		return answer{}, &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: resp.StatusCode, Text: "answer too large"}
	}
	data, err := decodeEnvelope(resp.StatusCode, body, cl.once)
	return answer{data: data, httpStatus: resp.StatusCode}, err
}

// answer is a successful envelope's data and the HTTP status it came with.
type answer struct {
	data       json.RawMessage
	httpStatus int
}

// stamp marks a decoding failure with the HTTP status of the answer, so
// the error says an answer came and could not be read.
func (a answer) stamp(err error) error {
	var pe *providers.Error
	if errors.As(err, &pe) && pe.HTTPStatus == 0 {
		pe.HTTPStatus = a.httpStatus
	}
	return err
}

// transportError sorts a failed round trip into "never sent" and "sent,
// outcome unknown". Only a failure to open the connection proves the POS
// never saw the request; everything else may have reached it. net/http
// hands a connection to the request (GotConn) before writing a byte of it
// and, over HTTPS, only after the TLS handshake, so a request that never
// got one was not sent: a refused dial, a DNS failure, a certificate the
// till refuses, a POS that answers TLS in plain HTTP.
func transportError(path string, err error, connected bool) error {
	// url.Error's text carries the full URL, whose query can hold a
	// refresh token: keep only the cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	err = fmt.Errorf("GET /v2/%s: %w", path, err)
	if !connected {
		return &providers.Error{Kind: providers.ErrUnreachable, Text: "cannot connect to the Smart POS", Err: err}
	}
	if kind := providers.AfterSent(err); kind == providers.ErrDropped {
		return &providers.Error{Kind: kind, Text: "connection to the Smart POS lost", Err: err}
	}
	return &providers.Error{Kind: providers.ErrNoAnswer, Text: "no answer from the Smart POS", Err: err}
}

func malformed(what string, err error) error {
	return &providers.Error{Kind: providers.ErrMalformed, Text: what, Err: err}
}

// decodeEnvelope reads {"statusCode","data","errorText"} and returns data
// for statusCode 0, a *providers.Error otherwise. starts marks a call that
// starts something (payment, refund, register, revoke).
func decodeEnvelope(httpStatus int, body []byte, starts bool) (json.RawMessage, error) {
	var env struct {
		StatusCode *json.Number    `json:"statusCode"`
		Data       json.RawMessage `json:"data"`
		ErrorText  json.RawMessage `json:"errorText"`
	}
	jerr := json.Unmarshal(body, &env)
	if jerr != nil || env.StatusCode == nil {
		if jerr == nil {
			jerr = errors.New("no statusCode")
		}
		switch {
		case httpStatus == http.StatusUnauthorized:
			return nil, &providers.Error{Kind: providers.ErrAuth, HTTPStatus: httpStatus, Text: http.StatusText(httpStatus)}
		case httpStatus == http.StatusForbidden:
			return nil, &providers.Error{Kind: providers.ErrExpired, HTTPStatus: httpStatus, Text: http.StatusText(httpStatus)}
		case httpStatus/100 == 5 && starts:
			// The seed's own 500 comes in the envelope (999 Internal
			// Error), the API's word that it failed, refused like 106-108.
			// A 5xx without it is not the API's answer but a web server's
			// page after the handler died, or a proxy's: it says nothing
			// of what the POS did, and a payment may have started. So the
			// outcome is unknown, as for an answer cut off, and the
			// operation is left for a person to check on the POS (there is
			// no processId to ask about), never called refused.
			return nil, &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: httpStatus, Text: http.StatusText(httpStatus), Err: jerr}
		case httpStatus/100 != 2:
			return nil, &providers.Error{Kind: providers.ErrProvider, HTTPStatus: httpStatus, Text: http.StatusText(httpStatus), Err: jerr}
		}
		return nil, &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: httpStatus, Text: "unreadable answer", Err: jerr}
	}
	code, err := strconv.Atoi(env.StatusCode.String())
	if err != nil {
		return nil, &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: httpStatus, Text: "statusCode is not an integer", Err: err}
	}
	if code == 0 {
		if httpStatus/100 != 2 {
			// A 401 or 403 is about the token even when the body says 0.
			return nil, &providers.Error{Kind: classify(httpStatus, code, ""), HTTPStatus: httpStatus, Code: "0", Text: http.StatusText(httpStatus)}
		}
		if len(env.Data) == 0 || string(env.Data) == "null" {
			return nil, &providers.Error{Kind: providers.ErrMalformed, HTTPStatus: httpStatus, Code: "0", Text: "answer without data"}
		}
		return env.Data, nil
	}
	errorText, _ := scalar(env.ErrorText)
	text := errorText
	if len(env.Data) > 0 {
		if m, err := members(env.Data); err == nil {
			if msg := m.str("message"); msg != "" {
				if text != "" {
					text += ": "
				}
				text += msg
			}
		}
	}
	return nil, &providers.Error{Kind: classify(httpStatus, code, errorText), HTTPStatus: httpStatus, Code: strconv.Itoa(code), Text: text}
}

// classify maps the seed's error table onto ErrorKind. HTTP 401/403 come
// first: they are about the token whatever the body says. 999 is the
// catch-all code, sorted by its text, then by the HTTP status.
func classify(httpStatus, code int, errorText string) providers.ErrorKind {
	switch httpStatus {
	case http.StatusUnauthorized:
		if strings.Contains(strings.ToLower(errorText), "session expire") {
			return providers.ErrExpired
		}
		return providers.ErrAuth
	case http.StatusForbidden:
		return providers.ErrExpired
	}
	switch code {
	case 100:
		return providers.ErrNoInternet
	case 101, 104:
		return providers.ErrNotFound
	case 102, 103:
		return providers.ErrNotResolvable
	case 106:
		return providers.ErrBlocked
	case 107:
		return providers.ErrBusy
	case 105, 108:
		return providers.ErrProvider
	case 999:
		t := strings.ToLower(errorText)
		switch {
		// Invalid Url means the POS does not know the path: a wrong base
		// URL or firmware older than API v2. The request was refused.
		case strings.HasPrefix(t, "missing param"), strings.HasPrefix(t, "param unvalidated"), strings.HasPrefix(t, "invalid url"):
			return providers.ErrInvalid
		case strings.HasPrefix(t, "authorization failed"):
			return providers.ErrAuth
		case strings.HasPrefix(t, "session expire"):
			return providers.ErrExpired
		}
		if httpStatus == http.StatusBadRequest || httpStatus == http.StatusNotFound {
			return providers.ErrInvalid
		}
	}
	return providers.ErrProvider
}
