package client_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/client"
)

// restart is a server that goes away and comes back on the same address
// and database.
type restart struct {
	base string
	stop func(t testing.TB) // the server goes away, however it does
	back func(t testing.TB) // the next one listens
}

// TestResumeAfterRestart: the server stops gracefully (1001) or is killed
// (SIGKILL: no close frame) and a new one takes its place. Meanwhile other
// viewers post comments and the client sends one while offline. Once the
// client is let back it resumes with since=: every comment arrives once,
// in seq order, with no seq missing, and the offline send is acked.
func TestResumeAfterRestart(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(t *testing.T) restart
	}{
		{"stopped gracefully", func(t *testing.T) restart {
			s := apptest.Start(t)
			r := restart{base: s.URL()}
			var next *apptest.Server
			r.stop = func(t testing.TB) { next = s.Successor(t) }
			r.back = func(t testing.TB) {
				if err := next.Start(); err != nil {
					t.Fatal(err)
				}
			}
			return r
		}},
		{"killed", func(t *testing.T) restart {
			p := apptest.Spawn(t, t.TempDir(), "127.0.0.1:0")
			return restart{base: p.URL(), stop: p.Kill, back: func(t testing.TB) { p = p.Respawn(t) }}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkResume(t, tc.start(t)) })
	}
}

func checkResume(t *testing.T, s restart) {
	apptest.CreateRoom(t, s.base, "relay", "live")
	gate := newNetGate()
	c := dial(t, s.base, client.WithDialer(gate.dialer()), fastRetry)
	join(t, c, "relay")
	before := send(t, c, "relay", "before the restart")
	delivered, _ := comments(t, c, "relay", 1)

	gate.hold()
	s.stop(t)
	if d := next[client.Disconnected](t, c); d.Err == nil || d.Attempt != 1 {
		t.Errorf("disconnected %+v, want a cause and attempt 1", d)
	}
	gate.waitDial(t) // the client is trying to reconnect, held at the gate

	ctx, cancel := context.WithTimeout(context.Background(), 3*waitFor)
	defer cancel()
	offline := make(chan sendResult, 1)
	go func() {
		stored, err := c.Send(ctx, "relay", client.Draft{Text: "sent while offline"})
		offline <- sendResult{stored, err}
	}()

	s.back(t)
	var away []string
	for i := range 3 {
		away = append(away, post(t, s.base, "relay", fmt.Sprintf("posted while away %d", i)).Text)
	}
	if got := commentsAfter(t, s.base, "relay", 0); len(got) == 0 || got[0] != before {
		t.Fatalf("after the restart the room starts with %s, want the acked %+v", texts(got), before)
	}
	gate.release()

	resumed, skipped := comments(t, c, "relay", 4)
	res := <-offline
	if res.err != nil {
		t.Fatalf("the send made while offline: %v", res.err)
	}
	delivered = append(delivered, resumed...)
	delivered = append(delivered, send(t, c, "relay", "after the restart"))
	rest, _ := comments(t, c, "relay", 1)
	if rest[0] != delivered[len(delivered)-1] {
		t.Errorf("the comment after the restart came back as %s", texts(rest))
	}

	want := append(append([]string{before.Text}, away...), "sent while offline", "after the restart")
	var got []string
	for i, cm := range delivered {
		got = append(got, cm.Text)
		if cm.Seq != before.Seq+int64(i) {
			t.Errorf("comment %d (%q) has seq %d, want %d: a gap or a duplicate", i, cm.Text, cm.Seq, before.Seq+int64(i))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("delivered %q, want %q, each once", got, want)
	}
	if i := slices.IndexFunc(delivered, func(cm client.Comment) bool { return cm.ID == res.stored.ID }); i < 0 || delivered[i] != res.stored {
		t.Errorf("the offline send's ack %+v is not what the stream delivered", res.stored)
	}
	var reconnected, welcomed bool
	for _, ev := range skipped {
		switch ev := ev.(type) {
		case client.Reconnected:
			reconnected = !welcomed
		case client.Welcome:
			welcomed = ev.Room == "relay" && ev.Resumed
		}
	}
	if !reconnected || !welcomed {
		t.Errorf("events while resuming %+v: want Reconnected, then a resumed Welcome", skipped)
	}
}

type sendResult struct {
	stored client.Comment
	err    error
}

// commentsAfter reads a room's stored comments after seq over REST.
func commentsAfter(t *testing.T, base, room string, seq int64) []client.Comment {
	t.Helper()
	var body struct{ Comments []client.Comment }
	url := fmt.Sprintf("%s/api/rooms/%s/comments?after_seq=%d", base, room, seq)
	if status := apptest.Call(t, apptest.HTTPClient(t), "GET", url, nil, &body); status != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, status)
	}
	return body.Comments
}
