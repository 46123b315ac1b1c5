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
}

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
