package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// testLive: room modes, user actions and blocked terms are stored
// with an audit entry each, in one transaction; a change that fails
// writes no entry.
func testLive(t *testing.T, b Backend) {
	ctx := context.Background()
	s := open(t, b, Hooks{})
	audit := func(action string) store.AuditEntry {
		return store.AuditEntry{By: "m1", Room: "r", Action: action, Detail: action + " detail"}
	}

	t.Run("modes", func(t *testing.T) {
		if m, err := s.RoomModes(ctx, "r"); err != nil || m.Any() || m.Room != "r" {
			t.Fatalf("modes never set: %+v, %v", m, err)
		}
		if _, err := s.SetRoomModes(ctx, store.RoomModes{Room: "nowhere", Emergency: true}, audit("modes")); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("modes of a missing room: %v, want NotFound", err)
		}
		set, err := s.SetRoomModes(ctx, store.RoomModes{Room: "r", SlowSeconds: 30, Emergency: true}, audit("modes"))
		if err != nil || set.UpdatedBy != "m1" || set.UpdatedAt == nil {
			t.Fatalf("set: %+v, %v", set, err)
		}
		got, err := s.RoomModes(ctx, "r")
		if err != nil || got.SlowSeconds != 30 || !got.Emergency || got.UniqueWindow != 0 {
			t.Errorf("read back %+v, %v", got, err)
		}
		all, err := s.AllRoomModes(ctx)
		if err != nil || len(all) != 1 || all[0].Room != "r" {
			t.Errorf("rooms with modes: %+v, %v", all, err)
		}
		if _, err := s.SetRoomModes(ctx, store.RoomModes{Room: "r"}, audit("modes")); err != nil {
			t.Fatal(err)
		}
		if all, _ := s.AllRoomModes(ctx); len(all) != 0 {
			t.Errorf("a room with every mode off is still listed: %+v", all)
		}
	})

	t.Run("user actions", func(t *testing.T) {
		now := time.Now()
		past := protocol.TimestampOf(now.Add(-time.Minute))
		future := protocol.TimestampOf(now.Add(time.Hour))
		over, _ := s.AddUserAction(ctx, store.UserAction{Kind: store.ActTimeout, UserID: "u1", Until: &past, CreatedBy: "m1"}, audit("timeout"))
		timeout, _ := s.AddUserAction(ctx, store.UserAction{Kind: store.ActTimeout, UserID: "u2", Room: "r", Until: &future, CreatedBy: "m1"}, audit("timeout"))
		hide, _ := s.AddUserAction(ctx, store.UserAction{Kind: store.ActHide, UserID: "u3", CreatedBy: "m1"}, audit("hide"))
		purge, err := s.AddUserAction(ctx, store.UserAction{Kind: store.ActPurge, UserID: "u4", Room: "r", Comments: []int64{7, 8}, CreatedBy: "m1"}, audit("purge"))
		if err != nil || purge.ID == 0 {
			t.Fatalf("purge: %+v, %v", purge, err)
		}
		active, err := s.ActiveUserActions(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, a := range active {
			ids = append(ids, a.ID)
		}
		if want := []int64{timeout.ID, hide.ID}; !slices.Equal(ids, want) {
			t.Errorf("active actions %v, want %v (not %d: over; not %d: a purge)", ids, want, over.ID, purge.ID)
		}
		undone, did, err := s.UndoUserAction(ctx, hide.ID, store.AuditEntry{By: "m2", Action: "undo"})
		if err != nil || !did || undone.UndoneBy != "m2" || undone.UndoneAt == nil {
			t.Fatalf("undo: %+v, %t, %v", undone, did, err)
		}
		again, did, err := s.UndoUserAction(ctx, hide.ID, store.AuditEntry{By: "m3", Action: "undo"})
		if err != nil || did || again.UndoneBy != "m2" {
			t.Errorf("a second undo: %+v, %t, %v, want it unchanged", again, did, err)
		}
		if _, _, err := s.UndoUserAction(ctx, 999, store.AuditEntry{By: "m2", Action: "undo"}); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("undo of a missing action: %v", err)
		}
		list, err := s.UserActions(ctx, 10)
		if err != nil || len(list) != 4 || list[0].ID != purge.ID || !slices.Equal(list[0].Comments, []int64{7, 8}) {
			t.Errorf("user actions, newest first: %+v, %v", list, err)
		}
	})

	t.Run("terms", func(t *testing.T) {
		now := time.Now()
		soon := protocol.TimestampOf(now.Add(time.Minute))
		keep, _ := s.AddTerm(ctx, store.BlockedTerm{Term: "spoil*", Action: store.TermMask, CreatedBy: "m1"}, audit("term_add"))
		expiring, _ := s.AddTerm(ctx, store.BlockedTerm{Term: "oops", Room: "r", Action: store.TermHold, Until: &soon, CreatedBy: "m1"}, audit("term_add"))
		removed, _ := s.AddTerm(ctx, store.BlockedTerm{Term: "gone", Action: store.TermReject, CreatedBy: "m1"}, audit("term_add"))
		if _, err := s.RemoveTerm(ctx, removed.ID, audit("term_remove")); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			at   time.Time
			want []int64
		}{
			{"now", now, []int64{keep.ID, expiring.ID}},
			{"after the expiry", now.Add(2 * time.Minute), []int64{keep.ID}},
		} {
			terms, err := s.ActiveTerms(ctx, tc.at)
			var ids []int64
			for _, term := range terms {
				ids = append(ids, term.ID)
			}
			if err != nil || !slices.Equal(ids, tc.want) {
				t.Errorf("%s: terms %v, %v, want %v", tc.name, ids, err, tc.want)
			}
		}
		if _, err := s.AddTerm(ctx, store.BlockedTerm{Term: "x", Room: "nowhere", Action: store.TermMask, CreatedBy: "m1"}, audit("term_add")); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("a term of a missing room: %v", err)
		}
	})

	t.Run("audit log", func(t *testing.T) {
		all, err := s.AuditLog(ctx, store.AuditQuery{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range all {
			actions = append(actions, e.Action)
		}
		// Newest first; the failed changes (missing rooms, a missing action, a second undo) wrote none.
		want := []string{"term_remove", "term_add", "term_add", "term_add", "undo", "purge", "hide", "timeout", "timeout", "modes", "modes"}
		if !slices.Equal(actions, want) {
			t.Errorf("audit log %v, want %v", actions, want)
		}
		if all[0].By != "m1" || all[0].Detail != "term_remove detail" || all[0].At == 0 {
			t.Errorf("newest entry %+v", all[0])
		}
		page, err := s.AuditLog(ctx, store.AuditQuery{Before: all[1].ID, Limit: 2})
		if err != nil || len(page) != 2 || page[0].ID != all[2].ID {
			t.Errorf("page before %d: %+v, %v", all[1].ID, page, err)
		}
		if err := s.Audit(ctx, store.AuditEntry{By: "m1", Room: "other", Action: "ban"}); err != nil {
			t.Fatal(err)
		}
		other, err := s.AuditLog(ctx, store.AuditQuery{Room: "other", Limit: 10})
		if err != nil || len(other) != 1 || other[0].Action != "ban" {
			t.Errorf("room filter: %+v, %v", other, err)
		}
	})
}

// testRestore: restoring brings a deleted comment back with the
// room's next seq, fanned out; a comment that is not deleted is Conflict.
func testRestore(t *testing.T, b Backend) {
	ctx := context.Background()
	ev := &Recorder{}
	s := open(t, b, Hooks{OnCommit: ev.Add})
	c := put(t, s, "bring me back", store.Visible, "u1")
	if _, err := s.Decide(ctx, []int64{c.ID}, store.Restore, "m1"); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("restoring a visible comment: %v, want Conflict", err)
	}
	if _, err := s.Decide(ctx, []int64{c.ID}, store.Delete, "m1"); err != nil {
		t.Fatal(err)
	}
	ev.TakeAfter(t, s)
	back, err := s.Decide(ctx, []int64{c.ID}, store.Restore, "m1")
	if err != nil || len(back) != 1 || back[0].Status != string(store.Visible) || back[0].Seq <= c.Seq {
		t.Fatalf("restore: %+v, %v, want it visible with a new seq after %d", back, err, c.Seq)
	}
	if got := ev.TakeAfter(t, s).Comments; len(got) != 1 || got[0].ID != c.ID {
		t.Errorf("events %+v, want the restored comment fanned out", got)
	}
}
