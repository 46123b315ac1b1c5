package app

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
)

const (
	sessionCookie = "danmaku_session"
	guestTTL      = 365 * 24 * time.Hour
	localIdentity = "identity" // also what templates see: {{.identity}}
	localExpires  = "identity_expires"
	localNewGuest = "new_guest_cookie"
	wsPath        = "/ws"
)

// identify resolves who is behind the request and stores it for handlers.
// Credentials are taken, first found wins, from an Authorization: Bearer
// header, a ?token= query parameter (WebSocket handshakes only) and the
// session cookie. A bad header or query token is refused with 401; a stale
// cookie is ignored. Without credentials the request is a new guest, whose
// cookie is set so a browser keeps one identity across reloads, or, when
// guests are off, anonymous (handlers then refuse it).
func (a *App) identify(c *fiber.Ctx) error {
	id, exp, err := a.credentials(c)
	if err != nil {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer error="invalid_token"`)
		return err
	}
	if id.Anonymous() && a.cfg.Guests != GuestsOff {
		id, exp = auth.NewGuest(), time.Now().Add(guestTTL)
		token, err := a.signer.Issue(id, guestTTL)
		if err != nil {
			return err
		}
		cookie := a.sessionCookie(c, token, exp)
		c.Locals(localNewGuest, cookie.String())
		if c.Path() != wsPath {
			// The WebSocket handshake response is written by the upgrader,
			// which sets the cookie itself; see handleWS.
			c.Cookie(fiberCookie(cookie))
		}
	}
	c.Locals(localIdentity, id)
	c.Locals(localExpires, exp)
	return c.Next()
}

// credentials returns the identity the request's credentials prove, or the
// zero identity when it carries none.
func (a *App) credentials(c *fiber.Ctx) (auth.Identity, time.Time, error) {
	if token := bearerToken(c); token != "" {
		return a.verifyToken(token)
	}
	if token := c.Query("token"); token != "" && c.Path() == wsPath {
		return a.verifyToken(token)
	}
	if token := c.Cookies(sessionCookie); token != "" {
		if id, exp, _, err := a.checkToken(token); err == nil {
			return id, exp, nil
		}
	}
	return auth.Identity{}, time.Time{}, nil
}

// verifyToken is checkToken for credentials a request stands on; a
// refusal is counted (danmaku_auth_failures_total).
func (a *App) verifyToken(token string) (auth.Identity, time.Time, error) {
	id, exp, reason, err := a.checkToken(token)
	if err != nil {
		a.metrics.AuthFailed(reason)
	}
	return id, exp, err
}

// checkToken checks a token and turns any failure into a 401 whose message
// says whether a fresh token would help, and a reason for metrics. Guest
// tokens count only where guests are allowed.
func (a *App) checkToken(token string) (auth.Identity, time.Time, string, error) {
	id, exp, err := a.signer.Verify(token)
	switch {
	case errors.Is(err, auth.ErrExpired):
		return auth.Identity{}, time.Time{}, "expired", errs.New(errs.Unauthorized, "token expired: get a fresh one")
	case err != nil:
		return auth.Identity{}, time.Time{}, "invalid", errs.New(errs.Unauthorized, "invalid token")
	case id.Guest && a.cfg.Guests == GuestsOff:
		return auth.Identity{}, time.Time{}, "guests_off", errs.New(errs.Unauthorized, "guests are not allowed here: sign in with a user token")
	}
	return id, exp, "", nil
}

// sessionCookie returns the signed, HttpOnly, SameSite=Lax session cookie
// holding token until exp; Secure when the request came over TLS.
func (a *App) sessionCookie(c *fiber.Ctx, token string, exp time.Time) *http.Cookie {
	return &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		Expires:  exp,
		HttpOnly: true,
		Secure:   c.Protocol() == "https",
		SameSite: http.SameSiteLaxMode,
	}
}

// fiberCookie converts a session cookie for fiber.Ctx.Cookie.
func fiberCookie(k *http.Cookie) *fiber.Cookie {
	return &fiber.Cookie{
		Name: k.Name, Value: k.Value, Path: k.Path, Expires: k.Expires,
		HTTPOnly: k.HttpOnly, Secure: k.Secure, SameSite: fiber.CookieSameSiteLaxMode,
	}
}

// identityOf returns the identity identify stored.
func identityOf(c *fiber.Ctx) auth.Identity {
	id, _ := c.Locals(localIdentity).(auth.Identity)
	return id
}

// expiryOf returns when the credentials identify found stop being valid.
func expiryOf(c *fiber.Ctx) time.Time {
	exp, _ := c.Locals(localExpires).(time.Time)
	return exp
}

// requireRole lets the request through only for identities holding role;
// it runs on every request, so a role taken away takes effect at once.
func (a *App) requireRole(role string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := identityOf(c)
		if id.Guest || id.Anonymous() {
			return errs.New(errs.Unauthorized, "sign in as a %s to do this", role)
		}
		if !id.Has(role) {
			return errs.New(errs.Forbidden, "this needs the %s role", role)
		}
		return c.Next()
	}
}

// requireIdentity refuses anonymous requests, which exist only when guests
// are off.
func (a *App) requireIdentity(c *fiber.Ctx) error {
	if identityOf(c).Anonymous() {
		return errs.New(errs.Unauthorized, "sign in first: guests are not allowed here")
	}
	return c.Next()
}

// requireParticipant guards commenting and liking: guests may do them only
// when Config.Guests is send.
func (a *App) requireParticipant(c *fiber.Ctx) error {
	if err := a.mayParticipate(identityOf(c)); err != nil {
		return err
	}
	return c.Next()
}

// mayParticipate is the one rule for who may comment and like, over REST
// and WebSocket alike.
func (a *App) mayParticipate(id auth.Identity) error {
	if id.Anonymous() || (id.Guest && a.cfg.Guests != GuestsSend) {
		return errs.New(errs.Unauthorized, "sign in to comment and like")
	}
	return nil
}

// signInPage sends visitors who may not see a page to /login, which brings
// them back afterwards: anonymous ones always, guests too when role is set;
// signed-in users without role get 403. The admin page mounts it with a role.
func (a *App) signInPage(role string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := identityOf(c)
		if id.Anonymous() || (role != "" && id.Guest) {
			return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		if role != "" && !id.Has(role) {
			return errs.New(errs.Forbidden, "this page needs the %s role", role)
		}
		return c.Next()
	}
}
