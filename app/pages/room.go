package pages

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/rooms"
	"github.com/danmaku/danmaku/app/store"
)

// Room is the video room: the player with its overlay, the send bar and
// the comment list. An unknown room is a 404 page (see handleError).
func (p *Pages) Room(c *fiber.Ctx) error {
	r, err := p.deps.Rooms.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, "room", fiber.Map{
		"Title": r.Title, "Room": r, "Live": r.Kind == store.KindLive, "MaxText": p.deps.MaxText,
	})
}

// Replay plays a live room's stored comments back at the pace they were
// sent, by their created_at. A VOD room's comments already replay by video
// time in the room itself, so its replay URL redirects there.
func (p *Pages) Replay(c *fiber.Ctx) error {
	r, err := p.deps.Rooms.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if r.Kind != store.KindLive {
		return c.Redirect("/rooms/"+url.PathEscape(r.ID), fiber.StatusFound)
	}
	span, err := p.deps.Spans.CommentSpan(c.UserContext(), r.ID)
	if err != nil {
		return err
	}
	origin, length := rooms.ReplayBounds(r.CreatedAt, span)
	return render(c, fiber.StatusOK, "replay", fiber.Map{
		"Title": "Replay: " + r.Title, "Room": r, "Empty": span.Empty,
		"Origin": int64(origin), "Duration": length.Seconds(), "Started": origin.Time(),
	})
}
