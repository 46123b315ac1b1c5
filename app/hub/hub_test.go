package hub_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// waitFor bounds every wait on an event in these tests; it is not a timing
// assertion: it only turns a hang into a failure.
const waitFor = 10 * time.Second

// forever is a batch window no test outlives: a frame that arrives while it
// is in force was not held back by it.
const forever = time.Hour

// recorder is a hub.Member that keeps every frame it is sent.
type recorder struct {
	mu      sync.Mutex
	frames  [][]byte
	changed chan struct{} // poked on every frame
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (r *recorder) Send(frame []byte) {
	r.mu.Lock()
	r.frames = append(r.frames, frame)
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// decoded is a frame as a client reads it.
type decoded struct {
	raw       []byte
	Type      string             `json:"type"`
	Room      string             `json:"room"`
	Items     []protocol.Comment `json:"items"`
	Viewers   int                `json:"viewers"`
	RoomLikes *int64             `json:"room_likes"`
	Comments  map[string]int64   `json:"comments"`
}

// all decodes every frame received so far, optionally only those of type typ.
func (r *recorder) all(t *testing.T, typ string) []decoded {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []decoded
	for _, f := range r.frames {
		d := decoded{raw: f}
		if err := json.Unmarshal(f, &d); err != nil {
			t.Fatalf("frame %q is not JSON: %v", f, err)
		}
		if typ == "" || d.Type == typ {
			out = append(out, d)
		}
	}
	return out
}

// seqs returns the seqs of every comment received, in order.
func (r *recorder) seqs(t *testing.T) []int64 {
	t.Helper()
	var out []int64
	for _, f := range r.all(t, protocol.TypeComments) {
		for _, c := range f.Items {
			out = append(out, c.Seq)
		}
	}
	return out
}

// waitSeqs waits until n comments have arrived and returns their seqs.
func (r *recorder) waitSeqs(t *testing.T, n int) []int64 {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		if got := r.seqs(t); len(got) >= n {
			return got
		}
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("got comments %v, want %d of them", r.seqs(t), n)
		}
	}
}

func newHub(t *testing.T, opts hub.Options) *hub.Hub {
	t.Helper()
	h := hub.New(opts)
	t.Cleanup(func() { h.Close() })
	return h
}

