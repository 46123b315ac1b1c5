package cli

import (
	"context"
	"encoding/json"
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

// userCommand is what export-user and erase-user share: the server's
// settings, -user, and the database opened as a tool.
type userCommand struct {
	name string
	user string
	rest []string // arguments after the flags
	app  *app.App
	stop func()
}

// openUserCommand parses args (more flags may be added by add), requires
// -user and at most maxArgs arguments, and opens the database.
func openUserCommand(ctx context.Context, name, usage string, args []string, io IO, files Files, maxArgs int, add func(*flag.FlagSet)) (*userCommand, context.Context, error) {
	cfg := app.DefaultConfig()
	var level, format string
	uc := &userCommand{name: name}
	fs := toolFlags(name, usage, &cfg, &level, &format, func(fs *flag.FlagSet) {
		fs.StringVar(&uc.user, "user", "", "the user id (a token's sub, or a guest's g-…) (required)")
		add(fs)
	})
	from, rest, err := parseArgs(fs, args, io)
	switch {
	case err != nil:
		return nil, ctx, err
	case uc.user == "":
		return nil, ctx, fmt.Errorf("%s: -user is required", name)
	case len(rest) > maxArgs:
		fs.Usage()
		return nil, ctx, errUsage
	}
	uc.rest = rest
	ctx, stop := interruptible(ctx)
	if uc.app, err = openTool(ctx, &cfg, io, files, level, format, from); err != nil {
		stop()
		return nil, ctx, err
	}
	uc.stop = stop
	return uc, ctx, nil
}

// close closes the database, keeping the first error.
func (uc *userCommand) close(err *error) {
	closeTool(uc.app, err)
	uc.stop()
}

// exportUser runs `danmaku export-user`.
func exportUser(ctx context.Context, args []string, io IO, files Files) (err error) {
	uc, ctx, err := openUserCommand(ctx, "export-user", exportUserUsage, args, io, files, 1, func(*flag.FlagSet) {})
	if err != nil {
		return err
	}
	defer uc.close(&err)
	user, path := uc.user, "-"
	if len(uc.rest) == 1 {
		path = uc.rest[0]
	}
	data, err := uc.app.ExportUser(ctx, user)
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
	var yes bool
	uc, ctx, err := openUserCommand(ctx, "erase-user", eraseUserUsage, args, io, files, 0, func(fs *flag.FlagSet) {
		fs.BoolVar(&yes, "yes", false, "erase without asking")
	})
	if err != nil {
		return err
	}
	defer uc.close(&err)
	a, user := uc.app, uc.user
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
