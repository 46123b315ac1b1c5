package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store/postgres"
	"github.com/danmaku/danmaku/app/transfer"
)

// toolFlags are the server's settings (so -db, -config, -plugins and the
// limits mean what they mean to serve) plus a command's own flags, which
// add declares. Tools log warnings only, unless told otherwise.
func toolFlags(name, usage string, cfg *app.Config, level, format *string, add func(*flag.FlagSet)) *flag.FlagSet {
	*level, *format = "warn", "text"
	fs := serveFlags(cfg, level, format)
	fs.Init(name, flag.ContinueOnError)
	add(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}

// openTool opens the database of an existing installation as the server
// would (migrating it), without listening.
func openTool(ctx context.Context, cfg *app.Config, io IO, files Files, level, format string, from origins) (*app.App, error) {
	if _, err := os.Stat(cfg.DBPath); err != nil && !postgres.IsURL(cfg.DBPath) {
		return nil, fmt.Errorf("no database at %s (set -db, or start the server once to create it)", cfg.DBPath)
	}
	if _, err := complete(cfg, io, files, level, format); err != nil {
		return nil, from.explain(err)
	}
	if cfg.Secret == "" {
		// Tools sign nothing: a throwaway secret, rather than creating
		// secret.key where the server may be configured otherwise.
		cfg.Secret = rand.Text() + rand.Text()
	}
	a, err := app.New(ctx, *cfg)
	if err != nil {
		return nil, from.explain(err)
	}
	return a, nil
}

// closeTool shuts the tool's app down, keeping the first error.
func closeTool(a *app.App, err *error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if cerr := a.Shutdown(ctx); cerr != nil && *err == nil {
		*err = cerr
	}
}

const importUsage = `usage: danmaku import [flags] -room ID FILE

Imports a Bilibili danmaku XML file or a danmaku JSON export (told apart by
its content; FILE "-" reads standard input) into room ID, in chunks that
a running server's writes commit between: a malformed file leaves nothing
imported (the stored chunks are undone). Entries pass the server's
limits and the -import-plugins; the others are skipped and reported.
Progress goes to standard error, the report to standard output.

flags (the server's settings apply: -db, -config, -plugins, -import-plugins, -max-text):`

// importFile runs `danmaku import`.
func importFile(ctx context.Context, args []string, io IO, files Files) (err error) {
	cfg := app.DefaultConfig()
	var level, format, room string
	var create bool
	fs := toolFlags("import", importUsage, &cfg, &level, &format, func(fs *flag.FlagSet) {
		fs.StringVar(&room, "room", "", "the room to import into (required)")
		fs.BoolVar(&create, "create", false, "create the room (a vod room titled with its id) when it does not exist")
	})
	from, rest, err := parseArgs(fs, args, io)
	if err != nil {
		return err
	}
	switch {
	case room == "":
		return errors.New("import: -room is required")
	case len(rest) != 1:
		fs.Usage()
		return errUsage
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	in, name, size, err := openInput(rest[0], io)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer in.Close()
	a, err := openTool(ctx, &cfg, io, files, level, format, from)
	if err != nil {
		return err
	}
	defer closeTool(a, &err)
	if create {
		created, err := a.EnsureRoom(ctx, room)
		if err != nil {
			return fmt.Errorf("import: creating room %q: %s", room, message(err))
		}
		if created {
			fmt.Fprintf(io.Stderr, "created room %q\n", room)
		}
	}
	bar := newProgress(io.Stderr, size)
	rep, err := a.Import(ctx, in, transfer.ImportOptions{Room: room, By: "cli", Source: name, Progress: bar.update})
	bar.finish(err == nil)
	if err != nil {
		return fmt.Errorf("import: %s", message(err))
	}
	return printImport(io.Stdout, rep)
}

// printImport writes the report for people.
func printImport(w io.Writer, rep transfer.ImportReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "imported %d of %d entries (%s) into room %q as import %d", rep.Imported, rep.Read, rep.Format, rep.Room, rep.ID)
	if rep.Imported > 0 {
		fmt.Fprintf(&b, ", seqs %d to %d", rep.FirstSeq, rep.LastSeq)
	}
	b.WriteString("\n")
	if rep.Skipped.Total > 0 {
		fmt.Fprintf(&b, "skipped %d:\n", rep.Skipped.Total)
		for _, reason := range sortedReasons(rep.Skipped.ByReason) {
			fmt.Fprintf(&b, "  %-18s %d\n", reason, rep.Skipped.ByReason[reason])
		}
		b.WriteString("first skipped entries:\n")
		for _, s := range rep.Skipped.Examples {
			fmt.Fprintf(&b, "  line %d: %s\n", s.Line, s.Detail)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

const exportUsage = `usage: danmaku export [flags] -room ID [-format xml|json] [FILE]

Writes room ID's visible comments, ordered by video time, as Bilibili
danmaku XML or as a danmaku JSON export, to FILE (the format follows its
extension unless -format says) or to standard output.

flags (the server's settings apply: -db, -config):`

// exportFile runs `danmaku export`.
func exportFile(ctx context.Context, args []string, io IO, files Files) (err error) {
	cfg := app.DefaultConfig()
	var level, logFormat, room, format string
	fs := toolFlags("export", exportUsage, &cfg, &level, &logFormat, func(fs *flag.FlagSet) {
		fs.StringVar(&room, "room", "", "the room to export (required)")
		fs.StringVar(&format, "format", "", "xml or json; default: from FILE's extension, else xml")
	})
	from, rest, err := parseArgs(fs, args, io)
	if err != nil {
		return err
	}
	path := "-"
	switch {
	case room == "":
		return errors.New("export: -room is required")
	case len(rest) > 1:
		fs.Usage()
		return errUsage
	case len(rest) == 1:
		path = rest[0]
	}
	if format == "" {
		format = "xml"
		if strings.EqualFold(filepath.Ext(path), ".json") {
			format = "json"
		}
	}
	f, err := transfer.ExportFormat(format)
	if err != nil {
		return fmt.Errorf("export: -%w", err)
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	a, err := openTool(ctx, &cfg, io, files, level, logFormat, from)
	if err != nil {
		return err
	}
	defer closeTool(a, &err)
	out, commit, err := openOutput(path, io)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	n, err := a.Export(ctx, out, room, f)
	if err = commit(err); err != nil {
		return fmt.Errorf("export: %s", message(err))
	}
	if path != "-" {
		fmt.Fprintf(io.Stderr, "exported %d comments of room %q to %s\n", n, room, path)
	}
	return nil
}

// message is what to tell people about err: a coded error's message
// (which says what to do), else the error.
func message(err error) string {
	if e := (*errs.Error)(nil); errors.As(err, &e) && e.Code != errs.Internal {
		return e.Message
	}
	return err.Error()
}
