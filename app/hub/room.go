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
		s.member.Send(msg.Data)
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

// release flushes what s missed while catching up, dropping comments with
// seq <= after, and switches s to live delivery.
func (r *room) release(s *Subscription, after int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !s.holding {
		return
	}
	for _, msg := range s.pending {
		if data := newerThan(msg, after); data != nil {
			s.member.Send(data)
		}
	}
	s.pending = nil
	s.holding = false
}

// newerThan returns the frame to send to a viewer that has every comment up
// to seq after: the frame itself, a re-encoded subset, or nil.
func newerThan(msg Message, after int64) []byte {
	if len(msg.Comments) == 0 {
		return msg.Data
	}
	first := 0
	for first < len(msg.Comments) && msg.Comments[first].Seq <= after {
		first++
	}
	switch first {
	case 0:
		return msg.Data
	case len(msg.Comments):
		return nil
	default:
		return protocol.EncodeComments(msg.Room, msg.Comments[first:])
	}
}
