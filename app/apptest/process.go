package apptest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/cli"
)

// childEnv marks a test binary started by Spawn as a server; its value is
// the repository root, where the child reads its files.
const childEnv = "DANMAKU_APPTEST_CHILD"

// noFileEnv, when set, is the open-files limit (RLIMIT_NOFILE, soft and
// hard) the child sets itself before it serves, as `ulimit -n` would.
const noFileEnv = "DANMAKU_APPTEST_NOFILE"

// listening is what serve prints on stdout once it accepts connections,
// followed by the server's URL.
const listening = " listening on "

// ServeIfChild runs the danmaku command line and exits with its code when
// the process is a server that Spawn started; otherwise it returns at once.
// Call it first in the TestMain of a package whose tests use Spawn.
func ServeIfChild() {
	root := os.Getenv(childEnv)
	if root == "" {
		return
	}
	if n, err := strconv.ParseUint(os.Getenv(noFileEnv), 10, 64); err == nil {
		// Go raised the soft limit to the hard one at start; lower both.
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
			fmt.Fprintln(os.Stderr, "apptest: setting RLIMIT_NOFILE:", err)
			os.Exit(3)
		}
	}
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.OS(), repoFiles(root)))
}

// repoFiles are the repository's templates, assets and migrations, read
// from disk under root.
func repoFiles(root string) cli.Files {
	return cli.Files{
		Templates:  os.DirFS(filepath.Join(root, "templates")),
		Assets:     os.DirFS(filepath.Join(root, "assets")),
		Migrations: os.DirFS(filepath.Join(root, "migrations")),
		// The Postgres migrations are a folder of their own inside.
		PostgresMigrations: os.DirFS(filepath.Join(root, "migrations", "postgres")),
	}
}

// Process is a server running in a child process, so that a test can kill
// it as a crash or an OOM killer would: no close frames, no clean shutdown.
type Process struct {
	url    string
	dir    string
	opts   SpawnOptions
	cmd    *exec.Cmd
	done   chan struct{} // closed once the process has exited and been waited for
	killed bool          // Kill has been called, or has nothing to do
}

// SpawnOptions change how Spawn starts a server.
type SpawnOptions struct {
	Args   []string // more serve flags, after (and so over) Spawn's own
	NoFile uint64   // the child's open-files limit (ulimit -n); 0: the test's
}

// Spawn starts a server in a child process (the test binary again, whose
// TestMain calls ServeIfChild) on addr ("127.0.0.1:0": a free port) with
// its database in dir and the settings Config uses, and waits until it
// listens. Its output goes to the test log; it is killed when the test ends.
func Spawn(t testing.TB, dir, addr string) *Process {
	t.Helper()
	return SpawnWith(t, dir, addr, SpawnOptions{})
}

// SpawnWith is Spawn with options.
func SpawnWith(t testing.TB, dir, addr string, opts SpawnOptions) *Process {
	t.Helper()
	root := RepoRoot(t)
	pluginsFile := filepath.Join(dir, "plugins.yaml")
	if err := os.WriteFile(pluginsFile, []byte("plugins: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve",
		"-addr", addr,
		"-db", DB(t, dir),
		"-plugins", pluginsFile, "-import-plugins", "none",
		"-max-conns-per-ip", "-1", "-max-tcp-per-ip", "-1", "-frame-rate", "-1", "-rest-writes", "-1",
		"-flush-every", "20ms",
		"-log-level", "warn"}, opts.Args...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(childEnviron(), childEnv+"="+root, "DANMAKU_SECRET="+Secret)
	if opts.NoFile > 0 {
		cmd.Env = append(cmd.Env, noFileEnv+"="+strconv.FormatUint(opts.NoFile, 10))
	}
	cmd.Stderr = LogWriter(t)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting a server process: %v", err)
	}
	p := &Process{dir: dir, opts: opts, cmd: cmd, done: make(chan struct{})}
	urls := make(chan string, 1)
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer close(urls)
		lines := bufio.NewScanner(stdout)
		for sent := false; lines.Scan(); {
			line := lines.Text()
			t.Log(line)
			if _, url, ok := strings.Cut(line, listening); ok && !sent {
				urls <- url
				sent = true
			}
		}
	}()
	go func() {
		<-read // Wait must not run before the pipe is read to its end
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.Kill(t) })

	select {
	case url, ok := <-urls:
		if !ok {
			<-p.done
			p.killed = true // nothing left to kill, and the failure is said here
			t.Fatalf("the server process exited before it listened: %v", cmd.ProcessState)
		}
		p.url = url
	case <-time.After(WaitFor):
		t.Fatalf("the server process did not say it listens within %v", WaitFor)
	}
	return p
}

// childEnviron is the test's environment without DANMAKU_* settings,
// which would override the flags Spawn passes.
func childEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DANMAKU_") {
			env = append(env, kv)
		}
	}
	return env
}

// URL is the server's base URL, http://host:port.
func (p *Process) URL() string { return p.url }

// Kill sends the process SIGKILL and waits until it is gone; it fails the
// test if the process had ended some other way. Later calls do nothing.
func (p *Process) Kill(t testing.TB) {
	t.Helper()
	if p.killed {
		return
	}
	p.killed = true
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("killing the server process: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(WaitFor):
		t.Fatalf("the server process did not exit within %v of SIGKILL", WaitFor)
	}
	if p.cmd.ProcessState.ExitCode() != -1 { // -1: ended by a signal, SIGKILL here
		t.Errorf("the server process ended before it was killed: %v", p.cmd.ProcessState)
	}
}

// Respawn starts the next server process on p's address and database, as
// a supervisor restarting a crashed server would; kill p first.
func (p *Process) Respawn(t testing.TB) *Process {
	t.Helper()
	return SpawnWith(t, p.dir, strings.TrimPrefix(p.url, "http://"), p.opts)
}

// Pid is the process's id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended, and how.
func (p *Process) Exited() (*os.ProcessState, bool) {
	select {
	case <-p.done:
		return p.cmd.ProcessState, true
	default:
		return nil, false
	}
}
