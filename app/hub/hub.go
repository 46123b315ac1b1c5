// Package hub keeps the rooms and their viewers on this node and fans
// messages out to them through a Broker, batching each room's comments.
package hub

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

// Options configure a Hub.
type Options struct {
	Broker Broker // default: a new MemoryBroker
	// BatchMax is the longest a comment waits so that it can share a frame
	// with others in a busy room; a quiet room sends at once. Default 50ms.
	BatchMax time.Duration
	// WindowPerViewer sizes a busy room's window by its fan-out: a room of
	// n viewers waits n × WindowPerViewer (at most BatchMax) between
	// frames. A socket write costs about 8µs of CPU on loopback
	// (docs/BENCHMARKS.md), so the default, 40µs, keeps one busy room's
	// fan-out near a fifth of a core while small rooms wait next to nothing.
	WindowPerViewer time.Duration
	// HoldMax is the longest a busy room holds comments back while more
	// than one in eight of its members, and at least eight, are still
	// writing earlier frames (see Backlogger): writing more then would only
	// queue behind, so waiting merges them into fewer, larger frames.
	// Default 500ms.
	HoldMax time.Duration
	// BacklogPoll is how often a held room looks again. Default 5ms.
	BacklogPoll time.Duration
	// FlushEvery is the least time between two presence or two likes
	// frames of a room; a room that has sent none for that long sends at
	// once. Default 250ms.
	FlushEvery time.Duration
	// Observer, when set, is told about every frame fanned out (metrics).
	Observer Observer
	Logger   *slog.Logger
}

// Hub is the set of rooms that have viewers on this node.
type Hub struct {
	opts    Options
	counter Counter    // opts.Broker, when it counts the cluster's viewers
	mu      sync.Mutex // guards rooms, closed and membership changes
	rooms   map[string]*room
	closed  bool
}

