// Package netlimit guards a server's listener so that clients cannot run
// the process out of file descriptors: it caps the TCP connections open at
// once, in total and from one address, and retries the accept errors that
// a full descriptor table (or a passing kernel shortage) causes instead of
// letting them stop the server. The total cap is meant to sit below the
// process's descriptor limit (Budget), with a reserve for everything else
// the process opens: the database, its pools, the metrics listener.
package netlimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Limits cap the connections a Listener keeps open.
type Limits struct {
	Total int // connections open at once; <= 0: no cap
	PerIP int // connections open at once from one address; <= 0: no cap
	// Exempt are addresses the per-address cap does not apply to (reverse
	// proxies, through which many clients come from one address).
	Exempt []netip.Prefix
	// Descriptors is the process's descriptor limit, which Pressure
	// compares the open descriptors with; 0: unknown, not compared.
	Descriptors int
}

// Observer counts what the listener does (metrics).
type Observer interface {
	// AcceptFailed counts an accept error that was retried, by errno name
	// (EMFILE, ENFILE, …).
	AcceptFailed(reason string)
	// ConnRefused counts a connection closed at once, over a cap: "total"
	// or "per_ip".
	ConnRefused(reason string)
}

// Reasons a connection is refused.
const (
	RefusedTotal = "total"
	RefusedPerIP = "per_ip"
)

// Accept backoff, as net/http's Server.Serve does it.
const (
	firstDelay = 5 * time.Millisecond
	maxDelay   = time.Second
)

// Listener is a net.Listener that keeps to Limits and retries temporary
// accept errors.
type Listener struct {
	net.Listener
	limits Limits
	obs    Observer
	log    *slog.Logger

	mu    sync.Mutex
	open  int
	perIP map[netip.Addr]int

	closed    chan struct{}
	closeOnce sync.Once
	lastFail  atomic.Int64 // Unix nanoseconds of the last descriptor error
	logs      logGate
}

// Wrap returns ln kept to limits; obs and log may be nil.
func Wrap(ln net.Listener, limits Limits, obs Observer, log *slog.Logger) *Listener {
	if log == nil {
		log = slog.Default()
	}
	return &Listener{Listener: ln, limits: limits, obs: obs, log: log, perIP: map[netip.Addr]int{}, closed: make(chan struct{})}
}

// Accept waits for the next connection within the limits. Connections over
// a cap are closed at once (the client sees the connection end) and counted;
// temporary errors are retried after a growing pause. Only a closed
// listener or a permanent error ends it.
func (l *Listener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			reason, temporary := classify(err)
			if !temporary || l.isClosed() {
				return nil, err
			}
			delay = min(max(2*delay, firstDelay), maxDelay)
			l.failed(reason, err, delay)
			if !l.pause(delay) {
				return nil, net.ErrClosed
			}
			continue
		}
		delay = 0
		if conn := l.admit(c); conn != nil {
			return conn, nil
		}
	}
}

// Close closes the listener and ends any pause in Accept.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

func (l *Listener) isClosed() bool {
	select {
	case <-l.closed:
		return true
	default:
		return false
	}
}

// pause waits d, or reports false when the listener closes first.
func (l *Listener) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-l.closed:
		return false
	}
}

// failed logs (rate-limited) and counts a retried accept error.
func (l *Listener) failed(reason string, err error, delay time.Duration) {
	if reason == "EMFILE" || reason == "ENFILE" {
		l.lastFail.Store(time.Now().UnixNano())
	}
	if l.obs != nil {
		l.obs.AcceptFailed(reason)
	}
	if n, ok := l.logs.allow(time.Now()); ok {
		l.log.Error("accepting connections failed; retrying", "err", err, "retry_in", delay, "errors_since_last_log", n)
	}
}

