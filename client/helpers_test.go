package client_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/client"
	_ "github.com/danmaku/danmaku/plugins/all" // the default chain's plugins
)

// waitFor bounds every wait on an event.
const waitFor = apptest.WaitFor

func TestMain(m *testing.M) {
	apptest.ServeIfChild() // the server processes the restart tests kill
	os.Exit(m.Run())
}

// wsURL is the client URL of a server at base (http://host:port).
func wsURL(base string) string { return "ws" + strings.TrimPrefix(base, "http") + "/ws" }

// dial connects a client and closes it when the test ends.
func dial(t *testing.T, base string, opts ...client.Option) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, err := client.Dial(ctx, wsURL(base), opts...)
	if err != nil {
		t.Fatalf("Dial %s: %v", base, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// join joins room and fails the test if it cannot.
func join(t *testing.T, c *client.Client, room string, opts ...client.JoinOption) client.Welcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	w, err := c.Join(ctx, room, opts...)
	if err != nil {
		t.Fatalf("Join %s: %v", room, err)
	}
	return w
}

// send sends text to room and returns the stored comment.
func send(t *testing.T, c *client.Client, room, text string) client.Comment {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	stored, err := c.Send(ctx, room, client.Draft{Text: text})
	if err != nil {
		t.Fatalf("Send %q to %s: %v", text, room, err)
	}
	return stored
}

// next returns the next event of type T, skipping events of other types.
func next[T client.Event](t *testing.T, c *client.Client) T {
	t.Helper()
	timeout := time.After(waitFor)
	for {
		select {
		case ev, ok := <-c.Events():
			if !ok {
				t.Fatalf("want a %T, but the client ended: %v", *new(T), c.Err())
			}
			if want, ok := ev.(T); ok {
				return want
			}
		case <-timeout:
			var zero T
			t.Fatalf("no %T within %v", zero, waitFor)
		}
	}
}

// comments collects the comments c delivers for room until it has n,
// failing on more, and returns the events it skipped on the way.
func comments(t *testing.T, c *client.Client, room string, n int) ([]client.Comment, []client.Event) {
	t.Helper()
	var got []client.Comment
	var other []client.Event
	timeout := time.After(waitFor)
	for len(got) < n {
		select {
		case ev, ok := <-c.Events():
			if !ok {
				t.Fatalf("the client ended after %d of %d comments: %v", len(got), n, c.Err())
			}
			if cs, ok := ev.(client.Comments); ok && cs.Room == room {
				got = append(got, cs.Items...)
			} else {
				other = append(other, ev)
			}
		case <-timeout:
			t.Fatalf("%d of %d comments of room %s within %v: %s", len(got), n, room, waitFor, texts(got))
		}
	}
	if len(got) > n {
		t.Fatalf("want %d comments of room %s, got %d: %s", n, room, len(got), texts(got))
	}
	return got, other
}

// texts lists comments as "seq:text" for failure messages.
func texts(cs []client.Comment) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%d:%q ", c.Seq, c.Text)
	}
	return b.String()
}

// post stores a comment over REST, as another viewer would.
func post(t *testing.T, base, room, text string) client.Comment {
	t.Helper()
	var c client.Comment
	if status := apptest.Call(t, apptest.HTTPClient(t), "POST", base+"/api/rooms/"+room+"/comments", map[string]any{"text": text}, &c); status != http.StatusCreated {
		t.Fatalf("POST a comment to %s: status %d", room, status)
	}
	return c
}

// userToken mints a viewer token for id that expires after ttl.
func userToken(t *testing.T, id string, ttl time.Duration) string {
	t.Helper()
	return apptest.Token(t, auth.Identity{ID: id, Name: id, Roles: []string{auth.RoleViewer}}, ttl)
}

// netGate is the network under a client: a test cuts its connections and
// holds its new ones back, so a reconnect happens exactly when the test
// wants it.
type netGate struct {
	mu     sync.Mutex
	conns  []net.Conn
	writes writeMode
	hit    chan struct{} // one value per write the mode swallowed or failed
	open   chan struct{} // closed while dials may go through
	dials  chan struct{} // one value per dial attempt that reached the gate
	closed bool
}

// writeMode is what the gate does to the client's writes.
type writeMode int

const (
	writesPass   writeMode = iota
	writesVanish           // reported as written, never sent: the server never answers
	writesFail             // fail, as a broken connection does
	acksLost               // sent, but the connection hears nothing more: the server's answer is lost
)

func newNetGate() *netGate {
	g := &netGate{open: make(chan struct{}), dials: make(chan struct{}, 1000), hit: make(chan struct{}, 1000)}
	close(g.open)
	return g
}

// dialer is a websocket.Dialer whose connections go through the gate.
func (g *netGate) dialer() *websocket.Dialer {
	return &websocket.Dialer{NetDialContext: g.dial, HandshakeTimeout: waitFor}
}

func (g *netGate) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	g.dials <- struct{}{}
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	select {
	case <-open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.conns = append(g.conns, conn)
	g.mu.Unlock()
	return gatedConn{conn, g, new(atomic.Bool)}, nil
}

// setWrites changes what happens to the client's writes from now on.
func (g *netGate) setWrites(m writeMode) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.writes = m
}

// gatedConn is a connection whose writes the gate may swallow or fail,
// and whose reads it may turn deaf.
type gatedConn struct {
	net.Conn
	g    *netGate
	deaf *atomic.Bool // everything read from now on is dropped
}

func (c gatedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	for err == nil && c.deaf.Load() {
		n, err = c.Conn.Read(p)
	}
	return n, err
}

func (c gatedConn) Write(p []byte) (int, error) {
	c.g.mu.Lock()
	mode := c.g.writes
	c.g.mu.Unlock()
	switch mode {
	case writesVanish:
		c.g.hit <- struct{}{}
		return len(p), nil
	case writesFail:
		c.g.hit <- struct{}{}
		return 0, net.ErrClosed
	case acksLost:
		c.deaf.Store(true) // before the write, so the answer cannot slip through
		defer func() { c.g.hit <- struct{}{} }()
	}
	return c.Conn.Write(p)
}

// waitHit waits until the write mode has acted on a write.
func (g *netGate) waitHit(t *testing.T) {
	t.Helper()
	select {
	case <-g.hit:
	case <-time.After(waitFor):
		t.Fatalf("the client wrote nothing within %v", waitFor)
	}
}

// hold makes new dials wait until release; waitDial then waits for a
// dial attempt made after hold.
func (g *netGate) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for len(g.dials) > 0 {
		<-g.dials
	}
	if !g.closed {
		g.open, g.closed = make(chan struct{}), true
	}
}

// release lets waiting and new dials through.
func (g *netGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		close(g.open)
		g.closed = false
	}
}

// cut drops every connection made so far, as a network failure would:
// no close frame.
func (g *netGate) cut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range g.conns {
		_ = c.Close()
	}
	g.conns = nil
}

// waitDial waits until a dial attempt has reached the gate.
func (g *netGate) waitDial(t *testing.T) {
	t.Helper()
	select {
	case <-g.dials:
	case <-time.After(waitFor):
		t.Fatalf("the client did not try to reconnect within %v", waitFor)
	}
}

// fastRetry makes reconnect attempts quick, so tests wait on events, not backoff.
var fastRetry = client.WithBackoff(10*time.Millisecond, 100*time.Millisecond, 0.5)
