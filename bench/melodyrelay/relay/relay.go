// Package relay is the bare-melody baseline: it relays every text frame a
// client sends, unchanged, to every socket in that client's room, and does
// nothing else (no JSON, no plugins, no storage).
package relay

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/olahol/melody"
)

// DefaultMaxMessageSize is the read limit per frame; melody's 512-byte
// default is too tight for comments with metadata, 4 KiB is ample.
const DefaultMaxMessageSize = 4096

// Stats are the relay's counters, served as JSON on GET /stats.
type Stats struct {
	Sessions int   `json:"sessions"`
	Rooms    int   `json:"rooms"`
	FramesIn int64 `json:"frames_in"`
	Queued   int64 `json:"queued"`
	Dropped  int64 `json:"dropped"`
}

// Relay is an http.Handler serving GET /ws?room=ID and GET /stats.
type Relay struct {
	m *melody.Melody

	mu    sync.Mutex
	rooms map[string]*room

	framesIn atomic.Int64
	queued   atomic.Int64
	dropped  atomic.Int64
}

// room keeps an immutable member snapshot so a broadcast never holds a lock.
type room struct {
	name    string
	members atomic.Pointer[[]*melody.Session]
}

// Session keys: the requested room name, then the joined *room.
const (
	nameKey = "room"
	roomKey = "joined"
)

// New returns a relay with melody defaults except MaxMessageSize
// (maxMessageSize ≤ 0 means DefaultMaxMessageSize).
func New(maxMessageSize int64) *Relay {
	if maxMessageSize <= 0 {
		maxMessageSize = DefaultMaxMessageSize
	}
	r := &Relay{m: melody.New(), rooms: make(map[string]*room)}
	r.m.Config.MaxMessageSize = maxMessageSize
	r.m.HandleConnect(r.join)
	r.m.HandleDisconnect(r.leave)
	r.m.HandleMessage(r.relay)
	r.m.HandleError(func(_ *melody.Session, err error) {
		// melody drops a frame when a session's 256-slot buffer is full; count it.
		if errors.Is(err, melody.ErrMessageBufferFull) {
			r.dropped.Add(1)
		}
	})
	return r
}

// ServeHTTP routes /ws to the WebSocket upgrade and /stats to the counters.
func (r *Relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch req.URL.Path {
	case "/ws":
		name := req.URL.Query().Get("room")
		if name == "" {
			http.Error(w, "room query parameter is required", http.StatusBadRequest)
			return
		}
		// Upgrade errors are already answered to the client by the upgrader.
		_ = r.m.HandleRequestWithKeys(w, req, map[string]any{nameKey: name})
	case "/stats":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(r.Stats())
	default:
		http.NotFound(w, req)
	}
}

// Stats returns a snapshot of the counters.
func (r *Relay) Stats() Stats {
	r.mu.Lock()
	rooms := len(r.rooms)
	r.mu.Unlock()
	return Stats{
		Sessions: r.m.Len(),
		Rooms:    rooms,
		FramesIn: r.framesIn.Load(),
		Queued:   r.queued.Load(),
		Dropped:  r.dropped.Load(),
	}
}

// Close disconnects every session; the relay serves nothing afterwards.
func (r *Relay) Close() error {
	return r.m.Close()
}

func sessionRoom(s *melody.Session) *room {
	v, _ := s.Get(roomKey)
	rm, _ := v.(*room)
	return rm
}

// join adds s to its room's snapshot (copy-on-write, under the relay lock),
// creating the room on first use; the lock orders it against leave's cleanup.
func (r *Relay) join(s *melody.Session) {
	name, _ := s.Get(nameKey)
	r.mu.Lock()
	defer r.mu.Unlock()
	rm := r.rooms[name.(string)]
	if rm == nil {
		rm = &room{name: name.(string)}
		rm.members.Store(&[]*melody.Session{})
		r.rooms[rm.name] = rm
	}
	s.Set(roomKey, rm)
	old := *rm.members.Load()
	next := make([]*melody.Session, len(old), len(old)+1)
	copy(next, old)
	next = append(next, s)
	rm.members.Store(&next)
}

// leave removes s from its room and forgets the room once it is empty.
func (r *Relay) leave(s *melody.Session) {
	rm := sessionRoom(s)
	r.mu.Lock()
	defer r.mu.Unlock()
	old := *rm.members.Load()
	next := make([]*melody.Session, 0, len(old))
	for _, m := range old {
		if m != s {
			next = append(next, m)
		}
	}
	rm.members.Store(&next)
	if len(next) == 0 {
		delete(r.rooms, rm.name)
	}
}

// relay writes msg to every session in the sender's room, the sender included.
// Per-session Write rather than BroadcastMultiple, which stops at the first
// closed session and would starve the rest of the room.
func (r *Relay) relay(s *melody.Session, msg []byte) {
	members := *sessionRoom(s).members.Load()
	r.framesIn.Add(1)
	r.queued.Add(int64(len(members)))
	for _, m := range members {
		_ = m.Write(msg) // ErrSessionClosed: that socket is leaving; nothing to do.
	}
}
