package sqlite_test

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// allEvents collects every event the writer publishes.
type allEvents struct {
	mu sync.Mutex
	ev store.Events
}

func (a *allEvents) add(ev store.Events) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ev.Comments = append(a.ev.Comments, ev.Comments...)
	a.ev.Retracts = append(a.ev.Retracts, ev.Retracts...)
	a.ev.Likes = append(a.ev.Likes, ev.Likes...)
	a.ev.Moderated = append(a.ev.Moderated, ev.Moderated...)
}

func (a *allEvents) take() store.Events {
	a.mu.Lock()
	defer a.mu.Unlock()
	ev := a.ev
	a.ev = store.Events{}
	return ev
}

// openWithEvents opens a store with room r whose commits go to ev.
func openWithEvents(t *testing.T, ev *allEvents) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Options{
		Path:       filepath.Join(t.TempDir(), "test.db"),
		Migrations: os.DirFS("../../../migrations"),
		Writer:     sqlite.WriterOptions{OnCommit: ev.add},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r", Title: "R", Kind: store.KindVOD}); err != nil {
		t.Fatal(err)
	}
	return s
}

// put stores a comment with status by user through AddComment and returns it.
func put(t *testing.T, s *sqlite.Store, text string, status store.Status, user string) protocol.Comment {
	t.Helper()
	type result struct {
		c   protocol.Comment
		err error
	}
	done := make(chan result, 1)
	err := s.AddComment(context.Background(), store.NewComment{
		Room:   "r",
		Draft:  protocol.Draft{Text: text, Mode: "scroll", Color: "#ffffff", Size: "medium"},
		User:   protocol.User{ID: user, Name: user},
		Status: status,
		IP:     "192.0.2.1",
	}, func(c protocol.Comment, err error) { done <- result{c, err} })
	if err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.c
}

// moderate runs a decision by moderator m1 and returns the changed comments.
func moderate(s *sqlite.Store, d store.Decision, ids ...int64) ([]store.ModComment, error) {
	return s.Decide(context.Background(), ids, d, "m1")
}

func TestModeratorDecisions(t *testing.T) {
	ev := &allEvents{}
	s := openWithEvents(t, ev)
	ctx := context.Background()
	a := put(t, s, "a", store.Visible, "u1")
	h := put(t, s, "h", store.Held, "u1")
	sh := put(t, s, "s", store.Shadowed, "u2")
	b := put(t, s, "b", store.Visible, "u1")
	ev.take()
	// The shadowed comment is answered with the seq it would have taken,
	// which the next visible one, b, takes for real.
	if a.Seq != 1 || b.Seq != 2 || h.Seq != 0 || sh.Seq != 2 {
		t.Fatalf("seqs a=%d b=%d h=%d s=%d; want 1, 2, none for held and 2 shown for shadowed", a.Seq, b.Seq, h.Seq, sh.Seq)
	}

	changed, err := moderate(s, store.Approve, h.ID)
	if err != nil || len(changed) != 1 || changed[0].Seq != 3 || changed[0].Status != "visible" || changed[0].ModeratedBy != "m1" {
		t.Fatalf("approve: %+v, %v; want h visible with seq 3", changed, err)
	}
	if got := ev.take().Comments; len(got) != 1 || got[0].ID != h.ID || got[0].Seq != 3 || got[0].Status != "" {
		t.Fatalf("approve published %+v, want h with seq 3, as viewers see it", got)
	}
	for _, tc := range []struct {
		name string
		d    store.Decision
		ids  []int64
		code errs.Code
	}{
		{"approve a visible comment", store.Approve, []int64{a.ID}, errs.Conflict},
		{"reject a visible comment", store.Reject, []int64{a.ID}, errs.Conflict},
		{"unknown comment", store.Delete, []int64{a.ID, 999}, errs.NotFound},
		{"unknown decision", "zap", []int64{a.ID}, errs.BadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := moderate(s, tc.d, tc.ids...); errs.CodeOf(err) != tc.code {
				t.Fatalf("err %v, want %s", err, tc.code)
			}
		})
	}
	if ev := ev.take(); len(ev.Comments)+len(ev.Retracts) != 0 {
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
	if got := ev.take().Retracts; !slices.EqualFunc(got, want, func(x, y store.Retraction) bool {
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
	if err != nil || len(recent) != 2 || recent[0].ID != sh.ID || recent[0].IP != "192.0.2.1" {
		t.Fatalf("recent deleted %+v, %v", recent, err)
	}
}

func TestShadowedCommentsReplayToTheirAuthorOnly(t *testing.T) {
	s := openWithEvents(t, &allEvents{})
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
		var ids []int64
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("viewer %q sees %v, want %v", tc.viewer, ids, tc.want)
		}
	}
}

func TestPurgeCandidates(t *testing.T) {
	s := openWithEvents(t, &allEvents{})
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
