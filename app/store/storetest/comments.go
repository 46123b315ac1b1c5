package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/internal/hostile"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// testConcurrentSendersGetGaplessSeqs has many senders write to a few
// rooms at once: every room's seqs run 1…n with no gap or repeat, each
// ack carries the seq the store holds, and the events list every comment
// once, in seq order within each room.
func testConcurrentSendersGetGaplessSeqs(t *testing.T, b Backend) {
	const rooms, senders, each = 3, 24, 40
	ev := &Recorder{}
	s := open(t, b, Hooks{OnCommit: ev.Add})
	ctx := context.Background()
	for i := 1; i < rooms; i++ {
		if _, err := s.CreateRoom(ctx, store.Room{ID: fmt.Sprint("r", i), Title: "R", Kind: store.KindLive}); err != nil {
			t.Fatal(err)
		}
	}
	roomOf := func(i int) string {
		if i%rooms == 0 {
			return "r"
		}
		return fmt.Sprint("r", i%rooms)
	}
	acked := make(chan protocol.Comment, senders*each)
	var wg sync.WaitGroup
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				done := make(chan result, 1)
				c := store.NewComment{Room: roomOf(i), Draft: draft(fmt.Sprintf("%d-%d", i, j), int64(j)), User: protocol.User{ID: fmt.Sprint("u", i), Name: "U"}}
				if err := s.AddComment(ctx, c, func(got protocol.Comment, err error) { done <- result{got, err} }); err != nil {
					t.Error(err)
					return
				}
				r := <-done
				if r.err != nil {
					t.Error(r.err)
					return
				}
				acked <- r.c
			}
		}()
	}
	wg.Wait()
	close(acked)
	perRoom := map[string][]int64{}
	bySeq := map[string]map[int64]protocol.Comment{}
	for c := range acked {
		perRoom[c.Room] = append(perRoom[c.Room], c.Seq)
		if bySeq[c.Room] == nil {
			bySeq[c.Room] = map[int64]protocol.Comment{}
		}
		bySeq[c.Room][c.Seq] = c
	}
	published := map[string][]int64{}
	for _, c := range ev.TakeAfter(t, s).Comments {
		published[c.Room] = append(published[c.Room], c.Seq)
	}
	for room, seqs := range perRoom {
		slices.Sort(seqs)
		for i, seq := range seqs {
			if seq != int64(i+1) {
				t.Fatalf("room %s: acked seqs %v…, want 1…%d with no gap or repeat", room, seqs[:min(len(seqs), i+2)], len(seqs))
			}
		}
		if !slices.IsSorted(published[room]) || len(published[room]) != len(seqs) {
			t.Errorf("room %s: events carry seqs %v, want all %d in order", room, published[room], len(seqs))
		}
		stored, err := s.CommentsAfter(ctx, room, 0, 10*senders*each)
		if err != nil || len(stored) != len(seqs) {
			t.Fatalf("room %s: %d stored (%v), want %d", room, len(stored), err, len(seqs))
		}
		for _, c := range stored {
			if c != bySeq[room][c.Seq] {
				t.Fatalf("room %s: stored %+v, acked %+v", room, c, bySeq[room][c.Seq])
			}
		}
		r, err := s.Room(ctx, room)
		if err != nil || r.LastSeq != int64(len(seqs)) || r.CommentCount != int64(len(seqs)) {
			t.Errorf("room %+v (%v), want last_seq and comment_count %d", r, err, len(seqs))
		}
	}
}

// testHostileTextIsStoredVerbatim checks the storage layer alone, below
// validation and any moderation plugin: what goes in comes out byte for
// byte, bidi controls included, and SQL in it is only ever data.
func testHostileTextIsStoredVerbatim(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx := context.Background()
	for _, h := range hostile.Texts {
		t.Run(h.Name, func(t *testing.T) {
			user := protocol.User{ID: "u-" + h.Name, Name: h.Text}
			r := wait(t, send(t, s, store.NewComment{Room: "r", Draft: draft(h.Text, 0), User: user, Note: h.Text}))
			if r.err != nil {
				t.Fatal(r.err)
			}
			got, err := s.CommentsAfter(ctx, "r", r.c.Seq-1, 1)
			if err != nil || len(got) != 1 {
				t.Fatalf("read back: %v, %v", got, err)
			}
			if got[0].Text != h.Text || got[0].User != user {
				t.Fatalf("stored %q by %+v, want %q by %+v", got[0].Text, got[0].User, h.Text, user)
			}
			mod, err := s.RecentComments(ctx, store.RecentQuery{Room: "r", Limit: 1})
			if err != nil || len(mod) != 1 || mod[0].Note != h.Text {
				t.Fatalf("moderators read %+v, %v; want the note %q", mod, err, h.Text)
			}
		})
	}
	// The table is still there and holds exactly those comments.
	all, err := s.CommentsAfter(ctx, "r", 0, 1000)
	if err != nil || len(all) != len(hostile.Texts) {
		t.Fatalf("%d comments, %v; want %d", len(all), err, len(hostile.Texts))
	}
	if _, err := s.Room(ctx, "r"); err != nil {
		t.Fatalf("the room is gone: %v", err)
	}
}

