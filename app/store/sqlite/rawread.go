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

// rawComments runs query, which selects commentColumns, on a read
// connection through the driver itself rather than database/sql: a replay
// page is a thousand rows, and Rows.Scan's per-column conversions were a
// third of its time. Each value is taken from the driver's row as it is.
func (s *Store) rawComments(ctx context.Context, query string, args ...any) ([]protocol.Comment, error) {
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: reading comments: %w", err)
	}
	defer conn.Close()
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	out := []protocol.Comment{}
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
			out = append(out, commentOf(row))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("store: reading comments: %w", err)
	}
	return out, nil
}

// commentColumnCount is the number of commentColumns.
const commentColumnCount = 13

// commentOf reads a driver row of commentColumns. The driver gives INTEGER
// columns as int64, TEXT as string and NULL as nil (seq, for none).
func commentOf(row []driver.Value) protocol.Comment {
	str := func(v driver.Value) string { s, _ := v.(string); return s }
	num := func(v driver.Value) int64 { n, _ := v.(int64); return n }
	return protocol.Comment{
		ID: num(row[0]), Room: str(row[1]), Seq: num(row[2]), Time: protocol.Seconds(num(row[3])),
		Text: str(row[4]), Mode: str(row[5]), Color: str(row[6]), Size: str(row[7]),
		User:      protocol.User{ID: str(row[8]), Name: str(row[9])},
		CreatedAt: protocol.Timestamp(num(row[10])), Likes: num(row[11]), Weight: int(num(row[12])),
	}
}
