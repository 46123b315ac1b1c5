package relay

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func serve(t *testing.T) (string, *Relay) {
	t.Helper()
	srv, err := Start("127.0.0.1:0", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return srv.Addr(), srv.Relay
}

func dial(t *testing.T, addr, room string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws?room="+room, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func send(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	if err := c.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

// next reads the next frame, failing the test after a timeout.
func next(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// await reads frames until want arrives.
func await(t *testing.T, c *websocket.Conn, want string) {
	t.Helper()
	for next(t, c) != want {
	}
}

func TestRelaysWithinRoomOnly(t *testing.T) {
	addr, rl := serve(t)
	a, b, c := dial(t, addr, "x"), dial(t, addr, "x"), dial(t, addr, "y")
	// Each socket's own echo proves it has joined: the relay writes to the sender too.
	for name, conn := range map[string]*websocket.Conn{"a": a, "b": b, "c": c} {
		send(t, conn, "hello "+name)
		await(t, conn, "hello "+name)
	}

	send(t, a, "from a")
	await(t, a, "from a")
	await(t, b, "from a")
	send(t, c, "from c")
	if got := next(t, c); got != "from c" {
		t.Errorf("room y received %q: a frame leaked across rooms", got)
	}

	st := rl.Stats()
	if st.Sessions != 3 || st.Rooms != 2 || st.FramesIn != 5 || st.Dropped != 0 {
		t.Errorf("stats %+v, want 3 sessions, 2 rooms, 5 frames in, none dropped", st)
	}
}

func TestRejectsMissingRoom(t *testing.T) {
	addr, _ := serve(t)
	_, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("dial without room: err %v, response %v; want 400", err, resp)
	}
}

func TestStatsEndpoint(t *testing.T) {
	addr, _ := serve(t)
	c := dial(t, addr, "z")
	send(t, c, "ping")
	await(t, c, "ping")
	resp, err := http.Get("http://" + addr + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Sessions != 1 || st.FramesIn != 1 || st.Queued != 1 {
		t.Errorf("GET /stats = %+v, want 1 session, 1 frame in, 1 queued", st)
	}
}
