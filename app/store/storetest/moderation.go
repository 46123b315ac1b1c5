package storetest

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// moderate runs a decision by moderator m1 and returns the changed comments.
func moderate(s Store, d store.Decision, ids ...int64) ([]store.ModComment, error) {
	return s.Decide(context.Background(), ids, d, "m1")
}

func testModeratorDecisions(t *testing.T, b Backend) {
	ev := &Recorder{}
	s := open(t, b, Hooks{OnCommit: ev.Add})
	ctx := context.Background()
	a := put(t, s, "a", store.Visible, "u1")
	h := put(t, s, "h", store.Held, "u1")
	sh := put(t, s, "s", store.Shadowed, "u2")
	b2 := put(t, s, "b", store.Visible, "u1")
	ev.TakeAfter(t, s)
	// The shadowed comment is answered with the seq it would have taken,
	// which the next visible one, b, takes for real.
	if a.Seq != 1 || b2.Seq != 2 || h.Seq != 0 || sh.Seq != 2 {
		t.Fatalf("seqs a=%d b=%d h=%d s=%d; want 1, 2, none for held and 2 shown for shadowed", a.Seq, b2.Seq, h.Seq, sh.Seq)
	}

	changed, err := moderate(s, store.Approve, h.ID)
	if err != nil || len(changed) != 1 || changed[0].Seq != 3 || changed[0].Status != "visible" || changed[0].ModeratedBy != "m1" || changed[0].ModeratedAt == nil {
		t.Fatalf("approve: %+v, %v; want h visible with seq 3", changed, err)
	}
	published := ev.TakeAfter(t, s)
	if got := published.Comments; len(got) != 1 || got[0].ID != h.ID || got[0].Seq != 3 || got[0].Status != "" {
		t.Fatalf("approve published %+v, want h with seq 3, as viewers see it", got)
	}
	if got := published.Moderated; len(got) != 1 || got[0].ID != h.ID || got[0].Status != "visible" {
		t.Fatalf("approve told moderators %+v, want h, visible", got)
	}
	for _, tc := range []struct {
		name string
		d    store.Decision
		ids  []int64
		code errs.Code
	}{
		{"approve a visible comment", store.Approve, []int64{a.ID}, errs.Conflict},
		{"reject a visible comment", store.Reject, []int64{a.ID}, errs.Conflict},
		{"unknown comment", store.Delete, []int64{a.ID, 1 << 40}, errs.NotFound},
		{"unknown decision", "zap", []int64{a.ID}, errs.BadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := moderate(s, tc.d, tc.ids...); errs.CodeOf(err) != tc.code {
				t.Fatalf("err %v, want %s", err, tc.code)
			}
		})
	}
	if ev := ev.TakeAfter(t, s); len(ev.Comments)+len(ev.Retracts)+len(ev.Moderated) != 0 {
		t.Fatalf("refused decisions published %+v", ev)
	}
	if got, _ := s.CommentsAfter(ctx, "r", 0, 10); len(got) != 3 {
		t.Fatalf("a refused delete changed something: %+v", got)
	}

	changed, err = moderate(s, store.Delete, a.ID, sh.ID, a.ID)
	if err != nil || len(changed) != 2 {
		t.Fatalf("delete: %+v, %v", changed, err)
	}
	want := []store.Retraction{{Room: "r", IDs: []int64{a.ID}}, {Room: "r", IDs: []int64{sh.ID}, User: "u2"}}
	if got := ev.TakeAfter(t, s).Retracts; !slices.EqualFunc(got, want, func(x, y store.Retraction) bool {
		return x.Room == y.Room && x.User == y.User && slices.Equal(x.IDs, y.IDs)
	}) {
		t.Fatalf("retractions %+v, want %+v", got, want)
	}
	room, _ := s.Room(ctx, "r")
	if room.CommentCount != 2 || room.LastSeq != 3 {
		t.Fatalf("room %+v, want 2 visible comments and last_seq 3", room)
	}
	if changed, err := moderate(s, store.Delete, a.ID); err != nil || len(changed) != 0 {
		t.Fatalf("deleting again: %+v, %v; want nothing changed", changed, err)
	}
	recent, err := s.RecentComments(ctx, store.RecentQuery{Room: "r", Status: store.Deleted, Limit: 10})
	if err != nil || len(recent) != 2 || recent[0].ID != sh.ID || recent[0].IP != "192.0.2.1" || recent[0].Seq != 0 || recent[1].Seq != a.Seq {
		t.Fatalf("recent deleted %+v, %v", recent, err)
	}
	// A reject stores the held comment as deleted, with no seq.
	h2 := put(t, s, "h2", store.Held, "u1")
	if changed, err := moderate(s, store.Reject, h2.ID); err != nil || len(changed) != 1 || changed[0].Status != "deleted" || changed[0].Seq != 0 {
		t.Fatalf("reject: %+v, %v; want h2 deleted without a seq", changed, err)
	}
	if room, _ := s.Room(ctx, "r"); room.LastSeq != 3 {
		t.Fatalf("a reject took a seq: %+v", room)
	}
}

func testShadowedReplay(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx := context.Background()
	v := put(t, s, "visible", store.Visible, "u1")
	sh := put(t, s, "shadowed", store.Shadowed, "u2")
	for _, tc := range []struct {
		viewer string
		want   []int64
	}{
		{"u2", []int64{v.ID, sh.ID}},
		{"u1", []int64{v.ID}},
		{"", []int64{v.ID}},
	} {
		got, err := s.CommentsByTimeFor(ctx, "r", tc.viewer, 0, protocol.SecondsOf(100), 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("viewer %q sees %v, want %v", tc.viewer, ids(got), tc.want)
		}
	}
}

