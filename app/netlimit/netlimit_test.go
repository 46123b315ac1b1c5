package netlimit_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/netlimit"
)

// quiet drops the listener's log lines.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// counts records what the listener reports.
type counts struct {
	mu              sync.Mutex
	refused, failed map[string]int
}

func (c *counts) ConnRefused(r string)  { c.mu.Lock(); c.refused[r]++; c.mu.Unlock() }
func (c *counts) AcceptFailed(r string) { c.mu.Lock(); c.failed[r]++; c.mu.Unlock() }

func (c *counts) get(m map[string]int, r string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return m[r]
}

// serve wraps a loopback listener with limits and accepts on it, holding
// every accepted connection until its client closes it.
func serve(t *testing.T, limits netlimit.Limits) (*netlimit.Listener, *counts) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	obs := &counts{refused: map[string]int{}, failed: map[string]int{}}
	l := netlimit.Wrap(ln, limits, obs, quiet)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				_, _ = io.Copy(io.Discard, c)
				c.Close()
			}()
		}
	}()
	return l, obs
}

// dialFrom connects to l from the local address ip, waits until l has
// accepted it, and reports whether l kept it (false: refused, closed).
func dialFrom(t *testing.T, l *netlimit.Listener, obs *counts, ip string) (net.Conn, bool) {
	t.Helper()
	seen := func() (int, int) {
		open, _ := l.Open()
		return open, obs.get(obs.refused, netlimit.RefusedTotal) + obs.get(obs.refused, netlimit.RefusedPerIP)
	}
	open0, refused0 := seen()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c, err := d.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		open, refused := seen()
		switch {
		case open > open0:
			return c, true
		case refused > refused0:
			return c, false
		case time.Now().After(deadline):
			t.Fatalf("the connection from %s was never accepted", ip)
		}
		time.Sleep(time.Millisecond) // the accept loop runs on its own goroutine
	}
}

func TestCaps(t *testing.T) {
	for _, tc := range []struct {
		name   string
		limits netlimit.Limits
		from   []string // one connection each, in order
		kept   []bool
		reason string // what the refusals count as
	}{
		{"total", netlimit.Limits{Total: 2}, []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"}, []bool{true, true, false}, netlimit.RefusedTotal},
		{"per address", netlimit.Limits{PerIP: 2}, []string{"127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.3"}, []bool{true, true, false, true}, netlimit.RefusedPerIP},
		{"a proxy is exempt from the per-address cap", netlimit.Limits{PerIP: 1, Exempt: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}},
			[]string{"127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3"}, []bool{true, true, true, false}, netlimit.RefusedPerIP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, obs := serve(t, tc.limits)
			want := 0
			for i, ip := range tc.from {
				if _, kept := dialFrom(t, l, obs, ip); kept != tc.kept[i] {
					t.Errorf("connection %d from %s kept: %v, want %v", i, ip, kept, tc.kept[i])
				}
				if !tc.kept[i] {
					want++
				}
			}
			if got := obs.get(obs.refused, tc.reason); got != want {
				t.Errorf("refused %d as %s, want %d", got, tc.reason, want)
			}
		})
	}
	t.Run("a closed connection frees its place", func(t *testing.T) {
		l, obs := serve(t, netlimit.Limits{Total: 1})
		c, kept := dialFrom(t, l, obs, "127.0.0.2")
		if !kept {
			t.Fatal("the first connection was refused")
		}
		if p := l.Pressure(); p == "" {
			t.Error("no pressure reported at the cap")
		}
		c.Close()
		deadline := time.Now().Add(5 * time.Second)
		for open, _ := l.Open(); open != 0; open, _ = l.Open() {
			if time.Now().After(deadline) {
				t.Fatal("the closed connection still counts")
			}
			time.Sleep(time.Millisecond) // the server side notices the close when it reads
		}
	})
}

// failingListener fails its accepts with errs, in order, then blocks until closed.
type failingListener struct {
	net.Listener
	errs []error
}

func (f *failingListener) Accept() (net.Conn, error) {
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	return f.Listener.Accept()
}

func TestTemporaryAcceptErrorsAreRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	emfile := &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	obs := &counts{refused: map[string]int{}, failed: map[string]int{}}
	l := netlimit.Wrap(&failingListener{Listener: ln, errs: []error{emfile, emfile, emfile}}, netlimit.Limits{Descriptors: 1 << 20}, obs, quiet)
	defer l.Close()
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			_, _ = io.WriteString(c, "x")
			c.Close()
		}
	}()
	c, err := l.Accept() // fails three times, pausing 5, 10 and 20 ms, then accepts
	if err != nil {
		t.Fatalf("Accept: %v, want the connection after the retries", err)
	}
	c.Close()
	if got := obs.get(obs.failed, "EMFILE"); got != 3 {
		t.Errorf("counted %d EMFILE, want 3", got)
	}
	if p := l.Pressure(); p == "" {
		t.Error("no pressure reported after EMFILE")
	}

	// A permanent error ends Accept.
	bad := netlimit.Wrap(&failingListener{Listener: ln, errs: []error{fmt.Errorf("accept: %w", syscall.EINVAL)}}, netlimit.Limits{}, nil, quiet)
	if _, err := bad.Accept(); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("Accept after EINVAL: %v, want the error", err)
	}
}

func TestBudget(t *testing.T) {
	if n, err := netlimit.Budget(1024, 30, 128); err != nil || n != 866 {
		t.Errorf("Budget(1024, 30, 128) = %d, %v; want 866", n, err)
	}
	if _, err := netlimit.Budget(150, 30, 128); err == nil {
		t.Error("Budget(150, 30, 128) left no room and did not fail")
	}
}
