package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/client"
)

// TestSendWhenTheConnectionDrops: a comment written before the drop but
// not acked fails with ErrConnectionLost and is not sent again; one whose
// write failed never reached the server and goes out on the next
// connection.
func TestSendWhenTheConnectionDrops(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   writeMode
		want   error // from the Send made at the drop
		stored bool  // whether the server ends up with that comment
	}{
		{"written, no ack", writesVanish, client.ErrConnectionLost, false},
		{"the write failed", writesFail, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := apptest.Start(t)
			apptest.CreateRoom(t, s.URL(), "r", "live")
			gate := newNetGate()
			c := dial(t, s.URL(), client.WithDialer(gate.dialer()), fastRetry)
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
			if tc.mode == writesVanish {
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
