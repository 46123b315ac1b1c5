package app

import (
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/template/html/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// newFiber builds the HTTP server and its routes.
func (a *App) newFiber() (*fiber.App, error) {
	if a.cfg.Assets != nil {
		assets, err := loadAssets(a.cfg.Assets)
		if err != nil {
			return nil, err
		}
		a.assets = assets
	}
	var views fiber.Views
	if a.cfg.Templates != nil {
		engine := html.NewFileSystem(http.FS(a.cfg.Templates), ".html")
		engine.AddFuncMap(a.templateFuncs())
		if err := engine.Load(); err != nil {
			return nil, err
		}
		views = engine
	}
	f := fiber.New(fiber.Config{
		AppName:               "danmaku",
		DisableStartupMessage: true,
		// Handlers may keep strings past the request (sockets live on after
		// the handshake), so fasthttp's reused buffers must not leak into them.
		Immutable: true,
		BodyLimit: a.cfg.MaxBodyBytes,
		// Bodies stream, so that an import is read as it arrives rather than
		// held whole; limitBody reads every other body up to its limit.
		// Forms are not parsed ahead either: the import reads its form's
		// file from the stream, and other forms are small bodies.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  30 * time.Second,
		IdleTimeout:                  120 * time.Second,
		ErrorHandler:                 a.handleError,
		Views:                        views,
		// Layouts read the visitor's identity ({{.identity}}) for the sign-in link.
		PassLocalsToViews: true,
		// Per-IP limits need the client's address, not the proxy's.
		ProxyHeader:             a.cfg.ProxyHeader,
		EnableTrustedProxyCheck: len(a.cfg.TrustedProxies) > 0,
		TrustedProxies:          a.cfg.TrustedProxies,
		EnableIPValidation:      true,
	})
	// limitBody first, as fasthttp's own 413s came before any handler.
	f.Use(a.limitBody)
	f.Use(a.measureRequests) // next: it sees every other answer, panics included
	f.Use(recover.New(recover.Config{EnableStackTrace: true}))
	a.healthRoutes(f) // before request logging: probes come every few seconds
	a.metricsRoute(f) // likewise: scrapes come every few seconds
	f.Use(a.logRequests)
	f.Use(a.securityHeaders())
	f.Use(a.crossSiteWrites)
	f.Use(a.restWriteLimit())
	a.routes(f)
	return f, nil
}

func (a *App) routes(f *fiber.App) {
	if a.assets != nil {
		f.Use("/assets", a.assets.serve)
	}

	f.Get(wsPath, a.wsOrigin, a.identify, a.handleWS)

	api := f.Group("/api", a.identify, a.requireIdentity)
	api.Get("/rooms", a.listRooms)
	api.Post("/rooms", a.requireRole(auth.RoleModerator), a.createRoom)
	api.Get("/rooms/:id", a.getRoom)
	api.Get("/rooms/:id/comments", a.listComments)
	api.Post("/rooms/:id/comments", a.countRefusedComments(viaREST), a.requireParticipant, a.postComment)
	api.Post("/rooms/:id/like", a.requireParticipant, a.likeRoom)
	api.Post("/comments/:id/like", a.requireParticipant, a.likeComment)
	a.modRoutes(f, api)
	a.interopRoutes(f, api)

	f.Get("/login", a.identify, a.loginPage)
	f.Post("/login", a.identify, a.login)
	f.Get("/logout", a.identify, a.logoutPage)
	f.Post("/logout", a.identify, a.logout)
	f.Get("/", a.identify, a.signInPage(""), a.indexPage)
	f.Post("/rooms", a.identify, a.signInPage(""), a.createRoomPage)
	f.Get("/rooms/:id", a.identify, a.signInPage(""), a.roomPage)
	f.Get("/rooms/:id/replay", a.identify, a.signInPage(""), a.replayPage)

	f.Use(func(c *fiber.Ctx) error {
		return errs.New(errs.NotFound, "no route for %s %s", c.Method(), c.Path())
	})
}

// handleError turns any error from a handler into the JSON error shape,
// with the status that belongs to its code.
func (a *App) handleError(c *fiber.Ctx, err error) error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		err = errs.New(codeForStatus(fe.Code), "%s", fe.Message)
	}
	e := errs.From(err)
	if e.Code == errs.Internal {
		a.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	if isPageRequest(c) {
		return a.errorPage(c, e)
	}
	return c.Status(e.Code.Status()).JSON(fiber.Map{"error": protocol.BodyOf(e)})
}

// codeForStatus maps Fiber's own errors (unknown routes, body too large, …) to codes.
func codeForStatus(status int) errs.Code {
	switch status {
	case fiber.StatusNotFound:
		return errs.NotFound
	case fiber.StatusRequestEntityTooLarge:
		return errs.TooLarge
	case fiber.StatusTooManyRequests:
		return errs.RateLimited
	case fiber.StatusUnauthorized:
		return errs.Unauthorized
	case fiber.StatusForbidden:
		return errs.Forbidden
	case fiber.StatusServiceUnavailable:
		return errs.Unavailable
	}
	if status >= 400 && status < 500 {
		return errs.BadRequest
	}
	return errs.Internal
}

// logRequests logs one line per request with its latency. The query string
// is left out: it may carry tokens.
func (a *App) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = errs.From(err).Code.Status()
		var fe *fiber.Error
		if errors.As(err, &fe) {
			status = fe.Code
		}
	}
	a.log.Info("request", "method", c.Method(), "path", c.Path(), "status", status,
		"latency", time.Since(start), "ip", c.IP())
	return err
}
