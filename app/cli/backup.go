package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	stdio "io"
	"strings"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/store/postgres"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

const backupUsage = `usage: danmaku backup [flags] FILE

Copies the database (-db) to the new file FILE while the server runs, with
SQLite's online backup API: one consistent snapshot, taken as the backup
starts, holding every comment acknowledged before then. The server keeps
serving and writing meanwhile. Progress goes to standard error; the copy
is checked (PRAGMA integrity_check) before it is named FILE.

flags (only -db and -config matter here):`

// backup runs `danmaku backup`.
func backup(ctx context.Context, args []string, io IO, _ Files) error {
	cfg := app.DefaultConfig()
	var level, format string
	fs := toolFlags("backup", backupUsage, &cfg, &level, &format, func(*flag.FlagSet) {})
	file, err := oneFile(fs, args, io)
	if err != nil {
		return err
	}
	if err := sqliteOnly("backup", cfg.DBPath); err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	shown := -1
	rep, err := sqlite.Backup(ctx, cfg.DBPath, file, sqlite.BackupOptions{
		Progress: func(copied, total int) {
			if pct := copied * 100 / max(total, 1) / 10 * 10; pct > shown {
				shown = pct
				fmt.Fprintf(io.Stderr, "backup: %3d%%  %d of %d pages\n", pct, copied, total)
			}
		},
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(io.Stdout, "backed up %s to %s: %d pages, %s, migration %d, in %s; integrity_check ok\n",
		cfg.DBPath, file, rep.Pages, size(rep.Bytes), rep.Version, rep.Took.Round(1e6))
	return err
}

const restoreUsage = `usage: danmaku restore [flags] [-yes] FILE

Replaces the database (-db) with the backup FILE, for a stopped server: it
refuses while any process has the database open (a running server, or a
danmaku command working on it). It checks FILE first, asks before it
replaces anything (-yes answers for scripts), and keeps the database it
replaces next to it as DB.before-restore-TIME.

flags (only -db and -config matter here):`

// restore runs `danmaku restore`.
func restore(ctx context.Context, args []string, io IO, _ Files) error {
	cfg := app.DefaultConfig()
	var level, format string
	var yes bool
	fs := toolFlags("restore", restoreUsage, &cfg, &level, &format, func(fs *flag.FlagSet) {
		fs.BoolVar(&yes, "yes", false, "replace the database without asking")
	})
	file, err := oneFile(fs, args, io)
	if err != nil {
		return err
	}
	if err := sqliteOnly("restore", cfg.DBPath); err != nil {
		return err
	}
	if err := sqlite.CheckRestorable(cfg.DBPath); err != nil {
		return err
	}
	version, err := sqlite.Check(ctx, file)
	if err != nil {
		return fmt.Errorf("restore: the backup is not usable: %w", err)
	}
	if !yes {
		question := fmt.Sprintf("Replace %s with %s (migration %d)? The current database is kept next to it.", cfg.DBPath, file, version)
		if err := confirm(io, question); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	rep, err := sqlite.Restore(ctx, file, cfg.DBPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "restored %s from %s (migration %d)\n", cfg.DBPath, file, rep.Version)
	if rep.Kept != "" {
		fmt.Fprintf(io.Stdout, "the database it replaced is at %s\n", rep.Kept)
	}
	return nil
}

// oneFile parses args, which must name exactly one file after the flags.
func oneFile(fs *flag.FlagSet, args []string, io IO) (string, error) {
	_, rest, err := parseArgs(fs, args, io)
	if err != nil {
		return "", err
	}
	if len(rest) != 1 {
		fs.Usage()
		return "", errUsage
	}
	return rest[0], nil
}

// errNotConfirmed means the user did not answer yes.
var errNotConfirmed = errors.New("not confirmed: nothing was changed")

// confirm asks question on standard error and wants "yes" on standard
// input; without an input to ask on, it says to pass -yes.
func confirm(io IO, question string) error {
	if io.Stdin == nil {
		return errors.New("no answer to read: run with -yes to confirm")
	}
	fmt.Fprintf(io.Stderr, "%s Type yes to go on: ", question)
	line, err := bufio.NewReader(io.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, stdio.EOF) {
		return err
	}
	if strings.TrimSpace(strings.ToLower(line)) != "yes" {
		return errNotConfirmed
	}
	return nil
}

// sqliteOnly refuses cmd on a PostgreSQL database, which PostgreSQL's own
// tools back up and restore.
func sqliteOnly(cmd, db string) error {
	if postgres.IsURL(db) {
		return fmt.Errorf("%s: -db is a PostgreSQL database: use pg_dump and pg_restore (docs/operations.md, Backups)", cmd)
	}
	return nil
}
