package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// weigher shows its signals plainly (5 + likes − 2 × reports + accepted −
// removed) and remembers what it was asked.
type weigher struct {
	mu      sync.Mutex
	signals []store.QualitySignals
}

func (w *weigher) weigh(s store.QualitySignals) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.signals = append(w.signals, s)
	return int(5 + s.Likes - 2*s.Reports + s.Accepted - s.Removed)
}

// last returns what the weigher was last asked.
func (w *weigher) last() store.QualitySignals {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.signals[len(w.signals)-1]
}

// openFeedback opens a store with rooms r and q, the weigher and a
// recorder of its events.
func openFeedback(t *testing.T, b Backend) (Store, *weigher, *Recorder) {
	t.Helper()
	w, ev := &weigher{}, &Recorder{}
	s := open(t, b, Hooks{OnCommit: ev.Add, Weigh: w.weigh})
	if _, err := s.CreateRoom(context.Background(), store.Room{ID: "q", Title: "Q", Kind: store.KindVOD}); err != nil {
		t.Fatal(err)
	}
	return s, w, ev
}

// TakeAfter returns what was published since the last Take, once every
// call to s that returned has had its events delivered: a call that
// returned has committed, but its events reach OnCommit after its answer,
// so a readiness check through the writer (delivered in commit order)
// is a barrier.
func (r *Recorder) TakeAfter(t *testing.T, s Store) store.Events {
	t.Helper()
	if err := s.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r.Take()
}

// wantCode fails the test unless err has code.
func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if err == nil || errs.CodeOf(err) != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

// like likes comment id as user.
func like(t *testing.T, s Store, id int64, user string) {
	t.Helper()
	if _, err := s.LikeComment(context.Background(), id, user, nil); err != nil {
		t.Fatal(err)
	}
}

// testWeights: a comment is weighed when stored, from its text and its
// sender's record, and again with every like and unlike; viewers hear of
// the changes.
func testWeights(t *testing.T, b Backend) {
	s, w, ev := openFeedback(t, b)
	ctx := context.Background()
	first := put(t, s, "first", store.Visible, "u1")
	if first.Weight != 5 || w.last().Accepted != 0 || !w.last().Sender || w.last().Text != "first" {
		t.Fatalf("first comment weighs %d from %+v, want 5 from a new sender's empty record", first.Weight, w.last())
	}
	second := put(t, s, "second", store.Visible, "u1")
	if second.Weight != 6 || w.last().Accepted != 1 {
		t.Fatalf("second comment weighs %d from %+v, want 6: one comment shown", second.Weight, w.last())
	}
	put(t, s, "held", store.Held, "u1")
	if w.last().Accepted != 2 {
		t.Fatalf("a held comment saw %+v, want two shown", w.last())
	}
	if got, err := s.CommentsAfter(ctx, "r", 0, 10); err != nil || len(got) != 2 || got[1].Weight != 6 {
		t.Fatalf("replay: %+v, %v; want the weights stored", got, err)
	}
	ev.TakeAfter(t, s)

	like(t, s, first.ID, "fan1")
	like(t, s, first.ID, "fan1") // the same viewer again changes nothing
	like(t, s, first.ID, "fan2")
	if got := ev.TakeAfter(t, s).Weights; len(got) != 2 || got[0] != (store.WeightChange{Room: "r", CommentID: first.ID, Weight: 8}) || got[1].Weight != 9 {
		t.Fatalf("weights after two likes: %+v, want 8 then 9 (likes and the record of two shown)", got)
	}
	change, err := s.UnlikeComment(ctx, first.ID, "fan2", []string{"r"})
	if err != nil || change.Likes != 1 {
		t.Fatalf("unlike: %+v, %v; want 1 like left", change, err)
	}
	published := ev.TakeAfter(t, s)
	if len(published.Weights) != 1 || published.Weights[0].Weight != 8 || len(published.Likes) != 1 || published.Likes[0].Likes != 1 {
		t.Fatalf("unlike published %+v, want weight 8 and 1 like", published)
	}
	if change, err := s.UnlikeComment(ctx, first.ID, "fan2", nil); err != nil || change.Likes != 1 || len(ev.TakeAfter(t, s).Likes) != 0 {
		t.Fatalf("a second unlike: %+v, %v; want nothing changed", change, err)
	}
	wantCode(t, "unlike from a socket in another room", func() error { _, err := s.UnlikeComment(ctx, first.ID, "fan1", []string{"q"}); return err }(), errs.Forbidden)
	wantCode(t, "unlike of an unknown comment", func() error { _, err := s.UnlikeComment(ctx, 1<<40, "fan1", nil); return err }(), errs.NotFound)
	if change, err := s.UnlikeComment(ctx, first.ID, "fan1", nil); err != nil || change.Likes != 0 || change.Room != "r" {
		t.Fatalf("unlike in any room: %+v, %v", change, err)
	}

	// A moderator removing u1's comment counts against their record.
	if _, err := s.Decide(ctx, []int64{second.ID}, store.Delete, "m1"); err != nil {
		t.Fatal(err)
	}
	put(t, s, "third", store.Visible, "u1")
	if got := w.last(); got.Accepted != 1 || got.Removed != 1 {
		t.Fatalf("after a delete the record is %+v, want one shown and one removed", got)
	}
}

