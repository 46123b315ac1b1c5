package ingest_test

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/ingest"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// fakeModerator answers every comment with one verdict, or rewrites its text.
type fakeModerator struct {
	verdict  moderation.Verdict
	err      error
	rewrite  string
	calls    int
	released []int64 // comments ReleaseLater was asked to release
}

func (m *fakeModerator) ReleaseLater(id int64, _ time.Duration) { m.released = append(m.released, id) }

func (m *fakeModerator) Moderate(_ context.Context, _ string, _ moderation.Sender, d *protocol.Draft) (moderation.Verdict, error) {
	m.calls++
	if m.rewrite != "" {
		d.Text = m.rewrite
	}
	return m.verdict, m.err
}

// fakeWriter stores comments in memory, numbering them, and answers before
// AddComment returns, so that everything Submit does after the commit
// (feed, shadow frames) has happened when SubmitWait returns.
type fakeWriter struct {
	mu    sync.Mutex
	added []store.NewComment
	seq   int64
	err   error // returned by AddComment: nothing queued
	fail  error // passed to done: the commit failed
	keyed map[string]store.Stored
}

// CommentByKey finds a comment AddComment stored with an idempotency key.
func (w *fakeWriter) CommentByKey(_ context.Context, userID, key string, _ time.Time) (store.Stored, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if st, ok := w.keyed[userID+"\x00"+key]; ok {
		return st, nil
	}
	return store.Stored{}, errs.New(errs.NotFound, "no such key")
}

func (w *fakeWriter) AddComment(_ context.Context, c store.NewComment, done func(protocol.Comment, error)) error {
	if w.err != nil {
		return w.err
	}
	w.mu.Lock()
	w.added = append(w.added, c)
	w.seq++
	stored := protocol.Comment{ID: w.seq, Seq: w.seq, Room: c.Room, Text: c.Draft.Text, User: c.User}
	if c.Key != "" {
		if w.keyed == nil {
			w.keyed = map[string]store.Stored{}
		}
		w.keyed[c.User.ID+"\x00"+c.Key] = store.Stored{Comment: stored, Status: c.Status}
	}
	w.mu.Unlock()
	if w.fail != nil {
		done(protocol.Comment{}, w.fail)
		return nil
	}
	done(stored, nil)
	return nil
}

// fakeHub records what would fan out.
type fakeHub struct {
	mu        sync.Mutex
	published []protocol.Comment
	likes     []hub.LikeCount
	retracted map[string][]int64
	sent      map[string]int // user id -> frames sent to that user's members only
	members   []ingest.UserMember
	weights   map[string]map[int64]int
}

func (h *fakeHub) PublishWeights(_ context.Context, room string, weights map[int64]int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.weights == nil {
		h.weights = map[string]map[int64]int{}
	}
	h.weights[room] = weights
}

func (h *fakeHub) PublishComments(_ context.Context, items []protocol.Comment) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.published = append(h.published, items...)
}

func (h *fakeHub) NoteLikes(_ context.Context, changes []hub.LikeCount) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.likes = append(h.likes, changes...)
}

func (h *fakeHub) PublishRetract(_ context.Context, room string, ids []int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.retracted == nil {
		h.retracted = map[string][]int64{}
	}
	h.retracted[room] = append(h.retracted[room], ids...)
}

func (h *fakeHub) PublishCommentsToUser(ctx context.Context, room, user string, _ []protocol.Comment) {
	h.PublishToUser(ctx, room, user, nil)
}

func (h *fakeHub) PublishToUser(_ context.Context, _, user string, _ []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sent == nil {
		h.sent = map[string]int{}
	}
	for _, m := range h.members {
		if m.UserID() == user {
			h.sent[m.UserID()]++
		}
	}
}

type member string

func (m member) Send([]byte)    {}
func (m member) UserID() string { return string(m) }

type fakeFeed struct {
	mu    sync.Mutex
	items []store.ModComment
}

func (f *fakeFeed) NoteComments(items []store.ModComment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, items...)
}

// fakeObserver counts outcomes as "via/outcome/reason/plugin".
type fakeObserver struct {
	mu     sync.Mutex
	counts map[string]int
}

func (o *fakeObserver) add(k string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.counts == nil {
		o.counts = map[string]int{}
	}
	o.counts[k]++
}
func (o *fakeObserver) CommentReceived(via string) { o.add(via + "/received") }
func (o *fakeObserver) CommentAccepted(via string) { o.add(via + "/accepted") }
func (o *fakeObserver) CommentRejected(via, reason, plugin string) {
	o.add(via + "/rejected/" + reason + "/" + plugin)
}

