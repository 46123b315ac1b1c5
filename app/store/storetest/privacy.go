package storetest

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// testSessionRecords: sessions are stored, read, extended, ended one by
// one or all of a user's (with a cutoff that never moves back), and
// purged once expired.
func testSessionRecords(t *testing.T, b Backend) {
	ctx := context.Background()
	s := open(t, b, Hooks{})
	now := time.Now().Truncate(time.Millisecond)
	for _, sess := range []store.Session{
		{ID: "a", UserID: "u1", Created: now, Expires: now.Add(time.Hour)},
		{ID: "b", UserID: "u1", Created: now, Expires: now.Add(-time.Minute)}, // expired
		{ID: "c", UserID: "g-2", Guest: true, Created: now, Expires: now.Add(time.Hour)},
	} {
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSession(ctx, store.Session{ID: "a", UserID: "x", Created: now, Expires: now}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("a second session with id a: %v, want Conflict", err)
	}
	if got, err := s.Session(ctx, "c"); err != nil || got.UserID != "g-2" || !got.Guest || !got.Expires.Equal(now.Add(time.Hour)) {
		t.Fatalf("Session(c) = %+v, %v", got, err)
	}
	if _, err := s.Session(ctx, "nope"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("an unknown session: %v, want NotFound", err)
	}
	if err := s.ExtendSession(ctx, "c", now.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Session(ctx, "c"); !got.Expires.Equal(now.Add(48 * time.Hour)) {
		t.Fatalf("extended to %s", got.Expires)
	}
	if err := s.ExtendSession(ctx, "nope", now); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("extending an unknown session: %v, want NotFound", err)
	}
	stopped, stop := context.WithCancel(ctx)
	stop()
	if n, err := s.PurgeSessions(stopped, now); !errors.Is(err, context.Canceled) || n != 0 {
		t.Fatalf("a purge whose context ended: %d, %v; want none and context.Canceled", n, err)
	}
	if n, err := s.PurgeSessions(ctx, now); err != nil || n != 1 {
		t.Fatalf("purge: %d, %v; want the expired one", n, err)
	}
	if err := s.EndSession(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if err := s.EndSession(ctx, "c"); err != nil {
		t.Fatalf("ending an ended session: %v", err)
	}
	if _, err := s.Session(ctx, "c"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("an ended session: %v, want NotFound", err)
	}
	if cut, err := s.SessionCutoff(ctx, "u1"); err != nil || !cut.IsZero() {
		t.Fatalf("cutoff before any sign-out: %s, %v", cut, err)
	}
	if n, err := s.EndUserSessions(ctx, "u1", now); err != nil || n != 1 {
		t.Fatalf("EndUserSessions: %d, %v; want 1", n, err)
	}
	// A later call with an earlier cutoff never moves it back.
	if _, err := s.EndUserSessions(ctx, "u1", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if cut, err := s.SessionCutoff(ctx, "u1"); err != nil || !cut.Equal(now) {
		t.Fatalf("cutoff %s, %v; want %s", cut, err, now)
	}
	if got, err := s.UserSessions(ctx, "u1"); err != nil || len(got) != 0 {
		t.Fatalf("u1's sessions after ending them: %+v, %v", got, err)
	}
}

// testEraseAddresses: addresses of comments older than the cutoff, and
// of bans that ended before it, are erased; bans in force keep theirs.
func testEraseAddresses(t *testing.T, b Backend) {
	ctx := context.Background()
	s := open(t, b, Hooks{})
	old := put(t, s, "old", store.Visible, "u1") // put stores 192.0.2.1
	cutoff := time.Now().Add(time.Millisecond)
	for time.Now().Before(cutoff) { // comments take the writer's clock: let it pass the cutoff
		time.Sleep(time.Millisecond)
	}
	recent := put(t, s, "recent", store.Visible, "u2")

	bans, err := s.LoadBlocklist(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ban := func(user, prefix string) store.Ban {
		t.Helper()
		b, err := bans.Ban(ctx, store.Ban{UserID: user, IP: netip.MustParsePrefix(prefix), Reason: "r", CreatedBy: "m1"})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	inForce := ban("", "203.0.113.0/24")
	liftedAddr := ban("", "198.51.100.7/32")
	liftedUser := ban("u9", "198.51.100.8/32")
	for _, b := range []store.Ban{liftedAddr, liftedUser} {
		if _, err := bans.Lift(ctx, b.ID, "m1"); err != nil {
			t.Fatal(err)
		}
	}

	// A sweep whose context ended (the server is stopping) changes
	// nothing: it does not run on through a backlog.
	stopped, stop := context.WithCancel(ctx)
	stop()
	if got, err := s.EraseAddresses(stopped, time.Now().Add(time.Hour)); !errors.Is(err, context.Canceled) || got.Comments+got.Bans != 0 {
		t.Fatalf("a sweep whose context ended erased %+v, %v; want nothing and context.Canceled", got, err)
	}

	got, err := s.EraseAddresses(ctx, cutoff)
	if err != nil || got.Comments != 1 || got.Bans != 0 {
		t.Fatalf("erased %+v, %v; want the old comment's address and no ban (they ended after the cutoff)", got, err)
	}
	recentList, err := s.RecentComments(ctx, store.RecentQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range recentList {
		if want := map[int64]string{old.ID: "", recent.ID: "192.0.2.1"}[c.ID]; c.IP != want {
			t.Errorf("comment %d keeps address %q, want %q", c.ID, c.IP, want)
		}
	}

	got, err = s.EraseAddresses(ctx, time.Now().Add(time.Hour))
	if err != nil || got.Comments != 1 || got.Bans != 2 {
		t.Fatalf("erased %+v, %v; want the recent comment's address and both ended bans'", got, err)
	}
	history, err := s.BanHistory(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]store.Ban{}
	for _, b := range history {
		byID[b.ID] = b
	}
	if b, ok := byID[inForce.ID]; !ok || b.IP != inForce.IP {
		t.Errorf("the ban in force: %+v, want its address kept", b)
	}
	if _, ok := byID[liftedAddr.ID]; ok {
		t.Errorf("the ended ban by address alone is still there")
	}
	if b, ok := byID[liftedUser.ID]; !ok || b.UserID != "u9" || b.IP.IsValid() {
		t.Errorf("the ended ban of a user and address: %+v, want the user kept and the address erased", b)
	}
	if _, ok, err := bans.Lookup(ctx, plugins.BlockQuery{Room: "r", IP: netip.MustParseAddr("203.0.113.9")}); !ok || err != nil {
		t.Errorf("the ban in force no longer blocks its addresses: %v, %v", ok, err)
	}
}

// testEraseUser: a user's comments are emptied (ids and seqs kept),
// likes taken back, sessions ended and row deleted; viewers hear of it.
func testEraseUser(t *testing.T, b Backend) {
	ctx := context.Background()
	ev := &Recorder{}
	s := open(t, b, Hooks{OnCommit: ev.Add})
	visible := put(t, s, "mine", store.Visible, "e")
	shadowed := put(t, s, "hidden", store.Shadowed, "e")
	put(t, s, "held", store.Held, "e")
	other := put(t, s, "theirs", store.Visible, "o")
	if _, err := s.LikeComment(ctx, other.ID, "e", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LikeRoom(ctx, "r", "e"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LikeComment(ctx, visible.ID, "o", nil); err != nil { // someone else's like of hers stays theirs
		t.Fatal(err)
	}
	now := time.Now()
	if err := s.CreateSession(ctx, store.Session{ID: "s-e", UserID: "e", Created: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Room(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	ev.TakeAfter(t, s)

	got, err := s.EraseUser(ctx, "e", now)
	if err != nil || got != (store.Erasure{Comments: 3, Likes: 2, Sessions: 1, User: true}) {
		t.Fatalf("erased %+v, %v", got, err)
	}
	events := ev.TakeAfter(t, s)
	wantRetracts := map[int64]string{visible.ID: "", shadowed.ID: "e"} // room-wide, and to her own sockets
	for _, r := range events.Retracts {
		for _, id := range r.IDs {
			if want, ok := wantRetracts[id]; !ok || r.User != want {
				t.Errorf("retraction %+v of %d, want %v", r, id, wantRetracts)
			}
			delete(wantRetracts, id)
		}
	}
	if len(wantRetracts) != 0 {
		t.Errorf("not retracted: %v", wantRetracts)
	}
	if len(events.Likes) != 2 || len(events.Moderated) != 3 {
		t.Errorf("events: %d like changes, %d moderated; want 2 and 3", len(events.Likes), len(events.Moderated))
	}
	after, err := s.Room(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if after.CommentCount != before.CommentCount-1 || after.Likes != before.Likes-1 {
		t.Errorf("room counts went from %d comments, %d likes to %d, %d; want one fewer each",
			before.CommentCount, before.Likes, after.CommentCount, after.Likes)
	}
	data, err := s.UserData(ctx, "e")
	if err != nil || data.User != nil || len(data.Comments)+len(data.Likes)+len(data.Sessions) != 0 {
		t.Fatalf("left of e: %+v, %v", data, err)
	}
	list, err := s.RecentComments(ctx, store.RecentQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.ID == visible.ID && (c.Text != "" || c.User != (protocol.User{}) || c.IP != "" || c.Status != string(store.Deleted) || c.Seq != visible.Seq) {
			t.Errorf("her visible comment is now %+v: want emptied, deleted, its seq kept", c)
		}
	}
	if again, err := s.EraseUser(ctx, "e", now); err != nil || again != (store.Erasure{}) {
		t.Fatalf("erasing again: %+v, %v; want nothing left to do", again, err)
	}
}

// testErasingTwoUsersWithTheSameIdempotencyKey: keys are unique per user,
// and erased comments belong to nobody, so erasure drops their keys.
func testErasingTwoUsersWithTheSameIdempotencyKey(t *testing.T, b Backend) {
	ctx := context.Background()
	s := open(t, b, Hooks{})
	for _, user := range []string{"a", "b"} {
		done := make(chan error, 1)
		if err := s.AddComment(ctx, store.NewComment{
			Room: "r", Draft: protocol.Draft{Text: "hi", Mode: "scroll", Color: "#ffffff", Size: "medium"},
			User: protocol.User{ID: user, Name: user}, Key: "k1",
		}, func(_ protocol.Comment, err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for _, user := range []string{"a", "b"} {
		if got, err := s.EraseUser(ctx, user, time.Now()); err != nil || got.Comments != 1 {
			t.Fatalf("erasing %s: %+v, %v", user, got, err)
		}
	}
}
