package app

import (
	"html"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/interop/dplayer"
	"github.com/danmaku/danmaku/app/protocol"
)

// dplayerPrefix is where DPlayer's API lives.
const dplayerPrefix = "/dplayer/"

// viaDPlayer is what plugins see in metadata "via" for comments posted
// through DPlayer's API.
const viaDPlayer = "dplayer"

// dplayerMaxItems is the most comments GET v3/ returns, the newest; a
// page's max may ask for fewer.
const dplayerMaxItems = maxListLimit

// localDPlayerPost holds the decoded body of a POST v3/.
const localDPlayerPost = "dplayer_post"

// dplayerRoutes mounts DPlayer's danmaku API (v3) at /dplayer/, where a
// player's `danmaku: {api: "http://host/dplayer/"}` points: the player
// GETs and POSTs `v3/`.
func (a *App) dplayerRoutes(f *fiber.App) {
	dp := f.Group(strings.TrimSuffix(dplayerPrefix, "/"), dplayerCORS, a.dplayerAnswers)
	dp.Get("/v3", a.identify, a.requireIdentity, a.dplayerList)
	dp.Post("/v3", a.countRefusedComments(viaDPlayer), a.dplayerIdentify, a.requireParticipant, a.dplayerPost)
}

// dplayerCORS lets players on other origins read the comments and post
// without credentials (DPlayer's requests carry none); what a post may do
// as the viewer is decided by dplayerIdentify, not by CORS. Preflights are
// answered here.
func dplayerCORS(c *fiber.Ctx) error {
	crossOrigin(c)
	if c.Method() != fiber.MethodOptions {
		return c.Next()
	}
	c.Set(fiber.HeaderAccessControlAllowMethods, "GET, POST")
	c.Set(fiber.HeaderAccessControlAllowHeaders, "Content-Type")
	c.Set(fiber.HeaderAccessControlMaxAge, "600")
	return c.SendStatus(fiber.StatusNoContent)
}

// dplayerAnswers turns every refusal under /dplayer/ into DPlayer's error
// shape, {"code":1,"msg":…}, with status 200, because DPlayer shows the
// message only on a 2xx; a held comment is such an answer too (stored,
// not shown). The message is HTML-escaped like the comments: DPlayer
// shows it with innerHTML. Server faults keep their 500, for the logs and
// monitoring.
func (a *App) dplayerAnswers(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	e := errs.From(err)
	status := fiber.StatusOK
	if e.Code == errs.Internal {
		a.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		status = fiber.StatusInternalServerError
	}
	return c.Status(status).JSON(dplayer.Fail(html.EscapeString(e.Message)))
}

// dplayerList serves GET v3/?id=ROOM&max=N: the room's newest N visible
// comments in DPlayer's shape, by video time.
func (a *App) dplayerList(c *fiber.Ctx) error {
	q, err := dplayer.ParseQuery(c.Query("id"), c.Query("max"), dplayerMaxItems)
	if err != nil {
		return err
	}
	if _, err := a.store.Room(c.UserContext(), q.Room); err != nil {
		return err
	}
	items, err := a.store.LatestVisible(c.UserContext(), q.Room, q.Max)
	if err != nil {
		return err
	}
	return c.JSON(dplayer.OK(dplayer.List(items, q.Max)))
}

// dplayerIdentify decodes the body of a POST v3/ and decides who posts:
//   - the body's token (the page's `api.token`), verified like a Bearer
//     token, from any origin;
//   - else the request's own credentials (an Authorization header, or the
//     session cookie or a new guest), but the cookie only for a request
//     from this site's pages or the -allowed-origins: a page elsewhere must
//     not post as the viewer whose cookie rides along;
//   - else a new guest, as for any client without a session.
//
// The body's author is ignored: the page can claim any name.
func (a *App) dplayerIdentify(c *fiber.Ctx) error {
	p, err := dplayer.DecodePost(c.Request().Body()) // not c.Body(), which inflates without a limit
	if err != nil {
		return err
	}
	c.Locals(localDPlayerPost, p)
	switch {
	case p.Token != "":
		id, exp, err := a.verifyToken(p.Token)
		if err != nil {
			return err
		}
		c.Locals(localIdentity, id)
		c.Locals(localExpires, exp)
		return c.Next()
	case bearerToken(c) != "" || a.fromThisSite(c):
		return a.identify(c)
	}
	id := auth.Identity{}
	if a.cfg.Guests != GuestsOff {
		id = auth.NewGuest()
	}
	c.Locals(localIdentity, id)
	c.Locals(localExpires, time.Time{})
	return c.Next()
}

// dplayerPost serves POST v3/: the comment takes the path of every other
// comment (validation, moderation, storage, fan-out to the room's sockets).
func (a *App) dplayerPost(c *fiber.Ctx) error {
	p, _ := c.Locals(localDPlayerPost).(dplayer.Post)
	if err := protocol.CheckRoomID(p.Room()); err != nil {
		return err
	}
	c.Locals(localCommentCounted, true)
	stored, err := a.submitCommentWait(c.UserContext(), p.Room(), sender{identityOf(c), clientAddr(c), viaDPlayer}, p.Input())
	if err != nil {
		return err
	}
	return c.JSON(dplayer.OK(stored))
}