// testLikedBy: what one viewer liked in a room, nothing of another room
// or of deleted comments.
func testLikedBy(t *testing.T, b Backend) {
	s, _, _ := openFeedback(t, b)
	ctx := context.Background()
	a := put(t, s, "a", store.Visible, "u1")
	bc := put(t, s, "b", store.Visible, "u1")
	c := put(t, s, "c", store.Visible, "u1")
	like(t, s, a.ID, "me")
	like(t, s, c.ID, "me")
	like(t, s, bc.ID, "someone else")
	if _, err := s.LikeRoom(ctx, "r", "me"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decide(ctx, []int64{c.ID}, store.Delete, "m1"); err != nil {
		t.Fatal(err)
	}
	liked, err := s.LikedBy(ctx, "r", "me", 100)
	if err != nil || !liked.Room || !slices.Equal(liked.Comments, []int64{a.ID}) {
		t.Fatalf("liked in r: %+v, %v; want the room and a", liked, err)
	}
	if liked, err := s.LikedBy(ctx, "q", "me", 100); err != nil || liked.Room || len(liked.Comments) != 0 {
		t.Fatalf("liked in q: %+v, %v; want nothing", liked, err)
	}
}

// testReports: reports count once per viewer, weigh a comment down, reach
// moderators, and past the threshold hide it until a moderator decides; a
// decision or a dismissal clears them.
func testReports(t *testing.T, b Backend) {
	s, _, ev := openFeedback(t, b)
	ctx := context.Background()
	c := put(t, s, "buy followers at example.com", store.Visible, "spammer")
	other := put(t, s, "fine", store.Visible, "u2")
	ev.TakeAfter(t, s)
	report := func(id int64, user, reason string) (store.ReportResult, error) {
		return s.ReportComment(ctx, store.NewReport{CommentID: id, UserID: user, Reason: reason, IP: "192.0.2.9", HideAt: 3})
	}

	wantCode(t, "reporting one's own comment", func() error { _, err := report(c.ID, "spammer", "spam"); return err }(), errs.Invalid)
	wantCode(t, "reporting an unknown comment", func() error { _, err := report(1<<40, "v1", "spam"); return err }(), errs.NotFound)
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
	published := ev.TakeAfter(t, s)
	if len(published.Moderated) != 2 || published.Moderated[1].Reports != 2 || len(published.Weights) != 2 || len(published.Retracts) != 0 {
		t.Fatalf("two reports published %+v, want the moderators told twice and two weight changes", published)
	}
	queue, err := s.ReportedComments(ctx, "", 10)
	if err != nil || len(queue) != 1 || queue[0].ID != c.ID || queue[0].Reports != 2 || queue[0].Reasons["spam"] != 1 || queue[0].Reasons["ads"] != 1 {
		t.Fatalf("reported queue: %+v, %v", queue, err)
	}
	if queue, err := s.ReportedComments(ctx, "q", 10); err != nil || len(queue) != 0 {
		t.Fatalf("reported queue of another room: %+v, %v; want empty", queue, err)
	}

	res, err = report(c.ID, "v3", "spam")
	if err != nil || !res.Hidden || res.Comment.Status != "held" || res.Comment.Note != "reported by 3 viewers: spam ×2, ads" {
		t.Fatalf("third report: %+v, %v; want it held with a note", res, err)
	}
	published = ev.TakeAfter(t, s)
	if len(published.Retracts) != 1 || published.Retracts[0].Room != "r" || published.Retracts[0].User != "" ||
		!slices.Equal(published.Retracts[0].IDs, []int64{c.ID}) || len(published.Weights) != 0 {
		t.Fatalf("hiding published %+v, want it retracted from every viewer and no weight frame", published)
	}
	if after, _ := s.CommentsAfter(ctx, "r", 0, 10); len(after) != 1 || after[0].ID != other.ID {
		t.Fatalf("replay after hiding: %+v, want only the other comment", after)
	}
	if held, _ := s.HeldComments(ctx, "r", 10); len(held) != 1 || held[0].ID != c.ID {
		t.Fatalf("held queue: %+v", held)
	}
	wantCode(t, "reporting a hidden comment", func() error { _, err := report(c.ID, "v4", "spam"); return err }(), errs.NotFound)
	if room, _ := s.Room(ctx, "r"); room.CommentCount != 1 {
		t.Errorf("the room counts %d comments, want 1 shown", room.CommentCount)
	}

	// The moderator approves: shown again with a new seq, reports reviewed.
	changed, err := s.Decide(ctx, []int64{c.ID}, store.Approve, "m1")
	if err != nil || len(changed) != 1 || changed[0].Reports != 0 || changed[0].Seq != 3 {
		t.Fatalf("approve: %+v, %v", changed, err)
	}
	if queue, _ := s.ReportedComments(ctx, "", 10); len(queue) != 0 {
		t.Fatalf("reported queue after approval: %+v, want empty", queue)
	}
	if got := ev.TakeAfter(t, s).Weights; len(got) != 1 || got[0].Weight != 6 {
		t.Fatalf("approval published weights %+v, want it weighed without its reviewed reports", got)
	}

	// Dismissing keeps a comment as it is and clears its reports.
	if _, err := report(other.ID, "v1", "other"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "dismissing an unknown comment", func() error { _, err := s.DismissReports(ctx, []int64{other.ID, 1 << 40}, "m1"); return err }(), errs.NotFound)
	dismissed, err := s.DismissReports(ctx, []int64{other.ID, other.ID, c.ID}, "m1")
	if err != nil || len(dismissed) != 1 || dismissed[0].ID != other.ID || dismissed[0].Reports != 0 || dismissed[0].Status != "visible" {
		t.Fatalf("dismiss: %+v, %v; want the other comment, visible, with no reports", dismissed, err)
	}
	if queue, _ := s.ReportedComments(ctx, "", 10); len(queue) != 0 {
		t.Fatalf("reported queue after dismissal: %+v, want empty", queue)
	}
}

// testRecall: a sender's own comment, stored since the given time, leaves
// every screen (a shadowed one its sender's) and the replay.
func testRecall(t *testing.T, b Backend) {
	s, w, ev := openFeedback(t, b)
	ctx := context.Background()
	visible := put(t, s, "oops", store.Visible, "u1")
	shadowed := put(t, s, "shh", store.Shadowed, "u1")
	held := put(t, s, "wait", store.Held, "u1")
	ev.TakeAfter(t, s)
	past := time.Now().Add(-time.Minute)

	wantCode(t, "someone else's comment", func() error { _, err := s.RecallComment(ctx, visible.ID, "u2", past); return err }(), errs.Forbidden)
	wantCode(t, "an old comment", func() error {
		_, err := s.RecallComment(ctx, visible.ID, "u1", visible.CreatedAt.Time().Add(time.Millisecond))
		return err
	}(), errs.Conflict)
	wantCode(t, "an unknown comment", func() error { _, err := s.RecallComment(ctx, 1<<40, "u1", past); return err }(), errs.NotFound)

	m, err := s.RecallComment(ctx, visible.ID, "u1", visible.CreatedAt.Time())
	if err != nil || m.Status != "deleted" || m.Note != "recalled by its sender" {
		t.Fatalf("recall at the window's edge: %+v, %v", m, err)
	}
	published := ev.TakeAfter(t, s)
	if len(published.Retracts) != 1 || published.Retracts[0].User != "" || published.Retracts[0].IDs[0] != visible.ID || len(published.Moderated) != 1 {
		t.Fatalf("recall published %+v, want a retraction for everyone and the moderators told", published)
	}
	wantCode(t, "recalling twice", func() error { _, err := s.RecallComment(ctx, visible.ID, "u1", past); return err }(), errs.NotFound)
	if _, err := s.RecallComment(ctx, shadowed.ID, "u1", past); err != nil {
		t.Fatal(err)
	}
	if published := ev.TakeAfter(t, s); len(published.Retracts) != 1 || published.Retracts[0].User != "u1" {
		t.Fatalf("recalling a shadowed comment published %+v, want its sender told only", published)
	}
	if _, err := s.RecallComment(ctx, held.ID, "u1", past); err != nil {
		t.Fatal(err)
	}
	if published := ev.TakeAfter(t, s); len(published.Retracts) != 0 {
		t.Fatalf("recalling a held comment retracted %+v from viewers who never saw it", published.Retracts)
	}
	if all, _ := s.CommentsByTimeFor(ctx, "r", "u1", 0, protocol.MaxTime*1000, 10); len(all) != 0 {
		t.Fatalf("replay after the recalls: %+v, want nothing", all)
	}
	if held, _ := s.HeldComments(ctx, "", 10); len(held) != 0 {
		t.Fatalf("held queue after the recall: %+v", held)
	}
	if room, _ := s.Room(ctx, "r"); room.CommentCount != 0 {
		t.Errorf("the room counts %d comments, want none", room.CommentCount)
	}
	put(t, s, "again", store.Visible, "u1")
	if got := w.last(); got.Accepted != 0 || got.Removed != 0 {
		t.Errorf("after recalling, the record is %+v: a recall is neither shown nor removed", got)
	}
}

// testHeatBins counts visible comments per second, by video time or by
// wall clock after a moment, up to a seq.
func testHeatBins(t *testing.T, b Backend) {
	s, _, _ := openFeedback(t, b)
	ctx := context.Background()
	var stored []protocol.Comment
	for _, ms := range []int64{200, 900, 1000, 5500} {
		stored = append(stored, putAt(t, s, "r", "x", ms, store.Visible, "u"))
	}
	putAt(t, s, "r", "not counted", 2000, store.Held, "u1")
	putAt(t, s, "q", "another room", 3000, store.Visible, "u1")
	last := stored[len(stored)-1]
	since := last.CreatedAt - 1500
	// byClock is what the wall-clock curve holds of stored, by the
	// times the store gave them.
	byClock := func(upTo int64) []store.HeatBin {
		var out []store.HeatBin
		for _, c := range stored {
			if c.Seq > upTo || c.CreatedAt < since {
				continue
			}
			sec := int64(c.CreatedAt-since) / 1000
			if n := len(out); n > 0 && out[n-1].Second == sec {
				out[n-1].Count++
			} else {
				out = append(out, store.HeatBin{Second: sec, Count: 1})
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    store.HeatQuery
		want []store.HeatBin
	}{
		{"by video time", store.HeatQuery{Room: "r", UpTo: last.Seq}, []store.HeatBin{{Second: 0, Count: 2}, {Second: 1, Count: 1}, {Second: 5, Count: 1}}},
		{"up to the seq before the last", store.HeatQuery{Room: "r", UpTo: last.Seq - 1}, []store.HeatBin{{Second: 0, Count: 2}, {Second: 1, Count: 1}}},
		{"by wall clock", store.HeatQuery{Room: "r", UpTo: last.Seq, Since: since}, byClock(last.Seq)},
		{"by wall clock before the last", store.HeatQuery{Room: "r", UpTo: last.Seq - 1, Since: since}, byClock(last.Seq - 1)},
		{"an empty room", store.HeatQuery{Room: "nope", UpTo: 100}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.HeatBins(ctx, tc.q)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("HeatBins(%+v) = %+v, %v; want %+v", tc.q, got, err, tc.want)
			}
		})
	}
}
