package segments_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/segments"
	"github.com/danmaku/danmaku/app/store"
)

// fakeStore holds one room's visible comments and counts the reads of them.
type fakeStore struct {
	mu       sync.Mutex
	lastSeq  int64
	comments []protocol.Comment
	reads    int    // CommentsByTime calls
	during   func() // run (once) while the next read is under way
}

func (f *fakeStore) Room(_ context.Context, id string) (store.Room, error) {
	if id != "demo" {
		return store.Room{}, errs.New(errs.NotFound, "room %q does not exist", id)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return store.Room{ID: id, LastSeq: f.lastSeq}, nil
}

func (f *fakeStore) CommentsByTime(_ context.Context, _ string, from, to protocol.Seconds, limit int) ([]protocol.Comment, error) {
	if during := f.during; during != nil {
		f.during = nil
		during()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	out := []protocol.Comment{}
	for _, c := range f.comments {
		if c.Time >= from && c.Time < to && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

// add stores a visible comment at t seconds and returns its commit events.
func (f *fakeStore) add(id int64, t float64) store.Events {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastSeq++
	c := protocol.Comment{ID: id, Room: "demo", Seq: f.lastSeq, Time: protocol.SecondsOf(t), Text: "x"}
	f.comments = append(f.comments, c)
	return store.Events{Comments: []protocol.Comment{c}}
}

// drop removes a comment (a deletion or a recall) and returns the events.
func (f *fakeStore) drop(id int64) store.Events {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.comments = slices.DeleteFunc(f.comments, func(c protocol.Comment) bool { return c.ID == id })
	return store.Events{Retracts: []store.Retraction{{Room: "demo", IDs: []int64{id}}}}
}

func (f *fakeStore) readCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads
}

// get fetches segment n with inm as If-None-Match.
func get(t *testing.T, s *segments.Service, n int64, inm string) (segments.Segment, bool) {
	t.Helper()
	seg, modified, err := s.Get(context.Background(), "demo", n, inm)
	if err != nil {
		t.Fatal(err)
	}
	return seg, modified
}

func TestSegments(t *testing.T) {
	// Each case starts from segments 0 and 1 served once, their ETags in
	// hand, then changes something and checks which ETags it changed.
	for _, tc := range []struct {
		name    string
		change  func(*fakeStore) store.Events
		changed []bool // segment 0, segment 1
	}{
		{"nothing", func(*fakeStore) store.Events { return store.Events{} }, []bool{false, false}},
		{"a new comment in segment 0", func(f *fakeStore) store.Events { return f.add(10, 359.999) }, []bool{true, false}},
		{"a new comment in segment 1", func(f *fakeStore) store.Events { return f.add(10, 360) }, []bool{false, true}},
		{"a new comment in another room", func(*fakeStore) store.Events {
			return store.Events{Comments: []protocol.Comment{{ID: 10, Room: "other", Seq: 1, Time: 1000}}}
		}, []bool{false, false}},
		{"a deletion or recall in segment 1", func(f *fakeStore) store.Events { return f.drop(3) }, []bool{false, true}},
		{"a retraction of a shadowed comment", func(*fakeStore) store.Events {
			return store.Events{Retracts: []store.Retraction{{Room: "demo", IDs: []int64{1}, User: "u"}}}
		}, []bool{false, false}},
		{"a like of a comment in segment 0", func(*fakeStore) store.Events {
			return store.Events{Likes: []store.LikeChange{{Room: "demo", CommentID: 2, Likes: 1}}}
		}, []bool{true, false}},
		{"a like of the room's video", func(*fakeStore) store.Events {
			return store.Events{Likes: []store.LikeChange{{Room: "demo", Likes: 1}}}
		}, []bool{false, false}},
		{"a new weight in segment 1", func(*fakeStore) store.Events {
			return store.Events{Weights: []store.WeightChange{{Room: "demo", CommentID: 3, Weight: 2}}}
		}, []bool{false, true}},
		{"comments that came without events (an import)", func(f *fakeStore) store.Events {
			f.add(20, 5000)
			return store.Events{}
		}, []bool{true, true}},
		{"a gap in the seqs of the events", func(f *fakeStore) store.Events {
			f.add(20, 5000)
			return f.add(21, 5001)
		}, []bool{true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeStore{}
			f.add(1, 1.5)
			f.add(2, 200)
			f.add(3, 400)
			s := segments.New(f)
			var tags [2]string
			for n := range tags {
				seg, modified := get(t, s, int64(n), "")
				if !modified || len(seg.Comments) == 0 {
					t.Fatalf("first fetch of segment %d: modified %v, %d comments", n, modified, len(seg.Comments))
				}
				tags[n] = seg.ETag
			}
			if tags[0] == tags[1] {
				t.Fatalf("two segments share the ETag %s", tags[0])
			}
			s.Note(tc.change(f))
			for n, want := range tc.changed {
				before := f.readCount()
				seg, modified := get(t, s, int64(n), tags[n])
				if modified != want || (seg.ETag != tags[n]) != want {
					t.Errorf("segment %d: modified %v, ETag %s (was %s); want changed %v", n, modified, seg.ETag, tags[n], want)
				}
				if reads := f.readCount() - before; !want && reads != 0 {
					t.Errorf("segment %d: a 304 read comments %d times", n, reads)
				}
			}
		})
	}
}

// TestSegmentChangedWhileRead: a change committed while a segment is read
// may or may not be in what was read, so the ETag that read went out with
// must not be honoured afterwards.
func TestSegmentChangedWhileRead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*fakeStore) store.Events
	}{
		{"a new comment", func(f *fakeStore) store.Events { return f.add(5, 10) }},
		{"a retraction", func(f *fakeStore) store.Events { return f.drop(1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeStore{}
			f.add(1, 1)
			s := segments.New(f)
			f.during = func() { s.Note(tc.change(f)) }
			first, _ := get(t, s, 0, "")
			second, modified := get(t, s, 0, first.ETag)
			if !modified || second.ETag == first.ETag {
				t.Fatalf("the ETag of a read overtaken by a change was honoured: %s", first.ETag)
			}
			if _, modified := get(t, s, 0, second.ETag); modified {
				t.Fatal("a settled segment was not answered as unchanged")
			}
		})
	}
}

func TestSegmentContents(t *testing.T) {
	f := &fakeStore{}
	for i, at := range []float64{0, 59.999, 60, 359.999, 360, 720} {
		f.add(int64(i+1), at)
	}
	s := segments.New(f)
	for _, tc := range []struct {
		n    int64
		want []int64
	}{{0, []int64{1, 2, 3, 4}}, {1, []int64{5}}, {2, []int64{6}}, {3, nil}} {
		seg, _ := get(t, s, tc.n, "")
		var ids []int64
		for _, c := range seg.Comments {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, tc.want) || seg.From != float64(tc.n*360) || seg.To != float64((tc.n+1)*360) {
			t.Errorf("segment %d [%g, %g): ids %v, want %v", tc.n, seg.From, seg.To, ids, tc.want)
		}
	}
}

func TestSegmentRefusals(t *testing.T) {
	s := segments.New(&fakeStore{})
	for _, tc := range []struct {
		name string
		room string
		n    int64
		code errs.Code
	}{
		{"negative index", "demo", -1, errs.BadRequest},
		{"past the longest video", "demo", segments.MaxIndex + 1, errs.BadRequest},
		{"unknown room", "nope", 0, errs.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := s.Get(context.Background(), tc.room, tc.n, ""); errs.CodeOf(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{`"a.1"`, true}, {`W/"a.1"`, true}, {`"x", "a.1"`, true}, {`*`, true},
		{``, false}, {`"a.2"`, false}, {`a.1`, false},
	} {
		t.Run(tc.header, func(t *testing.T) {
			if got := segments.Matches(tc.header, `"a.1"`); got != tc.want {
				t.Fatalf("Matches(%q) = %v", tc.header, got)
			}
		})
	}
}

// TestSegmentsStartOverWhenFull: past the segments it keeps, the service
// starts over, and no ETag handed out before is honoured again.
func TestSegmentsStartOverWhenFull(t *testing.T) {
	f := &fakeStore{}
	f.add(1, 1)
	s := segments.New(f)
	first, _ := get(t, s, 0, "")
	for n := int64(1); n <= 4096; n++ {
		get(t, s, n, "")
	}
	if again, modified := get(t, s, 0, first.ETag); !modified || again.ETag == first.ETag {
		t.Fatalf("an ETag from before the start-over was honoured: %s", first.ETag)
	}
}
