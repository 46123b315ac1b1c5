package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/danmaku/danmaku/app/store"
)

// The feedback reads; TestFeedbackQueriesUseIndexes checks their plans.
const (
	// queryReasons counts a comment's unreviewed reports by reason.
	queryReasons = `SELECT reason, count(*) FROM comment_reports WHERE comment_id = ? AND reviewed = 0 GROUP BY reason`
	// queryLikedBy is one viewer's liked comments in a room, served by
	// comment_likes_user and the comments' primary key: the CROSS JOIN
	// keeps the viewer's likes the outer loop, whatever the statistics say
	// (the other way round walks every comment of the room).
	queryLikedBy = `SELECT l.comment_id FROM comment_likes l CROSS JOIN comments c ON c.id = l.comment_id
		WHERE l.user_id = ? AND c.room_id = ? AND c.status = 'visible'
		ORDER BY l.created_at DESC, l.comment_id DESC LIMIT ?`
	// queryHeatByVideo counts a room's comments per second of video time
	// from the replay window's index alone (it covers every column read).
	queryHeatByVideo = `SELECT time_ms / 1000, count(*) FROM comments INDEXED BY comments_window
		WHERE room_id = ? AND status = 'visible' AND seq <= ? GROUP BY 1 ORDER BY 1`
	// queryHeatByClock counts them per second after a moment, for a live room.
	queryHeatByClock = `SELECT (created_at - ?) / 1000, count(*) FROM comments
		WHERE room_id = ? AND status = 'visible' AND seq <= ? AND created_at >= ? GROUP BY 1 ORDER BY 1`
)

// scanReasons reads queryReasons' rows.
func scanReasons(rows *sql.Rows, err error) (map[string]int64, error) {
	if err != nil {
		return nil, fmt.Errorf("reading reports: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var reason string
		var n int64
		if err := rows.Scan(&reason, &n); err != nil {
			return nil, fmt.Errorf("reading reports: %w", err)
		}
		out[reason] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading reports: %w", err)
	}
	return out, nil
}

// LikedBy returns what userID liked in room: the video, and the newest
// liked visible comments, at most limit.
func (s *Store) LikedBy(ctx context.Context, room, userID string, limit int) (store.Liked, error) {
	out := store.Liked{Comments: []int64{}}
	var one int
	err := s.read.QueryRowContext(ctx, `SELECT 1 FROM room_likes WHERE room_id = ? AND user_id = ?`, room, userID).Scan(&one)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("store: reading likes: %w", err)
	}
	out.Room = err == nil
	ids, err := queryAll(ctx, s.read, "likes", func(r interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, queryLikedBy, userID, room, limit)
	if err != nil {
		return out, err
	}
	out.Comments = ids
	return out, nil
}

// ReportedComments returns the comments with unreviewed reports, visible
// or held, most reported first, with their reasons.
func (s *Store) ReportedComments(ctx context.Context, room string, limit int) ([]store.ModComment, error) {
	query := `SELECT ` + modColumns + ` FROM comments WHERE reports > 0 AND status IN ('visible', 'held')`
	args := []any{}
	if room != "" {
		query += ` AND room_id = ?`
		args = append(args, room)
	}
	list, err := s.queryModComments(ctx, query+` ORDER BY reports DESC, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Reasons, err = scanReasons(s.read.QueryContext(ctx, queryReasons, list[i].ID)); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	return list, nil
}

// HeatBins counts a room's visible comments per second: of video time, or
// of wall-clock time after q.Since.
func (s *Store) HeatBins(ctx context.Context, q store.HeatQuery) ([]store.HeatBin, error) {
	query, args := queryHeatByVideo, []any{q.Room, q.UpTo}
	if q.Since != 0 {
		query, args = queryHeatByClock, []any{int64(q.Since), q.Room, q.UpTo, int64(q.Since)}
	}
	return queryAll(ctx, s.read, "heat", func(r interface{ Scan(...any) error }) (store.HeatBin, error) {
		var b store.HeatBin
		return b, r.Scan(&b.Second, &b.Count)
	}, query, args...)
}
