package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
)

func TestConnectionsPerIPAreLimited(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.MaxConnsPerIP = 3 })
	open := make([]*wsClient, 3)
	for i := range open {
		open[i] = dial(t, s, "?room=demo")
		open[i].next(protocol.TypeWelcome)
	}
	_, resp, err := tryDial(t, s, "?room=demo")
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fourth socket: %v, want 429", resp)
	}
	// Closing one frees its slot once the server has seen it go.
	open[0].conn.Close()
	deadline := time.Now().Add(waitFor)
	for {
		c, resp, err := tryDial(t, s, "?room=demo")
		if err == nil {
			c.next(protocol.TypeWelcome)
			break
		}
		if resp == nil || resp.StatusCode != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("after closing one: %v, %v", resp, err)
		}
	}
}

func TestRESTWritesAreRateLimited(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.RESTWrites, c.RESTWindow = 5, time.Hour })
	hc := httpClient(t)
	for i := range 5 {
		if status := call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": fmt.Sprint("n", i)}, nil); status != http.StatusCreated {
			t.Fatalf("write %d: %d", i, status)
		}
	}
	// Reads are not counted.
	for range 10 {
		if status := call(t, hc, "GET", s.URL()+"/api/rooms/demo", nil, nil); status != http.StatusOK {
			t.Fatalf("read: %d", status)
		}
	}
	var e apiError
	if status := call(t, httpClient(t), "POST", s.URL()+"/api/rooms/demo/like", nil, &e); status != http.StatusTooManyRequests ||
		e.Error.Code != "rate_limited" || e.Error.Message == "" {
		t.Fatalf("sixth write from the same address (another client): %d %+v, want 429 rate_limited", status, e)
	}
}

func TestAFlooderIsLimitedThenClosedWhileOthersSeeEverything(t *testing.T) {
	const burst, flood, calm = 50, 10000, 40
	s := startServer(t, func(c *app.Config) { c.FrameRate, c.FrameBurst = 100, burst })
	createRoom(t, s, "flood", "live")
	viewers := make([]*wsClient, 5)
	for i := range viewers {
		viewers[i] = dial(t, s, "?room=flood")
		viewers[i].next(protocol.TypeWelcome)
	}
	flooder := dial(t, s, "?room=flood")
	flooder.next(protocol.TypeWelcome)
	sender := dial(t, s, "?room=flood")
	sender.next(protocol.TypeWelcome)

	// The flooder writes as fast as it can until the server cuts it off.
	flooded := make(chan int)
	go func() {
		n := 0
		for ; n < flood; n++ {
			msg := fmt.Sprintf(`{"type":"comment","ref":"f%d","text":"flood %d"}`, n, n)
			if flooder.conn.WriteMessage(websocket.TextMessage, []byte(msg)) != nil {
				break
			}
		}
		flooded <- n
	}()
	// Meanwhile a well-behaved sender (within its burst) gets every comment through.
	var acked []int64
	for i := range calm {
		ack := sender.say(fmt.Sprint("s", i), fmt.Sprint("calm ", i))
		if !ack.OK {
			t.Fatalf("calm sender, comment %d: %+v", i, ack)
		}
		acked = append(acked, ack.Comment.ID)
	}

	if code := flooder.waitClosed(); code != websocket.ClosePolicyViolation || flooder.reason() != "rate limit exceeded" {
		t.Fatalf("flooder closed with %d %q, want 1008 rate limit exceeded", code, flooder.reason())
	}
	written := <-flooded
	limited, queued, floodAcks := 0, 0, 0
	for len(flooder.frames) > 0 {
		switch f := <-flooder.frames; {
		case f.Type == protocol.TypeError && f.Code == "rate_limited":
			limited++
		case f.Type == protocol.TypeAck && f.OK:
			floodAcks++
		case f.Type == protocol.TypeAck && f.Error != nil && f.Error.Code == "rate_limited":
			queued++ // past the comments a socket may have in flight
		}
	}
	if limited == 0 || limited > burst {
		t.Fatalf("flooder got %d rate_limited error frames, want 1 to %d before the close", limited, burst)
	}
	mf := scrape(t, s)
	if got := mf.Value("danmaku_socket_closes_total", "reason", "rate_limit"); got != 1 {
		t.Errorf("rate-limit closes in the metrics: %v, want 1", got)
	}
	if got := mf.Value("danmaku_comments_rejected_total", "via", "ws", "reason", "rate_limited", "plugin", ""); got != float64(limited+queued) {
		t.Errorf("rate-limited comments in the metrics: %v, want the %d refused and the %d refused in flight", got, limited, queued)
	}
	t.Logf("flooder wrote %d frames; %d acked, %d refused, %d refused in flight, then closed", written, floodAcks, limited, queued)

	// Every viewer got every stored comment, the flooder's few included, in order.
	var room struct {
		LastSeq int64 `json:"last_seq"`
	}
	call(t, httpClient(t), "GET", s.URL()+"/api/rooms/flood", nil, &room)
	if room.LastSeq < calm || room.LastSeq >= flood {
		t.Fatalf("last_seq %d: the flooder was not limited", room.LastSeq)
	}
	for i, v := range viewers {
		got := v.commentsAtLeast(int(room.LastSeq))
		for j, c := range got {
			if c.Seq != int64(j+1) {
				t.Fatalf("viewer %d: item %d has seq %d, want %d", i, j, c.Seq, j+1)
			}
		}
		if len(got) != int(room.LastSeq) {
			t.Fatalf("viewer %d got %d comments, want %d", i, len(got), room.LastSeq)
		}
	}
}

