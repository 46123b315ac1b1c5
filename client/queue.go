package client

import (
	"context"
	"sync"
)

// eventQueue holds events between the connection's reader and the reader
// of Events, so that a slow consumer never holds up acks; past limit the
// connection's reader waits.
type eventQueue struct {
	mu    sync.Mutex
	items []Event
	limit int
	wake  chan struct{} // signalled when an event is added
	space chan struct{} // signalled when an event is taken
}

func newEventQueue(limit int) *eventQueue {
	return &eventQueue{limit: max(limit, 1), wake: make(chan struct{}, 1), space: make(chan struct{}, 1)}
}

// push adds ev, waiting while the queue is full until ctx ends.
func (q *eventQueue) push(ctx context.Context, ev Event) error {
	for {
		q.mu.Lock()
		if len(q.items) < q.limit {
			q.items = append(q.items, ev)
			q.mu.Unlock()
			signal(q.wake)
			return nil
		}
		q.mu.Unlock()
		select {
		case <-q.space:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// pop takes the oldest event, if any.
func (q *eventQueue) pop() (Event, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return nil, false
	}
	ev := q.items[0]
	q.items[0] = nil
	q.items = q.items[1:]
	if len(q.items) == 0 {
		q.items = nil // let the backing array go once drained
	}
	signal(q.space)
	return ev, true
}

// signal wakes one waiter on ch without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// dispatch moves queued events to Events in order. After the client ends
// by itself it delivers what is left, then closes Events; Close stops it
// at once.
func (c *Client) dispatch() {
	defer c.wg.Done()
	defer close(c.events)
	ended := false
	for {
		ev, ok := c.queue.pop()
		if !ok {
			if ended {
				return
			}
			select {
			case <-c.queue.wake:
			case <-c.done:
				ended = true
			case <-c.closing:
				return
			}
			continue
		}
		select {
		case c.events <- ev:
		case <-c.closing:
			return
		}
	}
}
