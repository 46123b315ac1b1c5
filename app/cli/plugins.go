package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/danmaku/danmaku/plugins"
)

// pluginsCmd is `danmaku plugins check FILE` and `danmaku plugins try FILE
// -room R -text T`: the plugin config offline, built as the server builds
// it (every module compiled, every receiver's secret read), with the
// server's messages.
func pluginsCmd(ctx context.Context, args []string, io IO, _ Files) error {
	if len(args) == 0 {
		fmt.Fprintln(io.Stderr, pluginsUsage)
		return errUsage
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprintln(io.Stdout, pluginsUsage)
		return errHelp
	}
	switch args[0] {
	case "check":
		return pluginsCheck(args[1:], io)
	case "try":
		return pluginsTry(ctx, args[1:], io)
	}
	return fmt.Errorf("plugins: unknown subcommand %q (want check or try)", args[0])
}

const pluginsUsage = `usage: danmaku plugins check FILE
       danmaku plugins try FILE -room ROOM -text TEXT [-user ID] [-name NAME] [-role ROLE]... [-ip ADDR] [-time SECONDS]

check builds every chain of the plugin config FILE as the server would (it
compiles every WebAssembly module and reads every webhook secret) and exits
non-zero with the server's messages if it cannot. try also runs one comment
through the chain of ROOM and prints each plugin's verdict and time.`

// buildFile loads and builds a plugin config file the way the server
// does, with an empty ban list; errors read as the server's.
func buildFile(file string, io IO) (*plugins.Set, error) {
	log := slog.New(slog.NewTextHandler(io.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg, err := plugins.LoadConfig(file)
	if err == nil {
		var set *plugins.Set
		if set, err = plugins.Build(cfg, nil, plugins.BasicHost{Log: log, Blocks: plugins.NoBlocks{}}); err == nil {
			return set, nil
		}
	}
	msg := strings.ReplaceAll(err.Error(), "\n", "; ") // one line, as the server logs it
	if !strings.HasPrefix(msg, "plugins: ") {
		msg = "plugins: " + msg
	}
	return nil, errors.New(msg)
}

// parseFile parses the flags of `plugins check|try` and returns FILE,
// which may stand before the flags (plugins try FILE -room …) or after.
func parseFile(fs *flag.FlagSet, args []string, io IO) (string, error) {
	file := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	_, rest, err := parseArgs(fs, args, io)
	if err != nil {
		return "", err
	}
	if file == "" && len(rest) == 1 {
		file, rest = rest[0], nil
	}
	if file == "" || len(rest) > 0 {
		return "", fmt.Errorf("usage: danmaku %s FILE (danmaku plugins -h explains)", fs.Name())
	}
	return file, nil
}

func pluginsCheck(args []string, io IO) error {
	fs := flag.NewFlagSet("plugins check", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), pluginsUsage) }
	file, err := parseFile(fs, args, io)
	if err != nil {
		return err
	}
	set, err := buildFile(file, io)
	if err != nil {
		return err
	}
	defer set.Close()
	fmt.Fprintf(io.Stdout, "%s: ok\n", file)
	describe := func(name string, ch *plugins.Chain) {
		fmt.Fprintf(io.Stdout, "  %s: %s\n", name, or(strings.Join(ch.Names(), " → "), "(no plugins)"))
	}
	describe("default chain", set.Chain(""))
	for _, room := range set.Rooms() {
		describe("room "+room, set.Chain(room))
	}
	return nil
}

func pluginsTry(ctx context.Context, args []string, io IO) error {
	fs := flag.NewFlagSet("plugins try", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), pluginsUsage) }
	room := fs.String("room", "demo", "the room the comment is sent to")
	text := fs.String("text", "", "the comment's text (required)")
	user := fs.String("user", "u1", "the sender's user id")
	name := fs.String("name", "viewer", "the sender's display name")
	ip := fs.String("ip", "192.0.2.1", "the sender's address")
	at := fs.Float64("time", 0, "seconds into the video")
	var roles roleFlag
	fs.Var(&roles, "role", "the sender's roles; repeat it or separate with commas")
	file, err := parseFile(fs, args, io)
	if err != nil {
		return err
	}
	if *text == "" {
		return errors.New("-text is required")
	}
	addr, err := netip.ParseAddr(*ip)
	if err != nil {
		return fmt.Errorf("-ip: %w", err)
	}
	set, err := buildFile(file, io)
	if err != nil {
		return err
	}
	defer set.Close()
	c := plugins.Comment{
		Room: *room, User: plugins.User{ID: *user, Name: *name, Roles: splitRoles(roles)}, IP: addr,
		Text: *text, Time: *at, Mode: plugins.ModeScroll, Color: "#ffffff", Size: plugins.SizeMedium,
		Metadata: map[string]string{"via": "cli"},
	}
	ch := set.Chain(*room)
	which := "its own chain"
	if ch.Room() == "" {
		which = "the default chain"
	}
	fmt.Fprintf(io.Stdout, "room %q (%s), comment %q\n", *room, which, *text)
	res, steps := ch.Trace(ctx, c)
	w := tabwriter.NewWriter(io.Stdout, 0, 4, 2, ' ', 0)
	for _, s := range steps {
		fmt.Fprintf(w, "  %d.\t%s\t%s\t%v\n", s.Index+1, s.Plugin, stepVerdict(s), s.Elapsed.Round(time.Microsecond))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "result: %s\n", resultLine(res))
	return nil
}

func splitRoles(roles []string) []string {
	var out []string
	for _, r := range roles {
		for p := range strings.SplitSeq(r, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func stepVerdict(s plugins.Step) string {
	switch {
	case s.Err != nil:
		return "failed: " + s.Err.Error()
	case s.Action == plugins.ActionRewrite:
		return fmt.Sprintf("rewrite %q (%s)", s.Text, s.Reason)
	case s.Reason != "":
		return fmt.Sprintf("%s: %s", s.Action, s.Reason)
	}
	return s.Action.String()
}

func resultLine(r plugins.Result) string {
	out := r.Action.String()
	if r.Plugin != "" {
		out += " by " + r.Plugin
	}
	if r.Reason != "" {
		out += ": " + r.Reason
	}
	if r.Action.Accepted() {
		out += fmt.Sprintf(", stored as %q", r.Comment.Text)
	}
	if r.Err != nil {
		out += " (failure: " + r.Err.Error() + ")"
	}
	return out
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
