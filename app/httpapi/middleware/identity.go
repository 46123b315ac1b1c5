// Package middleware holds the Fiber middleware of the HTTP transport:
// identity, CSRF, origins, security headers, body and rate limits, request
// metrics and logs. Each is mounted per route or group by the route table
// (package httpapi); none picks routes out by their path.
package middleware

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
)

// What guests may do (Auth.Guests).
const (
	GuestsSend  = "send"  // watch, comment and like under a guest name
	GuestsWatch = "watch" // watch only; commenting and liking need a sign-in
	GuestsOff   = "off"   // nothing: every page, API call and socket needs a sign-in
)

const (
	// SessionCookie is the name of the cookie that carries a browser's session token.
	SessionCookie = "danmaku_session"
	// GuestTTL is how long a guest's session lasts.
	GuestTTL = 365 * 24 * time.Hour

	localIdentity = "identity" // also what templates see: {{.identity}}
	localExpires  = "identity_expires"
	localNewGuest = "new_guest_cookie"
)

// Auth resolves who is behind a request. Credentials are read here and
// nowhere else: an Authorization: Bearer header, a ?token= query parameter
// (WebSocket handshakes only), a token in a body (DPlayer), or the session
// cookie.
type Auth struct {
	Signer *auth.Signer
	Guests string // GuestsSend, GuestsWatch or GuestsOff
	// Failed, when set, counts a refused token by reason (metrics).
	Failed func(reason string)
}

// Identify resolves the request's identity and stores it for handlers.
// Credentials are taken, first found wins, from an Authorization: Bearer
// header and the session cookie. A bad header is refused with 401; a stale
// cookie is ignored. Without credentials the request is a new guest, whose
// cookie is set so a browser keeps one identity across reloads, or, when
// guests are off, anonymous (handlers then refuse it).
func (a *Auth) Identify(c *fiber.Ctx) error {
	if err := a.resolve(c, false); err != nil {
		return err
	}
	return c.Next()
}

// Resolve is Identify for a handler that decides itself when a request's
// own credentials count (DPlayer's posts): it stores the identity and
// returns.
func (a *Auth) Resolve(c *fiber.Ctx) error { return a.resolve(c, false) }

// IdentifySocket is Identify for WebSocket handshakes: a ?token= query
// parameter counts too (browsers cannot set headers on sockets), and a new
// guest's cookie is kept for the upgrader to send (see NewGuestCookie),
// since the handshake's answer is written by the upgrader.
func (a *Auth) IdentifySocket(c *fiber.Ctx) error {
	if err := a.resolve(c, true); err != nil {
		return err
	}
	return c.Next()
}

