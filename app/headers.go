package app

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
)

// contentSecurityPolicy lets the pages run their own module scripts and
// styles only (no inline script or style attribute), play videos from this
// server or any http(s) URL a room names, talk to the API and the socket,
// and be framed by this site and the allowed origins.
func (a *App) contentSecurityPolicy() string {
	ancestors := "'self'"
	if slices.Contains(a.cfg.AllowedOrigins, "*") {
		ancestors = "*"
	} else if len(a.cfg.AllowedOrigins) > 0 {
		ancestors += " " + strings.Join(a.cfg.AllowedOrigins, " ")
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"media-src 'self' https: http:",
		"connect-src 'self' ws: wss:",
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors " + ancestors,
	}, "; ")
}

// securityHeaders sets helmet's headers with the policy above. Cross-origin
// embedder isolation is left off so remote videos without CORP headers play;
// the referrer is kept for same-origin requests, where browsers then send a
// real Origin on POSTs for the CSRF check.
func (a *App) securityHeaders() fiber.Handler {
	return helmet.New(helmet.Config{
		ContentSecurityPolicy:     a.contentSecurityPolicy(),
		CrossOriginEmbedderPolicy: "unsafe-none",
		ReferrerPolicy:            "same-origin",
		PermissionPolicy:          "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
		HSTSMaxAge:                180 * 24 * 3600, // sent only over TLS
		HSTSExcludeSubdomains:     true,
	})
}
