package sqlite_test

import (
	"context"
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

// feedbackStore is a store whose weigher shows its signals plainly
// (5 + likes − 2 × reports + accepted − removed, and what it was asked),
// and every event of its commits.
type feedbackStore struct {
	*sqlite.Store
	mu      sync.Mutex
	ev      store.Events
	signals []store.QualitySignals
}

func openFeedback(t *testing.T) *feedbackStore {
	t.Helper()
	f := &feedbackStore{}
	s, err := sqlite.Open(context.Background(), sqlite.Options{
		Path:       filepath.Join(t.TempDir(), "test.db"),
		Migrations: os.DirFS("../../../migrations"),
		Writer: sqlite.WriterOptions{
			OnCommit: func(ev store.Events) {
				f.mu.Lock()
				defer f.mu.Unlock()
				f.ev.Comments = append(f.ev.Comments, ev.Comments...)
				f.ev.Likes = append(f.ev.Likes, ev.Likes...)
				f.ev.Retracts = append(f.ev.Retracts, ev.Retracts...)
				f.ev.Moderated = append(f.ev.Moderated, ev.Moderated...)
				f.ev.Weights = append(f.ev.Weights, ev.Weights...)
			},
			Weigh: func(s store.QualitySignals) int {
				f.mu.Lock()
				f.signals = append(f.signals, s)
				f.mu.Unlock()
				return int(5 + s.Likes - 2*s.Reports + s.Accepted - s.Removed)
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, id := range []string{"r", "q"} {
		if _, err := s.CreateRoom(context.Background(), store.Room{ID: id, Title: id, Kind: store.KindVOD}); err != nil {
			t.Fatal(err)
		}
	}
	f.Store = s
	return f
}

// take returns the events since the last take. A call that returned has
// committed, but its events reach OnCommit after its answer, on the
// writer's delivery goroutine: an empty op through the writer is a
// barrier, since commits are delivered in order.
func (f *feedbackStore) take() store.Events {
	if err := f.Writer.Exec(context.Background(), func(*sqlite.Tx) error { return nil }); err != nil {
		panic(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ev := f.ev
	f.ev = store.Events{}
	return ev
}

// lastSignals returns what the weigher was last asked.
func (f *feedbackStore) lastSignals() store.QualitySignals {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.signals[len(f.signals)-1]
}

func (f *feedbackStore) like(t *testing.T, id int64, user string) {
	t.Helper()
	if _, err := f.LikeComment(context.Background(), id, user, nil); err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if err == nil || errs.CodeOf(err) != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

// TestWeightsFollowLikesAndTheSendersRecord: a comment is weighed when
// stored, from its text and its sender's record, and again with every like
// and unlike; viewers hear of the changes.
func TestWeightsFollowLikesAndTheSendersRecord(t *testing.T) {
	f := openFeedback(t)
	ctx := context.Background()
	first := put(t, f.Store, "first", store.Visible, "u1")
	if first.Weight != 5 || f.lastSignals().Accepted != 0 || !f.lastSignals().Sender || f.lastSignals().Text != "first" {
		t.Fatalf("first comment weighs %d from %+v, want 5 from a new sender's empty record", first.Weight, f.lastSignals())
	}
	second := put(t, f.Store, "second", store.Visible, "u1")
	if second.Weight != 6 || f.lastSignals().Accepted != 1 {
		t.Fatalf("second comment weighs %d from %+v, want 6: one comment shown", second.Weight, f.lastSignals())
	}
	put(t, f.Store, "held", store.Held, "u1")
	if f.lastSignals().Accepted != 2 {
		t.Fatalf("a held comment saw %+v, want two shown", f.lastSignals())
	}
	f.take()

	f.like(t, first.ID, "fan1")
	f.like(t, first.ID, "fan1") // the same viewer again changes nothing
	f.like(t, first.ID, "fan2")
	if got := f.take().Weights; len(got) != 2 || got[0] != (store.WeightChange{Room: "r", CommentID: first.ID, Weight: 8}) || got[1].Weight != 9 {
		t.Fatalf("weights after two likes: %+v, want 8 then 9 (likes and the record of two shown)", got)
	}
	change, err := f.UnlikeComment(ctx, first.ID, "fan2", []string{"r"})
	if err != nil || change.Likes != 1 {
		t.Fatalf("unlike: %+v, %v; want 1 like left", change, err)
	}
	ev := f.take()
	if len(ev.Weights) != 1 || ev.Weights[0].Weight != 8 || len(ev.Likes) != 1 || ev.Likes[0].Likes != 1 {
		t.Fatalf("unlike published %+v, want weight 8 and 1 like", ev)
	}
	if change, err := f.UnlikeComment(ctx, first.ID, "fan2", nil); err != nil || change.Likes != 1 || len(f.take().Likes) != 0 {
		t.Fatalf("a second unlike: %+v, %v; want nothing changed", change, err)
	}
	wantCode(t, "unlike from a socket in another room", func() error { _, err := f.UnlikeComment(ctx, first.ID, "fan1", []string{"q"}); return err }(), errs.Forbidden)
	if change, err := f.UnlikeComment(ctx, first.ID, "fan1", nil); err != nil || change.Likes != 0 || change.Room != "r" {
		t.Fatalf("unlike in any room: %+v, %v", change, err)
	}

	// A moderator removing u1's comment counts against their record.
	if _, err := f.Decide(ctx, []int64{second.ID}, store.Delete, "m1"); err != nil {
		t.Fatal(err)
	}
	put(t, f.Store, "third", store.Visible, "u1")
	if s := f.lastSignals(); s.Accepted != 1 || s.Removed != 1 {
		t.Fatalf("after a delete the record is %+v, want one shown and one removed", s)
	}
}

// TestLikedBy: what one viewer liked in a room, nothing of another room
// or of deleted comments.
func TestLikedBy(t *testing.T) {
	f := openFeedback(t)
	ctx := context.Background()
	a := put(t, f.Store, "a", store.Visible, "u1")
	b := put(t, f.Store, "b", store.Visible, "u1")
	c := put(t, f.Store, "c", store.Visible, "u1")
	f.like(t, a.ID, "me")
	f.like(t, c.ID, "me")
	f.like(t, b.ID, "someone else")
	if _, err := f.LikeRoom(ctx, "r", "me"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Decide(ctx, []int64{c.ID}, store.Delete, "m1"); err != nil {
		t.Fatal(err)
	}
	liked, err := f.LikedBy(ctx, "r", "me", 100)
	if err != nil || !liked.Room || !slices.Equal(liked.Comments, []int64{a.ID}) {
		t.Fatalf("liked in r: %+v, %v; want the room and a", liked, err)
	}
	if liked, err := f.LikedBy(ctx, "q", "me", 100); err != nil || liked.Room || len(liked.Comments) != 0 {
		t.Fatalf("liked in q: %+v, %v; want nothing", liked, err)
	}
}

// TestReportsHidePastTheThreshold: reports count once per viewer, weigh a
// comment down, reach moderators, and past the threshold hide it until a
// moderator decides; a decision or a dismissal clears them.
func TestReportsHidePastTheThreshold(t *testing.T) {
	f := openFeedback(t)
	ctx := context.Background()
	c := put(t, f.Store, "buy followers at example.com", store.Visible, "spammer")
	other := put(t, f.Store, "fine", store.Visible, "u2")
	f.take()
	report := func(id int64, user, reason string) (store.ReportResult, error) {
		return f.ReportComment(ctx, store.NewReport{CommentID: id, UserID: user, Reason: reason, IP: "192.0.2.9", HideAt: 3})
	}

	wantCode(t, "reporting one's own comment", func() error { _, err := report(c.ID, "spammer", "spam"); return err }(), errs.Invalid)
	wantCode(t, "reporting an unknown comment", func() error { _, err := report(999, "v1", "spam"); return err }(), errs.NotFound)
	res, err := report(c.ID, "v1", "spam")
	if err != nil || !res.Added || res.Hidden || res.Comment.Reports != 1 || res.Comment.Reasons["spam"] != 1 {
		t.Fatalf("first report: %+v, %v", res, err)
	}
	if res, err := report(c.ID, "v1", "ads"); err != nil || res.Added || res.Comment.Reports != 1 {
		t.Fatalf("the same viewer again: %+v, %v; want nothing added", res, err)
	}
	if res, err = report(c.ID, "v2", "ads"); err != nil || res.Hidden || res.Comment.Weight != 2 {
		t.Fatalf("second report: %+v, %v; want it weighed down to 2 (its one shown comment counts), still shown", res, err)
	}
	ev := f.take()
	if len(ev.Moderated) != 2 || ev.Moderated[1].Reports != 2 || len(ev.Weights) != 2 || len(ev.Retracts) != 0 {
		t.Fatalf("two reports published %+v, want the moderators told twice and two weight changes", ev)
	}
	queue, err := f.ReportedComments(ctx, "", 10)
	if err != nil || len(queue) != 1 || queue[0].ID != c.ID || queue[0].Reports != 2 || queue[0].Reasons["spam"] != 1 || queue[0].Reasons["ads"] != 1 {
		t.Fatalf("reported queue: %+v, %v", queue, err)
	}

	res, err = report(c.ID, "v3", "spam")
	if err != nil || !res.Hidden || res.Comment.Status != "held" || res.Comment.Note != "reported by 3 viewers: spam ×2, ads" {
		t.Fatalf("third report: %+v, %v; want it held with a note", res, err)
	}
	ev = f.take()
	if len(ev.Retracts) != 1 || ev.Retracts[0].Room != "r" || ev.Retracts[0].User != "" || !slices.Equal(ev.Retracts[0].IDs, []int64{c.ID}) || len(ev.Weights) != 0 {
		t.Fatalf("hiding published %+v, want it retracted from every viewer and no weight frame", ev)
	}
	if after, _ := f.CommentsAfter(ctx, "r", 0, 10); len(after) != 1 || after[0].ID != other.ID {
		t.Fatalf("replay after hiding: %+v, want only the other comment", after)
	}
	if held, _ := f.HeldComments(ctx, "r", 10); len(held) != 1 || held[0].ID != c.ID {
		t.Fatalf("held queue: %+v", held)
	}
	wantCode(t, "reporting a hidden comment", func() error { _, err := report(c.ID, "v4", "spam"); return err }(), errs.NotFound)
	if room, _ := f.Room(ctx, "r"); room.CommentCount != 1 {
		t.Errorf("the room counts %d comments, want 1 shown", room.CommentCount)
	}

	// The moderator approves: shown again with a new seq, reports reviewed.
	changed, err := f.Decide(ctx, []int64{c.ID}, store.Approve, "m1")
	if err != nil || len(changed) != 1 || changed[0].Reports != 0 || changed[0].Seq != 3 {
		t.Fatalf("approve: %+v, %v", changed, err)
	}
	if queue, _ := f.ReportedComments(ctx, "", 10); len(queue) != 0 {
		t.Fatalf("reported queue after approval: %+v, want empty", queue)
	}
	if got := f.take().Weights; len(got) != 1 || got[0].Weight != 6 {
		t.Fatalf("approval published weights %+v, want it weighed without its reviewed reports", got)
	}

	// Dismissing keeps a comment as it is and clears its reports.
	if _, err := report(other.ID, "v1", "other"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "dismissing an unknown comment", func() error { _, err := f.DismissReports(ctx, []int64{other.ID, 999}, "m1"); return err }(), errs.NotFound)
	dismissed, err := f.DismissReports(ctx, []int64{other.ID, other.ID, c.ID}, "m1")
	if err != nil || len(dismissed) != 1 || dismissed[0].ID != other.ID || dismissed[0].Reports != 0 || dismissed[0].Status != "visible" {
		t.Fatalf("dismiss: %+v, %v; want the other comment, visible, with no reports", dismissed, err)
	}
	if queue, _ := f.ReportedComments(ctx, "", 10); len(queue) != 0 {
		t.Fatalf("reported queue after dismissal: %+v, want empty", queue)
	}
}

// TestRecall: a sender's own comment, stored since the given time, leaves
// every screen (a shadowed one its sender's) and the replay.
func TestRecall(t *testing.T) {
	f := openFeedback(t)
	ctx := context.Background()
	visible := put(t, f.Store, "oops", store.Visible, "u1")
	shadowed := put(t, f.Store, "shh", store.Shadowed, "u1")
	held := put(t, f.Store, "wait", store.Held, "u1")
	f.take()
	past := time.Now().Add(-time.Minute)

	wantCode(t, "someone else's comment", func() error { _, err := f.RecallComment(ctx, visible.ID, "u2", past); return err }(), errs.Forbidden)
	wantCode(t, "an old comment", func() error {
		_, err := f.RecallComment(ctx, visible.ID, "u1", visible.CreatedAt.Time().Add(time.Millisecond))
		return err
	}(), errs.Conflict)
	wantCode(t, "an unknown comment", func() error { _, err := f.RecallComment(ctx, 999, "u1", past); return err }(), errs.NotFound)

	m, err := f.RecallComment(ctx, visible.ID, "u1", visible.CreatedAt.Time())
	if err != nil || m.Status != "deleted" || m.Note != "recalled by its sender" {
		t.Fatalf("recall at the window's edge: %+v, %v", m, err)
	}
	ev := f.take()
	if len(ev.Retracts) != 1 || ev.Retracts[0].User != "" || ev.Retracts[0].IDs[0] != visible.ID || len(ev.Moderated) != 1 {
		t.Fatalf("recall published %+v, want a retraction for everyone and the moderators told", ev)
	}
	wantCode(t, "recalling twice", func() error { _, err := f.RecallComment(ctx, visible.ID, "u1", past); return err }(), errs.NotFound)
	if _, err := f.RecallComment(ctx, shadowed.ID, "u1", past); err != nil {
		t.Fatal(err)
	}
	if ev := f.take(); len(ev.Retracts) != 1 || ev.Retracts[0].User != "u1" {
		t.Fatalf("recalling a shadowed comment published %+v, want its sender told only", ev)
	}
	if _, err := f.RecallComment(ctx, held.ID, "u1", past); err != nil {
		t.Fatal(err)
	}
	if ev := f.take(); len(ev.Retracts) != 0 {
		t.Fatalf("recalling a held comment retracted %+v from viewers who never saw it", ev.Retracts)
	}
	if all, _ := f.CommentsByTimeFor(ctx, "r", "u1", 0, protocol.MaxTime*1000, 10); len(all) != 0 {
		t.Fatalf("replay after the recalls: %+v, want nothing", all)
	}
	if held, _ := f.HeldComments(ctx, "", 10); len(held) != 0 {
		t.Fatalf("held queue after the recall: %+v", held)
	}
	if room, _ := f.Room(ctx, "r"); room.CommentCount != 0 {
		t.Errorf("the room counts %d comments, want none", room.CommentCount)
	}
	put(t, f.Store, "again", store.Visible, "u1")
	if s := f.lastSignals(); s.Accepted != 0 || s.Removed != 0 {
		t.Errorf("after recalling, the record is %+v: a recall is neither shown nor removed", s)
	}
}

// TestHeatBins counts visible comments per second, by video time or by
// wall clock after a moment, up to a seq.
func TestHeatBins(t *testing.T) {
	f := openFeedback(t)
	ctx := context.Background()
	var last protocol.Comment
	for _, sec := range []float64{0.2, 0.9, 1, 5.5} {
		last = postAt(t, f.Store, sec)
	}
	held := put(t, f.Store, "not counted", store.Held, "u1")
	_ = held
	bins, err := f.HeatBins(ctx, store.HeatQuery{Room: "r", UpTo: last.Seq})
	if err != nil || !slices.Equal(bins, []store.HeatBin{{Second: 0, Count: 2}, {Second: 1, Count: 1}, {Second: 5, Count: 1}}) {
		t.Fatalf("by video time: %+v, %v", bins, err)
	}
	if bins, _ := f.HeatBins(ctx, store.HeatQuery{Room: "r", UpTo: last.Seq - 1}); len(bins) != 2 {
		t.Fatalf("up to the seq before the last: %+v, want two seconds", bins)
	}
	since := last.CreatedAt - 1500
	bins, err = f.HeatBins(ctx, store.HeatQuery{Room: "r", UpTo: last.Seq, Since: since})
	if err != nil || len(bins) != 1 || bins[0].Second != 1 || bins[0].Count < 1 {
		t.Fatalf("by wall clock: %+v, %v; want the comments stored since, a second in", bins, err)
	}
}

// postAt stores a visible comment at video second sec.
func postAt(t *testing.T, s *sqlite.Store, sec float64) protocol.Comment {
	t.Helper()
	return addComment(t, s, store.NewComment{
		Room: "r", Draft: protocol.Draft{Text: "x", Time: protocol.SecondsOf(sec), Mode: "scroll", Color: "#ffffff", Size: "medium"},
		User: protocol.User{ID: "u", Name: "U"},
	})
}

// addComment stores nc and waits for its answer.
func addComment(t *testing.T, s *sqlite.Store, nc store.NewComment) protocol.Comment {
	t.Helper()
	done := make(chan protocol.Comment, 1)
	err := s.AddComment(context.Background(), nc, func(c protocol.Comment, err error) {
		if err != nil {
			t.Error(err)
		}
		done <- c
	})
	if err != nil {
		t.Fatal(err)
	}
	return <-done
}
