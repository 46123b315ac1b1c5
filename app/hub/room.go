package hub

import (
	"sync"

	"github.com/danmaku/danmaku/app/protocol"
)

// room is one room's local viewers. Fan-out walks only this room's slice,
// so a message costs O(viewers in the room), never O(all connections).
type room struct {
	id          string
	mu          sync.Mutex
	members     []*Subscription
	unsubscribe func()
	// presenceDirty marks a changed viewer count, sent on the hub's next tick.
	presenceDirty bool
}

// deliver writes msg to every member of the room, or parks it for members
// that are still catching up.
func (r *room) deliver(msg Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deliverLocked(msg)
}

func (r *room) deliverLocked(msg Message) {
	for _, s := range r.members {
		if s.holding {
			s.pending = append(s.pending, msg)
			continue
		}
		if data := s.unseen(msg); data != nil {
			s.member.Send(data)
		}
	}
}

func (r *room) add(s *Subscription) {
	s.index = len(r.members)
	r.members = append(r.members, s)
	r.presenceDirty = true
}

// remove takes s out in O(1) by moving the last member into its place.
func (r *room) remove(s *Subscription) bool {
	if s.index < 0 || s.index >= len(r.members) || r.members[s.index] != s {
		return false
	}
	last := len(r.members) - 1
	r.members[s.index] = r.members[last]
	r.members[s.index].index = s.index
	r.members[last] = nil
	r.members = r.members[:last]
	s.index = -1
	s.pending = nil
	r.presenceDirty = true
	return true
}

// release marks everything up to seq after as seen by s, sends what s
// missed while catching up, and switches s to live delivery.
func (r *room) release(s *Subscription, after int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !s.holding {
		return
	}
	s.seen = after
	// Merge the held comments into few frames: a long catch-up can hold
	// more messages than the socket's send buffer has room for.
	var items []protocol.Comment
	var others [][]byte
	for _, msg := range s.pending {
		if len(msg.Comments) == 0 {
			others = append(others, msg.Data)
			continue
		}
		for _, c := range msg.Comments {
			if c.Seq > s.seen {
				items = append(items, c)
				s.seen = c.Seq
			}
		}
	}
	for start := 0; start < len(items); start += MaxItemsPerFrame {
		s.member.Send(protocol.EncodeComments(r.id, items[start:min(start+MaxItemsPerFrame, len(items))]))
	}
	for _, data := range others {
		s.member.Send(data)
	}
	s.pending = nil
	s.holding = false
}

// MaxItemsPerFrame bounds how many comments one frame carries when the hub
// merges them.
const MaxItemsPerFrame = 500
