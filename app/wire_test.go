package app_test

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

// TestV1AndV2ClientsSeeTheSameComments puts sockets of both wire versions
// in one room, live and catching up, and checks that every one of them
// reads the same comments, in the same order, with the same content, and
// that the v2 sockets really got v2 frames.
func TestV1AndV2ClientsSeeTheSameComments(t *testing.T) {
	s := startServer(t)
	live := map[string]*wsClient{
		"v1 default": dial(t, s, "?room=demo"),
		"v1":         dial(t, s, "?room=demo&v=1"),
		"v2":         dial(t, s, "?room=demo&v=2"),
		"v2 again":   dial(t, s, "?room=demo&v=2"),
	}
	var last int64
	for _, c := range live {
		last = c.next(protocol.TypeWelcome).LastSeq
	}
	alice := dialAs(t, s, "?room=demo&v=2", auth.Identity{ID: "alice", Name: "Alice", Roles: []string{auth.RoleViewer}})
	alice.next(protocol.TypeWelcome)
	sent := []map[string]any{
		{"text": "plain"},
		{"text": "前方高能 <b>&\"quoted\"</b>", "time": 61.25, "mode": "top", "color": "#000000", "size": "small"},
		{"text": "bottom large", "time": 0.001, "mode": "bottom", "color": "#ff5c5c", "size": "large"},
	}
	for i, c := range sent {
		c["type"], c["ref"] = "comment", fmt.Sprint("c", i)
		alice.send(c)
		if ack := alice.ack(); !ack.OK {
			t.Fatalf("comment %d refused: %+v", i, ack.Error)
		}
	}
	// A guest (a default name, which v2 leaves out) sends one too.
	guest := dial(t, s, "?room=demo&v=1")
	guest.next(protocol.TypeWelcome)
	guest.send(map[string]any{"type": "comment", "ref": "g", "text": "from a guest", "time": 1.5})
	if ack := guest.ack(); !ack.OK {
		t.Fatalf("guest's comment refused: %+v", ack.Error)
	}
	n := len(sent) + 1
	// Likes and weights change the items' like counts and weights in later
	// frames only; catch-up reads them from the store as they are now.
	catchUp := map[string]*wsClient{
		"v1 catch-up": dial(t, s, fmt.Sprintf("?room=demo&since=%d", last)),
		"v2 catch-up": dial(t, s, fmt.Sprintf("?room=demo&since=%d&v=2", last)),
	}
	for _, c := range catchUp {
		c.next(protocol.TypeWelcome)
	}
	// The senders' acks were read past their own comments frames: they
	// are not compared.
	clients := map[string]*wsClient{}
	for name, c := range live {
		clients[name] = c
	}
	for name, c := range catchUp {
		clients[name] = c
	}

	want := live["v1 default"].commentsAtLeast(n)
	if len(want) != n {
		t.Fatalf("v1 client got %d comments, want %d", len(want), n)
	}
	for name, c := range clients {
		t.Run(name, func(t *testing.T) {
			if name == "v1 default" {
				return
			}
			var got []protocol.Comment
			var frames [][]byte
			for len(got) < n {
				f := c.next(protocol.TypeComments)
				got = append(got, f.Items...)
				frames = append(frames, f.Raw)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("comments differ from the v1 client's:\n got %+v\nwant %+v", got, want)
			}
			v2 := name == "v2" || name == "v2 again" || name == "v2 catch-up"
			for _, raw := range frames {
				if isV2 := bytes.Contains(raw, []byte(`"rows":`)); isV2 != v2 {
					t.Fatalf("a %s client got the frame %s", name, raw)
				}
			}
		})
	}
}
