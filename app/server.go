package app

import (
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/template/html/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// newFiber builds the HTTP server and its routes.
func (a *App) newFiber() (*fiber.App, error) {
	var views fiber.Views
	if a.cfg.Templates != nil {
		engine := html.NewFileSystem(http.FS(a.cfg.Templates), ".html")
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
		Immutable:    true,
		BodyLimit:    a.cfg.MaxBodyBytes,
		ReadTimeout:  30 * time.Second,
		IdleTimeout:  120 * time.Second,
		ErrorHandler: a.handleError,
		Views:        views,
	})
	f.Use(recover.New(recover.Config{EnableStackTrace: true}))
	a.healthRoutes(f) // before request logging: probes come every few seconds
	f.Use(a.logRequests)
	a.routes(f)
	return f, nil
}

func (a *App) routes(f *fiber.App) {
	if a.cfg.Assets != nil {
		f.Use("/assets", filesystem.New(filesystem.Config{Root: http.FS(a.cfg.Assets), MaxAge: 300}))
	}

	f.Get("/ws", a.identify, a.handleWS)

	api := f.Group("/api", a.identify)
	api.Get("/rooms", a.listRooms)
	api.Post("/rooms", a.createRoom)
	api.Get("/rooms/:id", a.getRoom)
	api.Get("/rooms/:id/comments", a.listComments)
	api.Post("/rooms/:id/comments", a.postComment)
	api.Post("/rooms/:id/like", a.likeRoom)
	api.Post("/comments/:id/like", a.likeComment)

	f.Get("/", a.identify, a.indexPage)

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
