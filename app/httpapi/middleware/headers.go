package middleware

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
)

// contentSecurityPolicy lets the pages run their own module scripts and
// styles only (no inline script or style attribute), play videos from this
// server or any http(s) URL a room names, talk to this server (API and
// socket) and the allowed origins only, and be framed by this site and the
// allowed origins.
func contentSecurityPolicy(allowed []string) string {
	ancestors := "'self'"
	if slices.Contains(allowed, "*") {
		ancestors = "*"
	} else if len(allowed) > 0 {
		ancestors += " " + strings.Join(allowed, " ")
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"media-src 'self' https: http:",
		"connect-src " + connectSources(allowed),
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors " + ancestors,
	}, "; ")
}

// SecurityHeaders sets helmet's headers with the policy above. Cross-origin
// embedder isolation is left off so remote videos without CORP headers play;
// the referrer is kept for same-origin requests, where browsers then send a
// real Origin on POSTs for the CSRF check.
func SecurityHeaders(allowedOrigins []string) fiber.Handler {
	return helmet.New(helmet.Config{
		ContentSecurityPolicy:     contentSecurityPolicy(allowedOrigins),
		CrossOriginEmbedderPolicy: "unsafe-none",
		ReferrerPolicy:            "same-origin",
		PermissionPolicy:          "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
		HSTSMaxAge:                180 * 24 * 3600, // sent only over TLS
		HSTSExcludeSubdomains:     true,
	})
}

// NoStore keeps moderator pages and answers (addresses, held comments) out of caches.
func NoStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// CrossOrigin marks an answer as public to every origin: readable by their
// scripts (CORS, without credentials) and loadable by their pages, over the
// same-origin resource policy the security headers set by default.
func CrossOrigin(c *fiber.Ctx) {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderCrossOriginResourcePolicy, "cross-origin")
}

// connectSources is where the pages may connect: 'self', which in CSP
// Level 3 also covers ws: and wss: to the page's own host and port (so the
// room socket), plus each allowed origin with its WebSocket form
// (https://a.example adds wss://a.example). "*" adds nothing: a wildcard
// would let an injected script send anywhere, which this directive is for.
func connectSources(allowed []string) string {
	sources := []string{"'self'"}
	for _, o := range allowed {
		if o == "*" {
			continue
		}
		o = strings.TrimSuffix(o, "/")
		sources = append(sources, o)
		if ws, ok := strings.CutPrefix(o, "http"); ok { // http → ws, https → wss
			sources = append(sources, "ws"+ws)
		}
	}
	return strings.Join(sources, " ")
}
