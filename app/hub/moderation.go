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
