package httpapi

import (
	"math"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
)

// Page sizes for comment listings.
const (
	defaultListLimit = 1000
	maxListLimit     = 5000
)

// listComments serves a time window (from, to in seconds, to exclusive) or,
// with after_seq, everything committed after a seq.
func (s *server) listComments(c *fiber.Ctx) error {
	room := c.Params("id")
	limit, err := intParam(c, "limit", defaultListLimit, 1, maxListLimit)
	if err != nil {
		return err
	}
	if _, err := s.deps.Rooms.Get(c.UserContext(), room); err != nil {
		return err
	}
	var items []protocol.Comment
	if c.Query("after_seq") != "" {
		after, err := intParam(c, "after_seq", 0, 0, math.MaxInt64)
		if err != nil {
			return err
		}
		items, err = s.deps.Store.CommentsAfter(c.UserContext(), room, int64(after), limit)
		if err != nil {
			return err
		}
	} else {
		from, err := secondsParam(c, "from", 0)
		if err != nil {
			return err
		}
		to, err := secondsParam(c, "to", protocol.MaxTime)
		if err != nil {
			return err
		}
		// The viewer's own shadowed comments too: a shadow ban must not show after a reload.
		items, err = s.deps.Store.CommentsByTimeFor(c.UserContext(), room, middleware.IdentityOf(c).ID, protocol.SecondsOf(from), protocol.SecondsOf(to), limit)
		if err != nil {
			return err
		}
	}
	return c.JSON(fiber.Map{"comments": items})
}

// postComment serves POST /api/rooms/:id/comments. A comment refused
// before it reaches ingest (who may post, the body, the room id) is counted
// here, so that every comment received is counted once.
func (s *server) postComment(c *fiber.Ctx) error {
	room := c.Params("id")
	var in protocol.CommentInput
	err := s.deps.Auth.MayParticipate(middleware.IdentityOf(c))
	if err == nil {
		err = decodeJSON(c, &in)
	}
	if err == nil {
		err = protocol.CheckRoomID(room)
	}
	if err != nil {
		s.deps.Ingest.Refused(moderation.ViaREST, err)
		return err
	}
	stored, err := s.deps.Ingest.SubmitWait(c.UserContext(), room, sender(c, moderation.ViaREST), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(stored)
}

// sender is the request's caller as a comment's sender through via.
func sender(c *fiber.Ctx, via string) moderation.Sender {
	return moderation.Sender{Identity: middleware.IdentityOf(c), IP: middleware.ClientAddr(c), Via: via}
}

func (s *server) likeComment(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.New(errs.BadRequest, "comment id must be a positive number")
	}
	// REST has no rooms joined: any participant may like any visible
	// comment, as any may read every room's comments (docs/protocol.md).
	change, err := s.deps.Store.LikeComment(c.UserContext(), id, middleware.IdentityOf(c).ID, nil)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"comment_id": id, "room": change.Room, "likes": change.Likes})
}

func (s *server) likeRoom(c *fiber.Ctx) error {
	room := c.Params("id")
	change, err := s.deps.Store.LikeRoom(c.UserContext(), room, middleware.IdentityOf(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"room": room, "likes": change.Likes})
}
