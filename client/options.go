package client

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// Option configures a client; pass them to Dial.
type Option func(*options)

// TokenMode says how the client hands its token to the server.
type TokenMode int

// The ways to send a token (docs/protocol.md#authentication).
const (
	// TokenHeader sends "Authorization: Bearer <token>" on the handshake:
	// the default, for bots and tools.
	TokenHeader TokenMode = iota
	// TokenQuery adds ?token=<token> to the URL, as browsers do.
	TokenQuery
	// TokenFrame sends {"type":"auth"} first thing on every connection,
	// which keeps the token out of URLs and headers.
	TokenFrame
)

// TokenSource returns a token to connect with. The client calls it before
// every connection and again before the token in use expires (read from
// its exp claim), so a long-lived bot never falls back to a guest; an error
// is reported as an ErrorEvent and the connection carries on, or, when
// connecting, counts as a failed attempt.
type TokenSource func(ctx context.Context) (string, error)

type options struct {
	token       string
	source      TokenSource
	tokenMode   TokenMode
	origin      string
	header      http.Header
	dialer      *websocket.Dialer
	httpClient  *http.Client
	reconnect   bool
	backoffMin  time.Duration
	backoffMax  time.Duration
	jitter      float64
	idleTimeout time.Duration
	maxFrame    int
	queueLimit  int
	logger      *slog.Logger
}

func defaultOptions() options {
	return options{
		reconnect:   true,
		backoffMin:  500 * time.Millisecond,
		backoffMax:  30 * time.Second,
		jitter:      0.5,
		idleTimeout: 75 * time.Second, // the server pings every 25 s by default
		maxFrame:    4096,
		queueLimit:  10000,
		logger:      slog.New(slog.DiscardHandler),
	}
}

// WithToken authenticates with a fixed token (a JWT, see `danmaku token`).
// Without a token the client is a guest, where the server allows guests.
func WithToken(token string) Option { return func(o *options) { o.token = token } }

// WithTokenSource authenticates with tokens from src, called on every
// connection and before each token expires; it takes precedence over WithToken.
func WithTokenSource(src TokenSource) Option { return func(o *options) { o.source = src } }

// WithTokenMode chooses how the token travels; the default is TokenHeader.
func WithTokenMode(m TokenMode) Option { return func(o *options) { o.tokenMode = m } }

// WithOrigin sends an Origin header, for servers that check it
// (-allowed-origins). Clients without one are allowed by default.
func WithOrigin(origin string) Option { return func(o *options) { o.origin = origin } }

// WithHeader adds headers to every handshake.
func WithHeader(h http.Header) Option {
	return func(o *options) {
		if o.header == nil {
			o.header = http.Header{}
		}
		for k, v := range h {
			o.header[k] = append(o.header[k], v...)
		}
	}
}

// WithDialer dials with d: its NetDialContext, proxy, TLS settings,
// timeouts and buffer sizes apply. The default is websocket.DefaultDialer's
// settings with a 10-s handshake timeout and pooled write buffers.
func WithDialer(d *websocket.Dialer) Option { return func(o *options) { o.dialer = d } }

// WithHTTPClient makes the REST calls with hc (the client fetches missed
// comments over REST when a reconnect's catch-up stops early).
func WithHTTPClient(hc *http.Client) Option { return func(o *options) { o.httpClient = hc } }

// WithoutReconnect ends the client at the first lost connection instead of
// reconnecting; Err then says why.
func WithoutReconnect() Option { return func(o *options) { o.reconnect = false } }

// WithBackoff sets the reconnect delays: the first try waits about min, each
// next one twice as long, up to max; jitter (0 to 1) is the fraction of
// each delay that is random, so that many clients do not return in
// lockstep. The defaults are 500 ms, 30 s and 0.5.
func WithBackoff(min, max time.Duration, jitter float64) Option {
	return func(o *options) { o.backoffMin, o.backoffMax, o.jitter = min, max, jitter }
}

// WithIdleTimeout drops a connection that has received nothing, not even
// the server's pings, for d (default 75 s), and reconnects.
func WithIdleTimeout(d time.Duration) Option { return func(o *options) { o.idleTimeout = d } }

// WithMaxFrame is the largest frame the server accepts (its -max-frame,
// default 4096 bytes); a comment that would not fit is refused with
// ErrTooLarge before it is sent, rather than costing the connection.
func WithMaxFrame(n int) Option { return func(o *options) { o.maxFrame = n } }

// WithEventQueue bounds how many events wait for the reader of Events
// (default 10,000). When it is full the client stops reading the
// connection until there is room, and the server may drop the connection
// as too slow; the client then resumes without a gap.
func WithEventQueue(n int) Option { return func(o *options) { o.queueLimit = n } }

// WithLogger logs connection changes at info and protocol surprises at warn.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }
