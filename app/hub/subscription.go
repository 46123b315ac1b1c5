package hub

// Member is a connection that can be in rooms.
type Member interface {
	// Send queues one frame for the connection. It must not block: a
	// connection that cannot keep up is the member's problem to close.
	Send(frame []byte)
}

// Subscription is one member's place in one room.
type Subscription struct {
	hub    *Hub
	room   *room
	member Member
	index  int // position in room.members, for O(1) removal

	// While holding, live messages wait in pending so that the joiner can
	// send its welcome and catch-up first; guarded by room.mu.
	holding bool
	pending []Message
}

// Room returns the room id.
func (s *Subscription) Room() string { return s.room.id }

// Release sends the live messages that arrived since Join, minus comments
// with seq <= after (which the caller has already sent), and from then on
// delivers live messages directly.
func (s *Subscription) Release(after int64) { s.room.release(s, after) }

// Leave takes the member out of the room. It is safe to call more than once.
func (s *Subscription) Leave() { s.hub.leave(s) }
