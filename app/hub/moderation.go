package hub

import (
	"context"

	"github.com/danmaku/danmaku/app/protocol"
)

// SendTo sends data to the members of a room on this node for which match
// is true, bypassing the broker: for frames only some viewers may see,
// such as a shadow-banned user's own comments. A member still catching up
// gets it after its catch-up, like any live message.
func (h *Hub) SendTo(roomID string, match func(Member) bool, data []byte) {
	h.mu.Lock()
	r := h.rooms[roomID]
	h.mu.Unlock()
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sendToLocked(match, data)
}

// sendToLocked sends data to the members match picks, parking it for
// those still catching up. Guarded by mu.
func (r *room) sendToLocked(match func(Member) bool, data []byte) {
	for _, s := range r.members {
		if !match(s.member) {
			continue
		}
		if s.holding {
			s.pending = append(s.pending, frame{data: data})
			continue
		}
		s.member.Send(data)
	}
}

// sameUser matches the members that speak for user id.
func sameUser(id string) func(Member) bool {
	return func(m Member) bool {
		u, ok := m.(UserMember)
		return ok && u.UserID() == id
	}
}

// PublishToUser sends data to user's members in a room, on every node:
// a shadowed comment, or the retraction of one, that only its sender sees.
func (h *Hub) PublishToUser(ctx context.Context, roomID, user string, data []byte) {
	h.publish(ctx, Message{Room: roomID, Data: data, User: user})
}

// SkipSeqs tells every node that a room's seqs first..last committed
// without going live (an import), so that a broker ordering by seq does
// not wait for them.
func (h *Hub) SkipSeqs(ctx context.Context, roomID string, first, last int64) {
	if first <= 0 || last < first {
		return
	}
	h.publish(ctx, Message{Room: roomID, Skip: &SeqRange{First: first, Last: last}})
}

// PublishRetract tells a room's viewers, on every node, to drop comments a
// moderator removed.
func (h *Hub) PublishRetract(ctx context.Context, roomID string, ids []int64) {
	h.publish(ctx, Message{Room: roomID, Data: protocol.EncodeRetract(roomID, ids)})
}

// PublishWeights tells a room's viewers, on every node, of comments' new
// quality weights (comment id → weight).
func (h *Hub) PublishWeights(ctx context.Context, roomID string, weights map[int64]int) {
	h.publish(ctx, Message{Room: roomID, Data: protocol.EncodeWeights(roomID, weights)})
}
