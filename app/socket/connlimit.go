package socket

import "sync"

// connLimit counts open WebSockets per client IP.
type connLimit struct {
	max int // <= 0: no limit
	mu  sync.Mutex
	n   map[string]int
}

// acquire counts a new socket from ip, or reports false when ip already has max.
func (l *connLimit) acquire(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == nil {
		l.n = map[string]int{}
	}
	if l.max > 0 && l.n[ip] >= l.max {
		return false
	}
	l.n[ip]++
	return true
}

// release uncounts a socket from ip.
func (l *connLimit) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[ip] <= 1 {
		delete(l.n, ip)
		return
	}
	l.n[ip]--
}
