// Package cli is the command line of the danmaku binary: it parses flags and
// DANMAKU_* variables into an app.Config and runs a subcommand.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Files are the embedded trees the binary ships with.
type Files struct {
	Templates  fs.FS
	Assets     fs.FS
	Migrations fs.FS // SQLite's
	// PostgresMigrations are the migrations for -db postgres://….
	PostgresMigrations fs.FS
}

// Env reads environment variables; tests pass their own.
type Env func(string) string

// IO is where a command reads its environment and input and writes its output.
type IO struct {
	Env    Env
	Stdin  io.Reader // nil: none
	Stdout io.Writer
	Stderr io.Writer
	Clock  Clock // nil: the real one
}

// OS returns the process's own environment and streams.
func OS() IO { return IO{Env: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr} }

// Version is the binary's version, set at build time with -ldflags.
var Version = "dev"

type command struct {
	name  string
	brief string
	run   func(ctx context.Context, args []string, io IO, files Files) error
}

func commands() []command {
	return []command{
		{"serve", "run the server (the default)", serve},
		{"loadtest", "drive many WebSocket clients against a server and report loss, latency and cost", runLoadtest},
		{"token", "print a signed token for a user (-user, -name, -role, -ttl)", token},
		{"version", "print the version", func(_ context.Context, _ []string, io IO, _ Files) error {
			_, err := fmt.Fprintln(io.Stdout, "danmaku", Version)
			return err
		}},
		{"migrate", "apply (up) or list (status) the database migrations", migrate},
		{"import", "import a Bilibili XML file or a JSON export into a room", importFile},
		{"export", "write a room's comments as Bilibili XML or JSON", exportFile},
		{"send", "post a comment to a room of a running server and print the stored comment", sendComment},
		{"tail", "print a room's live comments as they come, until interrupted", tailRoom},
		{"relay", "post a Bilibili XML file or JSON export into a live room at its recorded pace", relayFile},
		{"plugins", "check a plugin config offline (plugins check FILE) or try a comment (plugins try FILE -room R -text T)", pluginsCmd},
		{"backup", "copy the database to a file while the server runs, and check the copy", backup},
		{"restore", "replace the database with a backup, for a stopped server", restore},
		{"export-user", "write everything stored about one user as JSON (a data request)", exportUser},
		{"erase-user", "erase one user's comments, likes and sessions (a data request)", eraseUser},
	}
}

// Main runs the subcommand named by args[0] (serve when absent or a flag)
// and returns the process exit code.
func Main(ctx context.Context, args []string, io IO, files Files) int {
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	for _, c := range commands() {
		if c.name == name {
			if err := c.run(ctx, args, io, files); err != nil {
				if errors.Is(err, errHelp) {
					return 0
				}
				if err != errUsage {
					fmt.Fprintln(io.Stderr, "danmaku:", err)
				}
				return exitCode(err)
			}
			return 0
		}
	}
	if name == "help" {
		usage(io.Stdout)
		return 0
	}
	fmt.Fprintf(io.Stderr, "danmaku: unknown command %q\n\n", name)
	usage(io.Stderr)
	return 2
}

// exitCode is the process exit code for a command's error: 1 when the
// server refused what the command asked (its reason was printed), 2 for
// everything else (usage, files, connections).
func exitCode(err error) int {
	var r *refusal
	if errors.As(err, &r) {
		return 1
	}
	return 2
}

// usage lists the subcommands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: danmaku [command] [flags]   (danmaku COMMAND -h lists a command's flags)\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.brief)
	}
	fmt.Fprintf(w, "  %-12s %s\n", "help", "print this list")
}
