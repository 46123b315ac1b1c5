package hub

import (
	"context"

	"github.com/danmaku/danmaku/app/protocol"
)

// Message is one frame for every viewer of a room.
type Message struct {
	Room string
	// Data is the encoded frame, written to each viewer as is: a frame is
	// encoded once per room, never once per viewer.
	Data []byte
	// Comments holds the items of a comments frame, in seq order, so that a
	// viewer still catching up can drop the ones it already has.
	Comments []protocol.Comment
}

// Broker carries room messages to every node that hosts viewers of the room.
// The in-process MemoryBroker serves a single node; a multi-node broker (Redis,
// NATS, …) can replace it without touching the rest of the hub.
type Broker interface {
	// Publish sends msg to the room's subscribers.
	Publish(ctx context.Context, msg Message) error
	// Subscribe calls deliver for every message published to room until the
	// returned function is called. Deliveries to one subscriber never overlap.
	Subscribe(room string, deliver func(Message)) (unsubscribe func(), err error)
	// Close releases the broker.
	Close() error
}
