package sqlite

import "database/sql"

// ReadDB gives the external tests the store's read pool, for checking rows
// the API does not show.
func ReadDB(s *Store) *sql.DB { return s.read }
