package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
)

// The read queries. Each has the index it needs (migrations), which
// TestReadQueriesUseTheirIndexes checks with EXPLAIN QUERY PLAN.
const (
	queryRoom  = `SELECT ` + roomColumns + ` FROM rooms WHERE id = ?`
	queryRooms = `SELECT ` + roomColumns + ` FROM rooms ORDER BY created_at DESC, id`
	// queryCommentsByTime is a replay window: comments_window holds every
	// column it reads in (room, time, seq) order, so a window is one range
	// of that index: no table lookups, no row outside the window, no sort.
	// (Run by rawComments, which prepares it on each read connection.)
	queryCommentsByTime = `SELECT ` + roomCommentColumns + ` FROM comments
		WHERE room_id = ? AND status = 'visible' AND time_ms >= ? AND time_ms < ?
		ORDER BY time_ms, seq LIMIT ?`
	// queryShadowedByTime is a viewer's own shadowed comments in a replay
	// window, served by comments_shadowed.
	queryShadowedByTime = `SELECT ` + shownColumns + ` FROM comments
		WHERE room_id = ? AND user_id = ? AND status = 'shadowed' AND time_ms >= ? AND time_ms < ?
		ORDER BY time_ms LIMIT ?`
	// queryCommentsAfter is catch-up, served by comments_room_seq (run by
	// rawComments).
	queryCommentsAfter = `SELECT ` + roomCommentColumns + ` FROM comments
		WHERE room_id = ? AND seq > ? AND status = 'visible'
		ORDER BY seq LIMIT ?`
	// queryExportPage is one page of an export, keyset-paginated on the
	// replay window's index (comments_window: time_ms, seq), so deep pages
	// read no skipped rows.
	queryExportPage = `SELECT ` + commentColumns + ` FROM comments
		WHERE room_id = ? AND status = 'visible' AND seq <= ? AND time_ms >= ? AND (time_ms > ? OR seq > ?)
		ORDER BY time_ms, seq LIMIT ?`
	// queryLatest is a room's newest visible comments (DPlayer), served
	// backwards by comments_room_seq.
	queryLatest = `SELECT ` + commentColumns + ` FROM comments
		WHERE room_id = ? AND seq IS NOT NULL AND status = 'visible'
		ORDER BY seq DESC LIMIT ?`
	// querySession is a session's record, read when a node's cache of it
	// is stale: by primary key.
	querySession = `SELECT ` + sessionColumns + ` FROM sessions WHERE id = ?`
)

// readStatements are the read pool's prepared statements, compiled once at
// start (database/sql prepares each again on a pool connection's first use).
type readStatements struct {
	room, rooms, shadowedByTime, exportPage, latest, session *sql.Stmt
}

func prepareReads(db *sql.DB) (*readStatements, error) {
	s := &readStatements{}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&s.room, queryRoom},
		{&s.rooms, queryRooms},
		{&s.shadowedByTime, queryShadowedByTime},
		{&s.exportPage, queryExportPage},
		{&s.latest, queryLatest},
		{&s.session, querySession},
	} {
		stmt, err := db.Prepare(p.query)
		if err != nil {
			_ = s.close()
			return nil, fmt.Errorf("store: preparing %q: %w", p.query, err)
		}
		*p.dst = stmt
	}
	return s, nil
}

func (s *readStatements) close() error {
	var err error
	for _, st := range []*sql.Stmt{s.room, s.rooms, s.shadowedByTime, s.exportPage, s.latest, s.session} {
		if st != nil {
			err = errors.Join(err, st.Close())
		}
	}
	return err
}
