package cluster

import (
	"encoding/json"
	"sync"
)

// bus carries node-wide events (the moderators' feed, ban changes,
// plugin reloads) to every other node.
type bus struct {
	mu       sync.RWMutex
	handlers map[string]func([]byte)
}

type busEvent struct {
	Node    string          `json:"n"`
	Topic   string          `json:"t"`
	Payload json.RawMessage `json:"p"`
}

// Handle calls fn with the payload of every event on topic that another
// node sends. fn runs on the subscriber's goroutine: it must not block.
func (b *Broker) Handle(topic string, fn func(payload []byte)) {
	b.bus.mu.Lock()
	defer b.bus.mu.Unlock()
	b.bus.handlers[topic] = fn
}

// Send sends a JSON payload on topic to every other node; without Redis
// (or while it is down) it is lost.
func (b *Broker) Send(topic string, payload []byte) {
	if b.pubsub == nil {
		return
	}
	data, _ := json.Marshal(busEvent{Node: b.opts.Node, Topic: topic, Payload: payload})
	if err := b.enqueue(outgoing{channel: b.busChannel(), payload: data}); err != nil {
		b.log.Warn("cluster: an event for the other nodes was dropped", "topic", topic, "err", err)
	}
}

func (bs *bus) receive(b *Broker, payload string) {
	var ev busEvent
	if err := json.Unmarshal([]byte(payload), &ev); err != nil {
		b.log.Warn("cluster: a bus event could not be read", "err", err)
		return
	}
	if ev.Node == b.opts.Node {
		return
	}
	bs.mu.RLock()
	fn := bs.handlers[ev.Topic]
	bs.mu.RUnlock()
	if fn != nil {
		fn(ev.Payload)
	}
}
