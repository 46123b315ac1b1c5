package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/danmaku/danmaku/client"
)

// tokenEnv holds the token of send, tail and relay when -token is not
// given, which keeps it out of shell history and process lists.
const tokenEnv = "DANMAKU_TOKEN"

// clientFlags are the connection flags of the commands that talk to a
// running server through the client package.
type clientFlags struct {
	name   string // the command's
	addr   string
	token  string
	origin string
	room   string
}

// clientCommand is the flag set of a command that talks to a running
// server, with the connection flags (-addr, -token, -origin, -room)
// declared and its usage text set.
func clientCommand(name, usage, roomUsage string) (*flag.FlagSet, *clientFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	f := &clientFlags{name: name}
	fs.StringVar(&f.addr, "addr", "http://127.0.0.1:8080", "the server: http(s)://host:port, ws(s)://host:port/ws or host:port")
	fs.StringVar(&f.token, "token", "", "a token to sign in with (default $"+tokenEnv+"; none: a guest)")
	fs.StringVar(&f.origin, "origin", "", "an Origin header, for servers that check it")
	fs.StringVar(&f.room, "room", "", roomUsage)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs, f
}

// connect dials as the flags say and joins rooms; the caller closes the
// client. Errors name the command.
func (f *clientFlags) connect(ctx context.Context, io IO, rooms []string, join []client.JoinOption, opts ...client.Option) (*client.Client, error) {
	tok := f.token
	if tok == "" {
		tok = io.Env(tokenEnv)
	}
	if tok != "" {
		opts = append(opts, client.WithToken(tok))
	}
	if f.origin != "" {
		opts = append(opts, client.WithOrigin(f.origin))
	}
	c, err := client.Dial(ctx, f.addr, opts...)
	if err != nil {
		return nil, commandError(f.name, err)
	}
	for _, r := range rooms {
		if _, err := c.Join(ctx, r, join...); err != nil {
			c.Close()
			return nil, commandError(f.name, fmt.Errorf("joining room %q: %w", r, err))
		}
	}
	return c, nil
}

// rooms splits -room on commas.
func (f *clientFlags) rooms() []string {
	var out []string
	for _, r := range strings.Split(f.room, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// refusal is the server saying no (a refused comment, token or join): the
// command exits with 1, its reason printed.
type refusal struct{ err error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// refused marks err as the server's refusal when it carries the server's
// code; other errors pass unchanged.
func refused(err error) error {
	var e *client.Error
	if errors.As(err, &e) {
		return &refusal{err}
	}
	return err
}

// commandError prefixes err with the command's name, keeping it a refusal.
func commandError(name string, err error) error {
	if err == nil {
		return nil
	}
	return refused(fmt.Errorf("%s: %w", name, err))
}
