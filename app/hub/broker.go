package hub

import (
	"context"

	"github.com/danmaku/danmaku/app/protocol"
)

// Message is what a room's viewers are to receive. Comments and like counts
// travel as data, not frames: each node's room batches and coalesces them
// and encodes each outgoing frame once for all its viewers.
type Message struct {
	Room string
	// Comments are newly visible comments, in seq order.
	Comments []protocol.Comment
	// Likes are new like counts; later counts replace earlier ones.
	Likes *Likes
	// Data is any other frame, written to every viewer as is, after
	// everything published before it.
	Data []byte
	// User, when set, limits Data to that user's members (see UserMember):
	// a shadowed comment or its retraction reaches its sender's sockets
	// only, on every node.
	User string
	// Presence says the room's viewer count changed on another node, so
	// the room sends a presence frame (see Counter).
	Presence bool
	// Skip is a range of seqs that committed without going live (an
	// import): a broker that orders comments by seq steps over it.
	Skip *SeqRange
}

// SeqRange is a run of seqs, First to Last inclusive.
type SeqRange struct{ First, Last int64 }

// Likes are a room's new like counts.
type Likes struct {
	Room     *int64          // the room video's count, when it changed
	Comments map[int64]int64 // comment id → count
}

// Broker carries room messages to every node that hosts viewers of the room.
// The in-process MemoryBroker serves a single node; a multi-node broker (Redis,
// NATS, …) can replace it without touching the rest of the hub.
type Broker interface {
	// Publish sends msg to the room's subscribers.
	Publish(ctx context.Context, msg Message) error
	// Subscribe calls deliver for every message published to room until the
	// returned function is called. Deliveries to one subscriber never
	// overlap, and deliver must not block: it only queues.
	Subscribe(room string, deliver func(Message)) (unsubscribe func(), err error)
	// Close releases the broker.
	Close() error
}

// Counter is a Broker that spans several nodes and so knows the viewer
// counts of all of them. The hub tells it this node's counts and asks it
// for the totals it shows (welcome and presence frames, Hub.Viewers); a
// change elsewhere reaches the room as a Message with Presence set.
type Counter interface {
	// NoteViewers records that room has n viewers on this node. It must
	// not block: it is called with the room locked.
	NoteViewers(room string, n int)
	// Viewers returns room's viewers on every node, given local, this
	// node's count.
	Viewers(room string, local int) int
}

// UserMember is a Member that speaks for one user, so that messages for
// that user only (Message.User, SendTo) can find it.
type UserMember interface {
	Member
	UserID() string
}
