package postgres

import (
	"context"
	"fmt"

	"github.com/danmaku/danmaku/app/store"
	"github.com/jackc/pgx/v5"
)

// The feedback reads; TestReadQueriesUseTheirIndexes checks their plans.
const (
	// queryReasons counts comments' unreviewed reports by reason, served
	// by comment_reports' primary key.
	queryReasons = `SELECT comment_id, reason, count(*) FROM comment_reports
		WHERE comment_id = ANY($1) AND NOT reviewed GROUP BY comment_id, reason`
	// queryLikedBy is one viewer's liked comments in a room, served by
	// comment_likes_user and the comments' primary key. OFFSET 0 fences
	// the lateral probe: its one condition is the id (the room and status
	// stay outside, where no other index can serve them), and the viewer's
	// likes stay the outer loop whatever the statistics say (the other way
	// round walks every comment of the room).
	queryLikedBy = `SELECT l.comment_id FROM comment_likes l CROSS JOIN LATERAL (
			SELECT room_id, status FROM comments WHERE id = l.comment_id OFFSET 0
		) c
		WHERE l.user_id = $1 AND c.room_id = $2 AND c.status = 'visible'
		ORDER BY l.created_at DESC, l.comment_id DESC LIMIT $3`
	// queryReported is the reported queue, served by comments_reported.
	queryReported = `SELECT ` + modColumns + ` FROM comments
		WHERE reports > 0 AND status IN ('visible', 'held') AND ($1 = '' OR room_id = $1)
		ORDER BY reports DESC, id LIMIT $2`
	// queryHeatByVideo counts a room's comments per second of video time
	// from the replay window's index (comments_room_time_seq).
	queryHeatByVideo = `SELECT time_ms / 1000, count(*) FROM comments
		WHERE room_id = $1 AND status = 'visible' AND seq <= $2 GROUP BY 1 ORDER BY 1`
	// queryHeatByClock counts them per second after a moment, for a live
	// room, from the replay window's index too.
	queryHeatByClock = `SELECT (created_at - $1) / 1000, count(*) FROM comments
		WHERE room_id = $2 AND status = 'visible' AND seq <= $3 AND created_at >= $1 GROUP BY 1 ORDER BY 1`
)

// scanReasons reads queryReasons' rows: comment id → reason → count,
// with an empty map for every comment asked about.
func scanReasons(rows pgx.Rows) (map[int64]map[string]int64, error) {
	defer rows.Close()
	out := map[int64]map[string]int64{}
	for rows.Next() {
		var id, n int64
		var reason string
		if err := rows.Scan(&id, &reason, &n); err != nil {
			return nil, fmt.Errorf("reading reports: %w", err)
		}
		if out[id] == nil {
			out[id] = map[string]int64{}
		}
		out[id][reason] = n
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
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM room_likes WHERE room_id = $1 AND user_id = $2)`, room, userID).Scan(&out.Room)
	if err != nil {
		return out, fmt.Errorf("store: reading likes: %w", err)
	}
	ids, err := queryAll(ctx, s, "likes", func(r pgx.Row) (int64, error) {
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
	list, err := queryAll(ctx, s, "reported comments", scanModComment, queryReported, room, limit)
	if err != nil || len(list) == 0 {
		return list, err
	}
	ids := make([]int64, len(list))
	for i, m := range list {
		ids[i] = m.ID
	}
	rows, err := s.pool.Query(ctx, queryReasons, ids)
	if err != nil {
		return nil, fmt.Errorf("store: reading reports: %w", err)
	}
	reasons, err := scanReasons(rows)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for i := range list {
		list[i].Reasons = reasons[list[i].ID]
		if list[i].Reasons == nil {
			list[i].Reasons = map[string]int64{}
		}
	}
	return list, nil
}

// HeatBins counts a room's visible comments per second: of video time, or
// of wall-clock time after q.Since.
func (s *Store) HeatBins(ctx context.Context, q store.HeatQuery) ([]store.HeatBin, error) {
	query, args := queryHeatByVideo, []any{q.Room, q.UpTo}
	if q.Since != 0 {
		query, args = queryHeatByClock, []any{int64(q.Since), q.Room, q.UpTo}
	}
	return queryAll(ctx, s, "heat", func(r pgx.Row) (store.HeatBin, error) {
		var b store.HeatBin
		return b, r.Scan(&b.Second, &b.Count)
	}, query, args...)
}