func (a *Auth) resolve(c *fiber.Ctx, socket bool) error {
	id, exp, err := a.credentials(c, socket)
	if err != nil {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer error="invalid_token"`)
		return err
	}
	if id.Anonymous() && a.Guests != GuestsOff {
		id, exp = auth.NewGuest(), time.Now().Add(GuestTTL)
		token, err := a.Signer.Issue(id, GuestTTL)
		if err != nil {
			return err
		}
		cookie := SessionCookieFor(c, token, exp)
		if socket {
			c.Locals(localNewGuest, cookie.String())
		} else {
			c.Cookie(FiberCookie(cookie))
		}
	}
	SetIdentity(c, id, exp)
	return nil
}

// credentials returns the identity the request's credentials prove, or the
// zero identity when it carries none.
func (a *Auth) credentials(c *fiber.Ctx, socket bool) (auth.Identity, time.Time, error) {
	if token := BearerToken(c); token != "" {
		return a.Verify(token)
	}
	if token := c.Query("token"); token != "" && socket {
		return a.Verify(token)
	}
	if token := c.Cookies(SessionCookie); token != "" {
		if id, exp, _, err := a.check(token); err == nil {
			return id, exp, nil
		}
	}
	return auth.Identity{}, time.Time{}, nil
}

// Verify checks a token a request stands on; a refusal is counted.
func (a *Auth) Verify(token string) (auth.Identity, time.Time, error) {
	id, exp, reason, err := a.check(token)
	if err != nil && a.Failed != nil {
		a.Failed(reason)
	}
	return id, exp, err
}

// Peek returns the identity of an Authorization header's value, else of a
// session cookie's, for checks made before the request is routed; a
// refusal is not counted (Identify counts the same credentials later).
func (a *Auth) Peek(authorization, cookie string) (auth.Identity, bool) {
	token := BearerOf(authorization)
	if token == "" {
		token = cookie
	}
	id, _, _, err := a.check(token)
	return id, err == nil
}

// check checks a token and turns any failure into a 401 whose message says
// whether a fresh token would help, and a reason for metrics. Guest tokens
// count only where guests are allowed.
func (a *Auth) check(token string) (auth.Identity, time.Time, string, error) {
	id, exp, err := a.Signer.Verify(token)
	switch {
	case errors.Is(err, auth.ErrExpired):
		return auth.Identity{}, time.Time{}, "expired", errs.New(errs.Unauthorized, "token expired: get a fresh one")
	case err != nil:
		return auth.Identity{}, time.Time{}, "invalid", errs.New(errs.Unauthorized, "invalid token")
	case id.Guest && a.Guests == GuestsOff:
		return auth.Identity{}, time.Time{}, "guests_off", errs.New(errs.Unauthorized, "guests are not allowed here: sign in with a user token")
	}
	return id, exp, "", nil
}

// SetIdentity stores the identity handlers read, and when its credentials expire.
func SetIdentity(c *fiber.Ctx, id auth.Identity, exp time.Time) {
	c.Locals(localIdentity, id)
	c.Locals(localExpires, exp)
}

// IdentityOf returns the identity Identify stored.
func IdentityOf(c *fiber.Ctx) auth.Identity {
	id, _ := c.Locals(localIdentity).(auth.Identity)
	return id
}

// ExpiryOf returns when the credentials Identify found stop being valid.
func ExpiryOf(c *fiber.Ctx) time.Time {
	exp, _ := c.Locals(localExpires).(time.Time)
	return exp
}

// NewGuestCookie returns the Set-Cookie value IdentifySocket kept for a new
// guest, or "".
func NewGuestCookie(c *fiber.Ctx) string {
	cookie, _ := c.Locals(localNewGuest).(string)
	return cookie
}

// SessionCookieFor returns the signed, HttpOnly, SameSite=Lax session
// cookie holding token until exp; Secure when the request came over TLS.
func SessionCookieFor(c *fiber.Ctx, token string, exp time.Time) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookie,
		Value:    token,
		Path:     "/",
		Expires:  exp,
		HttpOnly: true,
		Secure:   c.Protocol() == "https",
		SameSite: http.SameSiteLaxMode,
	}
}

// FiberCookie converts a session cookie for fiber.Ctx.Cookie.
func FiberCookie(k *http.Cookie) *fiber.Cookie {
	return &fiber.Cookie{
		Name: k.Name, Value: k.Value, Path: k.Path, Expires: k.Expires,
		HTTPOnly: k.HttpOnly, Secure: k.Secure, SameSite: fiber.CookieSameSiteLaxMode,
	}
}

// RequireRole lets the request through only for identities holding role;
// it runs on every request, so a role taken away takes effect at once.
func RequireRole(role string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := IdentityOf(c)
		if id.Guest || id.Anonymous() {
			return errs.New(errs.Unauthorized, "sign in as a %s to do this", role)
		}
		if !id.Has(role) {
			return errs.New(errs.Forbidden, "this needs the %s role", role)
		}
		return c.Next()
	}
}

// RequireIdentity refuses anonymous requests, which exist only when guests
// are off.
func RequireIdentity(c *fiber.Ctx) error {
	if IdentityOf(c).Anonymous() {
		return errs.New(errs.Unauthorized, "sign in first: guests are not allowed here")
	}
	return c.Next()
}

// RequireParticipant guards commenting and liking: guests may do them only
// when guests may send.
func (a *Auth) RequireParticipant(c *fiber.Ctx) error {
	if err := a.MayParticipate(IdentityOf(c)); err != nil {
		return err
	}
	return c.Next()
}

// MayParticipate is the one rule for who may comment and like, over REST
// and WebSocket alike.
func (a *Auth) MayParticipate(id auth.Identity) error {
	if id.Anonymous() || (id.Guest && a.Guests != GuestsSend) {
		return errs.New(errs.Unauthorized, "sign in to comment and like")
	}
	return nil
}

// SignInPage sends visitors who may not see a page to /login, which brings
// them back afterwards: anonymous ones.
func SignInPage(c *fiber.Ctx) error {
	if IdentityOf(c).Anonymous() {
		return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	return c.Next()
}

// ClientAddr returns the request's client address, IPv4 unmapped; invalid
// when unknown.
func ClientAddr(c *fiber.Ctx) netip.Addr {
	ip, err := netip.ParseAddr(c.IP())
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}
