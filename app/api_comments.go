package app

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// Page sizes for comment listings.
const (
	defaultListLimit = 1000
	maxListLimit     = 5000
)

// listComments serves a time window (from, to in seconds, to exclusive) or,
// with after_seq, everything committed after a seq.
func (a *App) listComments(c *fiber.Ctx) error {
	room := c.Params("id")
	limit, err := intParam(c, "limit", defaultListLimit, 1, maxListLimit)
	if err != nil {
		return err
	}
	if _, err := a.store.Room(c.UserContext(), room); err != nil {
		return err
	}
	var items []protocol.Comment
	if c.Query("after_seq") != "" {
		after, err := intParam(c, "after_seq", 0, 0, math.MaxInt64)
		if err != nil {
			return err
		}
		items, err = a.store.CommentsAfter(c.UserContext(), room, int64(after), limit)
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
		items, err = a.store.CommentsByTimeFor(c.UserContext(), room, identityOf(c).ID, protocol.SecondsOf(from), protocol.SecondsOf(to), limit)
		if err != nil {
			return err
		}
	}
	return c.JSON(fiber.Map{"comments": items})
}

func (a *App) postComment(c *fiber.Ctx) error {
	var in protocol.CommentInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	room := c.Params("id")
	if err := protocol.CheckRoomID(room); err != nil {
		return err
	}
	c.Locals(localCommentCounted, true)
	stored, err := a.submitCommentWait(c.UserContext(), room, sender{identityOf(c), clientAddr(c), viaREST}, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(stored)
}

func (a *App) likeComment(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.New(errs.BadRequest, "comment id must be a positive number")
	}
	change, err := a.store.LikeComment(c.UserContext(), id, identityOf(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"comment_id": id, "room": change.Room, "likes": change.Likes})
}

func (a *App) likeRoom(c *fiber.Ctx) error {
	room := c.Params("id")
	change, err := a.store.LikeRoom(c.UserContext(), room, identityOf(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"room": room, "likes": change.Likes})
}

// decodeJSON parses the request body into v, with errors that say what is
// wrong. Bodies must come as they are: c.Body() would inflate a
// Content-Encoding without any limit (a few KiB can become gigabytes).
func decodeJSON(c *fiber.Ctx, v any) error {
	if enc := c.Get(fiber.HeaderContentEncoding); enc != "" && enc != "identity" {
		return errs.New(errs.BadRequest, "JSON bodies must not be encoded (Content-Encoding)")
	}
	body := c.Request().Body()
	if !utf8.Valid(body) {
		return errs.New(errs.BadRequest, "body is not valid UTF-8")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errs.New(errs.BadRequest, "body must be a JSON object: %v", err)
	}
	return protocol.CheckSurrogates(body)
}

func intParam(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, errs.New(errs.BadRequest, "%s must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

func secondsParam(c *fiber.Ctx, name string, def float64) (float64, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > protocol.MaxTime {
		return 0, errs.New(errs.BadRequest, "%s must be seconds from 0 to %g", name, float64(protocol.MaxTime))
	}
	return f, nil
}
