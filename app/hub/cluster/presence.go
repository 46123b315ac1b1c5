package cluster

import (
	"context"
	"encoding/json"
	"maps"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/hub"
)

// presence keeps the cluster's viewer counts: this node's, and every
// other node's as its last heartbeat told them. A node whose heartbeats
// stop (it died, or Redis is down) stops counting after NodeTTL.
type presence struct {
	b    *Broker
	kick chan struct{}

	mu     sync.Mutex
	local  map[string]int
	remote map[string]nodeCounts
}

type nodeCounts struct {
	counts map[string]int
	seen   time.Time
}

// heartbeat is what a node tells the others of its viewers.
type heartbeat struct {
	Node   string         `json:"n"`
	Counts map[string]int `json:"c,omitempty"`
	Gone   bool           `json:"g,omitempty"` // the node is shutting down
}

func newPresence(b *Broker) *presence {
	return &presence{b: b, kick: make(chan struct{}, 1), local: map[string]int{}, remote: map[string]nodeCounts{}}
}

// NoteViewers implements hub.Counter.
func (b *Broker) NoteViewers(room string, n int) {
	p := b.presence
	p.mu.Lock()
	if n == 0 {
		delete(p.local, room)
	} else {
		p.local[room] = n
	}
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Viewers implements hub.Counter.
func (b *Broker) Viewers(room string, local int) int {
	p := b.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	n := local
	for _, nc := range p.remote {
		n += nc.counts[room]
	}
	return n
}

// heartbeatSettle is how long a change waits for others before it is
// sent: a burst of joins costs one heartbeat.
const heartbeatSettle = 20 * time.Millisecond

// run sends this node's counts every NodeTTL/3 and soon after a change,
// and forgets nodes that went quiet.
func (p *presence) run() {
	defer p.b.wg.Done()
	t := time.NewTicker(p.b.opts.NodeTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-p.b.stop:
			return
		case <-t.C:
			p.expire(time.Now())
		case <-p.kick:
			select {
			case <-p.b.stop:
				return
			case <-time.After(heartbeatSettle):
			}
		}
		p.send(false)
	}
}

func (p *presence) send(gone bool) {
	p.mu.Lock()
	hb := heartbeat{Node: p.b.opts.Node, Counts: maps.Clone(p.local), Gone: gone}
	p.mu.Unlock()
	data, _ := json.Marshal(hb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := p.b.opts.Redis.Publish(ctx, p.b.nodesChannel(), data).Err(); err != nil {
		p.b.log.Debug("cluster: heartbeat failed", "err", err)
	}
}

// leave tells the other nodes this node's viewers are gone.
func (p *presence) leave() { p.send(true) }

// receive takes another node's heartbeat and tells the rooms whose
// count changed.
func (p *presence) receive(payload string) {
	var hb heartbeat
	if err := json.Unmarshal([]byte(payload), &hb); err != nil || hb.Node == p.b.opts.Node {
		return
	}
	p.mu.Lock()
	old := p.remote[hb.Node].counts
	if hb.Gone {
		delete(p.remote, hb.Node)
	} else {
		p.remote[hb.Node] = nodeCounts{counts: hb.Counts, seen: time.Now()}
	}
	p.mu.Unlock()
	p.notify(changed(old, hb.Counts))
}

// expire forgets the nodes not heard from for NodeTTL.
func (p *presence) expire(now time.Time) {
	var rooms []string
	p.mu.Lock()
	for node, nc := range p.remote {
		if now.Sub(nc.seen) > p.b.opts.NodeTTL {
			delete(p.remote, node)
			for room := range nc.counts {
				rooms = append(rooms, room)
			}
		}
	}
	p.mu.Unlock()
	p.notify(rooms)
}

// notify makes the rooms with viewers here send a presence frame.
func (p *presence) notify(rooms []string) {
	for _, id := range rooms {
		if rs := p.b.room(id); rs != nil {
			rs.mu.Lock()
			if !rs.closed {
				rs.deliverLocked(hub.Message{Room: id, Presence: true})
			}
			rs.mu.Unlock()
		}
	}
}

// changed lists the rooms whose count differs between a and b.
func changed(a, b map[string]int) []string {
	var out []string
	for room, n := range a {
		if b[room] != n {
			out = append(out, room)
		}
	}
	for room := range b {
		if _, ok := a[room]; !ok {
			out = append(out, room)
		}
	}
	return out
}
