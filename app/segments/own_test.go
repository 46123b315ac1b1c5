package segments_test

import (
	"context"
	"slices"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/segments"
)

// TestOwn: a viewer's own part of a segment holds their shadowed comments
// of that slice and nobody else's; a passing guest's costs no read; it
// leaves the shared segment's version alone.
func TestOwn(t *testing.T) {
	shadowed := func(id int64, user string, t float64) protocol.Comment {
		return protocol.Comment{ID: id, Room: "demo", Time: protocol.SecondsOf(t), Text: "s", User: protocol.User{ID: user}}
	}
	f := &fakeStore{shadowed: []protocol.Comment{
		shadowed(1, "troll", 10), shadowed(2, "troll", 359.999), shadowed(3, "troll", 360), shadowed(4, "other", 20),
	}}
	s := segments.New(f)
	before, _ := get(t, s, 0, "")
	for _, tc := range []struct {
		name   string
		viewer string
		n      int64
		want   []int64
		reads  int
	}{
		{"the sender, segment 0", "troll", 0, []int64{1, 2}, 1},
		{"the sender, segment 1", "troll", 1, []int64{3}, 1},
		{"someone else", "alice", 0, nil, 1},
		{"the other sender", "other", 0, []int64{4}, 1},
		{"a passing guest", "", 0, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			readsBefore := f.ownReads
			got, err := s.Own(context.Background(), "demo", tc.viewer, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range got.Comments {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, tc.want) || got.Comments == nil {
				t.Errorf("own part of segment %d for %q: %v, want %v (never null)", tc.n, tc.viewer, ids, tc.want)
			}
			if got.Index != tc.n || got.From != float64(tc.n*segments.Length) || got.To != float64((tc.n+1)*segments.Length) {
				t.Errorf("slice %+v, want segment %d's", got, tc.n)
			}
			if n := f.ownReads - readsBefore; n != tc.reads {
				t.Errorf("%d reads, want %d", n, tc.reads)
			}
		})
	}
	if after, modified := get(t, s, 0, before.ETag); modified || after.ETag != before.ETag {
		t.Errorf("the shared segment's ETag moved from %q to %q", before.ETag, after.ETag)
	}
	for _, n := range []int64{-1, segments.MaxIndex + 1} {
		if _, err := s.Own(context.Background(), "demo", "troll", n); errs.CodeOf(err) != errs.BadRequest {
			t.Errorf("segment %d: %v, want bad_request", n, err)
		}
	}
}
