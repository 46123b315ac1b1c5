package client

import (
	"context"
	"iter"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Client is a connection to a Danmaku server that reconnects by itself.
// Its methods may be called from any goroutine.
type Client struct {
	opts   options
	ends   endpoints
	dialer *websocket.Dialer
	ctx    context.Context // the client's life: cancelled when it ends
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine the client started
	refs   atomic.Uint64
	queue  *eventQueue
	events chan Event

	mu       sync.Mutex
	sess     *session      // the open connection; nil while offline
	online   chan struct{} // closed once sess is set; replaced when it goes
	rooms    map[string]*room
	tok      string    // the token in use ("" for a guest)
	tokenExp time.Time // its expiry; zero when unknown
	err      error     // why the client ended; nil while it runs
	done     chan struct{}
	closing  chan struct{} // closed by Close
	closed   bool
}

// defaultDialer is websocket.DefaultDialer with a 10-s handshake timeout
// and write buffers borrowed per frame from a pool: a client writes little,
// so an idle one holds none.
var defaultDialer = &websocket.Dialer{
	Proxy:            http.ProxyFromEnvironment,
	HandshakeTimeout: 10 * time.Second,
	WriteBufferPool:  &sync.Pool{},
}

// Dial connects to the server at url: a WebSocket URL (ws://host:8080/ws,
// wss://…), a server URL (http://host:8080, https://…) or host:port. ctx
// bounds the connecting only, as with net.Dial: once Dial has returned,
// the client lives until Close, or until the server refuses it for good
// (a revoked token, a ban). A first connection that fails is an error;
// later ones are retried (see WithoutReconnect).
func Dial(ctx context.Context, url string, opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	ends, err := parseEndpoints(url)
	if err != nil {
		return nil, err
	}
	c := &Client{
		opts: o, ends: ends, dialer: o.dialer,
		queue:  newEventQueue(o.queueLimit),
		events: make(chan Event),
		online: make(chan struct{}),
		rooms:  map[string]*room{},
		done:   make(chan struct{}), closing: make(chan struct{}),
	}
	if c.dialer == nil {
		c.dialer = defaultDialer
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	sess, err := c.connect(ctx, 0)
	if err != nil {
		c.cancel()
		c.wg.Wait()
		return nil, err
	}
	c.wg.Add(2)
	go c.dispatch()
	go c.supervise(sess)
	return c, nil
}

// Events delivers what the server says and how the connection fares, in
// order; it is closed when the client ends. Read it steadily: see
// WithEventQueue. Acks do not go through it, so calling Send from the loop
// that reads it is fine (as long as the queue is not full).
func (c *Client) Events() <-chan Event { return c.events }

// Listen ranges over Events until ctx ends or the client does:
//
//	for ev := range c.Listen(ctx) { … }
func (c *Client) Listen(ctx context.Context) iter.Seq[Event] {
	return func(yield func(Event) bool) {
		for {
			select {
			case ev, ok := <-c.events:
				if !ok || !yield(ev) {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}
}

// Err says why the client ended: ErrClosed after Close, or the server's
// refusal (an *Error, e.g. unauthorized "token expired") or the lost
// connection that ended it. It is nil while the client runs.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Done is closed when the client has ended; Err then says why.
func (c *Client) Done() <-chan struct{} { return c.done }

// Close leaves every room, closes the connection with a normal close
// frame, and waits until every goroutine of the client has returned.
// Calls waiting on the client fail with ErrClosed. Close may be called more
// than once and from any goroutine.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		c.wg.Wait()
		return nil
	}
	c.closed = true
	close(c.closing)
	c.endLocked(ErrClosed)
	sess := c.sess
	c.mu.Unlock()
	if sess != nil {
		sess.closeGracefully()
	}
	c.wg.Wait()
	return nil
}

// end ends the client with err (once); the first reason stands.
func (c *Client) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endLocked(err)
}

func (c *Client) endLocked(err error) {
	if c.err != nil {
		return
	}
	c.err = err
	close(c.done)
	c.cancel()
}

// nextRef returns a fresh ref with prefix, unique on this client.
func (c *Client) nextRef(prefix string) string {
	return prefix + strconv.FormatUint(c.refs.Add(1), 36)
}

// waitOnline returns the open connection, waiting for it while the
// client reconnects, until ctx or the client ends.
func (c *Client) waitOnline(ctx context.Context) (*session, error) {
	for {
		c.mu.Lock()
		sess, online, err := c.sess, c.online, c.err
		c.mu.Unlock()
		switch {
		case err != nil:
			return nil, err
		case sess != nil:
			return sess, nil
		}
		select {
		case <-online:
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// emit queues ev for Events; it waits while the queue is full, until the
// client ends.
func (c *Client) emit(ev Event) {
	_ = c.queue.push(c.ctx, ev)
}