// admit counts c within the limits and returns it wrapped, or closes it
// and returns nil when it is over a cap.
func (l *Listener) admit(c net.Conn) net.Conn {
	ip := remoteIP(c)
	capped := l.limits.PerIP > 0 && ip.IsValid() && !l.exempt(ip)
	l.mu.Lock()
	reason := ""
	switch {
	case l.limits.Total > 0 && l.open >= l.limits.Total:
		reason = RefusedTotal
	case capped && l.perIP[ip] >= l.limits.PerIP:
		reason = RefusedPerIP
	default:
		l.open++
		if capped {
			l.perIP[ip]++
		}
	}
	l.mu.Unlock()
	if reason != "" {
		_ = c.Close()
		if l.obs != nil {
			l.obs.ConnRefused(reason)
		}
		if n, ok := l.logs.allow(time.Now()); ok {
			l.log.Warn("refused connections over the cap", "reason", reason, "ip", ip, "total", l.limits.Total, "per_ip", l.limits.PerIP, "refusals_since_last_log", n)
		}
		return nil
	}
	return &conn{Conn: c, l: l, ip: ip, capped: capped}
}

// release uncounts a closed connection.
func (l *Listener) release(ip netip.Addr, capped bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if capped {
		if l.perIP[ip] <= 1 {
			delete(l.perIP, ip)
		} else {
			l.perIP[ip]--
		}
	}
}

func (l *Listener) exempt(ip netip.Addr) bool {
	for _, p := range l.limits.Exempt {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Open returns how many connections are open and the total cap (0: none).
func (l *Listener) Open() (open, total int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open, l.limits.Total
}

// pressureWindow is how long a descriptor error keeps the listener under
// pressure after it happened.
const pressureWindow = 10 * time.Second

// Pressure says why the process cannot take more connections right now:
// the listener is at its total cap, accept ran out of descriptors in the
// last pressureWindow, or nine in ten of the process's descriptors are
// open; "" when none of these.
func (l *Listener) Pressure() string {
	if t := l.lastFail.Load(); t != 0 && time.Since(time.Unix(0, t)) < pressureWindow {
		return "accept ran out of file descriptors in the last " + pressureWindow.String()
	}
	if open, total := l.Open(); total > 0 && open >= total {
		return fmt.Sprintf("at the connection cap: %d connections open (-max-tcp)", open)
	}
	if limit := l.limits.Descriptors; limit > 0 {
		open, err := OpenDescriptors()
		switch {
		case err != nil:
			return "cannot count the open file descriptors: " + err.Error()
		case open*10 >= limit*9:
			return fmt.Sprintf("%d of %d file descriptors open", open, limit)
		}
	}
	return ""
}

// classify names an accept error and reports whether it is worth retrying:
// running out of descriptors or kernel memory, and connections that ended
// before they were accepted.
func classify(err error) (reason string, temporary bool) {
	if errors.Is(err, net.ErrClosed) {
		return "closed", false
	}
	for _, e := range []struct {
		errno syscall.Errno
		name  string
	}{
		{syscall.EMFILE, "EMFILE"}, {syscall.ENFILE, "ENFILE"}, {syscall.ENOBUFS, "ENOBUFS"}, {syscall.ENOMEM, "ENOMEM"},
		{syscall.ECONNABORTED, "ECONNABORTED"}, {syscall.ECONNRESET, "ECONNRESET"}, {syscall.EINTR, "EINTR"},
		{syscall.EAGAIN, "EAGAIN"}, {syscall.EPROTO, "EPROTO"}, {syscall.EPERM, "EPERM"},
	} {
		if errors.Is(err, e.errno) {
			return e.name, true
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout", true
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout", true
	}
	return "other", false
}

// remoteIP is c's peer address, or the zero Addr for a non-IP connection.
func remoteIP(c net.Conn) netip.Addr {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// logEvery is the least time between two log lines of one listener: a
// flood must not turn into a flood of log lines.
const logEvery = 10 * time.Second

// logGate lets one log line through per logEvery and counts the rest.
type logGate struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether a line may be logged now, and how many were held
// back since the last one.
func (g *logGate) allow(now time.Time) (int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.last.IsZero() && now.Sub(g.last) < logEvery {
		g.suppressed++
		return 0, false
	}
	n := g.suppressed
	g.last, g.suppressed = now, 0
	return n, true
}
