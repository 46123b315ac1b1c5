package app_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
)

// waitFor bounds every wait on an event in these tests.
const waitFor = apptest.WaitFor

// testSecret signs the test servers' tokens; tests mint their own with it.
const testSecret = apptest.Secret

// testServer is a real server on 127.0.0.1:0 over a SQLite file in a temp dir.
type testServer struct {
	*apptest.Server
	cfg app.Config
}

// testConfig returns a config for a server in dir.
func testConfig(t *testing.T, dir string) app.Config {
	t.Helper()
	return apptest.Config(t, dir)
}

// startServer starts a server with the test config, changed by tweak.
func startServer(t *testing.T, tweak ...func(*app.Config)) *testServer {
	t.Helper()
	cfg := testConfig(t, t.TempDir())
	for _, f := range tweak {
		f(&cfg)
	}
	return startWith(t, cfg)
}

func startWith(t *testing.T, cfg app.Config) *testServer {
	t.Helper()
	return &testServer{Server: apptest.StartWith(t, cfg), cfg: cfg}
}

func (s *testServer) stop(t *testing.T) {
	t.Helper()
	s.Stop(t)
}

// restart stops the server and starts a new one on the same database.
func (s *testServer) restart(t *testing.T) *testServer {
	t.Helper()
	s.stop(t)
	cfg := s.cfg
	cfg.Addr = "127.0.0.1:0"
	return startWith(t, cfg)
}

func (s *testServer) wsURL(query string) string {
	return "ws://" + s.Addr() + "/ws" + query
}

// frame is any server frame, decoded loosely for assertions.
type frame struct {
	Type      string              `json:"type"`
	Ref       string              `json:"ref"`
	Room      string              `json:"room"`
	OK        bool                `json:"ok"`
	Comment   *protocol.Comment   `json:"comment"`
	Items     []protocol.Comment  `json:"items"`
	Viewers   int                 `json:"viewers"`
	LastSeq   int64               `json:"last_seq"`
	AfterSeq  int64               `json:"after_seq"`
	User      *protocol.Me        `json:"user"`
	ExpiresAt *protocol.Timestamp `json:"expires_at"`
	Error     *protocol.ErrorBody
	Code      string              `json:"code"`
	Message   string              `json:"message"`
	RoomLikes *int64              `json:"room_likes"`
	Comments  map[string]int64    `json:"comments"`
	Likes     *int64              `json:"likes"`
	CommentID *int64              `json:"comment_id"`
	IDs       []int64             `json:"ids"`
	Reason    string              `json:"reason"`
	Until     *protocol.Timestamp `json:"until"`
	Weights   map[string]int      `json:"weights"`
	Rows      json.RawMessage     `json:"rows"` // a v2 comments frame's; read tells Items from them
	Raw       json.RawMessage     `json:"-"`    // the whole frame, for frames this struct does not cover
}

// wsClient is a real WebSocket client whose frames are read in the background.
type wsClient struct {
	t      *testing.T
	conn   *websocket.Conn
	frames chan frame
	closed chan struct{}

	mu        sync.Mutex
	closeCode int
	closeText string
}

type dialOpts struct {
	jar    http.CookieJar
	origin string
	header http.Header // more handshake headers, e.g. Authorization
	noPong bool        // never answer the server's pings
}

// dial opens a socket to query (e.g. "?room=demo") and fails the test if it can't.
func dial(t *testing.T, s *testServer, query string, opts ...dialOpts) *wsClient {
	t.Helper()
	c, resp, err := tryDial(t, s, query, opts...)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", query, err, status)
	}
	return c
}

func tryDial(t *testing.T, s *testServer, query string, opts ...dialOpts) (*wsClient, *http.Response, error) {
	t.Helper()
	var o dialOpts
	if len(opts) > 0 {
		o = opts[0]
	}
	d := websocket.Dialer{HandshakeTimeout: waitFor, Jar: o.jar}
	h := http.Header{}
	for k, v := range o.header {
		h[k] = v
	}
	if o.origin != "" {
		h.Set("Origin", o.origin)
	}
	conn, resp, err := d.Dial(s.wsURL(query), h)
	if err != nil {
		return nil, resp, err
	}
	c := &wsClient{t: t, conn: conn, frames: make(chan frame, 100000), closed: make(chan struct{})}
	if o.noPong {
		conn.SetPingHandler(func(string) error { return nil })
	}
	go c.read()
	t.Cleanup(func() { conn.Close() })
	return c, resp, nil
}

func (c *wsClient) read() {
	defer close(c.closed)
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				c.mu.Lock()
				c.closeCode, c.closeText = ce.Code, ce.Text
				c.mu.Unlock()
			}
			return
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			c.t.Errorf("server sent a frame that is not JSON: %q", data)
			return
		}
		f.Raw = data
		if f.Type == protocol.TypeComments && f.Rows != nil {
			v2, err := protocol.DecodeCommentsV2(data)
			if err != nil {
				c.t.Errorf("server sent a bad v2 comments frame %q: %v", data, err)
				return
			}
			f.Items = v2.Items
		}
		c.frames <- f
	}
}

