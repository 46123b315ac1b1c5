package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
)

// crossSiteWrites refuses state-changing requests that a browser sent from
// another site (CSRF). Browsers label every request with Sec-Fetch-Site and
// send Origin on every POST, so either proves where it came from; requests
// with neither come from non-browser clients (curl, bots), which a hostile
// page cannot drive, and pass. Requests carrying a Bearer token pass too: a
// page cannot add that header cross-site. The allow-listed origins that may
// open sockets may also write.
func (a *App) crossSiteWrites(c *fiber.Ctx) error {
	if safeMethod(c.Method()) || bearerToken(c) != "" {
		return c.Next()
	}
	origin := c.Get(fiber.HeaderOrigin)
	switch c.Get("Sec-Fetch-Site") {
	case "same-origin", "none": // "none": the user typed the URL or used a bookmark
		return c.Next()
	case "":
		if origin == "" {
			return c.Next()
		}
	}
	if origin != "" && a.trustedOrigin(origin, a.requestHost(c)) {
		return c.Next()
	}
	return errs.New(errs.Forbidden, "cross-site request refused: send it from this site's pages or with an Authorization: Bearer token")
}

// safeMethod reports whether method only reads (RFC 9110 §9.2.1).
func safeMethod(method string) bool {
	switch method {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
		return true
	}
	return false
}

// bearerToken returns the token of an "Authorization: Bearer" header, or "".
func bearerToken(c *fiber.Ctx) string {
	scheme, token, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