// testHeldAndRecent reads the moderators' queues.
func testHeldAndRecent(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx := context.Background()
	if _, err := s.CreateRoom(ctx, store.Room{ID: "r2", Title: "R2", Kind: store.KindLive}); err != nil {
		t.Fatal(err)
	}
	h1 := put(t, s, "h1", store.Held, "u1")
	v := put(t, s, "v", store.Visible, "u2")
	h2 := putAt(t, s, "r2", "h2", 0, store.Held, "u2")
	for _, tc := range []struct {
		name string
		room string
		want []int64
	}{{"every room", "", []int64{h1.ID, h2.ID}}, {"one room", "r2", []int64{h2.ID}}} {
		t.Run("held/"+tc.name, func(t *testing.T) {
			got, err := s.HeldComments(ctx, tc.room, 10)
			var gotIDs []int64
			for _, m := range got {
				gotIDs = append(gotIDs, m.ID)
			}
			if err != nil || !slices.Equal(gotIDs, tc.want) {
				t.Fatalf("held %v, %v; want %v, oldest first", gotIDs, err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		q    store.RecentQuery
		want []int64
	}{
		{"everything", store.RecentQuery{Limit: 10}, []int64{h2.ID, v.ID, h1.ID}},
		{"by user", store.RecentQuery{UserID: "u2", Limit: 10}, []int64{h2.ID, v.ID}},
		{"by status in a room", store.RecentQuery{Room: "r", Status: store.Held, Limit: 10}, []int64{h1.ID}},
		{"paging back", store.RecentQuery{Before: h2.ID, Limit: 1}, []int64{v.ID}},
	} {
		t.Run("recent/"+tc.name, func(t *testing.T) {
			got, err := s.RecentComments(ctx, tc.q)
			var gotIDs []int64
			for _, m := range got {
				gotIDs = append(gotIDs, m.ID)
			}
			if err != nil || !slices.Equal(gotIDs, tc.want) {
				t.Fatalf("recent %v, %v; want %v, newest first", gotIDs, err, tc.want)
			}
		})
	}
}

func testPurgeCandidates(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx := context.Background()
	mine := put(t, s, "mine", store.Visible, "u1")
	held := put(t, s, "held", store.Held, "u1")
	other := put(t, s, "other", store.Visible, "u2")
	gone := put(t, s, "gone", store.Visible, "u1")
	if _, err := moderate(s, store.Delete, gone.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		p    store.Purge
		want []int64
	}{
		{"by user", store.Purge{UserID: "u1", Limit: 10}, []int64{held.ID, mine.ID}},
		{"by address", store.Purge{Prefix: netip.MustParsePrefix("192.0.2.0/24"), Limit: 10}, []int64{other.ID, held.ID, mine.ID}},
		{"other address", store.Purge{Prefix: netip.MustParsePrefix("198.51.100.0/24"), Limit: 10}, nil},
		{"other room", store.Purge{Room: "nope", UserID: "u1", Limit: 10}, nil},
		{"in the room", store.Purge{Room: "r", UserID: "u2", Limit: 10}, []int64{other.ID}},
		{"limit", store.Purge{UserID: "u1", Limit: 1}, []int64{held.ID}},
		{"too old", store.Purge{UserID: "u1", Since: time.Now().Add(time.Hour), Limit: 10}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.PurgeCandidates(ctx, tc.p)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// testMixedBatch commits comments and an approval in one batch: whatever
// order the backend gives them seqs in, the room's seqs stay gapless and
// the events carry them in seq order, as catch-up will read them.
func testMixedBatch(t *testing.T, b Backend) {
	ev := &Recorder{}
	s := open(t, b, Hooks{OnCommit: ev.Add})
	put(t, s, "first", store.Visible, "u1")
	held := put(t, s, "held", store.Held, "u2")
	ev.TakeAfter(t, s)
	release := s.Hold(t)
	user := protocol.User{ID: "u3", Name: "U3"}
	a := send(t, s, store.NewComment{Room: "r", Draft: draft("a", 0), User: user})
	approved := make(chan error, 1)
	go func() {
		_, err := moderate(s, store.Approve, held.ID)
		approved <- err
	}()
	waitQueued(t, s, 2)
	c := send(t, s, store.NewComment{Room: "r", Draft: draft("c", 0), User: user})
	release()
	if err := <-approved; err != nil {
		t.Fatal(err)
	}
	if ra, rc := wait(t, a), wait(t, c); ra.err != nil || rc.err != nil {
		t.Fatalf("the comments: %v, %v", ra.err, rc.err)
	}
	var seqs []int64
	for _, c := range ev.TakeAfter(t, s).Comments {
		seqs = append(seqs, c.Seq)
	}
	if !slices.Equal(seqs, []int64{2, 3, 4}) {
		t.Fatalf("the batch published seqs %v, want 2, 3, 4 in order", seqs)
	}
	stored, err := s.CommentsAfter(context.Background(), "r", 1, 10)
	if err != nil || len(stored) != 3 || stored[0].Seq != 2 || stored[2].Seq != 4 {
		t.Fatalf("stored %+v, %v; want seqs 2 to 4", stored, err)
	}
}
