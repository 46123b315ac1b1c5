package hub_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/protocol"
)

// recorderV2 is a recorder that speaks wire v2.
type recorderV2 struct{ *recorder }

func (recorderV2) WireVersion() protocol.Version { return protocol.V2 }

// sent returns every frame r was sent so far.
func (r *recorder) sent() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.frames...)
}

// TestFramesAreEncodedOncePerVersion: members of each version get the
// frame in their version, and all the members of one version share one
// encoding of it (the same bytes, not copies made per socket).
func TestFramesAreEncodedOncePerVersion(t *testing.T) {
	h := newHub(t, busy())
	var v1, v2 []*recorder
	for range 3 {
		a, b := newRecorder(), newRecorder()
		v1, v2 = append(v1, a), append(v2, b)
		join(t, h, "r", a).Release(0)
		join(t, h, "r", recorderV2{b}).Release(0)
	}
	h.Flush() // the presence frame
	items := comments("r", 1, 2, 3)
	h.PublishComments(context.Background(), items)
	h.Flush()
	want := map[protocol.Version][]byte{
		protocol.V1: protocol.EncodeCommentsAs(protocol.V1, "r", items),
		protocol.V2: protocol.EncodeCommentsAs(protocol.V2, "r", items),
	}
	for v, members := range map[protocol.Version][]*recorder{protocol.V1: v1, protocol.V2: v2} {
		var shared []byte
		for i, m := range members {
			frames := m.sent()
			got := frames[len(frames)-1]
			if !bytes.Equal(got, want[v]) {
				t.Fatalf("v%d member %d got %s, want %s", v, i, got, want[v])
			}
			if i == 0 {
				shared = got
			} else if &got[0] != &shared[0] {
				t.Errorf("v%d member %d got its own encoding of the frame", v, i)
			}
		}
	}
}

// TestCatchUpAndDirectFramesFollowTheVersion: a member released after a
// catch-up, and one sent a comment directly (SendCommentsTo), get their
// comments in their own version.
func TestCatchUpAndDirectFramesFollowTheVersion(t *testing.T) {
	h := newHub(t, busy())
	for _, v := range []protocol.Version{protocol.V1, protocol.V2} {
		t.Run(map[protocol.Version]string{protocol.V1: "v1", protocol.V2: "v2"}[v], func(t *testing.T) {
			r := newRecorder()
			var m hub.Member = r
			if v == protocol.V2 {
				m = recorderV2{r}
			}
			s := join(t, h, "held"+string(rune('0'+v)), m)
			h.PublishComments(context.Background(), comments(s.Room(), 1, 2, 3))
			h.Flush()
			s.Release(1) // the caller had sent seq 1 itself
			own := comments(s.Room(), 3)
			h.SendCommentsTo(s.Room(), func(hub.Member) bool { return true }, own)
			frames := r.sent()
			if got, want := frames[0], protocol.EncodeCommentsAs(v, s.Room(), comments(s.Room(), 2, 3)); !bytes.Equal(got, want) {
				t.Errorf("held frames released as %s, want %s", got, want)
			}
			if got, want := frames[len(frames)-1], protocol.EncodeCommentsAs(v, s.Room(), own); !bytes.Equal(got, want) {
				t.Errorf("a direct comment sent as %s, want %s", got, want)
			}
		})
	}
}
