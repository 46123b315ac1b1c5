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
	addr   string
	token  string
	origin string
	room   string
}

// register declares -addr, -token, -origin and -room on fs.
func (f *clientFlags) register(fs *flag.FlagSet, roomUsage string) {
	fs.StringVar(&f.addr, "addr", "http://127.0.0.1:8080", "the server: http(s)://host:port, ws(s)://host:port/ws or host:port")
	fs.StringVar(&f.token, "token", "", "a token to sign in with (default $"+tokenEnv+"; none: a guest)")
	fs.StringVar(&f.origin, "origin", "", "an Origin header, for servers that check it")
	fs.StringVar(&f.room, "room", "", roomUsage)
}

// dial connects as the flags say.
func (f *clientFlags) dial(ctx context.Context, io IO, opts ...client.Option) (*client.Client, error) {
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
	return c, refused(err)
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
