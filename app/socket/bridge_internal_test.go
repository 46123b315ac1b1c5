package socket

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"
	"go.uber.org/goleak"
)

type nopObserver struct{}

func (nopObserver) SocketClosed(string) {}

// testSocketConfig is the server's default socket configuration.
var testSocketConfig = Config{MaxFrameBytes: 4096, SendBuffer: 256, PingEvery: 25 * time.Second, PongWait: 60 * time.Second,
	WriteWait: 10 * time.Second, AuthTimeout: time.Hour, MaxRoomsPerConn: 8, CatchupLimit: 100}

// serveSockets runs the viewers' socket endpoint alone on a Fiber app set
// up as httpapi sets it up (Immutable, KeepHijackedConns), on 127.0.0.1,
// and returns the server and the endpoint's URL.
func serveSockets(t testing.TB) (*Server, string) {
	t.Helper()
	s := New(testSocketConfig, Deps{Logger: slog.New(slog.DiscardHandler), Observer: nopObserver{}})
	f := fiber.New(fiber.Config{DisableStartupMessage: true, Immutable: true})
	f.Server().KeepHijackedConns = true
	f.Get("/ws", s.HandleViewer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- f.Listener(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("socket shutdown: %v", err)
		}
		if err := f.ShutdownWithContext(ctx); err != nil {
			t.Errorf("HTTP shutdown: %v", err)
		}
		<-served
	})
	return s, "ws://" + ln.Addr().String() + "/ws"
}

// openSocket dials a viewer socket and waits until the server has it: it
// sends a frame and reads the answer (an anonymous socket's frames are
// refused with an error frame), which comes only from a connected socket.
func openSocket(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"join","room":"r"}`)); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, msg, err := ws.ReadMessage(); err != nil || !strings.Contains(string(msg), `"error"`) {
		t.Fatalf("first frame %q, %v; want an error frame", msg, err)
	}
	return ws
}

// released arranges for done to be closed once every part of the socket
// the bridge built (its melody session, the handshake writer, the
// connection wrapper) has been garbage collected.
func released(t *testing.T, s *Server) <-chan struct{} {
	t.Helper()
	var parts []*conn
	s.registry.each(func(sk socket) { parts = append(parts, sk.base()) })
	if len(parts) != 1 || parts[0].raw == nil || parts[0].raw.conn == nil || parts[0].sess == nil {
		t.Fatalf("want one socket with its session and connection, got %d", len(parts))
	}
	left := make(chan struct{}, 3)
	runtime.AddCleanup(parts[0].sess, func(ch chan struct{}) { ch <- struct{}{} }, left)
	runtime.AddCleanup(parts[0].raw, func(ch chan struct{}) { ch <- struct{}{} }, left)
	runtime.AddCleanup(parts[0].raw.conn, func(ch chan struct{}) { ch <- struct{}{} }, left)
	done := make(chan struct{})
	go func() {
		for range 3 {
			<-left
		}
		close(done)
	}()
	return done
}

// waitCollected runs the collector until done is closed, for at most 10 s.
func waitCollected(t *testing.T, done <-chan struct{}) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		runtime.GC()
		select {
		case <-done:
			return
		case <-deadline:
			t.Fatal("the socket's session, writer or connection is still reachable after it closed")
		case <-tick.C:
		}
	}
}

// noLeaks waits until no goroutine but those of idle is left, for at most
// 10 s: a closed socket lingers a second (closeLinger) before its
// connection goes, longer than goleak's own retries. fasthttp's pool of
// request workers is the HTTP server's, not the socket's: idle workers
// wait for the next request (and are let go after 10 s idle), and the
// pool's cleaner runs for the server's life.
func noLeaks(t *testing.T, idle goleak.Option) {
	t.Helper()
	pool := []goleak.Option{idle,
		goleak.IgnoreTopFunction("github.com/valyala/fasthttp.(*workerPool).workerFunc"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2")}
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := goleak.Find(pool...)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		<-tick.C
	}
}

// TestBridgeReleasesEverySocket: whichever way a socket ends, none of the
// goroutines the bridge started outlives it, its per-address slot is
// given back, and its session, buffers and connection become garbage.
func TestBridgeReleasesEverySocket(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, s *Server, ws *websocket.Conn)
	}{
		{"the client closes", func(t *testing.T, _ *Server, ws *websocket.Conn) {
			_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"))
			_, _, err := ws.ReadMessage()
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Errorf("read after close: %v, want the server's 1000", err)
			}
			ws.Close()
		}},
		{"the client's connection drops", func(t *testing.T, _ *Server, ws *websocket.Conn) {
			ws.NetConn().Close()
		}},
		{"the server shuts down", func(t *testing.T, s *Server, ws *websocket.Conn) {
			if err := s.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			_, _, err := ws.ReadMessage()
			if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
				t.Errorf("read after shutdown: %v, want 1001", err)
			}
			ws.Close()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, url := serveSockets(t)
			idle := goleak.IgnoreCurrent()
			ws := openSocket(t, url)
			done := released(t, s)
			tc.end(t, s, ws)
			noLeaks(t, idle)
			if v, m := s.Count(); v+m != 0 {
				t.Errorf("%d sockets still registered", v+m)
			}
			s.conns.mu.Lock()
			if n := len(s.conns.n); n != 0 {
				t.Errorf("%d addresses still hold socket slots", n)
			}
			s.conns.mu.Unlock()
			waitCollected(t, done)
		})
	}
}

// TestBridgeAnswersARefusedHandshake: a handshake the upgrader refuses
// (no Sec-WebSocket-Key) gets a plain HTTP error on the bare connection,
// which then closes, and leaves no goroutine behind.
func TestBridgeAnswersARefusedHandshake(t *testing.T) {
	_, url := serveSockets(t)
	idle := goleak.IgnoreCurrent()
	c, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(url, "/ws"), "ws://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || !resp.Close {
		t.Fatalf("answer %d (close %v), want 400 with Connection: close", resp.StatusCode, resp.Close)
	}
	// The body is close-delimited: reading it to its end proves the close.
	if _, err := io.ReadAll(br); err != nil {
		t.Fatalf("reading to the close: %v", err)
	}
	noLeaks(t, idle)
}
