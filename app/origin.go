package app

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// checkOrigin allows a WebSocket handshake from the server's own origin,
// from the allow-list, and from clients that send no Origin at all (bots and
// CLIs; browsers always send one). Anything else is refused with 403: this
// is what stops a hostile page from riding a viewer's cookies (CSWSH).
func (a *App) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if slices.Contains(a.cfg.AllowedOrigins, "*") {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, allowed := range a.cfg.AllowedOrigins {
		if strings.EqualFold(strings.TrimSuffix(allowed, "/"), u.Scheme+"://"+u.Host) {
			return true
		}
	}
	return false
}

// trustedOrigin applies checkOrigin to a REST request: it may act with the
// viewer's cookie only when it comes from a page that may open sockets.
func (a *App) trustedOrigin(c *fiber.Ctx) bool {
	return a.checkOrigin(&http.Request{Host: string(c.Request().Host()), Header: http.Header{"Origin": {c.Get(fiber.HeaderOrigin)}}})
}
