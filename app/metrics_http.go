package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// routeOther labels requests that no route took: unknown paths, and
// requests refused before routing (cross-site writes, the REST write
// limit). A raw path would make a series per visitor's typo.
const routeOther = "other"

// measureRequests counts every request by route pattern and status, with
// its latency. It answers errors itself (through the error handler) so
// that it sees the status actually sent; a WebSocket handshake counts once,
// as 101, timed until the upgrade.
func (a *App) measureRequests(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := a.handleError(c, err); herr != nil {
			return herr
		}
	}
	status := c.Response().StatusCode()
	if c.Context().Hijacked() {
		status = fiber.StatusSwitchingProtocols
	}
	a.metrics.Request(c.Method(), routeLabel(c), status, time.Since(start))
	return nil
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
