package socket

import "sync"

// maxCommentsInFlight bounds the comments one socket has handed over and
// not yet seen moderated and queued for the writer. Comments are
// moderated off the read goroutine, so a slow plugin cannot hold the
// socket's pings and other frames; past the bound, a comment is answered
// at once with a rate_limited ack instead of piling up.
const maxCommentsInFlight = 8

// commentQueue runs a socket's comments one at a time, in the order they
// came, on a goroutine that exists only while there is work: a socket's
// comments stay in order, and its read goroutine never waits for one.
type commentQueue struct {
	mu      sync.Mutex
	pending []func() // pending[0] is running
	stopped bool
}

// push queues work and reports whether there was room for it.
func (q *commentQueue) push(work func()) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopped || len(q.pending) >= maxCommentsInFlight {
		return false
	}
	q.pending = append(q.pending, work)
	if len(q.pending) == 1 {
		go q.drain()
	}
	return true
}

// drain runs the queued work until none is left.
func (q *commentQueue) drain() {
	q.mu.Lock()
	for len(q.pending) > 0 {
		work := q.pending[0]
		q.mu.Unlock()
		work()
		q.mu.Lock()
		q.pending[0] = nil
		q.pending = q.pending[1:]
	}
	q.pending = nil
	q.mu.Unlock()
}

// stop drops the comments not yet started and refuses new ones: the
// socket is gone, nobody is left to answer.
func (q *commentQueue) stop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stopped = true
	if len(q.pending) > 1 {
		clear(q.pending[1:])
		q.pending = q.pending[:1]
	}
}