// send writes v as a JSON text frame.
func (c *wsClient) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(websocket.TextMessage, b)
}

func (c *wsClient) sendRaw(kind int, b []byte) {
	c.t.Helper()
	if err := c.conn.WriteMessage(kind, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next returns the next frame of type typ, skipping presence, likes and
// weights frames unless they are what is asked for.
func (c *wsClient) next(typ string) frame {
	c.t.Helper()
	return c.nextSkipping(typ, protocol.TypePresence, protocol.TypeLikes, protocol.TypeWeights)
}

// ack returns the next ack, skipping broadcasts.
func (c *wsClient) ack() frame {
	c.t.Helper()
	return c.nextSkipping(protocol.TypeAck, protocol.TypePresence, protocol.TypeLikes, protocol.TypeWeights, protocol.TypeComments)
}

func (c *wsClient) nextSkipping(typ string, skip ...string) frame {
	c.t.Helper()
	timeout := time.After(waitFor)
	for {
		select {
		case f := <-c.frames:
			if f.Type == typ {
				return f
			}
			if slices.Contains(skip, f.Type) {
				continue
			}
			c.t.Fatalf("want a %s frame, got a %s frame (%+v %s %s)", typ, f.Type, f.Error, f.Code, f.Message)
		case <-c.closed:
			if len(c.frames) > 0 {
				continue // frames read before the close come first
			}
			c.t.Fatalf("want a %s frame, but the socket closed (code %d)", typ, c.code())
		case <-timeout:
			c.t.Fatalf("no %s frame within %s", typ, waitFor)
		}
	}
}

// comments collects comment items until it has exactly n of them.
func (c *wsClient) comments(n int) []protocol.Comment {
	c.t.Helper()
	out := c.commentsAtLeast(n)
	if len(out) > n {
		c.t.Fatalf("want %d comments, got %d", n, len(out))
	}
	return out
}

// commentsAtLeast collects whole comments frames until it has n items or more.
func (c *wsClient) commentsAtLeast(n int) []protocol.Comment {
	c.t.Helper()
	var out []protocol.Comment
	for len(out) < n {
		out = append(out, c.next(protocol.TypeComments).Items...)
	}
	return out
}

// quiet asserts that no frame other than presence, likes or weights arrives within d.
func (c *wsClient) quiet(d time.Duration) {
	c.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case f := <-c.frames:
			if f.Type != protocol.TypePresence && f.Type != protocol.TypeLikes && f.Type != protocol.TypeWeights {
				if len(f.Items) > 0 {
					c.t.Fatalf("want no frames, got a %s frame with %d items, seqs %d–%d", f.Type, len(f.Items), f.Items[0].Seq, f.Items[len(f.Items)-1].Seq)
				}
				c.t.Fatalf("want no frames, got %+v", f)
			}
		case <-deadline:
			return
		}
	}
}

// waitClosed waits for the server to close the socket and returns the close code.
func (c *wsClient) waitClosed() int {
	c.t.Helper()
	select {
	case <-c.closed:
		return c.code()
	case <-time.After(waitFor):
		c.t.Fatalf("socket still open after %s", waitFor)
		return 0
	}
}

func (c *wsClient) code() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeCode
}

// reason returns the close frame's reason, once closed.
func (c *wsClient) reason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeText
}

// join joins room and returns the welcome.
func (c *wsClient) join(room string) frame {
	c.t.Helper()
	c.send(map[string]any{"type": "join", "room": room})
	return c.next(protocol.TypeWelcome)
}

// comment sends a comment and waits for its ack.
func (c *wsClient) comment(ref, text string) frame {
	c.t.Helper()
	c.send(map[string]any{"type": "comment", "ref": ref, "text": text, "time": 1.5})
	return c.next(protocol.TypeAck)
}

// httpClient is a client with its own cookie jar: one browser, one user.
func httpClient(t *testing.T) *http.Client {
	t.Helper()
	return apptest.HTTPClient(t)
}

// call does a JSON request and decodes the response into out (when non-nil).
func call(t *testing.T, hc *http.Client, method, url string, body any, out any) int {
	t.Helper()
	return apptest.Call(t, hc, method, url, body, out)
}

// createRoom creates a room over REST, as a moderator.
func createRoom(t *testing.T, s *testServer, id, kind string) {
	t.Helper()
	apptest.CreateRoom(t, s.URL(), id, kind)
}

// apiError is the REST error shape.
type apiError struct {
	Error protocol.ErrorBody `json:"error"`
}

// bearerClient is an HTTP client that sends Authorization: Bearer tok.
func bearerClient(_ *testing.T, tok string) *http.Client { return apptest.BearerClient(tok) }

// moderatorClient acts as a signed-in moderator of s over REST.
func moderatorClient(t *testing.T, _ *testServer) *http.Client {
	t.Helper()
	return apptest.ModeratorClient(t)
}
