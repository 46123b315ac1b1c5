package app

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
)

const (
	sessionCookie = "danmaku_session"
	guestTTL      = 365 * 24 * time.Hour
	localIdentity = "identity"
	localNewGuest = "new_guest_cookie"
)

// identify resolves who is behind the request and stores it for handlers.
// A request without a valid session cookie becomes a new guest, and the
// guest's cookie is set so a browser keeps one identity across reloads.
func (a *App) identify(c *fiber.Ctx) error {
	if token := c.Cookies(sessionCookie); token != "" {
		if id, _, err := a.signer.Verify(token); err == nil {
			c.Locals(localIdentity, id)
			return c.Next()
		}
	}
	id := auth.NewGuest()
	cookie, err := a.sessionCookie(c, id, guestTTL)
	if err != nil {
		return err
	}
	c.Locals(localIdentity, id)
	c.Locals(localNewGuest, cookie.String())
	if c.Path() != "/ws" {
		// The WebSocket handshake response is written by the upgrader, which
		// sets the cookie itself; see handleWS.
		c.Cookie(&fiber.Cookie{
			Name: cookie.Name, Value: cookie.Value, Path: cookie.Path, Expires: cookie.Expires,
			HTTPOnly: true, Secure: cookie.Secure, SameSite: fiber.CookieSameSiteLaxMode,
		})
	}
	return c.Next()
}

// sessionCookie returns a signed, HttpOnly, SameSite=Lax cookie holding id.
func (a *App) sessionCookie(c *fiber.Ctx, id auth.Identity, ttl time.Duration) (*http.Cookie, error) {
	token, err := a.signer.Issue(id, ttl)
	if err != nil {
		return nil, err
	}
	return &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		Expires:  time.Now().Add(ttl),
		HttpOnly: true,
		Secure:   c.Protocol() == "https",
		SameSite: http.SameSiteLaxMode,
	}, nil
}

// identityOf returns the identity identify stored.
func identityOf(c *fiber.Ctx) auth.Identity {
	id, _ := c.Locals(localIdentity).(auth.Identity)
	return id
}

// requireRole lets the request through only for identities holding role;
// it runs on every request, so a role taken away takes effect at once.
func (a *App) requireRole(role string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := identityOf(c)
		if id.Guest || id.ID == "" {
			return errs.New(errs.Unauthorized, "sign in as a %s to do this", role)
		}
		if !id.Has(role) {
			return errs.New(errs.Forbidden, "this needs the %s role", role)
		}
		return c.Next()
	}
}
