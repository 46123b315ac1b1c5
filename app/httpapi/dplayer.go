package httpapi

import (
	"html"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/interop/dplayer"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
)

// dplayerMaxItems is the most comments GET v3/ returns, the newest; a
// page's max may ask for fewer.
const dplayerMaxItems = maxListLimit

// dplayerRoutes mounts DPlayer's danmaku API (v3) at /dplayer/, where a
// player's `danmaku: {api: "http://host/dplayer/"}` points: the player
// GETs and POSTs `v3/`.
func (s *server) dplayerRoutes(dp fiber.Router) {
	dp.Get("/v3", s.deps.Auth.IdentifyReads, middleware.RequireIdentity, s.dplayerList)
	dp.Post("/v3", s.dplayerPost)
}

// dplayerCORS lets players on other origins read the comments and post
// without credentials (DPlayer's requests carry none); what a post may do
// as the viewer is decided by dplayerIdentify, not by CORS. Preflights are
// answered here.
func dplayerCORS(c *fiber.Ctx) error {
	middleware.CrossOrigin(c)
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
func (s *server) dplayerAnswers(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	e := errs.From(err)
	status := fiber.StatusOK
	if e.Code == errs.Internal {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		status = fiber.StatusInternalServerError
	}
	return c.Status(status).JSON(dplayer.Fail(html.EscapeString(e.Message)))
}

// dplayerList serves GET v3/?id=ROOM&max=N: the room's newest N visible
// comments in DPlayer's shape, by video time.
func (s *server) dplayerList(c *fiber.Ctx) error {
	q, err := dplayer.ParseQuery(c.Query("id"), c.Query("max"), dplayerMaxItems)
	if err != nil {
		return err
	}
	if _, err := s.deps.Rooms.Get(c.UserContext(), q.Room); err != nil {
		return err
	}
	items, err := s.deps.Store.LatestVisible(c.UserContext(), q.Room, q.Max)
	if err != nil {
		return err
	}
	return c.JSON(dplayer.OK(dplayer.List(items, q.Max)))
}

// dplayerPost serves POST v3/: the comment takes the path of every other
// comment (validation, moderation, storage, fan-out to the room's sockets).
// A comment refused before it reaches ingest is counted here.
func (s *server) dplayerPost(c *fiber.Ctx) error {
	p, err := dplayer.DecodePost(c.Request().Body()) // not c.Body(), which inflates without a limit
	if err == nil {
		err = s.dplayerIdentify(c, p)
	}
	if err == nil {
		err = s.deps.Auth.MayParticipate(middleware.IdentityOf(c))
	}
	if err == nil {
		err = protocol.CheckRoomID(p.Room())
	}
	if err != nil {
		s.deps.Ingest.Refused(moderation.ViaDPlayer, err)
		return err
	}
	stored, err := s.deps.Ingest.SubmitWait(c.UserContext(), p.Room(), sender(c, moderation.ViaDPlayer), p.Input())
	if err != nil {
		return err
	}
	return c.JSON(dplayer.OK(stored))
}

// dplayerIdentify decides who posts p:
//   - the body's token (the page's `api.token`), verified like a Bearer
//     token, from any origin;
//   - else the request's own credentials (an Authorization header, or the
//     session cookie or a new guest), but the cookie only for a request
//     from this site's pages or the -allowed-origins: a page elsewhere must
//     not post as the viewer whose cookie rides along;
//   - else a new guest, as for any client without a session.
//
// The body's author is ignored: the page can claim any name.
func (s *server) dplayerIdentify(c *fiber.Ctx, p dplayer.Post) error {
	switch {
	case p.Token != "":
		t, err := s.deps.Auth.Verify(c.UserContext(), p.Token)
		if err != nil {
			return err
		}
		middleware.SetCredentials(c, t)
		return nil
	case middleware.BearerToken(c) != "" || s.deps.Origins.FromThisSite(c):
		return s.deps.Auth.Resolve(c)
	}
	id := auth.Identity{}
	if s.deps.Auth.Guests != middleware.GuestsOff {
		id = auth.NewGuest()
	}
	middleware.SetCredentials(c, auth.Token{Identity: id})
	return nil
}
