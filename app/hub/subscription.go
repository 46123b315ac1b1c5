package hub

import "github.com/danmaku/danmaku/app/protocol"

// Member is a connection that can be in rooms.
type Member interface {
	// Send queues one frame for the connection. It must not block: a
	// connection that cannot keep up is the member's problem to close.
	Send(frame []byte)
}

// Versioned is a Member that speaks a wire version other than V1; it gets
// comments frames in that version (each encoded once per frame for all
// the members that speak it).
type Versioned interface {
	WireVersion() protocol.Version
}

// Backlogger is a Member that can tell how many frames it has queued and
// not yet written. A room whose members are behind holds its next frame
// (see Options.HoldMax) so that it grows instead of queueing.
type Backlogger interface {
	Backlog() int
}

// Subscription is one member's place in one room.
type Subscription struct {
	hub     *Hub
	room    *room
	member  Member
	backlog Backlogger // member, when it can tell its backlog
	version protocol.Version
	index   int // position in room.members, for O(1) removal

	// While holding, live frames wait in pending so that the joiner can
	// send its welcome and catch-up first; guarded by room.mu.
	holding bool
	pending []*frame
	// seen is the highest seq this member has been sent. Commits are
	// published after they commit, so a frame can arrive after a catch-up
	// read already covered it; seen drops such repeats.
	seen int64
}

// unseen returns the bytes to send for f: f itself in s's version, a
// re-encoded subset without the comments s has already seen, or nil.
// Guarded by room.mu.
func (s *Subscription) unseen(f *frame) []byte {
	n := len(f.items)
	if n == 0 || f.exact {
		return f.bytes(s.version)
	}
	last := f.items[n-1].Seq
	if last <= s.seen {
		return nil
	}
	first := f.items[0].Seq
	seen := s.seen
	s.seen = last
	if first > seen {
		return f.bytes(s.version)
	}
	i := 0
	for f.items[i].Seq <= seen {
		i++
	}
	return protocol.EncodeCommentsAs(s.version, f.room, f.items[i:])
}

// Room returns the room id.
func (s *Subscription) Room() string { return s.room.id }

// Release sends the live frames that arrived since Join, minus comments
// with seq <= after (which the caller has already sent), and from then on
// delivers live frames directly.
func (s *Subscription) Release(after int64) { s.room.release(s, after) }

// Leave takes the member out of the room. It is safe to call more than once.
func (s *Subscription) Leave() { s.hub.leave(s) }
