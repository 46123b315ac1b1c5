package app

import (
	"math"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// modRoutes mounts the moderator tools: /api/admin under api (which has
// already identified the caller), the moderators' socket and the page.
// Every request and handshake needs the moderator role, checked each time.
func (a *App) modRoutes(f *fiber.App, api fiber.Router) {
	mod := a.requireRole(auth.RoleModerator)
	admin := api.Group("/admin", noStore, mod)
	admin.Get("/plugins", a.getPluginStats)
	admin.Post("/plugins/reload", a.postPluginReload)
	admin.Get("/held", a.getHeld)
	admin.Get("/comments", a.getRecent)
	admin.Post("/comments/approve", a.postDecision(store.Approve))
	admin.Post("/comments/reject", a.postDecision(store.Reject))
	admin.Post("/comments/delete", a.postDecision(store.Delete))
	admin.Get("/bans", a.getBans)
	admin.Post("/bans", a.postBan)
	admin.Delete("/bans/:id", a.deleteBan)

	f.Get("/ws/admin", a.wsOrigin, a.identify, mod, a.handleModWS)
	f.Get("/admin", a.identify, noStore, a.modPageErrors, mod, a.modPage)
}

// noStore keeps moderator pages and answers (addresses, held comments) out of caches.
func noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

func (a *App) getPluginStats(c *fiber.Ctx) error { return c.JSON(a.plugins.Stats()) }

func (a *App) postPluginReload(c *fiber.Ctx) error {
	if err := a.ReloadPlugins(c.UserContext()); err != nil {
		return err
	}
	return c.JSON(a.plugins.Stats())
}

func (a *App) getHeld(c *fiber.Ctx) error {
	room, err := roomQuery(c)
	if err != nil {
		return err
	}
	limit, err := intParam(c, "limit", snapshotHeld, 1, maxListLimit)
	if err != nil {
		return err
	}
	items, err := a.store.HeldComments(c.UserContext(), room, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"comments": items})
}

func (a *App) getRecent(c *fiber.Ctx) error {
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
	if q.Limit, err = intParam(c, "limit", snapshotRecent, 1, maxListLimit); err != nil {
		return err
	}
	before, err := intParam(c, "before", 0, 0, math.MaxInt64)
	if err != nil {
		return err
	}
	q.Before = int64(before)
	items, err := a.store.RecentComments(c.UserContext(), q)
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

func (a *App) postDecision(d store.Decision) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body struct {
			IDs []int64 `json:"ids"`
		}
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
		changed, err := a.decide(c.UserContext(), identityOf(c), d, body.IDs)
		if err != nil {
			return err
		}
		return c.JSON(decisionResult{Comments: changed})
	}
}

func (a *App) getBans(c *fiber.Ctx) error {
	if c.QueryBool("all") {
		limit, err := intParam(c, "limit", defaultListLimit, 1, maxListLimit)
		if err != nil {
			return err
		}
		bans, err := a.store.BanHistory(c.UserContext(), limit)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"bans": bans})
	}
	return c.JSON(fiber.Map{"bans": a.blocks.Active()})
}

func (a *App) postBan(c *fiber.Ctx) error {
	var req banRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	res, err := a.ban(c.UserContext(), identityOf(c), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(res)
}

func (a *App) deleteBan(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.New(errs.BadRequest, "ban id must be a positive number")
	}
	b, err := a.unban(c.UserContext(), identityOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ban": b})
}

// modPage serves /admin; the page loads its data over /ws/admin.
func (a *App) modPage(c *fiber.Ctx) error {
	return c.Render("admin", fiber.Map{"Title": "Moderation", "User": identityOf(c).User()}, "layout")
}

// modPageErrors shows the refusals of the page as a page (401: sign in as
// a moderator; 403: this account is not one), not as JSON.
func (a *App) modPageErrors(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	code := errs.CodeOf(err)
	if code != errs.Unauthorized && code != errs.Forbidden {
		return err
	}
	return c.Status(code.Status()).Render("admin", fiber.Map{
		"Title": "Moderation", "Refused": errs.From(err).Message, "SignIn": code == errs.Unauthorized,
	}, "layout")
}
