package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/postgres"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// migrate runs `danmaku migrate [flags] up|status` (the action may also come
// first). It reads the same settings as serve, so -db, DANMAKU_DB and a
// config file's db all name the database: a SQLite file or a postgres://
// URL.
func migrate(ctx context.Context, args []string, io IO, files Files) error {
	cfg := app.DefaultConfig()
	level, format := "info", "text"
	fs := serveFlags(&cfg, &level, &format)
	fs.Init("migrate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: danmaku migrate [flags] up|status\n\n  up      apply every pending migration (creates the database when missing)\n  status  list the migrations, applied and pending\n\nflags (only -db and -config matter here):")
		fs.PrintDefaults()
	}
	var action string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		action, args = args[0], args[1:]
	}
	from, rest, err := parseArgs(fs, args, io)
	if err != nil {
		return err
	}
	if action == "" && len(rest) > 0 {
		action, rest = rest[0], rest[1:]
	}
	up, status := sqlite.MigrateUp, sqlite.MigrationStatus
	migrations := files.Migrations
	if postgres.IsURL(cfg.DBPath) {
		up, status, migrations = postgres.MigrateUp, postgres.MigrationStatus, files.PostgresMigrations
	}
	switch {
	case len(rest) > 0:
		return fmt.Errorf("migrate: unexpected argument %q", rest[0])
	case migrations == nil:
		return errors.New("migrate: no migrations given")
	}
	switch action {
	case "up":
		applied, err := up(ctx, cfg.DBPath, migrations)
		for _, m := range applied {
			fmt.Fprintf(io.Stdout, "applied %s\n", m.File)
		}
		if err != nil {
			return from.explain(err)
		}
		if len(applied) == 0 {
			fmt.Fprintf(io.Stdout, "no pending migrations in %s\n", redacted(cfg.DBPath))
		}
		return nil
	case "status":
		list, err := status(ctx, cfg.DBPath, migrations)
		if err != nil {
			return err
		}
		return printStatus(io, list)
	case "":
		fs.Usage()
		return errUsage
	}
	return fmt.Errorf("migrate: unknown action %q, want up or status", action)
}

func printStatus(io IO, status []store.MigrationState) error {
	w := tabwriter.NewWriter(io.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tSTATE\tAPPLIED AT\tFILE")
	pending := 0
	for _, m := range status {
		state, at := "pending", ""
		if m.Applied {
			state, at = "applied", m.AppliedAt.UTC().Format(time.RFC3339)
		} else {
			pending++
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", m.Version, state, at, m.File)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(io.Stdout, "%d applied, %d pending\n", len(status)-pending, pending)
	return err
}

// redacted is db for people to read: a URL's password is left out.
func redacted(db string) string {
	if u, err := url.Parse(db); err == nil && postgres.IsURL(db) {
		return u.Redacted()
	}
	return db
}