// busy returns options under which every room batches until Flush, and
// counts go out only when forced (or the first time).
func busy() hub.Options {
	return hub.Options{BatchMax: forever, WindowPerViewer: forever, FlushEvery: forever}
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

func seqRange(from, to int64) []int64 {
	var out []int64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func TestFanOutTouchesOnlyTheRoomsMembers(t *testing.T) {
	h := newHub(t, hub.Options{})
	inA := make([]*recorder, 3)
	for i := range inA {
		inA[i] = newRecorder()
		join(t, h, "a", inA[i]).Release(0)
	}
	inB := make([]*recorder, 500)
	for i := range inB {
		inB[i] = newRecorder()
		join(t, h, "b", inB[i]).Release(0)
	}

	h.PublishComments(context.Background(), comments("a", 1))

	for i, r := range inA {
		if got := r.waitSeqs(t, 1); !slices.Equal(got, []int64{1}) {
			t.Errorf("member %d of a got %v, want [1]", i, got)
		}
	}
	h.Flush() // anything still on its way to b goes out now
	for i, r := range inB {
		if n := len(r.all(t, protocol.TypeComments)); n != 0 {
			t.Fatalf("member %d of b was sent %d comments frames for room a's comment", i, n)
		}
	}
}

func TestQuietRoomSendsAtOnce(t *testing.T) {
	// Every interval is an hour: a comment that arrives at all was not held by one.
	for _, tc := range []struct {
		name   string
		before func(t *testing.T, h *hub.Hub, r *recorder)
	}{
		{"first comment", func(*testing.T, *hub.Hub, *recorder) {}},
		{"while a presence update waits out its interval", func(t *testing.T, h *hub.Hub, r *recorder) {
			waitType(t, r, protocol.TypePresence) // the first presence went at once…
			join(t, h, "room", newRecorder()).Release(0)
			// …so this join's presence is scheduled an hour from now.
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHub(t, busy())
			r := newRecorder()
			join(t, h, "room", r).Release(0)
			tc.before(t, h, r)
			h.PublishComments(context.Background(), comments("room", 1))
			if got := r.waitSeqs(t, 1); !slices.Equal(got, []int64{1}) {
				t.Fatalf("got %v, want [1]", got)
			}
		})
	}
}

// waitType waits until r has received a frame of type typ.
func waitType(t *testing.T, r *recorder, typ string) {
	t.Helper()
	deadline := time.After(waitFor)
	for len(r.all(t, typ)) == 0 {
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("no %s frame", typ)
		}
	}
}

func TestBusyRoomBatchesInOrderWithoutLossOrDuplicates(t *testing.T) {
	h := newHub(t, busy())
	r1, r2 := newRecorder(), newRecorder()
	join(t, h, "room", r1).Release(0)
	join(t, h, "room", r2).Release(0)

	h.PublishComments(context.Background(), comments("room", 1))
	r1.waitSeqs(t, 1)
	r2.waitSeqs(t, 1)
	// 2…100 arrive inside the window, in publishes of one to three comments.
	for seq := int64(2); seq <= 100; {
		n := min(1+seq%3, 101-seq)
		h.PublishComments(context.Background(), comments("room", seqRange(seq, seq+n-1)...))
		seq += n
	}
	if got := r1.seqs(t); len(got) != 1 {
		t.Fatalf("before the window ended the member got %v, want only [1]", got)
	}
	h.Flush()

	for i, r := range []*recorder{r1, r2} {
		frames := r.all(t, protocol.TypeComments)
		if len(frames) != 2 || len(frames[1].Items) != 99 {
			t.Fatalf("member %d: %d comments frames, want 2: [1] and one batch of 99", i, len(frames))
		}
		if got := r.seqs(t); !slices.Equal(got, seqRange(1, 100)) {
			t.Errorf("member %d got %v, want 1…100 once each, in order", i, got)
		}
	}
	if &r1.all(t, protocol.TypeComments)[1].raw[0] != &r2.all(t, protocol.TypeComments)[1].raw[0] {
		t.Error("two viewers of one room got separately encoded frames; want one encoding per room")
	}
}

func TestABatchNeverMixesRooms(t *testing.T) {
	h := newHub(t, busy())
	rooms := []string{"a", "b", "c"}
	members := map[string]*recorder{}
	for _, id := range rooms {
		members[id] = newRecorder()
		join(t, h, id, members[id]).Release(0)
	}
	// One commit can hold comments of several rooms; each room's run is in seq order.
	for seq := int64(1); seq <= 30; seq += 2 {
		var items []protocol.Comment
		for _, id := range rooms {
			items = append(items, comments(id, seq, seq+1)...)
		}
		h.PublishComments(context.Background(), items)
	}
	h.Flush()
	for _, id := range rooms {
		r := members[id]
		for _, f := range r.all(t, protocol.TypeComments) {
			if f.Room != id {
				t.Errorf("member of %s got a frame of room %s", id, f.Room)
			}
			for _, c := range f.Items {
				if c.Room != id {
					t.Errorf("member of %s got comment %d of room %s", id, c.Seq, c.Room)
				}
			}
		}
		if got := r.seqs(t); !slices.Equal(got, seqRange(1, 30)) {
			t.Errorf("member of %s got %v, want 1…30", id, got)
		}
	}
}

func TestCatchingUpMemberGetsEachCommentOnceInOrder(t *testing.T) {
	for _, tc := range []struct {
		name      string
		published [][]int64 // fanned out while the member is held
		queued    [][]int64 // still in the room's outbox at Release
		after     int64     // what the catch-up already sent
		late      [][]int64 // published after release (a slow dispatcher)
		want      []int64
	}{
		{"nothing held", nil, nil, 5, [][]int64{{6, 7}}, []int64{6, 7}},
		{"held batches all newer", [][]int64{{6}, {7, 8}}, nil, 5, nil, []int64{6, 7, 8}},
		{"held batches already sent", [][]int64{{4, 5}}, nil, 5, [][]int64{{6}}, []int64{6}},
		{"a held batch straddles the catch-up", [][]int64{{4, 5, 6, 7}}, nil, 5, nil, []int64{6, 7}},
		{"a late batch repeats what catch-up read", nil, nil, 7, [][]int64{{5, 6, 7}, {8}}, []int64{8}},
		{"a late batch straddles", nil, nil, 6, [][]int64{{5, 6, 7, 8}}, []int64{7, 8}},
		{"queued comments straddle the catch-up", [][]int64{{3}}, [][]int64{{4, 5}, {6, 7}}, 5, [][]int64{{8}}, []int64{6, 7, 8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHub(t, busy())
			r := newRecorder()
			sub := join(t, h, "room", r)
			for _, b := range tc.published {
				h.PublishComments(context.Background(), comments("room", b...))
			}
			h.Flush() // fan out to the held member: these wait in its pending frames
			for _, b := range tc.queued {
				h.PublishComments(context.Background(), comments("room", b...))
			}
			if n := len(r.all(t, protocol.TypeComments)); n != 0 {
				t.Fatalf("a held member was sent %d comments frames before Release", n)
			}
			sub.Release(tc.after)
			for _, b := range tc.late {
				h.PublishComments(context.Background(), comments("room", b...))
			}
			h.Flush()
			if got := r.seqs(t); !slices.Equal(got, tc.want) {
				t.Fatalf("got seqs %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHandOffIsExactWithRealWindows(t *testing.T) {
	// Real timers, a short window, and members joining while comments flow.
	// A comment is published a little after it commits, so a joiner's
	// catch-up read (up to the last commit) overlaps what is still to come
	// live: every member must get each comment after its catch-up exactly
	// once, in order.
	h := newHub(t, hub.Options{BatchMax: 2 * time.Millisecond, WindowPerViewer: time.Millisecond})
	const total, lag = 2000, 3
	first := newRecorder()
	join(t, h, "room", first).Release(0)
	type late struct {
		r     *recorder
		after int64
	}
	var joiners []late
	for committed := int64(1); committed <= total+lag; committed++ {
		if published := committed - lag; published >= 1 {
			h.PublishComments(context.Background(), comments("room", published))
		}
		if committed%400 == 0 && committed < total {
			r := newRecorder()
			join(t, h, "room", r).Release(committed) // its catch-up read everything committed
			joiners = append(joiners, late{r, committed})
		}
	}
	if got := first.waitSeqs(t, total); !slices.Equal(got, seqRange(1, total)) {
		t.Fatalf("first member: %d comments, want 1…%d once each in order", len(got), total)
	}
	for _, j := range joiners {
		want := seqRange(j.after+1, total)
		if got := j.r.waitSeqs(t, len(want)); !slices.Equal(got, want) {
			t.Errorf("member released at %d got %d comments (%v…), want %d…%d once each in order", j.after, len(got), got[:min(5, len(got))], j.after+1, total)
		}
	}
}

// blocker is a member whose Send blocks, once armed, until released.
type blocker struct {
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (b *blocker) Send([]byte) {
	if !b.armed.Load() {
		return
	}
	select {
	case b.entered <- struct{}{}:
	default:
	}
	<-b.release
}

func TestABlockedRoomDelaysNeitherPublisherNorOtherRooms(t *testing.T) {
	h := newHub(t, hub.Options{})
	stuck := &blocker{entered: make(chan struct{}, 1), release: make(chan struct{})}
	defer close(stuck.release)
	join(t, h, "big", stuck).Release(0)
	stuck.armed.Store(true)
	h.PublishComments(context.Background(), comments("big", 1))
	<-stuck.entered // the big room's fan-out is stuck in its member's Send
	other := newRecorder()
	join(t, h, "small", other).Release(0)

	published := make(chan struct{})
	go func() {
		h.PublishComments(context.Background(), append(comments("big", 2), comments("small", 1)...))
		close(published)
	}()
	select {
	case <-published:
	case <-time.After(waitFor):
		t.Fatal("PublishComments waited for a stuck room's fan-out")
	}
	if got := other.waitSeqs(t, 1); !slices.Equal(got, []int64{1}) {
		t.Fatalf("the other room got %v, want [1]", got)
	}
}

func TestLeaveStopsDeliveryAndDropsTheEmptyRoom(t *testing.T) {
	h := newHub(t, hub.Options{})
	r := newRecorder()
	sub := join(t, h, "room", r)
	sub.Release(0)
	if h.Viewers("room") != 1 {
		t.Fatalf("viewers = %d, want 1", h.Viewers("room"))
	}
	sub.Leave()
	sub.Leave() // twice is harmless
	h.PublishComments(context.Background(), comments("room", 1))
	h.Flush()
	if n, v := len(r.all(t, protocol.TypeComments)), h.Viewers("room"); n != 0 || v != 0 {
		t.Fatalf("after leave: %d comments frames, %d viewers", n, v)
	}
}

func TestPresenceAndLikesAreCoalescedAfterTheirComments(t *testing.T) {
	h := newHub(t, busy())
	r := newRecorder()
	join(t, h, "room", r).Release(0)
	join(t, h, "room", newRecorder()).Release(0)
	h.Flush() // the joins' presence is out of the way
	h.PublishComments(context.Background(), comments("room", 7))
	r.waitSeqs(t, 1)
	h.PublishComments(context.Background(), comments("room", 8)) // held by the window
	for i := range 50 {
		h.NoteLikes(context.Background(), []store.LikeChange{{Room: "room", CommentID: 8, Likes: int64(i + 1)}})
	}
	h.NoteLikes(context.Background(), []store.LikeChange{{Room: "room", Likes: 3}})
	join(t, h, "room", newRecorder()).Release(0)
	before := len(r.all(t, ""))
	h.Flush()
	all := r.all(t, "")
	h.Flush() // nothing new: sends nothing
	if again := len(r.all(t, "")); again != len(all) {
		t.Errorf("an empty flush sent %d frames", again-len(all))
	}

	var kinds []string
	for _, f := range all[before:] {
		kinds = append(kinds, f.Type)
	}
	if !slices.Equal(kinds, []string{protocol.TypeComments, protocol.TypeLikes, protocol.TypePresence}) {
		t.Fatalf("the flush sent %v, want comments, then likes (which may count them), then presence", kinds)
	}
	if got := r.seqs(t); !slices.Equal(got, []int64{7, 8}) {
		t.Errorf("comments %v, want [7 8]", got)
	}
	likes, presence := all[len(all)-2], all[len(all)-1]
	if likes.Comments["8"] != 50 || likes.RoomLikes == nil || *likes.RoomLikes != 3 {
		t.Errorf("likes frame %s, want 51 changes coalesced into the last counts: comment 8 at 50, room at 3", likes.raw)
	}
	if presence.Viewers != 3 {
		t.Errorf("presence frame %s, want 3 viewers", presence.raw)
	}
}

// laggard is a recorder that reports a backlog while behind is set.
type laggard struct {
	*recorder
	behind atomic.Bool
}

func (l *laggard) Backlog() int {
	if l.behind.Load() {
		return 1
	}
	return 0
}

// laggards joins n laggards to room.
func laggards(t *testing.T, h *hub.Hub, room string, n int) []*laggard {
	t.Helper()
	out := make([]*laggard, n)
	for i := range out {
		out[i] = &laggard{recorder: newRecorder()}
		join(t, h, room, out[i]).Release(0)
	}
	return out
}

func TestBackloggedRoomMergesInsteadOfQueueing(t *testing.T) {
	// A window of nothing: only the members' backlog can hold comments back.
	h := newHub(t, hub.Options{BatchMax: time.Nanosecond, WindowPerViewer: time.Nanosecond, HoldMax: forever, BacklogPoll: time.Millisecond})
	members := laggards(t, h, "room", 8) // the fewest that hold a room
	for _, m := range members {
		m.behind.Store(true)
	}
	for seq := int64(1); seq <= 5; seq++ {
		h.PublishComments(context.Background(), comments("room", seq))
	}
	if n := len(members[0].all(t, protocol.TypeComments)); n != 0 {
		t.Fatalf("members still writing earlier frames were sent %d more", n)
	}
	for _, m := range members {
		m.behind.Store(false)
	}
	for i, m := range members {
		if got := m.waitSeqs(t, 5); !slices.Equal(got, seqRange(1, 5)) {
			t.Fatalf("member %d got %v, want 1…5", i, got)
		}
		if n := len(m.all(t, protocol.TypeComments)); n != 1 {
			t.Errorf("member %d: %d comments frames, want the 5 comments held while behind merged into 1", i, n)
		}
	}
}

func TestAFewStalledMembersDoNotHoldTheOthers(t *testing.T) {
	for _, tc := range []struct {
		name             string
		stalled, healthy int
	}{
		{"one of three", 1, 2},
		{"seven of eight", 7, 1},
		{"eight of a hundred", 8, 92}, // at least eight, but not more than one in eight
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Held comments would never go out: only the hold rule decides.
			h := newHub(t, hub.Options{BatchMax: time.Nanosecond, WindowPerViewer: time.Nanosecond, HoldMax: forever, BacklogPoll: time.Millisecond})
			for _, m := range laggards(t, h, "room", tc.stalled) {
				m.behind.Store(true) // stopped reading
			}
			healthy := laggards(t, h, "room", tc.healthy)
			for seq := int64(1); seq <= 3; seq++ {
				h.PublishComments(context.Background(), comments("room", seq))
			}
			for i, m := range healthy {
				if got := m.waitSeqs(t, 3); !slices.Equal(got, seqRange(1, 3)) {
					t.Fatalf("healthy member %d got %v, want 1…3 without waiting for the stalled ones", i, got)
				}
			}
		})
	}
}

func TestStuckMembersCannotStallTheRoomPastHoldMax(t *testing.T) {
	h := newHub(t, hub.Options{HoldMax: time.Millisecond, BacklogPoll: time.Millisecond})
	stuck := laggards(t, h, "room", 8)
	for _, m := range stuck {
		m.behind.Store(true) // forever
	}
	for seq := int64(1); seq <= 3; seq++ {
		h.PublishComments(context.Background(), comments("room", seq))
	}
	if got := stuck[0].waitSeqs(t, 3); !slices.Equal(got, seqRange(1, 3)) {
		t.Fatalf("got %v, want 1…3 once HoldMax has passed", got)
	}
}
