package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/internal/pgtest"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/danmaku/danmaku/app/store/postgres"
)

// TestReportsFromTwoNodesHideOnce: viewers on two nodes report one
// comment at the same moment. Each report counts once, in turn (the
// comment's row is locked), so exactly one of them hides it, the room
// stops counting it once, and the reports after the hide find it gone.
func TestReportsFromTwoNodesHideOnce(t *testing.T) {
	const hideAt, reporters = 3, 10
	url := pgtest.DB(t)
	nodes := []*postgres.Store{open(t, url, batch.Options{}), open(t, url, batch.Options{})}
	ctx := context.Background()
	if _, err := nodes[0].CreateRoom(ctx, store.Room{ID: "r", Title: "R", Kind: store.KindLive}); err != nil {
		t.Fatal(err)
	}
	c, err := add(ctx, nodes[0], "r", "buy followers")
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		res store.ReportResult
		err error
	}
	out := make(chan outcome, reporters)
	var wg sync.WaitGroup
	for i := range reporters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := nodes[i%2].ReportComment(ctx, store.NewReport{CommentID: c.ID, UserID: fmt.Sprintf("v%d", i), Reason: store.ReasonSpam, HideAt: hideAt})
			out <- outcome{res, err}
		}()
	}
	wg.Wait()
	close(out)
	var added, hidden, gone int
	for o := range out {
		switch {
		case o.err == nil:
			added++
			if o.res.Hidden {
				hidden++
			}
		case errs.CodeOf(o.err) == errs.NotFound:
			gone++
		default:
			t.Errorf("report: %v", o.err)
		}
	}
	if added != hideAt || hidden != 1 || gone != reporters-hideAt {
		t.Fatalf("%d reports counted, %d hid it, %d found it gone; want %d, 1, %d", added, hidden, gone, hideAt, reporters-hideAt)
	}
	held, err := nodes[1].HeldComments(ctx, "r", 10)
	if err != nil || len(held) != 1 || held[0].ID != c.ID || held[0].Reports != hideAt {
		t.Fatalf("held queue: %+v, %v; want the comment with %d reports", held, err, hideAt)
	}
	if r, err := nodes[1].Room(ctx, "r"); err != nil || r.CommentCount != 0 {
		t.Fatalf("room %+v, %v; want it to count no comment", r, err)
	}
}
