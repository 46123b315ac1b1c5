package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
)

// statements are the writer's prepared statements, compiled once at start.
type statements struct {
	roomSeq          *sql.Stmt
	bumpRoom         *sql.Stmt
	upsertUser       *sql.Stmt
	likeComment      *sql.Stmt
	commentForLike   *sql.Stmt
	bumpCommentLikes *sql.Stmt
	likeRoom         *sql.Stmt
	bumpRoomLikes    *sql.Stmt
	roomLikes        *sql.Stmt
	insertImported   *sql.Stmt
	userRecord       *sql.Stmt
	bumpUserRecord   *sql.Stmt
	commentForWeight *sql.Stmt
	setWeight        *sql.Stmt
	unlikeComment    *sql.Stmt
	dropCommentLike  *sql.Stmt
	lastCommentID    *sql.Stmt
	insertRows       map[int]*sql.Stmt // rows → the INSERT of that many new comments (comment_rows.go)
	all              []*sql.Stmt
}

func prepare(db *sql.DB) (*statements, error) {
	s := &statements{}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&s.roomSeq, `SELECT last_seq FROM rooms WHERE id = ?`},
		{&s.bumpRoom, `UPDATE rooms SET last_seq = ?, comment_count = comment_count + ? WHERE id = ?`},
		{&s.upsertUser, `INSERT INTO users (id, name, name_key, created_at, last_seen) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, last_seen = excluded.last_seen`},
		{&s.commentForLike, `SELECT room_id, likes FROM comments WHERE id = ? AND status = 'visible'`},
		{&s.likeComment, `INSERT OR IGNORE INTO comment_likes (comment_id, user_id, created_at) VALUES (?, ?, ?)`},
		{&s.bumpCommentLikes, `UPDATE comments SET likes = likes + 1 WHERE id = ?`},
		{&s.likeRoom, `INSERT OR IGNORE INTO room_likes (room_id, user_id, created_at) VALUES (?, ?, ?)`},
		{&s.bumpRoomLikes, `UPDATE rooms SET likes = likes + 1 WHERE id = ? RETURNING likes`},
		{&s.roomLikes, `SELECT likes FROM rooms WHERE id = ?`},
		{&s.insertImported, `INSERT INTO comments
			(room_id, seq, time_ms, text, mode, color, size, user_id, user_name, created_at, import_id, weight)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.userRecord, `SELECT created_at, accepted, removed FROM users WHERE id = ?`},
		{&s.bumpUserRecord, `UPDATE users SET accepted = max(0, accepted + ?), removed = removed + ? WHERE id = ?`},
		{&s.commentForWeight, `SELECT room_id, user_id, text, status, likes, reports, weight FROM comments WHERE id = ?`},
		{&s.setWeight, `UPDATE comments SET weight = ? WHERE id = ?`},
		{&s.unlikeComment, `DELETE FROM comment_likes WHERE comment_id = ? AND user_id = ?`},
		{&s.dropCommentLike, `UPDATE comments SET likes = max(0, likes - 1) WHERE id = ?`},
		{&s.lastCommentID, `SELECT coalesce(max(id), 0) FROM comments`},
	} {
		stmt, err := db.Prepare(p.query)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("store: preparing %q: %w", p.query, err)
		}
		*p.dst = stmt
		s.all = append(s.all, stmt)
	}
	rows, err := prepareInsertRows(db)
	if err != nil {
		s.close()
		return nil, err
	}
	s.insertRows = rows
	for _, st := range rows {
		s.all = append(s.all, st)
	}
	return s, nil
}

func (s *statements) close() error {
	var err error
	for _, st := range s.all {
		err = errors.Join(err, st.Close())
	}
	return err
}
