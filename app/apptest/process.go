package apptest

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/cli"
)

// childEnv marks a test binary started by Spawn as a server; its value is
// the repository root, where the child reads its files.
const childEnv = "DANMAKU_APPTEST_CHILD"

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
	cmd    *exec.Cmd
	done   chan struct{} // closed once the process has exited and been waited for
	killed bool          // Kill has been called, or has nothing to do
}

// Spawn starts a server in a child process (the test binary again, whose
// TestMain calls ServeIfChild) on addr ("127.0.0.1:0": a free port) with
// its database in dir and the settings Config uses, and waits until it
// listens. Its output goes to the test log; it is killed when the test ends.
func Spawn(t testing.TB, dir, addr string) *Process {
	t.Helper()
	root := RepoRoot(t)
	pluginsFile := filepath.Join(dir, "plugins.yaml")
	if err := os.WriteFile(pluginsFile, []byte("plugins: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "serve",
		"-addr", addr,
		"-db", DB(t, dir),
		"-plugins", pluginsFile, "-import-plugins", "none",
		"-max-conns-per-ip", "-1", "-frame-rate", "-1", "-rest-writes", "-1",
		"-flush-every", "20ms",
		"-log-level", "warn")
	cmd.Env = append(childEnviron(), childEnv+"="+root, "DANMAKU_SECRET="+Secret)
	cmd.Stderr = LogWriter(t)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting a server process: %v", err)
	}
	p := &Process{dir: dir, cmd: cmd, done: make(chan struct{})}
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
	return Spawn(t, p.dir, strings.TrimPrefix(p.url, "http://"))
}