// stalledReadBuffer is the receive buffer of a stalled client that will
// never read again: tiny, so the server's writes to it soon block. One that
// reads later keeps the system's, or reading what is queued would crawl.
const stalledReadBuffer = 4096

// dialStalled opens a socket for a client that stops reading, with a
// receive buffer of rcvbuf bytes (0: the system's).
func dialStalled(t *testing.T, s *testServer, query string, rcvbuf int) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: waitFor, NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tcp, ok := conn.(*net.TCPConn); ok && rcvbuf > 0 {
			_ = tcp.SetReadBuffer(rcvbuf)
		}
		return conn, err
	}}
	conn, _, err := d.Dial(s.wsURL(query), nil)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func TestASocketThatNeverReadsIsClosedWhileOthersGetEverything(t *testing.T) {
	const readers, backlog = 50, 150
	for _, tc := range []struct {
		name   string
		rcvbuf int // the stalled client's receive buffer (0: the system's)
		tweak  func(*app.Config)
		log    string // the warning that names the socket
		reason string // its danmaku_socket_closes_total label
		code   int    // the close code it reads once it does read; 0: the connection is cut
	}{
		{
			name:   "its send buffer fills: 1013 slow",
			tweak:  func(c *app.Config) { c.SendBuffer, c.WriteWait = 16, time.Minute },
			log:    "closing slow websocket: send buffer full",
			reason: "slow",
			code:   websocket.CloseTryAgainLater,
		},
		{
			name:   "a write outlasts write-wait: cut",
			rcvbuf: stalledReadBuffer,
			// A buffer the test never fills, so only the write timeout can end it.
			tweak:  func(c *app.Config) { c.SendBuffer, c.WriteWait = 10000, time.Second },
			log:    "closing slow websocket: a write took longer than write-wait",
			reason: "write_timeout",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logBuffer{}
			s := startServer(t, func(c *app.Config) {
				c.Logger = slog.New(slog.NewTextHandler(io.MultiWriter(logs, apptest.LogWriter(t)), nil))
				c.MaxTextRunes = 10000
				tc.tweak(c)
			})
			createRoom(t, s, "slow", "live")
			// A backlog of big comments (6 MB) that the stalled client will ask to
			// catch up on: more than the kernel buffers between it and the server hold.
			hc := httpClient(t)
			big := strings.Repeat("😀", 10000)
			for i := range backlog {
				if status := call(t, hc, "POST", s.URL()+"/api/rooms/slow/comments", map[string]any{"text": big}, nil); status != http.StatusCreated {
					t.Fatalf("backlog %d: %d", i, status)
				}
			}
			all := make([]*wsClient, readers)
			for i := range all {
				all[i] = dial(t, s, "?room=slow")
				all[i].next(protocol.TypeWelcome)
			}
			// The stalled client asks for everything since the start and never reads.
			stalled := dialStalled(t, s, "?room=slow&since=0", tc.rcvbuf)
			defer stalled.Close()
			deadline := time.Now().Add(waitFor)
			for viewers(t, s, "slow") != readers+1 {
				if time.Now().After(deadline) {
					t.Fatal("the stalled client never joined")
				}
			}

			// Live comments keep coming until the server gives up on the stalled socket.
			sent := 0
			for sent < 20 || !strings.Contains(logs.String(), tc.log) {
				if sent == 5000 {
					t.Fatalf("no %q in the log", tc.log)
				}
				if status := call(t, hc, "POST", s.URL()+"/api/rooms/slow/comments", map[string]any{"text": fmt.Sprint("live ", sent)}, nil); status != http.StatusCreated {
					t.Fatalf("post %d: %d", sent, status)
				}
				sent++
			}
			t.Logf("the stalled socket was given up on after %d live comments", sent)

			// Everyone else got every live comment, in order.
			var wg sync.WaitGroup
			for i, c := range all {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got := c.commentsAtLeast(sent)
					if len(got) != sent {
						t.Errorf("reader %d got %d comments, want %d", i, len(got), sent)
						return
					}
					for j, cm := range got {
						if cm.Seq != int64(backlog+j+1) || cm.Text != fmt.Sprint("live ", j) {
							t.Errorf("reader %d: item %d is seq %d %q, want seq %d", i, j, cm.Seq, cm.Text, backlog+j+1)
							return
						}
					}
				}()
			}
			wg.Wait()

			// What reaches the stalled client, once it reads, ends as the case says.
			_ = stalled.SetReadDeadline(time.Now().Add(waitFor))
			for {
				_, _, err := stalled.ReadMessage()
				if err == nil {
					continue
				}
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatal("the stalled socket is still open")
				}
				var ce *websocket.CloseError
				switch {
				case tc.code == 0 && errors.As(err, &ce):
					t.Fatalf("closed with %d %q, want the connection cut", ce.Code, ce.Text)
				case tc.code != 0 && (!errors.As(err, &ce) || ce.Code != tc.code || ce.Text != "slow"):
					t.Fatalf("read %v, want close %d slow", err, tc.code)
				}
				break
			}
			deadline = time.Now().Add(waitFor)
			for viewers(t, s, "slow") != readers {
				if time.Now().After(deadline) {
					t.Fatal("the stalled socket never left the room")
				}
			}
			if got := scrape(t, s).Sum("danmaku_socket_closes_total", "reason", tc.reason); got != 1 {
				t.Errorf("danmaku_socket_closes_total{reason=%q} = %v, want 1", tc.reason, got)
			}
			if got := scrape(t, s).Sum("danmaku_socket_closes_total"); got != 1 {
				t.Errorf("%v sockets closed by the server, want only the stalled one, once", got)
			}
		})
	}
}

