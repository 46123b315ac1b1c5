package hub_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// recorder is a hub.Member that keeps every frame it is sent.
type recorder struct {
	mu     sync.Mutex
	frames [][]byte
}

func (r *recorder) Send(frame []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames = append(r.frames, frame)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.frames)
}

// seqs decodes the comments frames received and returns their seqs in order.
func (r *recorder) seqs(t *testing.T) []int64 {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int64
	for _, f := range r.frames {
		var msg protocol.Comments
		if err := json.Unmarshal(f, &msg); err != nil {
			t.Fatal(err)
		}
		if msg.Type != protocol.TypeComments {
			continue
		}
		for _, c := range msg.Items {
			out = append(out, c.Seq)
		}
	}
	return out
}

func newHub(t *testing.T) *hub.Hub {
	t.Helper()
	h := hub.New(hub.Options{FlushEvery: time.Hour})
	t.Cleanup(func() { h.Close() })
	return h
}

func join(t *testing.T, h *hub.Hub, room string, m hub.Member) *hub.Subscription {
	t.Helper()
	s, _, err := h.Join(room, m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func comments(room string, seqs ...int64) []protocol.Comment {
	out := make([]protocol.Comment, len(seqs))
	for i, s := range seqs {
		out[i] = protocol.Comment{ID: s, Room: room, Seq: s, Text: "x"}
	}
	return out
}

func TestFanOutTouchesOnlyTheRoomsMembers(t *testing.T) {
	h := newHub(t)
	inA := make([]*recorder, 3)
	for i := range inA {
		inA[i] = &recorder{}
		join(t, h, "a", inA[i]).Release(0)
	}
	inB := make([]*recorder, 500)
	for i := range inB {
		inB[i] = &recorder{}
		join(t, h, "b", inB[i]).Release(0)
	}

	h.PublishComments(context.Background(), comments("a", 1))

	for i, r := range inA {
		if r.count() != 1 {
			t.Errorf("member %d of a got %d frames, want 1", i, r.count())
		}
	}
	for i, r := range inB {
		if r.count() != 0 {
			t.Fatalf("member %d of b was sent %d frames for room a's message", i, r.count())
		}
	}
}

func TestPublishSplitsByRoomAndEncodesOncePerRoom(t *testing.T) {
	h := newHub(t)
	a1, a2, b := &recorder{}, &recorder{}, &recorder{}
	join(t, h, "a", a1).Release(0)
	join(t, h, "a", a2).Release(0)
	join(t, h, "b", b).Release(0)

	items := append(comments("a", 1, 2), comments("b", 1)...)
	h.PublishComments(context.Background(), items)

	if a1.count() != 1 || b.count() != 1 {
		t.Fatalf("frames: a1 %d, b %d; want one frame each", a1.count(), b.count())
	}
	if &a1.frames[0][0] != &a2.frames[0][0] {
		t.Error("two viewers of one room got separately encoded frames; want one shared encoding")
	}
	if got := a1.seqs(t); len(got) != 2 {
		t.Errorf("room a's frame has seqs %v, want [1 2]", got)
	}
}

func TestCatchingUpMemberGetsEachCommentOnceInOrder(t *testing.T) {
	for _, tc := range []struct {
		name      string
		published [][]int64 // batches published while the member is held
		after     int64     // what the catch-up already sent
		late      [][]int64 // batches published after release (a slow dispatcher)
		want      []int64
	}{
		{"nothing held", nil, 5, [][]int64{{6, 7}}, []int64{6, 7}},
		{"held batches all newer", [][]int64{{6}, {7, 8}}, 5, nil, []int64{6, 7, 8}},
		{"held batches already sent", [][]int64{{4, 5}}, 5, [][]int64{{6}}, []int64{6}},
		{"a held batch straddles the catch-up", [][]int64{{4, 5, 6, 7}}, 5, nil, []int64{6, 7}},
		{"a late batch repeats what catch-up read", nil, 7, [][]int64{{5, 6, 7}, {8}}, []int64{8}},
		{"a late batch straddles", nil, 6, [][]int64{{5, 6, 7, 8}}, []int64{7, 8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHub(t)
			r := &recorder{}
			sub := join(t, h, "room", r)
			for _, b := range tc.published {
				h.PublishComments(context.Background(), comments("room", b...))
			}
			if r.count() != 0 {
				t.Fatalf("a held member was sent %d frames before Release", r.count())
			}
			sub.Release(tc.after)
			for _, b := range tc.late {
				h.PublishComments(context.Background(), comments("room", b...))
			}
			got := r.seqs(t)
			if len(got) != len(tc.want) {
				t.Fatalf("got seqs %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got seqs %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestLeaveStopsDeliveryAndDropsTheEmptyRoom(t *testing.T) {
	h := newHub(t)
	r := &recorder{}
	sub := join(t, h, "room", r)
	sub.Release(0)
	if h.Viewers("room") != 1 {
		t.Fatalf("viewers = %d, want 1", h.Viewers("room"))
	}
	sub.Leave()
	sub.Leave() // twice is harmless
	h.PublishComments(context.Background(), comments("room", 1))
	if r.count() != 0 || h.Viewers("room") != 0 {
		t.Fatalf("after leave: %d frames, %d viewers", r.count(), h.Viewers("room"))
	}
}

func TestPresenceAndLikesAreCoalescedPerFlush(t *testing.T) {
	h := newHub(t)
	r := &recorder{}
	join(t, h, "room", r).Release(0)
	join(t, h, "room", &recorder{}).Release(0)
	for i := range 50 {
		h.NoteLikes([]store.LikeChange{{Room: "room", CommentID: 7, Likes: int64(i + 1)}})
	}
	h.NoteLikes([]store.LikeChange{{Room: "room", Likes: 3}})
	h.Flush()
	h.Flush() // nothing new: sends nothing

	var frames []map[string]any
	for _, f := range r.frames {
		var m map[string]any
		if err := json.Unmarshal(f, &m); err != nil {
			t.Fatal(err)
		}
		frames = append(frames, m)
	}
	if len(frames) != 2 {
		t.Fatalf("got %d frames, want one likes and one presence: %v", len(frames), frames)
	}
	likes, presence := frames[0], frames[1]
	if likes["type"] != protocol.TypeLikes || likes["comments"].(map[string]any)["7"] != 50.0 || likes["room_likes"] != 3.0 {
		t.Errorf("likes frame = %v, want the last counts: comment 7 at 50, room at 3", likes)
	}
	if presence["type"] != protocol.TypePresence || presence["viewers"] != 2.0 {
		t.Errorf("presence frame = %v, want 2 viewers", presence)
	}
}
