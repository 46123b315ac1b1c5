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
//
// DPlayer's API decides for itself: a cross-site post there never acts with
// the cookie (see dplayerIdentify).
func (a *App) crossSiteWrites(c *fiber.Ctx) error {
	if safeMethod(c.Method()) || bearerToken(c) != "" || a.fromThisSite(c) || strings.HasPrefix(c.Path(), dplayerPrefix) {
		return c.Next()
	}
	return errs.New(errs.Forbidden, "cross-site request refused: send it from this site's pages or with an Authorization: Bearer token")
}

// fromThisSite reports whether a browser sent the request from this site's
// pages or an allowed origin, or no browser sent it at all.
func (a *App) fromThisSite(c *fiber.Ctx) bool {
	origin := c.Get(fiber.HeaderOrigin)
	switch c.Get("Sec-Fetch-Site") {
	case "same-origin", "none": // "none": the user typed the URL or used a bookmark
		return true
	case "":
		if origin == "" {
			return true
		}
	}
	return origin != "" && a.trustedOrigin(origin, a.requestHost(c))
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
func bearerToken(c *fiber.Ctx) string { return bearerOf(c.Get(fiber.HeaderAuthorization)) }

// bearerOf returns the token of an Authorization header's value, or "".
func bearerOf(authorization string) string {
	scheme, token, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
