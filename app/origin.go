package app

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
)

// checkOrigin allows a WebSocket handshake from the server's own origin,
// from the allow-list, and from clients that send no Origin at all (bots and
// CLIs; browsers always send one). Anything else is refused with 403: this
// is what stops a hostile page from riding a viewer's cookies (CSWSH).
func (a *App) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	host := r.Host
	if fwd := r.Header.Get(fiber.HeaderXForwardedHost); a.cfg.ProxyHeader != "" && fwd != "" {
		host, _, _ = strings.Cut(fwd, ",") // wsOrigin has checked the proxy is trusted
	}
	return origin == "" || a.trustedOrigin(origin, host)
}

// wsOrigin refuses cross-site WebSocket handshakes before anything else
// looks at the request, so a hostile page learns nothing and sets nothing.
// The upgrader checks again (checkOrigin).
func (a *App) wsOrigin(c *fiber.Ctx) error {
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && !a.trustedOrigin(origin, a.requestHost(c)) {
		return errs.New(errs.Forbidden, "this origin may not open sockets here")
	}
	return c.Next()
}

// trustedOrigin reports whether a browser origin (scheme://host[:port]) is
// this server's own (same host and port as the request) or allow-listed.
func (a *App) trustedOrigin(origin, host string) bool {
	if slices.Contains(a.cfg.AllowedOrigins, "*") {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // includes the opaque origin "null"
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	for _, allowed := range a.cfg.AllowedOrigins {
		if strings.EqualFold(strings.TrimSuffix(allowed, "/"), u.Scheme+"://"+u.Host) {
			return true
		}
	}
	return false
}

// requestHost is the host the client asked for: the Host header, or
// X-Forwarded-Host from a trusted proxy when a proxy header is configured.
func (a *App) requestHost(c *fiber.Ctx) string {
	if a.cfg.ProxyHeader != "" {
		return c.Hostname() // Fiber believes X-Forwarded-Host only from TrustedProxies
	}
	return string(c.Request().Host())
}
