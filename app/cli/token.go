package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/auth"
)

// maxUserLen bounds -user and -name.
const maxUserLen = 64

// roleFlag collects -role values; each may itself be comma-separated.
type roleFlag []string

func (r *roleFlag) String() string     { return strings.Join(*r, ",") }
func (r *roleFlag) Set(s string) error { *r = append(*r, s); return nil }

// token prints a signed token for a user, like Centrifugo's gentoken: the
// token alone on stdout (for scripts), a summary on stderr. It signs with
// the server's secret: DANMAKU_SECRET, or secret.key next to the database,
// which it finds as serve does (-db, DANMAKU_DB or the config file's db).
func token(_ context.Context, args []string, io IO, _ Files) error {
	cfg := app.DefaultConfig()
	level, format := "info", "text"
	fs := serveFlags(&cfg, &level, &format)
	fs.Init("token", flag.ContinueOnError)
	user := fs.String("user", "", "user id (the token's sub), required")
	name := fs.String("name", "", "display name (default: the user id)")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the token is valid")
	var roles roleFlag
	fs.Var(&roles, "role", "viewer, moderator or admin; repeat it or separate with commas (default viewer)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: danmaku token -user ID [-name NAME] [-role ROLE]... [-ttl 24h]\n\n"+
			"The token has no session: it is good until -ttl is up, or until its user signs out\n"+
			"everywhere. Pasted at /login it starts a browser session, which a sign-out ends.\n\n"+
			"flags (of the server's, only -db and -config matter here):")
		fs.PrintDefaults()
	}
	if err := parse(fs, args, io); err != nil {
		return err
	}
	if *name == "" {
		*name = *user
	}
	if err := checkUser(*user, *name); err != nil {
		return err
	}
	if *ttl <= 0 {
		return fmt.Errorf("-ttl must be positive, got %s", *ttl)
	}
	list, err := auth.ParseRoles(roles...)
	if err != nil {
		return fmt.Errorf("-role: %w", err)
	}
	log := slog.New(slog.NewTextHandler(io.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	secret, err := auth.LoadSecret(io.Env("DANMAKU_SECRET"), cfg.DBPath, log)
	if err != nil {
		return err
	}
	id := auth.Identity{ID: *user, Name: *name, Roles: list}
	tok, err := auth.NewSigner(secret).Issue(id, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Stderr, "HS256 token for user %q (%s), roles %s, expires %s:\n",
		id.ID, id.Name, strings.Join(list, ","), time.Now().Add(*ttl).UTC().Format(time.RFC3339))
	_, err = fmt.Fprintln(io.Stdout, tok)
	return err
}

// checkUser validates -user and -name: printable, bounded, and a user id
// that cannot be mistaken for a guest's.
func checkUser(user, name string) error {
	printable := func(s string) bool {
		return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
			return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
		})
	}
	switch {
	case user == "":
		return errors.New("-user is required")
	case len(user) > maxUserLen || !printable(user) || strings.ContainsRune(user, ' '):
		return fmt.Errorf("-user must be at most %d bytes, without spaces or control characters", maxUserLen)
	case strings.HasPrefix(user, auth.GuestPrefix):
		return fmt.Errorf("-user may not start with %q, which marks guests", auth.GuestPrefix)
	case strings.TrimSpace(name) != name || utf8.RuneCountInString(name) > maxUserLen || !printable(name):
		return fmt.Errorf("-name must be at most %d characters, without control characters or surrounding spaces", maxUserLen)
	}
	return nil
}
