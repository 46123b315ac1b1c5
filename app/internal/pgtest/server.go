// Package pgtest runs throwaway PostgreSQL servers for tests: Debian's
// binaries (/usr/lib/postgresql/*/bin) on a free loopback port, with the
// data directory and the socket directory in a temporary directory. A test
// binary shares one server (DB gives each test a fresh database on it);
// benchmarks that need other settings Start one of their own.
//
// PostgreSQL refuses to run as root, which CI and the dev machines are:
// initdb and pg_ctl then run as the postgres user (runuser), over a
// directory handed to that user. A watchdog process stops the server and
// removes the directory when the test binary exits, however it exits.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoPostgres means the PostgreSQL binaries are not installed.
var ErrNoPostgres = errors.New("pgtest: no PostgreSQL binaries (apt-get install postgresql)")

// Options are a server's settings.
type Options struct {
	// Durable keeps fsync and full-page writes on, as in production, for
	// benchmarks. Tests run without them: a throwaway server needs no
	// protection from power loss, and every commit is still durable
	// against a crash of PostgreSQL itself (synchronous_commit stays on).
	Durable bool
}

// Server is a running PostgreSQL server.
type Server struct {
	port  int
	dir   string // holds data/, sock/ and server.log
	admin *pgx.Conn
	mu    sync.Mutex // guards admin and next
	next  int        // the next database's number

	stop     *os.File  // closing it tells the watchdog to stop the server
	watchdog *exec.Cmd // stops the server and removes dir
}

// Start starts a server with opts on a free loopback port and waits until
// it accepts connections.
func Start(opts Options) (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "danmaku-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir}
	if err := s.start(bin, opts); err != nil {
		_ = s.Stop()
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func (s *Server) start(bin string, opts Options) error {
	data, sock := filepath.Join(s.dir, "data"), filepath.Join(s.dir, "sock")
	if err := os.Mkdir(sock, 0o700); err != nil {
		return err
	}
	if err := handOver(s.dir); err != nil {
		return err
	}
	if out, err := asPostgres(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions").CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: initdb: %w: %s", err, out)
	}
	if err := s.startWatchdog(filepath.Join(bin, "pg_ctl"), data); err != nil {
		return err
	}
	settings := []string{"-h", "127.0.0.1", "-k", sock, "-c", "max_connections=300"}
	if !opts.Durable {
		settings = append(settings, "-c", "fsync=off", "-c", "full_page_writes=off")
	}
	var err error
	for range 3 { // another process may take the free port first
		if s.port, err = freePort(); err != nil {
			return err
		}
		args := append(slices.Clone(settings), "-p", strconv.Itoa(s.port))
		out, startErr := asPostgres(filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(s.dir, "server.log"),
			"-w", "-t", "60", "-o", strings.Join(args, " "), "start").CombinedOutput()
		if startErr == nil {
			break
		}
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		err = fmt.Errorf("pgtest: pg_ctl start: %w: %s\n%s", startErr, out, log)
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s.admin, err = pgx.Connect(ctx, s.URL("postgres"))
	return err
}

// startWatchdog starts the process that, once the stop pipe closes (Stop,
// or the exit of this process, which closes every descriptor it holds),
// stops the server at once and removes its directory.
func (s *Server) startWatchdog(pgCtl, data string) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	stop := strings.Join(asPostgres(pgCtl, "-D", data, "-m", "immediate", "-w", "stop").Args, " ")
	s.watchdog = exec.Command("sh", "-c", `read _; `+stop+` >/dev/null 2>&1; rm -rf "$0"`, s.dir)
	s.watchdog.Stdin = r
	// Its own session: a Ctrl-C in the terminal stops the tests, and the
	// watchdog then does its job instead of dying with them.
	s.watchdog.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := s.watchdog.Start(); err != nil {
		w.Close()
		return fmt.Errorf("pgtest: starting the watchdog: %w", err)
	}
	s.stop = w
	return nil
}

// Stop stops the server and removes its directory.
func (s *Server) Stop() error {
	if s.admin != nil {
		_ = s.admin.Close(context.Background())
	}
	if s.stop == nil {
		return nil
	}
	s.stop.Close()
	s.stop = nil
	return s.watchdog.Wait()
}

// URL is the address of database db on the server.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// CreateDB creates a new, empty database and returns its name.
func (s *Server) CreateDB(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	name := fmt.Sprintf("test_%d", s.next)
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgtest: creating database %s: %w", name, err)
	}
	return name, nil
}

// DropDB drops database name, closing its connections.
func (s *Server) DropDB(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// binDir finds the newest PostgreSQL's binaries.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(a) - version(b) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i], nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNoPostgres
}

// version is the major version in /usr/lib/postgresql/N/bin.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// asPostgres runs a PostgreSQL program, as the postgres user when this
// process is root.
func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

// handOver gives dir to the postgres user when this process is root.
func handOver(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("pgtest: running as root needs the postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(path, uid, gid)
	})
}

// freePort returns a loopback port nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
