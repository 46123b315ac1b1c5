// Package redistest runs throwaway Redis servers for tests: Debian's
// redis-server on a free loopback port, daemonized, without persistence,
// its files in the test's temporary directory. Tests that need one skip
// when redis-server is missing, except in CI (CI=true), where it must be.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a running redis-server.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	// stop, once closed (Kill, or the exit of the test binary, however it
	// ends), tells the watchdog to kill the daemonized server.
	stop *os.File
}

// Start starts a server for t and stops it when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is needed in CI: %v", err)
		}
		t.Skip("redis-server is not installed (apt-get install redis-server)")
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir()}
	for range 3 { // another process may take the free port first
		if s.port, err = freePort(); err != nil {
			t.Fatal(err)
		}
		if err = s.run(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Kill)
	return s
}

// URL is the server's address as -redis takes it.
func (s *Server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

func (s *Server) pidFile() string { return filepath.Join(s.dir, "redis.pid") }

// run starts redis-server on s.port and waits until it answers.
func (s *Server) run() error {
	_ = os.Remove(s.pidFile())
	out, err := exec.Command(s.bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "yes", "--dir", s.dir, "--pidfile", s.pidFile(), "--logfile", filepath.Join(s.dir, "redis.log")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("redistest: redis-server: %w: %s", err, out)
	}
	if err := s.watch(); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s.ping() == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	return fmt.Errorf("redistest: redis-server on port %d did not answer: %s", s.port, log)
}

// watch starts a watchdog that kills the server once s.stop closes: a
// daemonized server outlives its parent, so a test binary that dies
// without running its cleanups must not leave it behind.
func (s *Server) watch() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command("sh", "-c", `read _; kill -9 "$(cat "$0")" 2>/dev/null`, s.pidFile())
	cmd.Stdin = r
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("redistest: starting the watchdog: %w", err)
	}
	go cmd.Wait() //nolint:errcheck // it only kills
	s.stop = w
	return nil
}

// ping sends PING over a plain connection.
func (s *Server) ping() error {
	c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 16)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(buf[:n]), "+PONG") {
		return fmt.Errorf("redistest: PING answered %q", buf[:n])
	}
	return nil
}

// Kill stops the server with SIGKILL and waits until its port is closed.
func (s *Server) Kill() {
	if s.stop != nil {
		defer func() { s.stop.Close(); s.stop = nil }()
	}
	b, err := os.ReadFile(s.pidFile())
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	_ = os.Remove(s.pidFile())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		c, err := net.DialTimeout("tcp", s.Addr(), 100*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
}

// Restart starts the server again on the same port, empty.
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.run(); err != nil {
		s.t.Fatal(err)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// CPU returns the processor time the server has used so far.
func (s *Server) CPU() (time.Duration, error) {
	b, err := os.ReadFile(s.pidFile())
	if err != nil {
		return 0, err
	}
	return ProcessCPU(strings.TrimSpace(string(b)))
}

// ProcessCPU returns the processor time (user and system) process pid has
// used so far, from /proc/PID/stat.
func ProcessCPU(pid string) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields after it are plain.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("redistest: /proc/%s/stat has %d fields", pid, len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] { // utime, stime
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / 100, nil // USER_HZ is 100 on Linux
}
