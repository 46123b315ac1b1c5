package httpapi

import (
	"context"
	"math"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/store"
)

// adminRoutes mounts the moderators' API under /api/admin; the group
// requires the moderator role, checked on every request.
func (s *server) adminRoutes(admin fiber.Router) {
	admin.Get("/plugins", s.getPluginStats)
	admin.Post("/plugins/reload", s.postPluginReload)
	admin.Get("/held", s.getHeld)
	admin.Get("/comments", s.getRecent)
	admin.Post("/comments/approve", s.postDecision(store.Approve))
	admin.Post("/comments/reject", s.postDecision(store.Reject))
	admin.Post("/comments/delete", s.postDecision(store.Delete))
	admin.Get("/bans", s.getBans)
	admin.Post("/bans", bodyAction(fiber.StatusCreated, s.deps.Moderation.Ban))
	admin.Delete("/bans/:id", s.deleteBan)
	admin.Get("/reports", s.getReported)
	admin.Post("/reports/dismiss", s.postDismiss)
}

func (s *server) getPluginStats(c *fiber.Ctx) error { return c.JSON(s.deps.Moderation.Stats()) }

func (s *server) postPluginReload(c *fiber.Ctx) error {
	if err := s.deps.Moderation.Reload(c.UserContext()); err != nil {
		return err
	}
	return c.JSON(s.deps.Moderation.Stats())
}

func (s *server) getHeld(c *fiber.Ctx) error { return serveQueue(c, s.deps.Store.HeldComments) }

// serveQueue answers a moderators' queue read by list: of the ?room= given
// (every room without one), at most ?limit= comments.
func serveQueue(c *fiber.Ctx, list func(ctx context.Context, room string, limit int) ([]store.ModComment, error)) error {
	room, err := roomQuery(c)
	if err != nil {
		return err
	}
	limit, err := intParam(c, "limit", moderation.SnapshotHeld, 1, maxListLimit)
	if err != nil {
		return err
	}
	items, err := list(c.UserContext(), room, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"comments": items})
}

func (s *server) getRecent(c *fiber.Ctx) error {
	q := store.RecentQuery{UserID: c.Query("user")}
	var err error
	if q.Room, err = roomQuery(c); err != nil {
		return err
	}
	switch s := store.Status(c.Query("status")); s {
	case "", store.Visible, store.Held, store.Shadowed, store.Deleted:
		q.Status = s
	default:
		return errs.New(errs.BadRequest, "status must be visible, held, shadowed or deleted")
	}
	if q.Limit, err = intParam(c, "limit", moderation.SnapshotRecent, 1, maxListLimit); err != nil {
		return err
	}
	before, err := intParam(c, "before", 0, 0, math.MaxInt64)
	if err != nil {
		return err
	}
	q.Before = int64(before)
	items, err := s.deps.Store.RecentComments(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"comments": items})
}

// roomQuery reads the optional room filter.
func roomQuery(c *fiber.Ctx) (string, error) {
	room := c.Query("room")
	if room == "" {
		return "", nil
	}
	return room, protocol.CheckRoomID(room)
}

func (s *server) postDecision(d store.Decision) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body struct {
			IDs []int64 `json:"ids"`
		}
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
		changed, err := s.deps.Moderation.Decide(c.UserContext(), middleware.IdentityOf(c), d, body.IDs)
		if err != nil {
			return err
		}
		return c.JSON(modproto.DecisionResult{Comments: changed})
	}
}

func (s *server) getBans(c *fiber.Ctx) error {
	if c.QueryBool("all") {
		limit, err := intParam(c, "limit", defaultListLimit, 1, maxListLimit)
		if err != nil {
			return err
		}
		bans, err := s.deps.Store.BanHistory(c.UserContext(), limit)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"bans": bans})
	}
	return c.JSON(fiber.Map{"bans": s.deps.Moderation.ActiveBans()})
}

func (s *server) deleteBan(c *fiber.Ctx) error {
	id, err := idParam(c, "ban")
	if err != nil {
		return err
	}
	b, err := s.deps.Moderation.Unban(c.UserContext(), middleware.IdentityOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ban": b})
}
