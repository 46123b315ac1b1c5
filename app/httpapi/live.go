package httpapi

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/store"
)

// liveRoutes mounts the moderators' live tools under /api/admin: room
// modes, user actions, blocked terms and the audit log.
func (s *server) liveRoutes(admin fiber.Router) {
	admin.Get("/live", s.getLive)
	admin.Put("/rooms/:id/modes", s.putModes)
	admin.Post("/actions", bodyAction(fiber.StatusCreated, s.deps.Moderation.UserAction))
	admin.Delete("/actions/:id", idAction("user action", s.deps.Moderation.Undo))
	admin.Post("/terms", s.postTerms)
	admin.Delete("/terms/:id", idAction("blocked term", s.deps.Moderation.RemoveTerm))
	admin.Post("/terms/:id/ban", s.postTermBan)
	admin.Get("/audit", s.getAudit)
}

// getModes answers GET /api/rooms/:id/modes: a room's live modes, for anyone.
func (s *server) getModes(c *fiber.Ctx) error {
	room := c.Params("id")
	if err := protocol.CheckRoomID(room); err != nil {
		return err
	}
	return c.JSON(moderation.ModesFrame(s.deps.Moderation.Modes(c.UserContext(), room)))
}

func (s *server) getLive(c *fiber.Ctx) error {
	l, err := s.deps.Moderation.LiveState(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (s *server) putModes(c *fiber.Ctx) error {
	var req modproto.ModesRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Room != "" && req.Room != c.Params("id") {
		return errs.New(errs.Invalid, "room %q in the body is not the room %q of the path", req.Room, c.Params("id"))
	}
	req.Room = c.Params("id")
	m, err := s.deps.Moderation.SetModes(c.UserContext(), middleware.IdentityOf(c), req)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (s *server) postTerms(c *fiber.Ctx) error {
	var req modproto.TermRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ts, err := s.deps.Moderation.AddTerms(c.UserContext(), middleware.IdentityOf(c), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"terms": ts})
}

func (s *server) postTermBan(c *fiber.Ctx) error {
	id, err := idParam(c, "blocked term")
	if err != nil {
		return err
	}
	var req modproto.TermBanRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	res, err := s.deps.Moderation.BanTermUsers(c.UserContext(), middleware.IdentityOf(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (s *server) getAudit(c *fiber.Ctx) error {
	q := store.AuditQuery{}
	var err error
	if q.Room, err = roomQuery(c); err != nil {
		return err
	}
	if q.Limit, err = intParam(c, "limit", defaultListLimit, 1, maxListLimit); err != nil {
		return err
	}
	before, err := intParam(c, "before", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	q.Before = int64(before)
	entries, err := s.deps.Moderation.AuditLog(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"entries": entries})
}

// idParam reads the positive id in the path.
func idParam(c *fiber.Ctx, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.New(errs.BadRequest, "%s id must be a positive number", what)
	}
	return id, nil
}

// bodyAction is the handler of a moderator's request with a JSON body:
// do gets the body and the moderator, and its answer goes back with status.
func bodyAction[Req, Res any](status int, do func(context.Context, auth.Identity, Req) (Res, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req Req
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		res, err := do(c.UserContext(), middleware.IdentityOf(c), req)
		if err != nil {
			return err
		}
		return c.Status(status).JSON(res)
	}
}

// idAction is the handler of a moderator's request on the what with the
// id in the path: do's answer goes back as JSON.
func idAction[Res any](what string, do func(context.Context, auth.Identity, int64) (Res, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, what)
		if err != nil {
			return err
		}
		res, err := do(c.UserContext(), middleware.IdentityOf(c), id)
		if err != nil {
			return err
		}
		return c.JSON(res)
	}
}
