// Package hub keeps the rooms and their viewers on this node and fans
// messages out to them through a Broker.
package hub

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Options configure a Hub.
type Options struct {
	Broker Broker // default: a new MemoryBroker
	// FlushEvery is how often coalesced presence and like counts go out; at
	// most one frame of each kind per room per tick.
	FlushEvery time.Duration
	Logger     *slog.Logger
}

// Hub is the set of rooms that have viewers on this node.
type Hub struct {
	opts  Options
	mu    sync.Mutex // guards rooms and membership changes
	rooms map[string]*room

	likesMu sync.Mutex
	likes   map[string]*pendingLikes

	stop chan struct{}
	done chan struct{}
}

// New starts a Hub. Call Close to stop its ticker.
func New(opts Options) *Hub {
	if opts.Broker == nil {
		opts.Broker = NewMemoryBroker()
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 250 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &Hub{opts: opts, rooms: map[string]*room{}, likes: map[string]*pendingLikes{}, stop: make(chan struct{}), done: make(chan struct{})}
	go h.tick()
	return h
}

// Join adds m to a room and returns its subscription, holding live messages
// until Release so the caller can send the welcome and any catch-up first.
// It also returns the room's viewer count including m.
func (h *Hub) Join(roomID string, m Member) (*Subscription, int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[roomID]
	if r == nil {
		r = &room{id: roomID}
		unsub, err := h.opts.Broker.Subscribe(roomID, r.deliver)
		if err != nil {
			return nil, 0, fmt.Errorf("hub: subscribing to %s: %w", roomID, err)
		}
		r.unsubscribe = unsub
		h.rooms[roomID] = r
	}
	s := &Subscription{hub: h, room: r, member: m, holding: true}
	r.mu.Lock()
	r.add(s)
	n := len(r.members)
	r.mu.Unlock()
	return s, n, nil
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
	}
}

// Viewers returns how many viewers a room has on this node.
func (h *Hub) Viewers(roomID string) int {
	h.mu.Lock()
	r := h.rooms[roomID]
	h.mu.Unlock()
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.members)
}

// PublishComments sends newly visible comments to their rooms' viewers, one
// frame per room. Items must be in seq order within each room.
func (h *Hub) PublishComments(ctx context.Context, items []protocol.Comment) {
	for start := 0; start < len(items); {
		end := start + 1
		for end < len(items) && items[end].Room == items[start].Room {
			end++
		}
		batch := items[start:end:end]
		h.publish(ctx, Message{Room: batch[0].Room, Data: protocol.EncodeComments(batch[0].Room, batch), Comments: batch})
		start = end
	}
}

func (h *Hub) publish(ctx context.Context, msg Message) {
	if err := h.opts.Broker.Publish(ctx, msg); err != nil {
		h.opts.Logger.Error("publishing to room failed", "room", msg.Room, "err", err)
	}
}

// NoteLikes records new like counts; they go out coalesced on the next
// tick, at most one likes frame per room.
func (h *Hub) NoteLikes(changes []store.LikeChange) {
	h.likesMu.Lock()
	defer h.likesMu.Unlock()
	for _, c := range changes {
		p := h.likes[c.Room]
		if p == nil {
			p = &pendingLikes{}
			h.likes[c.Room] = p
		}
		if c.CommentID == 0 {
			n := c.Likes
			p.room = &n
			continue
		}
		if p.comments == nil {
			p.comments = map[int64]int64{}
		}
		p.comments[c.CommentID] = c.Likes
	}
}

func (h *Hub) tick() {
	defer close(h.done)
	t := time.NewTicker(h.opts.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			h.Flush()
		}
	}
}

// Flush sends each room's pending presence and like counts now; the ticker
// calls it every FlushEvery.
func (h *Hub) Flush() {
	h.likesMu.Lock()
	likes := h.likes
	h.likes = map[string]*pendingLikes{}
	h.likesMu.Unlock()
	for id, p := range likes {
		h.publish(context.Background(), Message{Room: id, Data: protocol.EncodeLikes(id, p.room, p.comments)})
	}

	h.mu.Lock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		// Presence counts only this node's viewers, so it is delivered
		// locally rather than through the broker.
		r.mu.Lock()
		if r.presenceDirty {
			r.presenceDirty = false
			r.deliverLocked(Message{Room: r.id, Data: protocol.EncodePresence(r.id, len(r.members))})
		}
		r.mu.Unlock()
	}
}

// Close stops the ticker and the broker.
func (h *Hub) Close() error {
	select {
	case <-h.stop:
	default:
		close(h.stop)
	}
	<-h.done
	return h.opts.Broker.Close()
}

// pendingLikes are the like counts of one room not sent yet.
type pendingLikes struct {
	room     *int64
	comments map[int64]int64
}
