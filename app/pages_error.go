package app

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// isPageRequest tells page requests (answered with HTML errors) from API,
// WebSocket and asset requests (answered with the JSON error shape).
func isPageRequest(c *fiber.Ctx) bool {
	p := c.Path()
	for _, prefix := range []string{"/api/", "/assets/", "/ws"} {
		if strings.HasPrefix(p, prefix) {
			return false
		}
	}
	return true
}

// errorPage answers a page request that failed with an HTML page carrying the
// error's status and message (never an internal cause: errs.From hides it).
func (a *App) errorPage(c *fiber.Ctx, e *errs.Error) error {
	status := e.Code.Status()
	if a.cfg.Templates == nil {
		return c.Status(status).JSON(fiber.Map{"error": protocol.BodyOf(e)})
	}
	return a.render(c, status, "error", fiber.Map{
		"Title": http.StatusText(status), "Status": status, "Code": string(e.Code), "Message": e.Message,
	})
}
