package segments

import (
	"context"

	"github.com/danmaku/danmaku/app/protocol"
)

// maxOwn bounds a viewer's own comments in one segment: as many as a
// segment carries at most.
const maxOwn = Length / 60 * PerMinute

// Own returns what segment n of room holds for viewer alone, to be merged
// into the shared segment: viewer's own shadowed comments in its slice,
// which nobody else sees (docs/protocol.md, "What a shadowed sender
// sees"). Every viewer asks for it with every segment, so that the
// requests give nothing away; it is empty for nearly all of them, and
// then costs one probe of the shadowed comments' index. It is not
// versioned and never cached. viewer "" (a passing guest, who has stored
// nothing) reads nothing. The room is not looked up: an unknown room's
// answer is empty, as a room's without shadowed comments is.
func (s *Service) Own(ctx context.Context, room, viewer string, n int64) (Segment, error) {
	out, err := slice(room, n)
	if err != nil {
		return Segment{}, err
	}
	out.Comments = []protocol.Comment{}
	if viewer == "" {
		return out, nil
	}
	from := protocol.Seconds(n * Length * 1000)
	own, err := s.store.ShadowedByTime(ctx, room, viewer, from, from+Length*1000, maxOwn)
	if err != nil {
		return Segment{}, err
	}
	out.Comments = append(out.Comments, own...)
	return out, nil
}