// New returns a Hub. Call Close to stop its pending flushes.
func New(opts Options) *Hub {
	if opts.Broker == nil {
		opts.Broker = NewMemoryBroker()
	}
	if opts.BatchMax <= 0 {
		opts.BatchMax = 50 * time.Millisecond
	}
	if opts.WindowPerViewer <= 0 {
		opts.WindowPerViewer = 40 * time.Microsecond
	}
	if opts.HoldMax <= 0 {
		opts.HoldMax = 500 * time.Millisecond
	}
	if opts.BacklogPoll <= 0 {
		opts.BacklogPoll = 5 * time.Millisecond
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 250 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &Hub{opts: opts, rooms: map[string]*room{}}
	h.counter, _ = opts.Broker.(Counter)
	return h
}

// total is a room's viewer count on every node, given local, this node's.
func (h *Hub) total(roomID string, local int) int {
	if h.counter == nil {
		return local
	}
	return h.counter.Viewers(roomID, local)
}

// Join adds m to a room and returns its subscription, holding live frames
// until Release so the caller can send the welcome and any catch-up first.
// It also returns the room's viewer count including m.
//
// The first viewer of a room on this node subscribes to it with the
// broker, which may read the store (the cluster broker reads where the
// room's stream stands): that runs without the hub's lock, so a slow
// read holds up only the joins of that room, not every join on the node.
func (h *Hub) Join(roomID string, m Member) (*Subscription, int, error) {
	for {
		h.mu.Lock()
		r := h.rooms[roomID]
		if r == nil {
			r = &room{id: roomID, hub: h, ready: make(chan struct{})}
			h.rooms[roomID] = r
			h.mu.Unlock()
			h.subscribe(r)
		} else {
			h.mu.Unlock()
		}
		<-r.ready
		if r.startErr != nil {
			return nil, 0, r.startErr
		}
		h.mu.Lock()
		if h.rooms[roomID] != r {
			// Its last member left before m was in: the room is gone.
			h.mu.Unlock()
			continue
		}
		s := &Subscription{hub: h, room: r, member: m, holding: true, version: protocol.V1}
		s.backlog, _ = m.(Backlogger)
		if v, ok := m.(Versioned); ok && v.WireVersion() == protocol.V2 {
			s.version = protocol.V2
		}
		r.mu.Lock()
		r.add(s)
		n := len(r.members)
		r.mu.Unlock()
		h.mu.Unlock()
		return s, h.total(roomID, n), nil
	}
}

// subscribe subscribes a new room with the broker, without the hub's
// lock, and then lets its joins in (r.ready). A room the broker refused
// is dropped, and its joins get the error.
func (h *Hub) subscribe(r *room) {
	unsub, err := h.opts.Broker.Subscribe(r.id, r.deliver)
	h.mu.Lock()
	if err != nil {
		r.startErr = fmt.Errorf("hub: subscribing to %s: %w", r.id, err)
		if h.rooms[r.id] == r {
			delete(h.rooms, r.id)
		}
	} else {
		r.unsubscribe = unsub
		if h.closed {
			r.close()
		}
	}
	h.mu.Unlock()
	close(r.ready)
}

func (h *Hub) leave(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := s.room
	r.mu.Lock()
	removed := r.remove(s)
	empty := len(r.members) == 0
	r.mu.Unlock()
	if removed && empty && h.rooms[r.id] == r {
		delete(h.rooms, r.id)
		r.unsubscribe()
		r.close()
	}
}

// Viewers returns how many viewers a room has: on this node, or on every
// node when the broker counts the cluster's (Counter).
func (h *Hub) Viewers(roomID string) int {
	h.mu.Lock()
	r := h.rooms[roomID]
	h.mu.Unlock()
	local := 0
	if r != nil {
		local = int(r.viewers.Load())
	}
	return h.total(roomID, local)
}

// PublishComments queues newly visible comments for their rooms' viewers.
// Items must be in seq order within each room. It returns at once: each
// room batches and fans out on its own goroutine.
func (h *Hub) PublishComments(ctx context.Context, items []protocol.Comment) {
	for start := 0; start < len(items); {
		end := start + 1
		for end < len(items) && items[end].Room == items[start].Room {
			end++
		}
		batch := items[start:end:end]
		h.publish(ctx, Message{Room: batch[0].Room, Comments: batch})
		start = end
	}
}

// LikeCount is a new like count: of a comment when CommentID is set, else
// of the room's video.
type LikeCount struct {
	Room      string
	CommentID int64
	Likes     int64
}

// NoteLikes queues new like counts; each room coalesces them into at most
// one likes frame per FlushEvery.
func (h *Hub) NoteLikes(ctx context.Context, changes []LikeCount) {
	byRoom := map[string]*Likes{}
	var order []string
	for _, c := range changes {
		l := byRoom[c.Room]
		if l == nil {
			l = &Likes{}
			byRoom[c.Room] = l
			order = append(order, c.Room)
		}
		if c.CommentID == 0 {
			n := c.Likes
			l.Room = &n
			continue
		}
		if l.Comments == nil {
			l.Comments = map[int64]int64{}
		}
		l.Comments[c.CommentID] = c.Likes
	}
	for _, id := range order {
		h.publish(ctx, Message{Room: id, Likes: byRoom[id]})
	}
}

func (h *Hub) publish(ctx context.Context, msg Message) {
	if err := h.opts.Broker.Publish(ctx, msg); err != nil {
		h.opts.Logger.Error("publishing to room failed", "room", msg.Room, "err", err)
	}
}

// Flush sends every room's pending frames now, without waiting for the
// window, on the caller's goroutine.
func (h *Hub) Flush() {
	for _, r := range h.snapshot() {
		r.flush(true)
	}
}

func (h *Hub) snapshot() []*room {
	h.mu.Lock()
	defer h.mu.Unlock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	return rooms
}

// Close stops every room's pending flushes and closes the broker.
func (h *Hub) Close() error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	for _, r := range h.snapshot() {
		r.close()
	}
	return h.opts.Broker.Close()
}
