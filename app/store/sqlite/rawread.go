package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"github.com/mattn/go-sqlite3"

	"github.com/danmaku/danmaku/app/protocol"
)

// readStmtCache is how many prepared statements each read connection keeps
// for rawComments (mattn's per-connection cache, _stmt_cache_size): the
// queries are fixed, so each is compiled once per connection.
const readStmtCache = 16

// roomCommentColumns are commentColumns without the room, for queries of
// one room's comments: one string fewer to copy out of SQLite per row.
const roomCommentColumns = `id, seq, time_ms, text, mode, color, size, user_id, user_name, created_at, likes, weight`

// rawComments runs query, which selects roomCommentColumns of room's
// comments (at most limit rows), on a read connection through the driver
// itself rather than database/sql: a replay page is a thousand rows, and
// Rows.Scan's per-column conversions were a third of its time. Each value
// is taken from the driver's row as it is. Past the query itself, the
// time goes to allocating: the page is sized once, for limit rows.
func (s *Store) rawComments(ctx context.Context, room string, limit int, query string, args ...any) ([]protocol.Comment, error) {
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: reading comments: %w", err)
	}
	defer conn.Close()
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	out := make([]protocol.Comment, 0, min(max(limit, 0), maxPagePrealloc))
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		rows, err := sc.QueryContext(ctx, query, named)
		if err != nil {
			return err
		}
		defer rows.Close()
		row := make([]driver.Value, commentColumnCount)
		for {
			if err := rows.Next(row); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			out = append(out, commentOf(room, row))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("store: reading comments: %w", err)
	}
	return out, nil
}

// commentColumnCount is the number of roomCommentColumns.
const commentColumnCount = 12

// maxPagePrealloc bounds the page rawComments sizes ahead.
const maxPagePrealloc = 5000

// commentOf reads a driver row of roomCommentColumns of room. The driver
// gives INTEGER columns as int64, TEXT as string and NULL as nil (seq, for
// none).
func commentOf(room string, row []driver.Value) protocol.Comment {
	str := func(v driver.Value) string { s, _ := v.(string); return s }
	num := func(v driver.Value) int64 { n, _ := v.(int64); return n }
	return protocol.Comment{
		ID: num(row[0]), Room: room, Seq: num(row[1]), Time: protocol.Seconds(num(row[2])),
		Text: str(row[3]), Mode: str(row[4]), Color: str(row[5]), Size: str(row[6]),
		User:      protocol.User{ID: str(row[7]), Name: str(row[8])},
		CreatedAt: protocol.Timestamp(num(row[9])), Likes: num(row[10]), Weight: int(num(row[11])),
	}
}
