package sqlite

import (
	"context"
	"database/sql"
)

// ReadDB gives the external tests the store's read pool, for checking rows
// the API does not show.
func ReadDB(s *Store) *sql.DB { return s.read }

// WriteSQL runs a write statement through the store's writer, for tests
// that tamper with rows.
func WriteSQL(s *Store, query string, args ...any) error {
	return s.Writer.Exec(context.Background(), func(tx *Tx) error {
		_, err := tx.tx.ExecContext(tx.ctx, query, args...)
		return err
	})
}
