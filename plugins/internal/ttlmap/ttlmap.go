// Package ttlmap is a bounded, sharded map of per-key state that forgets
// keys left idle longer than a TTL: the memory behind rate limits and
// flood windows, which must stay bounded however many users come by.
package ttlmap

import (
	"hash/maphash"
	"sync"
	"time"
)

const shards = 16

// Map holds a V per key. Keys idle for ttl are dropped by periodic sweeps
// and come back as zero values; callers keep their own timestamps in V
// where the exact age matters. When a shard is full even after dropping
// idle keys, arbitrary keys go (forgetting is the price of the bound).
type Map[K comparable, V any] struct {
	ttl      time.Duration
	perShard int
	seed     maphash.Seed
	shards   [shards]shard[K, V]
}

type shard[K comparable, V any] struct {
	mu        sync.Mutex
	items     map[K]item[V] // values, not pointers: no allocation per key
	nextSweep time.Time
}

type item[V any] struct {
	v    V
	seen int64 // unix nanoseconds
}

// New returns a map forgetting keys idle for ttl and holding about limit keys.
func New[K comparable, V any](ttl time.Duration, limit int) *Map[K, V] {
	m := &Map[K, V]{ttl: ttl, perShard: max(limit/shards, 1), seed: maphash.MakeSeed()}
	for i := range m.shards {
		m.shards[i].items = make(map[K]item[V])
	}
	return m
}

// Do calls fn with key's value (zero if absent) under the key's lock and
// stores what fn leaves; the key counts as seen at now. fn must not call
// back into the map.
func (m *Map[K, V]) Do(key K, now time.Time, fn func(v *V)) {
	s := &m.shards[maphash.Comparable(m.seed, key)%shards]
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok && (len(s.items) >= m.perShard || !now.Before(s.nextSweep)) {
		m.sweep(s, now)
	}
	it.seen = now.UnixNano()
	fn(&it.v)
	s.items[key] = it
}

// sweep drops idle keys; if the shard is still full it drops arbitrary
// ones down to 7/8 of the bound, so a full shard is not swept per insert.
func (m *Map[K, V]) sweep(s *shard[K, V], now time.Time) {
	s.nextSweep = now.Add(m.ttl)
	idle := now.UnixNano() - m.ttl.Nanoseconds()
	for k, it := range s.items {
		if it.seen <= idle {
			delete(s.items, k)
		}
	}
	if len(s.items) < m.perShard {
		return
	}
	keep := m.perShard * 7 / 8
	for k := range s.items { // map order is random: an unbiased pick
		if len(s.items) <= keep {
			break
		}
		delete(s.items, k)
	}
}

// Len returns the number of keys held, idle ones included until swept.
func (m *Map[K, V]) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.items)
		s.mu.Unlock()
	}
	return n
}

// TakeFrom copies old's keys into m, with their values and when they were
// last seen, so a replaced plugin instance's state carries over to its
// successor even when the TTL or the bound changed. old should no longer
// be written to; it is left as it was.
func (m *Map[K, V]) TakeFrom(old *Map[K, V]) {
	for i := range old.shards {
		os := &old.shards[i]
		os.mu.Lock()
		for k, it := range os.items {
			s := &m.shards[maphash.Comparable(m.seed, k)%shards]
			s.mu.Lock()
			if len(s.items) < m.perShard {
				s.items[k] = it
			}
			s.mu.Unlock()
		}
		os.mu.Unlock()
	}
}
