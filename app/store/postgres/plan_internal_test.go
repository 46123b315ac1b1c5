package postgres

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/internal/pgtest"
)

// TestReadQueriesUseTheirIndexes checks with EXPLAIN that each replay read
// is served by the index migrations/postgres made for it, in index order
// (no Sort, unless marked), so its cost follows the rows it returns, not
// the room's size.
// The planner is told to avoid sequential and bitmap scans: on a test's
// tiny tables it would rightly prefer them, and the question here is
// whether the index serves the query at all.
func TestReadQueriesUseTheirIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{URL: pgtest.DB(t), Migrations: os.DirFS("../../../migrations/postgres")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off; SET enable_bitmapscan = off`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `RESET ALL`)
	for _, tc := range []struct {
		name    string
		query   string
		args    []any
		indexes []string
		sorted  bool // a Sort node is fine (merging two index scans)
	}{
		{"replay window", queryCommentsByTime, []any{"r", 0, 10000, 100}, []string{"comments_room_time_seq"}, false},
		{"replay window with own shadowed", queryCommentsByTimeFor, []any{"r", "u", 0, 10000, 100}, []string{"comments_room_time_seq", "comments_shadowed"}, true},
		{"catch-up", queryCommentsAfter, []any{"r", 5, 100}, []string{"comments_room_seq"}, false},
		{"export page", queryExportPage, []any{"r", 1000, 5, 3, 100}, []string{"comments_room_time_seq"}, false},
		{"latest", queryLatest, []any{"r", 100}, []string{"comments_room_seq"}, false},
		{"span", querySpan, []any{"r"}, []string{"comments_room_seq"}, false},
		{"held queue", queryHeld, []any{"", 10}, []string{"comments_held"}, false},
		// The feedback reads sort what their index found (a viewer's few
		// likes, a comment's few reports) or group it (heat, read once per
		// room and kept): no scan of comments either way.
		{"liked by one viewer", queryLikedBy, []any{"u", "r", 100}, []string{"comment_likes_user", "comments_pkey"}, true},
		{"reasons of comments", queryReasons, []any{[]int64{1, 2}}, []string{"comment_reports_pkey"}, true},
		{"reported queue", queryReported, []any{"", 10}, []string{"comments_reported"}, true},
		{"heat by video time", queryHeatByVideo, []any{"r", 100}, []string{"comments_room_time_seq"}, true},
		{"addresses due for erasure", queryAddressesKept, []any{int64(1), 10}, []string{"comments_ip_kept"}, false},
		{"heat by wall clock", queryHeatByClock, []any{int64(1), "r", 100}, []string{"comments_room_time_seq"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := conn.Query(ctx, "EXPLAIN "+tc.query, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, line)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			text := strings.Join(plan, "\n")
			for _, idx := range tc.indexes {
				if !strings.Contains(text, "using "+idx+" on ") {
					t.Errorf("the plan does not use %s:\n%s", idx, text)
				}
			}
			if !tc.sorted && strings.Contains(text, "Sort") {
				t.Errorf("the plan sorts instead of reading in index order:\n%s", text)
			}
		})
	}
}
