package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/store"
)

func openInternal(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Path: filepath.Join(t.TempDir(), "test.db"), Migrations: os.DirFS("../../../migrations")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func withRoom(t *testing.T) *Store {
	t.Helper()
	s := openInternal(t)
	if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r", Title: "R", Kind: store.KindLive}); err != nil {
		t.Fatal(err)
	}
	return s
}

// plan returns EXPLAIN QUERY PLAN's details for query on the read pool.
func plan(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.read.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "; ")
}

// TestReadQueriesUseTheirIndexes asserts the plans, not timings: a replay
// window or a catch-up must search its index, never scan the table or sort.
func TestReadQueriesUseTheirIndexes(t *testing.T) {
	s := openInternal(t)
	for _, tc := range []struct {
		name, query string
		args        []any
		index       string
	}{
		{"replay window", queryCommentsByTime, []any{"r", 0, 60000, 1000}, "USING COVERING INDEX comments_window (room_id=? AND time_ms>? AND time_ms<?)"},
		{"catch-up", queryCommentsAfter, []any{"r", 10, 500}, "USING INDEX comments_room_seq (room_id=? AND seq>?)"},
		{"own shadowed comments in a window", queryShadowedByTime, []any{"r", "u", 0, 60000, 1000}, "USING INDEX comments_shadowed (room_id=? AND user_id=? AND time_ms>? AND time_ms<?)"},
		{"one room", queryRoom, []any{"r"}, "USING INDEX sqlite_autoindex_rooms_1 (id=?)"},
		{"export page", queryExportPage, []any{"r", 100, 5000, 5000, 7, 1000}, "USING COVERING INDEX comments_window (room_id=? AND time_ms>?)"},
		{"newest for DPlayer", queryLatest, []any{"r", 100}, "USING INDEX comments_room_seq (room_id=? AND seq>?)"},
		{"a session", querySession, []any{"s"}, "USING PRIMARY KEY (id=?)"},
		{"addresses to erase", queryAddressesKept, []any{int64(1000), 500}, "USING INDEX comments_ip_kept (created_at<?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := plan(t, s, tc.query, tc.args...)
			if !strings.Contains(got, "SEARCH comments "+tc.index) && !strings.Contains(got, "SEARCH rooms "+tc.index) &&
				!strings.Contains(got, "SEARCH sessions "+tc.index) {
				t.Errorf("plan %q, want a search %s", got, tc.index)
			}
			for _, bad := range []string{"SCAN", "TEMP B-TREE"} {
				if strings.Contains(got, bad) {
					t.Errorf("plan %q has %s", got, bad)
				}
			}
		})
	}
}

// TestFeedbackQueriesUseIndexes: the feedback reads search their indexes
// and never scan the comments table (the heat counts may group in a
// temporary tree: they are read once per room and kept).
func TestFeedbackQueriesUseIndexes(t *testing.T) {
	s := openInternal(t)
	for _, tc := range []struct {
		name, query string
		args        []any
		want        string
	}{
		{"liked by one viewer", queryLikedBy, []any{"u", "r", 100}, "SEARCH l USING INDEX comment_likes_user (user_id=?); SEARCH c USING INTEGER PRIMARY KEY"},
		{"heat by video time", queryHeatByVideo, []any{"r", 100}, "SEARCH comments USING COVERING INDEX comments_window (room_id=?)"},
		{"reasons of a comment", queryReasons, []any{1}, "SEARCH comment_reports USING PRIMARY KEY (comment_id=?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := plan(t, s, tc.query, tc.args...)
			if !strings.Contains(got, tc.want) || strings.Contains(got, "SCAN comments") {
				t.Errorf("plan %q, want %s and no scan of comments", got, tc.want)
			}
		})
	}
}
