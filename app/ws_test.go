package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
)

func TestRoomsSeeEachOthersCommentsOnly(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "other", "live")
	a := dial(t, s, "?room=demo")
	b := dial(t, s, "?room=demo")
	c := dial(t, s, "?room=other")
	for _, cl := range []*wsClient{a, b, c} {
		cl.next(protocol.TypeWelcome)
	}

	ack := a.comment("r1", "hello from a")
	if !ack.OK || ack.Ref != "r1" || ack.Comment == nil || ack.Comment.Text != "hello from a" {
		t.Fatalf("ack = %+v", ack)
	}
	for name, cl := range map[string]*wsClient{"sender": a, "viewer": b} {
		got := cl.comments(1)[0]
		if got.ID != ack.Comment.ID || got.Text != "hello from a" || got.Room != "demo" || got.Seq != ack.Comment.Seq {
			t.Errorf("%s got %+v, want the acked comment %+v", name, got, *ack.Comment)
		}
	}
	c.quiet(300 * time.Millisecond)
}

func TestWelcome(t *testing.T) {
	s := startServer(t)
	a := dial(t, s, "?room=demo")
	w := a.next(protocol.TypeWelcome)
	if w.Room != "demo" || w.Viewers != 1 || w.LastSeq != 12 || w.User == nil || w.User.ID == "" {
		t.Fatalf("welcome = %+v, want room demo, 1 viewer, last_seq 12 (the seeded comments) and a user", w)
	}
	b := dial(t, s, "")
	if w := b.join("demo"); w.Viewers != 2 {
		t.Fatalf("second viewer's welcome says %d viewers, want 2", w.Viewers)
	}
	// The first viewer hears about the second through a coalesced presence frame.
	for {
		if p := a.next(protocol.TypePresence); p.Viewers == 2 {
			break
		}
	}
}

func TestJoinAndLeaveOnOneSocket(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "second", "vod")
	c := dial(t, s, "")
	c.join("demo")
	c.join("second")

	c.send(map[string]any{"type": "comment", "ref": "x", "text": "which room?"})
	if ack := c.next(protocol.TypeAck); ack.OK || ack.Error.Code != "bad_request" {
		t.Fatalf("comment without room on a socket in two rooms: ack = %+v, want bad_request", ack)
	}
	c.send(map[string]any{"type": "comment", "ref": "y", "room": "second", "text": "to second"})
	if ack := c.next(protocol.TypeAck); !ack.OK || ack.Comment.Room != "second" {
		t.Fatalf("ack = %+v", ack)
	}
	if got := c.comments(1); got[0].Room != "second" {
		t.Fatalf("got %+v", got)
	}

	c.send(map[string]any{"type": "leave", "room": "second"})
	other := dial(t, s, "?room=second")
	other.next(protocol.TypeWelcome)
	other.comment("z", "after leave")
	c.quiet(300 * time.Millisecond)

	c.send(map[string]any{"type": "join", "room": "nope"})
	if f := c.next(protocol.TypeError); f.Code != "not_found" {
		t.Fatalf("join unknown room: %+v", f)
	}
}

func TestHandshakeRefusals(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.AllowedOrigins = []string{"https://player.example"} })
	for _, tc := range []struct {
		name   string
		query  string
		origin string
		status int
	}{
		{"unknown room", "?room=nope", "", http.StatusNotFound},
		{"bad room id", "?room=a%20b", "", http.StatusUnprocessableEntity},
		{"bad since", "?room=demo&since=-1", "", http.StatusBadRequest},
		{"unknown wire version", "?room=demo&v=3", "", http.StatusBadRequest},
		{"cross-site origin", "?room=demo", "https://evil.example", http.StatusForbidden},
		{"origin with our host but another port", "?room=demo", "http://127.0.0.1:1", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, err := tryDial(t, s, tc.query, dialOpts{origin: tc.origin})
			if err == nil {
				t.Fatal("handshake succeeded")
			}
			if resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("status = %v, want %d", resp, tc.status)
			}
		})
	}
	for _, tc := range []struct{ name, origin string }{
		{"no origin (non-browser client)", ""},
		{"same origin", "http://" + s.Addr()},
		{"allow-listed origin", "https://player.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, s, "?room=demo", dialOpts{origin: tc.origin})
			c.next(protocol.TypeWelcome)
		})
	}
}