type fixture struct {
	mod  *fakeModerator
	w    *fakeWriter
	hub  *fakeHub
	feed *fakeFeed
	obs  *fakeObserver
	svc  *ingest.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{mod: &fakeModerator{verdict: moderation.Verdict{Status: store.Visible}}, w: &fakeWriter{},
		hub: &fakeHub{members: []ingest.UserMember{member("alice"), member("bob")}}, feed: &fakeFeed{}, obs: &fakeObserver{}}
	f.svc = ingest.New(ingest.Deps{Limits: protocol.Limits{MinRunes: 1, MaxRunes: 10}, Moderator: f.mod,
		Store: f.w, Hub: f.hub, Feed: f.feed, Observer: f.obs})
	return f
}

var alice = moderation.Sender{Identity: auth.Identity{ID: "alice", Name: "Alice"}, IP: netip.MustParseAddr("192.0.2.1"), Via: moderation.ViaREST}

func TestSubmit(t *testing.T) {
	tests := []struct {
		name       string
		text       string
		setup      func(*fixture)
		wantCode   errs.Code // "" for success
		wantStored bool      // AddComment was called
		wantCount  string
		check      func(*testing.T, *fixture, protocol.Comment)
	}{
		{name: "accepted", text: "hello", wantStored: true, wantCount: "rest/accepted",
			check: func(t *testing.T, f *fixture, c protocol.Comment) {
				if c.Seq != 1 || c.Text != "hello" || c.User.ID != "alice" {
					t.Errorf("stored comment = %+v", c)
				}
				if got := f.w.added[0]; got.IP != "192.0.2.1" || got.Status != store.Visible {
					t.Errorf("written = %+v, want the sender's IP and visible", got)
				}
				if len(f.feed.items) != 1 || f.feed.items[0].Status != string(store.Visible) {
					t.Errorf("feed heard %+v, want the comment as visible", f.feed.items)
				}
			}},
		{name: "invalid text never reaches moderation", text: "this text is too long", wantCode: errs.Invalid, wantCount: "rest/rejected/invalid/",
			check: func(t *testing.T, f *fixture, _ protocol.Comment) {
				if f.mod.calls != 0 {
					t.Errorf("moderator called %d times for an invalid comment", f.mod.calls)
				}
			}},
		{name: "rejected by a plugin", text: "spam", wantCode: errs.Rejected, wantCount: "rest/rejected/rejected/words",
			setup: func(f *fixture) {
				f.mod.verdict = moderation.Verdict{Plugin: "words"}
				f.mod.err = errs.New(errs.Rejected, "no")
			}},
		{name: "a failed plugin counts as plugin_error", text: "x", wantCode: errs.Rejected, wantCount: "rest/rejected/plugin_error/slow",
			setup: func(f *fixture) {
				f.mod.verdict = moderation.Verdict{Plugin: "slow", Failed: true}
				f.mod.err = errs.New(errs.Rejected, "try again")
			}},
		{name: "rewritten text is what is stored", text: "bad", wantStored: true, wantCount: "rest/accepted", setup: func(f *fixture) { f.mod.rewrite = "***" },
			check: func(t *testing.T, f *fixture, c protocol.Comment) {
				if c.Text != "***" || f.w.added[0].Draft.Text != "***" {
					t.Errorf("stored %q, written %q, want the rewrite", c.Text, f.w.added[0].Draft.Text)
				}
			}},
		{name: "held is stored but answered Held", text: "link", wantCode: errs.Held, wantStored: true, wantCount: "rest/rejected/held/links",
			setup: func(f *fixture) {
				f.mod.verdict = moderation.Verdict{Status: store.Held, Reason: "waits", Note: "links: waits", Plugin: "links"}
			},
			check: func(t *testing.T, f *fixture, _ protocol.Comment) {
				if f.w.added[0].Status != store.Held || f.w.added[0].Note != "links: waits" {
					t.Errorf("written %+v, want held with the note", f.w.added[0])
				}
				if len(f.feed.items) != 1 || f.feed.items[0].Status != string(store.Held) {
					t.Errorf("feed heard %+v, want the held comment", f.feed.items)
				}
			}},
		{name: "delayed is stored held and released later", text: "soon", wantCode: errs.Delayed, wantStored: true, wantCount: "rest/rejected/delayed/",
			setup: func(f *fixture) {
				f.mod.verdict = moderation.Verdict{Status: store.Held, Delay: 5 * time.Second, Reason: "Chat delay: your comment shows in 5 s"}
			},
			check: func(t *testing.T, f *fixture, _ protocol.Comment) {
				if f.w.added[0].Status != store.Held {
					t.Errorf("written %+v, want held until the delay is over", f.w.added[0])
				}
				if len(f.mod.released) != 1 || f.mod.released[0] == 0 {
					t.Errorf("released %v, want the stored comment's id once", f.mod.released)
				}
			}},
		{name: "shadowed reaches only the sender's sockets", text: "hm", wantStored: true, wantCount: "rest/rejected/shadowed/flood",
			setup: func(f *fixture) { f.mod.verdict = moderation.Verdict{Status: store.Shadowed, Plugin: "flood"} },
			check: func(t *testing.T, f *fixture, c protocol.Comment) {
				if c.Seq == 0 {
					t.Errorf("the sender's ack carries no comment")
				}
				if f.hub.sent["alice"] != 1 || f.hub.sent["bob"] != 0 {
					t.Errorf("shadow frames per user = %v, want alice's only", f.hub.sent)
				}
			}},
		{name: "a full writer is the sender's error", text: "hi", wantCode: errs.Unavailable, wantCount: "rest/rejected/unavailable/",
			setup: func(f *fixture) { f.w.err = errs.New(errs.Unavailable, "busy") }},
		{name: "a failed commit is the sender's error", text: "hi", wantCode: errs.Internal, wantStored: true, wantCount: "rest/rejected/internal/",
			setup: func(f *fixture) { f.w.fail = errors.New("disk full") },
			check: func(t *testing.T, f *fixture, _ protocol.Comment) {
				if len(f.feed.items) != 0 {
					t.Errorf("feed heard of a comment that was never stored: %+v", f.feed.items)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			c, err := f.svc.SubmitWait(context.Background(), "room", alice, protocol.CommentInput{Text: tt.text})
			var got errs.Code
			if err != nil {
				got = errs.CodeOf(err)
			}
			if got != tt.wantCode {
				t.Fatalf("err = %v (code %q), want code %q", err, got, tt.wantCode)
			}
			if stored := len(f.w.added) > 0; stored != tt.wantStored {
				t.Errorf("written = %v, want %v", stored, tt.wantStored)
			}
			if f.obs.counts["rest/received"] != 1 || f.obs.counts[tt.wantCount] != 1 || len(f.obs.counts) != 2 {
				t.Errorf("counted %v, want received once and %s once", f.obs.counts, tt.wantCount)
			}
			if tt.check != nil {
				tt.check(t, f, c)
			}
		})
	}
}

func TestRefusedIsCountedOnce(t *testing.T) {
	f := newFixture(t)
	f.svc.Refused(moderation.ViaWS, errs.New(errs.Unauthorized, "sign in"))
	want := map[string]int{"ws/received": 1, "ws/rejected/unauthorized/": 1}
	if len(f.obs.counts) != len(want) || f.obs.counts["ws/received"] != 1 || f.obs.counts["ws/rejected/unauthorized/"] != 1 {
		t.Errorf("counted %v, want %v", f.obs.counts, want)
	}
}

func TestDeliver(t *testing.T) {
	f := newFixture(t)
	f.svc.Deliver(store.Events{
		Comments:  []protocol.Comment{{ID: 1, Room: "r", Seq: 1}},
		Likes:     []store.LikeChange{{Room: "r", CommentID: 1, Likes: 2}, {Room: "r", Likes: 5}},
		Retracts:  []store.Retraction{{Room: "r", IDs: []int64{1}}, {Room: "r", User: "bob", IDs: []int64{2}}},
		Moderated: []store.ModComment{{Comment: protocol.Comment{ID: 2, Status: string(store.Deleted)}}},
		Weights:   []store.WeightChange{{Room: "r", CommentID: 1, Weight: 7}, {Room: "q", CommentID: 3, Weight: 2}, {Room: "r", CommentID: 4, Weight: 0}},
	})
	if w := f.hub.weights; len(w) != 2 || len(w["r"]) != 2 || w["r"][1] != 7 || w["r"][4] != 0 || w["q"][3] != 2 {
		t.Errorf("weights published %v, want one frame per room with every change", w)
	}
	if len(f.feed.items) != 1 || f.feed.items[0].ID != 2 {
		t.Errorf("the feed heard %+v, want the moderated comment", f.feed.items)
	}
	if len(f.hub.published) != 1 {
		t.Errorf("published %d comments, want 1", len(f.hub.published))
	}
	wantLikes := []hub.LikeCount{{Room: "r", CommentID: 1, Likes: 2}, {Room: "r", Likes: 5}}
	if len(f.hub.likes) != 2 || f.hub.likes[0] != wantLikes[0] || f.hub.likes[1] != wantLikes[1] {
		t.Errorf("likes = %+v, want %+v", f.hub.likes, wantLikes)
	}
	if got := f.hub.retracted["r"]; len(got) != 1 || got[0] != 1 {
		t.Errorf("retracted from the room: %v, want [1]", got)
	}
	if f.hub.sent["bob"] != 1 || f.hub.sent["alice"] != 0 {
		t.Errorf("a shadowed comment's retraction went to %v, want bob only", f.hub.sent)
	}
}
