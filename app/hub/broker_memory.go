package hub

import (
	"context"
	"sync"
)

// MemoryBroker is the in-process Broker: Publish delivers synchronously to
// the subscribers in this process.
type MemoryBroker struct {
	mu   sync.RWMutex
	subs map[string]map[*memorySub]struct{}
}

type memorySub struct {
	mu      sync.Mutex // keeps one subscriber's deliveries from overlapping
	deliver func(Message)
}

var _ Broker = (*MemoryBroker)(nil)

// NewMemoryBroker returns an empty MemoryBroker.
func NewMemoryBroker() *MemoryBroker {
	return &MemoryBroker{subs: map[string]map[*memorySub]struct{}{}}
}

// Publish implements Broker.
func (b *MemoryBroker) Publish(_ context.Context, msg Message) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs[msg.Room] {
		s.mu.Lock()
		s.deliver(msg)
		s.mu.Unlock()
	}
	return nil
}

// Subscribe implements Broker.
func (b *MemoryBroker) Subscribe(room string, deliver func(Message)) (func(), error) {
	s := &memorySub{deliver: deliver}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs[room] == nil {
		b.subs[room] = map[*memorySub]struct{}{}
	}
	b.subs[room][s] = struct{}{}
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			delete(b.subs[room], s)
			if len(b.subs[room]) == 0 {
				delete(b.subs, room)
			}
		})
	}, nil
}

// Close implements Broker.
func (b *MemoryBroker) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs = map[string]map[*memorySub]struct{}{}
	return nil
}