func TestMalformedFramesGetErrorsAndTheSocketSurvives(t *testing.T) {
	s := startServer(t)
	c := dial(t, s, "?room=demo")
	c.next(protocol.TypeWelcome)
	for _, tc := range []struct {
		name string
		kind int
		data string
		want string // error frame code, or "ack:<code>" for a failed ack
	}{
		{"not json", websocket.TextMessage, `hello`, "bad_request"},
		{"json array", websocket.TextMessage, `[1,2]`, "bad_request"},
		{"no type", websocket.TextMessage, `{"text":"x"}`, "bad_request"},
		{"unknown type", websocket.TextMessage, `{"type":"dance"}`, "bad_request"},
		{"wrong field type", websocket.TextMessage, `{"type":"comment","text":5}`, "bad_request"},
		{"trailing data", websocket.TextMessage, `{"type":"ping"} {}`, "bad_request"},
		{"invalid utf-8", websocket.TextMessage, "{\"type\":\"comment\",\"text\":\"\xff\xfe\"}", "bad_request"},
		{"binary frame", websocket.BinaryMessage, `{"type":"ping"}`, "bad_request"},
		{"huge ref", websocket.TextMessage, `{"type":"ping","ref":"` + longText(100) + `"}`, "bad_request"},
		{"empty text", websocket.TextMessage, `{"type":"comment","ref":"a","text":"   "}`, "ack:invalid"},
		{"too long", websocket.TextMessage, `{"type":"comment","ref":"a","text":"` + longText(101) + `"}`, "ack:invalid"},
		{"control character", websocket.TextMessage, `{"type":"comment","ref":"a","text":"a\u0007b"}`, "ack:invalid"},
		{"bad mode", websocket.TextMessage, `{"type":"comment","ref":"a","text":"x","mode":"sideways"}`, "ack:invalid"},
		{"bad color", websocket.TextMessage, `{"type":"comment","ref":"a","text":"x","color":"red"}`, "ack:invalid"},
		{"bad size", websocket.TextMessage, `{"type":"comment","ref":"a","text":"x","size":"huge"}`, "ack:invalid"},
		{"negative time", websocket.TextMessage, `{"type":"comment","ref":"a","text":"x","time":-1}`, "ack:invalid"},
		{"absurd time", websocket.TextMessage, `{"type":"comment","ref":"a","text":"x","time":1e300}`, "ack:invalid"},
		{"room not joined", websocket.TextMessage, `{"type":"comment","ref":"a","room":"other","text":"x"}`, "ack:forbidden"},
		{"like unknown comment", websocket.TextMessage, `{"type":"like","ref":"a","comment_id":999999}`, "ack:not_found"},
		{"leave room not joined", websocket.TextMessage, `{"type":"leave","room":"other"}`, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.sendRaw(tc.kind, []byte(tc.data))
			if code, ok := strings.CutPrefix(tc.want, "ack:"); ok {
				if f := c.next(protocol.TypeAck); f.OK || f.Error == nil || string(f.Error.Code) != code {
					t.Fatalf("ack = %+v, want ok:false with code %s", f, code)
				}
			} else if f := c.next(protocol.TypeError); f.Code != tc.want || f.Message == "" {
				t.Fatalf("error frame = %+v, want code %s with a message", f, tc.want)
			}
			c.send(map[string]string{"type": "ping", "ref": "alive"})
			if f := c.next(protocol.TypePong); f.Ref != "alive" {
				t.Fatalf("socket did not survive: %+v", f)
			}
		})
	}
	// Nothing invalid was stored.
	var page struct{ Comments []protocol.Comment }
	call(t, httpClient(t), "GET", s.URL()+"/api/rooms/demo/comments?after_seq=12", nil, &page)
	if len(page.Comments) != 0 {
		t.Fatalf("invalid comments were stored: %+v", page.Comments)
	}
}

func TestOversizedFrameClosesOnlyThatSocket(t *testing.T) {
	s := startServer(t)
	big := dial(t, s, "?room=demo")
	other := dial(t, s, "?room=demo")
	big.next(protocol.TypeWelcome)
	other.next(protocol.TypeWelcome)

	big.sendRaw(websocket.TextMessage, []byte(`{"type":"comment","text":"`+longText(5000)+`"}`))
	if code := big.waitClosed(); code != websocket.CloseMessageTooBig {
		t.Fatalf("close code = %d, want %d", code, websocket.CloseMessageTooBig)
	}
	if ack := other.comment("still", "still here"); !ack.OK {
		t.Fatalf("the other socket was affected: %+v", ack)
	}
	other.comments(1)
}

func TestShutdownClosesSocketsWithGoingAway(t *testing.T) {
	s := startServer(t)
	c := dial(t, s, "?room=demo")
	c.next(protocol.TypeWelcome)
	s.stop(t)
	if code := c.waitClosed(); code != websocket.CloseGoingAway {
		t.Fatalf("close code = %d, want 1001", code)
	}
}

func longText(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}

// TestFastHTTPCanHijack guards the pin: WebSockets through Fiber's adaptor
// need fasthttp v1.78.0 or newer, the first whose adaptor supports Hijack.
// go.mod's requirement is the floor of what builds use (test binaries carry
// no module list to read instead).
func TestFastHTTPCanHijack(t *testing.T) {
	path := filepath.Join(apptest.RepoRoot(t), "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := modfile.Parse(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	version := ""
	for _, r := range mod.Require {
		if r.Mod.Path == "github.com/valyala/fasthttp" {
			version = r.Mod.Version
		}
	}
	if version == "" || semver.Compare(version, "v1.78.0") < 0 {
		t.Fatalf("go.mod requires fasthttp %q, want v1.78.0 or newer", version)
	}
	s := startServer(t)
	c := dial(t, s, "?room=demo")
	if w := c.next(protocol.TypeWelcome); w.Room != "demo" {
		t.Fatalf("welcome = %+v", w)
	}
}
