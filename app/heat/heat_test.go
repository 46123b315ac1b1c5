package heat_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/heat"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// fakeStore holds one room's visible comments and counts the reads.
type fakeStore struct {
	mu       sync.Mutex
	room     store.Room
	comments []protocol.Comment
	reads    int
	last     store.HeatQuery
}

func (f *fakeStore) Room(_ context.Context, id string) (store.Room, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id != f.room.ID {
		return store.Room{}, errs.New(errs.NotFound, "no room %q", id)
	}
	return f.room, nil
}

func (f *fakeStore) HeatBins(_ context.Context, q store.HeatQuery) ([]store.HeatBin, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	f.last = q
	bins := map[int64]int64{}
	for _, c := range f.comments {
		switch {
		case c.Seq > q.UpTo:
		case q.Since == 0:
			bins[int64(c.Time)/1000]++
		case c.CreatedAt >= q.Since:
			bins[int64(c.CreatedAt-q.Since)/1000]++
		}
	}
	var out []store.HeatBin
	for s, n := range bins {
		out = append(out, store.HeatBin{Second: s, Count: n})
	}
	slices.SortFunc(out, func(a, b store.HeatBin) int { return int(a.Second - b.Second) })
	return out, nil
}

// add stores a comment at video second t (and wall-clock ms at), as the
// room's next seq, and returns it as the commit's event would carry it.
func (f *fakeStore) add(t float64, at protocol.Timestamp) protocol.Comment {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.room.LastSeq++
	c := protocol.Comment{ID: f.room.LastSeq, Room: f.room.ID, Seq: f.room.LastSeq, Time: protocol.SecondsOf(t), CreatedAt: at}
	f.comments = append(f.comments, c)
	return c
}

type fixedOrigin protocol.Timestamp

func (o fixedOrigin) ReplayOrigin(context.Context, store.Room) (protocol.Timestamp, error) {
	return protocol.Timestamp(o), nil
}

func curve(t *testing.T, svc *heat.Service, step int, to float64) heat.Curve {
	t.Helper()
	c, err := svc.Curve(context.Background(), "r", step, to)
	if err != nil {
		t.Fatalf("Curve(step %d, to %g): %v", step, to, err)
	}
	return c
}

// TestCurveCountsPerStep: the counts of a VOD room's comments by video
// time, for steps of every size, up to a given time or the last comment.
func TestCurveCountsPerStep(t *testing.T) {
	st := &fakeStore{room: store.Room{ID: "r", Kind: store.KindVOD}}
	for _, sec := range []float64{0, 0.5, 1.999, 2, 9.5, 10, 10, 59.9} {
		st.add(sec, 0)
	}
	svc := heat.New(st, fixedOrigin(0))
	for _, tc := range []struct {
		name       string
		step       int
		to         float64
		want       []int64
		peak, tota int64
	}{
		{"1 s", 1, 0, append(append([]int64{2, 1, 1, 0, 0, 0, 0, 0, 0, 1, 2}, make([]int64, 48)...), 1), 2, 8},
		{"5 s", 5, 0, []int64{4, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 4, 8},
		{"10 s", 10, 0, []int64{5, 2, 0, 0, 0, 1}, 5, 8},
		{"a minute", 60, 0, []int64{8}, 8, 8},
		{"up to 20 s", 10, 20, []int64{5, 2, 0}, 5, 7},
		{"up to a video longer than the comments", 30, 119, []int64{7, 1, 0, 0}, 7, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := curve(t, svc, tc.step, tc.to)
			if !slices.Equal(c.Counts, tc.want) || c.Peak != tc.peak || c.Total != tc.tota || c.Axis != heat.AxisVideo || c.Step != tc.step || c.Origin != nil {
				t.Fatalf("got %+v, want counts %v, peak %d, total %d by video time", c, tc.want, tc.peak, tc.tota)
			}
		})
	}
	if st.reads != 1 {
		t.Errorf("the store was read %d times for one room that did not change, want once", st.reads)
	}
	if got := curve(t, svc, 5, 0).ArtPlayer(); len(got) != 12 || got[0] != [2]float64{0, 4} || got[2] != [2]float64{10, 2} || got[11] != [2]float64{55, 1} {
		t.Errorf("ArtPlayer points %v, want [seconds, count] per step", got)
	}
}

