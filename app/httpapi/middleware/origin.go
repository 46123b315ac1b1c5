package middleware

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
)

// Origins decides which browser origins may open sockets and write with a
// viewer's cookie: the server's own, and the allow-list.
type Origins struct {
	Allowed     []string // "*" allows every origin
	ProxyHeader string   // set when a trusted proxy names the host (X-Forwarded-Host)
}

// CheckSocket is the upgrader's origin check: a WebSocket handshake from
// the server's own origin, from the allow-list, or from a client that
// sends no Origin at all (bots and CLIs; browsers always send one). This
// is what stops a hostile page from riding a viewer's cookies (CSWSH).
func (o Origins) CheckSocket(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	host := r.Host
	if fwd := r.Header.Get(fiber.HeaderXForwardedHost); o.ProxyHeader != "" && fwd != "" {
		host, _, _ = strings.Cut(fwd, ",") // SocketOrigin has checked the proxy is trusted
	}
	return origin == "" || o.Trusted(origin, host)
}

// SocketOrigin refuses cross-site WebSocket handshakes before anything else
// looks at the request, so a hostile page learns nothing and sets nothing.
// The upgrader checks again (CheckSocket).
func (o Origins) SocketOrigin(c *fiber.Ctx) error {
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && !o.Trusted(origin, o.RequestHost(c)) {
		return errs.New(errs.Forbidden, "this origin may not open sockets here")
	}
	return c.Next()
}

// Trusted reports whether a browser origin (scheme://host[:port]) is this
// server's own (same host and port as the request) or allow-listed.
func (o Origins) Trusted(origin, host string) bool {
	if slices.Contains(o.Allowed, "*") {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // includes the opaque origin "null"
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	for _, allowed := range o.Allowed {
		if strings.EqualFold(strings.TrimSuffix(allowed, "/"), u.Scheme+"://"+u.Host) {
			return true
		}
	}
	return false
}

// RequestHost is the host the client asked for: the Host header, or
// X-Forwarded-Host from a trusted proxy when a proxy header is configured.
func (o Origins) RequestHost(c *fiber.Ctx) string {
	if o.ProxyHeader != "" {
		return c.Hostname() // Fiber believes X-Forwarded-Host only from TrustedProxies
	}
	return string(c.Request().Host())
}

// FromThisSite reports whether a browser sent the request from this site's
// pages or an allowed origin, or no browser sent it at all.
func (o Origins) FromThisSite(c *fiber.Ctx) bool {
	origin := c.Get(fiber.HeaderOrigin)
	switch c.Get("Sec-Fetch-Site") {
	case "same-origin", "none": // "none": the user typed the URL or used a bookmark
		return true
	case "":
		if origin == "" {
			return true
		}
	}
	return origin != "" && o.Trusted(origin, o.RequestHost(c))
}

// SameSiteWrites refuses state-changing requests that a browser sent from
// another site (CSRF). Browsers label every request with Sec-Fetch-Site and
// send Origin on every POST, so either proves where it came from; requests
// with neither come from non-browser clients (curl, bots), which a hostile
// page cannot drive, and pass. Requests carrying a Bearer token pass too: a
// page cannot add that header cross-site. The allow-listed origins that may
// open sockets may also write. Routes that take cross-site posts on purpose
// (DPlayer's API) are mounted without it.
func (o Origins) SameSiteWrites(c *fiber.Ctx) error {
	if SafeMethod(c.Method()) || BearerToken(c) != "" || o.FromThisSite(c) {
		return c.Next()
	}
	return errs.New(errs.Forbidden, "cross-site request refused: send it from this site's pages or with an Authorization: Bearer token")
}

// SafeMethod reports whether method only reads (RFC 9110 §9.2.1).
func SafeMethod(method string) bool {
	switch method {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
		return true
	}
	return false
}

// BearerToken returns the token of an "Authorization: Bearer" header, or "".
func BearerToken(c *fiber.Ctx) string { return BearerOf(c.Get(fiber.HeaderAuthorization)) }

// BearerOf returns the token of an Authorization header's value, or "".
func BearerOf(authorization string) string {
	scheme, token, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
