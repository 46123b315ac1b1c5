package middleware

import (
	"errors"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
)

// routeOther labels requests that no route took: unknown paths, and
// requests refused before routing (the write limit, body limits). A raw
// path would make a series per visitor's typo.
const routeOther = "other"

// RequestObserver counts requests (metrics).
type RequestObserver interface {
	Request(method, route string, status int, took time.Duration)
}

// Measure counts every request by route pattern and status, with its
// latency. It answers errors itself, through answer (the server's error
// handler), so that it sees the status actually sent; a WebSocket
// handshake counts once, as 101, timed until the upgrade.
func Measure(answer fiber.ErrorHandler, o RequestObserver) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		if err := c.Next(); err != nil {
			if herr := answer(c, err); herr != nil {
				return herr
			}
		}
		status := c.Response().StatusCode()
		if c.Context().Hijacked() {
			status = fiber.StatusSwitchingProtocols
		}
		o.Request(c.Method(), routeLabel(c), status, time.Since(start))
		return nil
	}
}

// routeLabel is the pattern of the route that answered c, e.g.
// /api/rooms/:id/comments. Middleware mounted on every path (the
// server-wide checks, the not-found handler) has the pattern "/", which
// only the home page may keep.
func routeLabel(c *fiber.Ctx) string {
	r := c.Route()
	if r == nil || (r.Path == "/" && c.Path() != "/") {
		return routeOther
	}
	return r.Path
}

// LogRequests logs one line per request with its latency. The query string
// is left out: it may carry tokens.
func LogRequests(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
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
		log.Info("request", "method", c.Method(), "path", c.Path(), "status", status,
			"latency", time.Since(start), "ip", c.IP())
		return err
	}
}
