// Package schema reports and applies goose migrations for any store
// backend, in store's terms (store.MigrationState).
package schema

import (
	"context"
	"database/sql"
	"fmt"
	"path"

	"github.com/danmaku/danmaku/app/store"
	"github.com/pressly/goose/v3"
)

// Up applies p's pending migrations and returns those it applied, in
// order, also when a later one fails.
func Up(ctx context.Context, p *goose.Provider) ([]store.MigrationState, error) {
	results, err := p.Up(ctx)
	var applied []store.MigrationState
	for _, r := range results {
		if r.Error == nil {
			applied = append(applied, store.MigrationState{Version: r.Source.Version, File: path.Base(r.Source.Path), Applied: true})
		}
	}
	return applied, err
}

// Status lists p's migrations and whether db has each. tracked is a query
// that answers whether db has goose's version table: without it every
// migration is pending, and db is left untouched (goose would create the
// table, which a status check must not).
func Status(ctx context.Context, p *goose.Provider, db *sql.DB, tracked string) ([]store.MigrationState, error) {
	var has bool
	if err := db.QueryRowContext(ctx, tracked).Scan(&has); err != nil {
		return nil, fmt.Errorf("store: reading migration status: %w", err)
	}
	var out []store.MigrationState
	if !has {
		for _, src := range p.ListSources() {
			out = append(out, store.MigrationState{Version: src.Version, File: path.Base(src.Path)})
		}
		return out, nil
	}
	status, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: reading migration status: %w", err)
	}
	for _, st := range status {
		out = append(out, store.MigrationState{
			Version: st.Source.Version, File: path.Base(st.Source.Path),
			Applied: st.State == goose.StateApplied, AppliedAt: st.AppliedAt,
		})
	}
	return out, nil
}

// Pending keeps the migrations of all that are not applied, passing err on.
func Pending(all []store.MigrationState, err error) ([]store.MigrationState, error) {
	var pending []store.MigrationState
	for _, m := range all {
		if !m.Applied {
			pending = append(pending, m)
		}
	}
	return pending, err
}
