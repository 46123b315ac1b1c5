package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/client"
)

// TestSendWhenTheConnectionDrops: a guest's comment written before the
// drop but not acked fails with ErrConnectionLost and is not sent again
// (a guest is a new user on the next connection, so its idempotency key
// cannot match); a signed-in client's is sent again with the same key and
// stored once; one whose write failed never reached the server and goes
// out on the next connection.
func TestSendWhenTheConnectionDrops(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   writeMode
		token  bool
		want   error // from the Send made at the drop
		stored bool  // whether the server ends up with that comment
	}{
		{"a guest's, written, no ack", writesVanish, false, client.ErrConnectionLost, false},
		{"a user's, written, no ack", writesVanish, true, nil, true},
		{"a user's, stored, the ack lost", acksLost, true, nil, true},
		{"the write failed", writesFail, false, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := apptest.Start(t)
			apptest.CreateRoom(t, s.URL(), "r", "live")
			gate := newNetGate()
			opts := []client.Option{client.WithDialer(gate.dialer()), fastRetry}
			if tc.token {
				opts = append(opts, client.WithToken(apptest.Token(t, auth.Identity{ID: "u-bot", Name: "Bot", Roles: []string{auth.RoleViewer}}, time.Hour)))
			}
			c := dial(t, s.URL(), opts...)
			join(t, c, "r")

			gate.setWrites(tc.mode)
			res := make(chan sendResult, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), waitFor)
				defer cancel()
				stored, err := c.Send(ctx, "r", client.Draft{Text: "at the drop"})
				res <- sendResult{stored, err}
			}()
			gate.waitHit(t)
			gate.setWrites(writesPass)
			if tc.mode == acksLost {
				waitStored(t, s.URL(), "r", 1) // the server has it; only its answer is lost
			}
			if tc.mode == writesVanish || tc.mode == acksLost {
				gate.cut() // the client waits for an ack that cannot come; a failed write drops the connection by itself
			}
			r := <-res
			if !errors.Is(r.err, tc.want) || (tc.want == nil) != (r.stored.ID != 0) {
				t.Fatalf("Send: %+v, %v; want %v", r.stored, r.err, tc.want)
			}

			after := send(t, c, "r", "after the drop")
			var want []string
			if tc.stored {
				want = append(want, "at the drop")
			}
			want = append(want, after.Text)
			got := commentsAfter(t, s.URL(), "r", 0)
			if len(got) != len(want) {
				t.Fatalf("the room holds %s, want %q: nothing sent twice", texts(got), want)
			}
			for i := range want {
				if got[i].Text != want[i] {
					t.Errorf("stored %s, want %q", texts(got), want)
				}
			}
		})
	}
}

// waitStored waits until room holds n comments.
func waitStored(t *testing.T, base, room string, n int) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for len(commentsAfter(t, base, room, 0)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("room %s did not reach %d comments within %v", room, n, waitFor)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