// TestCurveFollowsNewComments: comments that commit after the curve was
// read are counted in without reading again; a gap in the seqs or a
// retraction makes the next curve read the store again.
func TestCurveFollowsNewComments(t *testing.T) {
	st := &fakeStore{room: store.Room{ID: "r", Kind: store.KindVOD}}
	st.add(1, 0)
	svc := heat.New(st, fixedOrigin(0))
	curve(t, svc, 1, 0)

	svc.Note(store.Events{Comments: []protocol.Comment{st.add(1.5, 0), st.add(3, 0)}})
	if c := curve(t, svc, 1, 0); !slices.Equal(c.Counts, []int64{0, 2, 0, 1}) || st.reads != 1 {
		t.Fatalf("after two new comments: %v with %d reads, want [0 2 0 1] counted on", c.Counts, st.reads)
	}

	// A comment the events skipped (an import takes seqs without events).
	st.add(3.2, 0)
	svc.Note(store.Events{Comments: []protocol.Comment{st.add(0.1, 0)}})
	if c := curve(t, svc, 1, 0); !slices.Equal(c.Counts, []int64{1, 2, 0, 2}) || st.reads != 2 {
		t.Fatalf("after a gap: %v with %d reads, want [1 2 0 2] read again", c.Counts, st.reads)
	}

	// A moderator deletes comment 1: retracted, so read again.
	st.mu.Lock()
	st.comments = st.comments[1:]
	st.mu.Unlock()
	svc.Note(store.Events{Retracts: []store.Retraction{{Room: "r", IDs: []int64{1}}}})
	if c := curve(t, svc, 1, 0); !slices.Equal(c.Counts, []int64{1, 1, 0, 2}) || st.reads != 3 {
		t.Fatalf("after a retraction: %v with %d reads, want [1 1 0 2] read again", c.Counts, st.reads)
	}

	// Other rooms' events change nothing here.
	svc.Note(store.Events{Comments: []protocol.Comment{{Room: "other", Seq: 99}}, Retracts: []store.Retraction{{Room: "other"}}})
	if curve(t, svc, 1, 0); st.reads != 3 {
		t.Errorf("other rooms' events made it read again (%d reads)", st.reads)
	}
}

// TestLiveCurveCountsFromTheReplayOrigin: a live room's curve is by wall
// clock, in seconds after its replay starts.
func TestLiveCurveCountsFromTheReplayOrigin(t *testing.T) {
	const origin = protocol.Timestamp(1_700_000_000_000)
	st := &fakeStore{room: store.Room{ID: "r", Kind: store.KindLive}}
	st.add(0, origin+3000)
	st.add(0, origin+3500)
	st.add(0, origin+12_000)
	svc := heat.New(st, fixedOrigin(origin))
	c := curve(t, svc, 5, 0)
	if c.Axis != heat.AxisReplay || c.Origin == nil || *c.Origin != origin || !slices.Equal(c.Counts, []int64{2, 0, 1}) || st.last.Since != origin {
		t.Fatalf("got %+v (asked %+v), want [2 0 1] after the origin", c, st.last)
	}
	svc.Note(store.Events{Comments: []protocol.Comment{st.add(0, origin+14_900)}})
	if c := curve(t, svc, 5, 0); !slices.Equal(c.Counts, []int64{2, 0, 2}) || st.reads != 1 {
		t.Fatalf("after a live comment: %v with %d reads, want [2 0 2] counted on", c.Counts, st.reads)
	}
}

// TestCurveRefusals: bad steps, curves too long to send, unknown rooms.
func TestCurveRefusals(t *testing.T) {
	st := &fakeStore{room: store.Room{ID: "r", Kind: store.KindVOD}}
	st.add(1e6, 0) // a comment eleven days into the video
	svc := heat.New(st, fixedOrigin(0))
	for _, tc := range []struct {
		name string
		room string
		step int
		code errs.Code
	}{
		{"step 0", "r", 0, errs.BadRequest},
		{"step over an hour", "r", heat.MaxStep + 1, errs.BadRequest},
		{"too many points", "r", 1, errs.Invalid},
		{"unknown room", "nope", 5, errs.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Curve(context.Background(), tc.room, tc.step, 0)
			if err == nil || errs.CodeOf(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
	if c := curve(t, svc, heat.MaxStep, 0); len(c.Counts) != 278 || c.Total != 1 {
		t.Errorf("hour steps: %d points, total %d; want 278 and 1", len(c.Counts), c.Total)
	}
}