func TestIdleSocketsThatStopAnsweringPingsAreClosed(t *testing.T) {
	s := startServer(t, func(c *app.Config) {
		c.PingEvery = 50 * time.Millisecond
		c.PongWait = 300 * time.Millisecond
	})
	healthy := dial(t, s, "?room=demo")
	silent := dial(t, s, "?room=demo", dialOpts{noPong: true})
	healthy.next(protocol.TypeWelcome)
	silent.next(protocol.TypeWelcome)

	silent.waitClosed() // the server drops it without a close handshake
	// The healthy client, which answered the same pings, is still there.
	healthy.send(map[string]string{"type": "ping", "ref": "ok"})
	if f := healthy.next(protocol.TypePong); f.Ref != "ok" {
		t.Fatalf("pong = %+v", f)
	}
	deadline := time.Now().Add(waitFor)
	for viewers(t, s, "demo") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the silent socket still counts as a viewer")
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.AllowedOrigins = []string{"https://player.example"} })
	for _, path := range []string{"/", "/login", "/api/rooms", "/assets/css/danmaku.css"} {
		t.Run(path, func(t *testing.T) {
			resp := get(t, httpClient(t), s.URL()+path)
			if resp.status != http.StatusOK {
				t.Fatalf("status %d", resp.status)
			}
			csp := resp.header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self';", "style-src 'self';", "object-src 'none'",
				"connect-src 'self' https://player.example wss://player.example;", "media-src 'self' https: http:", "frame-ancestors 'self' https://player.example", "base-uri 'self'", "form-action 'self'"} {
				if !strings.Contains(csp+";", want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe") {
				t.Errorf("CSP %q allows unsafe sources", csp)
			}
			for k, want := range map[string]string{
				"X-Content-Type-Options":       "nosniff",
				"X-Frame-Options":              "SAMEORIGIN",
				"Referrer-Policy":              "same-origin",
				"Cross-Origin-Opener-Policy":   "same-origin",
				"Cross-Origin-Embedder-Policy": "unsafe-none",
			} {
				if got := resp.header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if got := resp.header.Get("Strict-Transport-Security"); got != "" {
				t.Errorf("HSTS over plain HTTP: %q", got)
			}
		})
	}
	// Over TLS (as a proxy reports it) HSTS is sent.
	if resp := get(t, httpClient(t), s.URL()+"/", "X-Forwarded-Proto", "https"); !strings.HasPrefix(resp.header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("HSTS over TLS: %q", resp.header.Get("Strict-Transport-Security"))
	}
}

// TestPagesNeedNoInlineScript checks that the rendered pages would run
// under the CSP: no inline script, event handler or style attribute.
func TestPagesNeedNoInlineScript(t *testing.T) {
	s := startServer(t)
	hc := httpClient(t)
	for _, path := range []string{"/", "/login", "/logout"} {
		page := get(t, hc, s.URL()+path).body
		lower := strings.ToLower(page)
		for _, bad := range []string{"<script>", "<script type=\"module\">", " style=", "javascript:", " onclick=", " onload=", " onsubmit="} {
			if strings.Contains(lower, bad) {
				t.Errorf("%s contains %q, which the CSP blocks", path, bad)
			}
		}
	}
}
