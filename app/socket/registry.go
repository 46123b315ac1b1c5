package socket

import (
	"context"
	"sync"
	"time"
)

// registry is the set of open sockets.
type registry struct {
	mu      sync.Mutex
	sockets map[socket]struct{}
	mods    int            // how many of them are moderators' sockets
	wg      sync.WaitGroup // one per handshake, done when its handler returns
}

func (r *registry) add(s socket) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sockets == nil {
		r.sockets = map[socket]struct{}{}
	}
	if _, ok := r.sockets[s]; !ok && isModerator(s) {
		r.mods++
	}
	r.sockets[s] = struct{}{}
}

func (r *registry) remove(s socket) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.sockets[s]; ok && isModerator(s) {
		r.mods--
	}
	delete(r.sockets, s)
}

func isModerator(s socket) bool {
	_, ok := s.(*moderatorSocket)
	return ok
}

// count returns how many viewer and moderator sockets are open.
func (r *registry) count() (viewers, moderators int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sockets) - r.mods, r.mods
}

func (r *registry) each(fn func(socket)) {
	r.mu.Lock()
	list := make([]socket, 0, len(r.sockets))
	for s := range r.sockets {
		list = append(list, s)
	}
	r.mu.Unlock()
	for _, s := range list {
		fn(s)
	}
}

// closeAll asks every socket to close with code, waits up to grace for the
// clients to answer, then cuts the connections that are left, and waits for
// their handlers to return (bounded by ctx). It returns how many it cut.
func (r *registry) closeAll(ctx context.Context, code int, reason string, grace time.Duration) (int, error) {
	r.each(func(s socket) { s.base().close(code, reason) })
	graceCtx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	if waitGroup(graceCtx, &r.wg) == nil {
		return 0, nil
	}
	cut := 0
	r.each(func(s socket) { s.base().cut(); cut++ })
	return cut, waitGroup(ctx, &r.wg)
}

// waitGroup waits for wg or ctx, whichever ends first.
func waitGroup(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
