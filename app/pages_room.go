package app

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Replay bounds around a live room's comments.
const (
	// replayLead is how much quiet before the first comment a replay keeps.
	replayLead = 3 * time.Second
	// replayTail keeps the replay running until the last comment has crossed the screen.
	replayTail = 8 * time.Second
)

// roomPage is the video room: the player with its overlay, the send bar and
// the comment list. An unknown room is a 404 page (see handleError).
func (a *App) roomPage(c *fiber.Ctx) error {
	r, err := a.store.Room(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return a.render(c, fiber.StatusOK, "room", fiber.Map{
		"Title": r.Title, "Room": a.view(r), "Live": r.Kind == store.KindLive, "MaxText": a.cfg.MaxTextRunes,
	})
}

// replayPage plays a live room's stored comments back at the pace they were
// sent, by their created_at. A VOD room's comments already replay by video
// time in the room itself, so its replay URL redirects there.
func (a *App) replayPage(c *fiber.Ctx) error {
	r, err := a.store.Room(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if r.Kind != store.KindLive {
		return c.Redirect("/rooms/"+url.PathEscape(r.ID), fiber.StatusFound)
	}
	span, err := a.store.CommentSpan(c.UserContext(), r.ID)
	if err != nil {
		return err
	}
	origin, length := replayBounds(r.CreatedAt, span)
	return a.render(c, fiber.StatusOK, "replay", fiber.Map{
		"Title": "Replay: " + r.Title, "Room": a.view(r), "Empty": span.Empty,
		"Origin": int64(origin), "Duration": length.Seconds(), "Started": origin.Time(),
	})
}

// replayBounds is where a replay starts (a moment before the first comment,
// but not before the room existed) and how long it runs.
func replayBounds(created protocol.Timestamp, span store.CommentSpan) (protocol.Timestamp, time.Duration) {
	if span.Empty {
		return created, 0
	}
	origin := max(created, span.First-protocol.Timestamp(replayLead.Milliseconds()))
	origin = min(origin, span.First)
	return origin, span.Last.Time().Sub(origin.Time()) + replayTail
}
