package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/store"
)

// UserExport is the document export-user writes.
type UserExport struct {
	Format     string         `json:"format"` // "danmaku-user-export"
	Version    int            `json:"version"`
	User       string         `json:"user_id"`
	ExportedAt time.Time      `json:"exported_at"`
	Data       store.UserData `json:"data"`
}

const exportUserUsage = `usage: danmaku export-user [flags] -user ID [FILE]

Writes everything the database (-db) holds about user ID, as JSON, to FILE
or to standard output: their user record, every comment they sent (any
status, with the client address while it is kept), their likes, their
sessions in force, and the bans of their user id. docs/operations.md
("Data we keep") says what each is.

flags (the server's settings apply: -db, -config):`

// exportUser runs `danmaku export-user`.
func exportUser(ctx context.Context, args []string, io IO, files Files) (err error) {
	cfg := app.DefaultConfig()
	var level, format, user string
	fs := toolFlags("export-user", exportUserUsage, &cfg, &level, &format, func(fs *flag.FlagSet) {
		fs.StringVar(&user, "user", "", "the user id (a token's sub, or a guest's g-…) (required)")
	})
	from, rest, err := parseArgs(fs, args, io)
	if err != nil {
		return err
	}
	path := "-"
	switch {
	case user == "":
		return errors.New("export-user: -user is required")
	case len(rest) > 1:
		fs.Usage()
		return errUsage
	case len(rest) == 1:
		path = rest[0]
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	a, err := openTool(ctx, &cfg, io, files, level, format, from)
	if err != nil {
		return err
	}
	defer closeTool(a, &err)
	data, err := a.ExportUser(ctx, user)
	if err != nil {
		return fmt.Errorf("export-user: %s", message(err))
	}
	out, commit, err := openOutputMode(path, io, 0o600) // addresses, sessions: personal data
	if err != nil {
		return fmt.Errorf("export-user: %w", err)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	err = enc.Encode(UserExport{Format: "danmaku-user-export", Version: 1, User: user, ExportedAt: time.Now().UTC(), Data: data})
	if err = commit(err); err != nil {
		return fmt.Errorf("export-user: %w", err)
	}
	fmt.Fprintf(io.Stderr, "exported user %q: %d comments, %d likes, %d sessions, %d bans\n",
		user, len(data.Comments), len(data.Likes), len(data.Sessions), len(data.Bans))
	return nil
}

const eraseUserUsage = `usage: danmaku erase-user [flags] -user ID [-yes]

Erases user ID's data from the database (-db): their comments are emptied
(text, name, user id and address) and deleted, keeping their ids and seqs
so no room's numbering changes; their likes are removed and the counts
taken back; their sessions end, and the tokens printed for them before now
stop working; their user record goes. Bans of their user id stay.

It works on the database file, with or without the server running. A
running server refuses their sessions within -session-recheck, but the
erased comments stay on the screens of open pages until they reload:
moderators who want them gone at once delete them in /admin first.
It asks first (-yes answers for scripts).

flags (the server's settings apply: -db, -config):`

// eraseUser runs `danmaku erase-user`.
func eraseUser(ctx context.Context, args []string, io IO, files Files) (err error) {
	cfg := app.DefaultConfig()
	var level, format, user string
	var yes bool
	fs := toolFlags("erase-user", eraseUserUsage, &cfg, &level, &format, func(fs *flag.FlagSet) {
		fs.StringVar(&user, "user", "", "the user id (a token's sub, or a guest's g-…) (required)")
		fs.BoolVar(&yes, "yes", false, "erase without asking")
	})
	from, rest, err := parseArgs(fs, args, io)
	if err != nil {
		return err
	}
	switch {
	case user == "":
		return errors.New("erase-user: -user is required")
	case len(rest) > 0:
		fs.Usage()
		return errUsage
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	a, err := openTool(ctx, &cfg, io, files, level, format, from)
	if err != nil {
		return err
	}
	defer closeTool(a, &err)
	if !yes {
		data, err := a.ExportUser(ctx, user)
		if err != nil {
			return fmt.Errorf("erase-user: %s", message(err))
		}
		question := fmt.Sprintf("Erase user %q: %d comments, %d likes, %d sessions? This cannot be undone.",
			user, len(data.Comments), len(data.Likes), len(data.Sessions))
		if err := confirm(io, question); err != nil {
			return fmt.Errorf("erase-user: %w", err)
		}
	}
	rep, err := a.EraseUser(ctx, user)
	if err != nil {
		return fmt.Errorf("erase-user: %s", message(err))
	}
	_, err = fmt.Fprintf(io.Stdout, "erased user %q: %d comments, %d likes, %d sessions ended, user record deleted: %v\n",
		user, rep.Comments, rep.Likes, rep.Sessions, rep.User)
	return err
}
