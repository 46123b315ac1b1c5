package postgres

import (
	"database/sql"

	"github.com/jackc/pgx/v5/pgxpool"
)

// SQLDB gives the external tests the store's pool as database/sql, for
// checking rows the API does not show.
func SQLDB(s *Store) *sql.DB { return s.db }

// Pool gives the external tests the store's pool.
func Pool(s *Store) *pgxpool.Pool { return s.pool }