func testRooms(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx := context.Background()
	live, err := s.CreateRoom(ctx, store.Room{ID: "live-1", Title: "Live 直播", VideoURL: "https://example.com/v.m3u8", Kind: store.KindLive})
	if err != nil || live.CreatedAt == 0 {
		t.Fatalf("CreateRoom = %+v, %v", live, err)
	}
	if _, err := s.CreateRoom(ctx, store.Room{ID: "live-1", Title: "again", Kind: store.KindLive}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("creating a room twice: %v, want conflict", err)
	}
	got, err := s.Room(ctx, "live-1")
	if err != nil || got != live {
		t.Fatalf("Room = %+v, %v; want %+v", got, err, live)
	}
	if _, err := s.Room(ctx, "nope"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("a missing room: %v, want not_found", err)
	}
	all, err := s.Rooms(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("Rooms = %+v, %v; want 2", all, err)
	}
	if all[0].CreatedAt < all[1].CreatedAt {
		t.Fatalf("Rooms = %+v, want newest first", all)
	}
}

// testReplayReads covers the reads viewers replay with.
func testReplayReads(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx := context.Background()
	c3 := putAt(t, s, "r", "at 3s", 3000, store.Visible, "u1")
	c1 := putAt(t, s, "r", "at 1s", 1000, store.Visible, "u1")
	putAt(t, s, "r", "held at 2s", 2000, store.Held, "u1")
	c2 := putAt(t, s, "r", "at 2s", 2000, store.Visible, "u2")
	c1b := putAt(t, s, "r", "again at 1s", 1000, store.Visible, "u2")
	for _, tc := range []struct {
		name     string
		from, to protocol.Seconds
		limit    int
		want     []int64
	}{
		{"everything, by time then seq", 0, 10000, 10, []int64{c1.ID, c1b.ID, c2.ID, c3.ID}},
		{"a window", 1500, 3000, 10, []int64{c2.ID}},
		{"the end is open", 2000, 3000, 10, []int64{c2.ID}},
		{"limited", 0, 10000, 2, []int64{c1.ID, c1b.ID}},
	} {
		t.Run("by time/"+tc.name, func(t *testing.T) {
			got, err := s.CommentsByTime(ctx, "r", tc.from, tc.to, tc.limit)
			if err != nil || !slices.Equal(ids(got), tc.want) {
				t.Fatalf("got %v, %v; want %v", ids(got), err, tc.want)
			}
		})
	}
	t.Run("after a seq", func(t *testing.T) {
		got, err := s.CommentsAfter(ctx, "r", c1.Seq, 2)
		if err != nil || !slices.Equal(ids(got), []int64{c2.ID, c1b.ID}) {
			t.Fatalf("got %v, %v; want the two after seq %d", ids(got), err, c1.Seq)
		}
	})
	t.Run("latest", func(t *testing.T) {
		got, err := s.LatestVisible(ctx, "r", 3)
		if err != nil || !slices.Equal(ids(got), []int64{c1b.ID, c2.ID, c1.ID}) {
			t.Fatalf("got %v, %v; want the newest three, newest first", ids(got), err)
		}
	})
	t.Run("another room", func(t *testing.T) {
		got, err := s.CommentsByTime(ctx, "nope", 0, 10000, 10)
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v, %v; want none", got, err)
		}
	})
}

func testEachVisible(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx := context.Background()
	// Times out of seq order, two at the same time, one held, one deleted.
	var want []int64
	for i, ms := range []int64{5000, 1000, 3000, 3000, 2000, 4000, 0} {
		c := putAt(t, s, "r", fmt.Sprint("c", i), ms, store.Visible, "u")
		want = append(want, c.ID)
	}
	putAt(t, s, "r", "held", 1500, store.Held, "u")
	gone := putAt(t, s, "r", "gone", 1500, store.Visible, "u")
	if _, err := s.Decide(ctx, []int64{gone.ID}, store.Delete, "m"); err != nil {
		t.Fatal(err)
	}
	later := putAt(t, s, "r", "after the export began", 100, store.Visible, "u")
	// By time, then seq: 0, 1000, 2000, 3000 (c2), 3000 (c3), 4000, 5000.
	want = []int64{want[6], want[1], want[4], want[2], want[3], want[5], want[0]}

	var pages [][]int64
	err := s.EachVisible(ctx, "r", later.Seq-1, 3, func(page []protocol.Comment) error {
		pages = append(pages, ids(page))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Concat(pages...); !slices.Equal(got, want) || len(pages) != 3 || len(pages[0]) != 3 {
		t.Fatalf("pages %v, want %v in pages of 3", pages, want)
	}
	stop := errors.New("stop")
	calls := 0
	err = s.EachVisible(ctx, "r", later.Seq, 2, func([]protocol.Comment) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("EachVisible returned %v after %d calls, want fn's error after 1", err, calls)
	}
}

func testCommentSpan(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx := context.Background()
	span, err := s.CommentSpan(ctx, "r")
	if err != nil || !span.Empty {
		t.Fatalf("span of an empty room %+v, %v; want empty", span, err)
	}
	putAt(t, s, "r", "held", 0, store.Held, "u")
	first := putAt(t, s, "r", "first", 9000, store.Visible, "u")
	last := putAt(t, s, "r", "last", 0, store.Visible, "u")
	span, err = s.CommentSpan(ctx, "r")
	if err != nil || span.Empty || span.First != first.CreatedAt || span.Last != last.CreatedAt {
		t.Fatalf("span %+v, %v; want %v to %v", span, err, first.CreatedAt, last.CreatedAt)
	}
}
