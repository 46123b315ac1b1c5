package hub_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/store"
)

// tally is a hub.Observer that adds up what it is told, per frame kind.
type tally struct {
	mu       sync.Mutex
	frames   map[hub.FrameKind]int
	sockets  map[hub.FrameKind]int
	comments []int // per comments frame
}

func newTally() *tally {
	return &tally{frames: map[hub.FrameKind]int{}, sockets: map[hub.FrameKind]int{}}
}

func (o *tally) Frame(kind hub.FrameKind, comments, sockets int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.frames[kind]++
	o.sockets[kind] += sockets
	if kind == hub.FrameComments {
		o.comments = append(o.comments, comments)
	}
}

// take returns what was told since the last take, and starts afresh.
func (o *tally) take() (frames, sockets map[hub.FrameKind]int, comments []int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	frames, sockets, comments = o.frames, o.sockets, o.comments
	o.frames, o.sockets, o.comments = map[hub.FrameKind]int{}, map[hub.FrameKind]int{}, nil
	slices.Sort(comments)
	return frames, sockets, comments
}

func TestObserverCountsEachFrameOnceWithTheRoomsSockets(t *testing.T) {
	obs := newTally()
	opts := busy()
	opts.Observer = obs
	h := newHub(t, opts)
	a, b, late := newRecorder(), newRecorder(), newRecorder()
	join(t, h, "room", a).Release(0)
	join(t, h, "room", b).Release(0)
	catchingUp := join(t, h, "room", late) // held until Release: its frames wait (counted as they go out to the room)
	join(t, h, "other", newRecorder()).Release(0)
	if got := h.Rooms(); got != 2 {
		t.Errorf("Rooms() = %d, want 2", got)
	}

	h.Flush() // the joins' presence frames (a first one may go out early, on its own)
	obs.take()

	ctx := context.Background()
	join(t, h, "other", newRecorder()).Release(0)
	h.PublishComments(ctx, comments("room", 1, 2, 3))
	h.PublishComments(ctx, comments("other", 1))
	h.PublishRetract(ctx, "room", []int64{2})
	h.NoteLikes(ctx, []store.LikeChange{{Room: "room", Likes: 1}})
	h.Flush()
	frames, sockets, sizes := obs.take()
	want := map[hub.FrameKind][2]int{ // frames, sockets
		hub.FrameComments: {2, 5}, // room's 3 comments in one frame to its 3 members; other's 1 to its 2
		hub.FrameOther:    {1, 3}, // the retraction
		hub.FrameLikes:    {1, 3},
		hub.FramePresence: {1, 2}, // other's new count, to both its viewers
	}
	for _, kind := range hub.FrameKinds {
		if got := [2]int{frames[kind], sockets[kind]}; got != want[kind] {
			t.Errorf("%s: %d frames to %d sockets, want %d to %d", kind, got[0], got[1], want[kind][0], want[kind][1])
		}
	}
	if !slices.Equal(sizes, []int{1, 3}) {
		t.Errorf("comments per frame %v, want [1 3]", sizes)
	}
	if got := a.seqs(t); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("a viewer got %v, want [1 2 3]: the observer must not change delivery", got)
	}

	// The member catching up gets the held frames at Release; they were
	// counted when the room sent them, and are not counted again.
	catchingUp.Release(0)
	if got := late.seqs(t); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("the late member got %v, want [1 2 3]", got)
	}
	if frames, _, _ := obs.take(); len(frames) != 0 {
		t.Errorf("Release counted %v, want nothing", frames)
	}
}

func TestObserverSeesFramesSplitAtMaxItems(t *testing.T) {
	obs := newTally()
	opts := busy()
	opts.Observer = obs
	h := newHub(t, opts)
	join(t, h, "room", newRecorder()).Release(0)
	h.Flush()
	obs.take()
	h.PublishComments(context.Background(), comments("room", seqRange(1, hub.MaxItemsPerFrame+1)...))
	h.Flush()
	if _, _, sizes := obs.take(); !slices.Equal(sizes, []int{1, hub.MaxItemsPerFrame}) {
		t.Errorf("comments per frame %v, want [1 %d]", sizes, hub.MaxItemsPerFrame)
	}
}
