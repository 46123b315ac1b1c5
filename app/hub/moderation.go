package hub

import (
	"context"

	"github.com/danmaku/danmaku/app/protocol"
)

// SendTo sends data to the members of a room on this node for which match
// is true, bypassing the broker: for frames only some viewers may see,
// such as a shadow-banned user's own retractions. A member still catching
// up gets it after its catch-up, like any live message.
func (h *Hub) SendTo(roomID string, match func(Member) bool, data []byte) {
	h.sendTo(roomID, match, &frame{data: data})
}

// SendCommentsTo sends a comments frame of items to the members of a room
// on this node for which match is true, as SendTo does, each in its own
// wire version: a shadowed comment must look like any other. The frame
// goes as it is, never trimmed by seq.
func (h *Hub) SendCommentsTo(roomID string, match func(Member) bool, items []protocol.Comment) {
	f := commentsFrame(roomID, items)
	f.exact = true
	h.sendTo(roomID, match, f)
}

func (h *Hub) sendTo(roomID string, match func(Member) bool, f *frame) {
	h.mu.Lock()
	r := h.rooms[roomID]
	h.mu.Unlock()
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sendToLocked(match, f)
}

// sendToLocked sends data to the members match picks, parking it for
// those still catching up. Guarded by mu.
func (r *room) sendToLocked(match func(Member) bool, f *frame) {
	for _, s := range r.members {
		if !match(s.member) {
			continue
		}
		if s.holding {
			s.pending = append(s.pending, f)
			continue
		}
		s.member.Send(f.bytes(s.version))
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
// the retraction of a shadowed comment, which only its sender sees.
func (h *Hub) PublishToUser(ctx context.Context, roomID, user string, data []byte) {
	h.publish(ctx, Message{Room: roomID, Data: data, User: user})
}

// PublishCommentsToUser sends comments to user's members in a room, on
// every node, each in its member's wire version and never trimmed by seq:
// a shadowed comment, which must look to its sender like any other.
func (h *Hub) PublishCommentsToUser(ctx context.Context, roomID, user string, items []protocol.Comment) {
	h.publish(ctx, Message{Room: roomID, Comments: items, User: user})
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

// PublishModes tells a room's viewers, on every node, of its live modes.
func (h *Hub) PublishModes(ctx context.Context, m protocol.Modes) {
	m.Type = protocol.TypeModes
	h.publish(ctx, Message{Room: m.Room, Data: protocol.Encode(m)})
}
