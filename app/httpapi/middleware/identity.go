// Package middleware holds the Fiber middleware of the HTTP transport:
// identity, CSRF, origins, security headers, body and rate limits, request
// metrics and logs. Each is mounted per route or group by the route table
// (package httpapi); none picks routes out by their path.
package middleware

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
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
	// GuestTTL is how long a guest's session lasts once its browser has
	// come back: a visit with less than half of it left extends it to the
	// whole again (sliding), so a guest who keeps coming stays who they are.
	GuestTTL = 30 * 24 * time.Hour
	// GuestFirstTTL is how long a new guest's session lasts until its
	// browser comes back with the cookie; clients that never keep cookies
	// (crawlers, scripts) leave only short-lived records behind.
	GuestFirstTTL = 7 * 24 * time.Hour

	localIdentity  = "identity" // also what templates see: {{.identity}}
	localToken     = "identity_token"
	localSetCookie = "set_session_cookie"
)

// Sessions are the server-side sessions tokens stand on (see
// sessions.Service).
type Sessions interface {
	Start(ctx context.Context, id auth.Identity, exp time.Time) (store.Session, error)
	Extend(ctx context.Context, id, user string, exp time.Time) error
	Check(ctx context.Context, t auth.Token) error
	End(ctx context.Context, id string) error
	EndUser(ctx context.Context, user string) (int, error)
}

// Auth resolves who is behind a request. Credentials are read here and
// nowhere else: an Authorization: Bearer header, a ?token= query parameter
// (WebSocket handshakes only), a token in a body (DPlayer), or the session
// cookie. Every token is checked against its server-side session (or, for
// a sessionless one, its user's sign-outs) on every request.
type Auth struct {
	Signer   *auth.Signer
	Sessions Sessions
	// Sockets closes the sockets of sessions that end; set once the socket
	// server exists.
	Sockets SocketCloser
	Guests  string // GuestsSend, GuestsWatch or GuestsOff
	// Failed, when set, counts a refused token by reason (metrics).
	Failed func(reason string)
}

// Identify resolves the request's identity and stores it for handlers.
// Credentials are taken, first found wins, from an Authorization: Bearer
// header and the session cookie. A bad header is refused with 401; a stale
// cookie (an ended session's too) is ignored. Without credentials the
// request is a new guest, whose session starts and whose cookie is set so
// a browser keeps one identity across reloads, or, when guests are off,
// anonymous (handlers then refuse it). It is for pages and writes.
func (a *Auth) Identify(c *fiber.Ctx) error {
	if err := a.resolve(c, false, true); err != nil {
		return err
	}
	return c.Next()
}

// IdentifyReads is Identify that starts no session for a GET or HEAD
// request without credentials: it is a passing guest, with no cookie and
// nothing stored (scripts and other sites' players reading the API keep
// no cookies, and must not leave a record per request). Other methods
// start one as Identify does.
func (a *Auth) IdentifyReads(c *fiber.Ctx) error {
	if err := a.resolve(c, false, !SafeMethod(c.Method())); err != nil {
		return err
	}
	return c.Next()
}

// Resolve is Identify for a handler that decides itself when a request's
// own credentials count (DPlayer's posts): it stores the identity and
// returns.
func (a *Auth) Resolve(c *fiber.Ctx) error { return a.resolve(c, false, true) }

// IdentifySocket is Identify for WebSocket handshakes: a ?token= query
// parameter counts too (browsers cannot set headers on sockets), and a new
// guest's cookie is kept for the upgrader to send (see NewGuestCookie),
// since the handshake's answer is written by the upgrader.
func (a *Auth) IdentifySocket(c *fiber.Ctx) error {
	if err := a.resolve(c, true, true); err != nil {
		return err
	}
	return c.Next()
}

func (a *Auth) resolve(c *fiber.Ctx, socket, start bool) error {
	tok, fromCookie, err := a.credentials(c, socket)
	if err != nil {
		if errs.CodeOf(err) == errs.Unauthorized {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer error="invalid_token"`)
		}
		return err
	}
	switch {
	case tok.Identity.Anonymous() && a.Guests != GuestsOff && !start:
		tok = auth.Token{Identity: auth.NewGuest()}
	case tok.Identity.Anonymous() && a.Guests != GuestsOff:
		if tok, err = a.startSession(c, auth.NewGuest(), time.Now().Add(GuestFirstTTL), socket); err != nil {
			return err
		}
	case fromCookie && start && tok.Identity.Guest && tok.Session != "" && time.Until(tok.Expires) < GuestTTL/2:
		// A renewal that fails (the session just ended, a busy store)
		// leaves the session as it was; the next visit tries again.
		if renewed, err := a.renew(c, tok, socket); err == nil {
			tok = renewed
		}
	}
	SetCredentials(c, tok)
	return nil
}

// credentials returns the token the request's credentials prove, or the
// zero token when it carries none, and whether it came from the cookie.
func (a *Auth) credentials(c *fiber.Ctx, socket bool) (auth.Token, bool, error) {
	ctx := c.UserContext()
	if token := BearerToken(c); token != "" {
		t, err := a.Verify(ctx, token)
		return t, false, err
	}
	if token := c.Query("token"); token != "" && socket {
		t, err := a.Verify(ctx, token)
		return t, false, err
	}
	if token := c.Cookies(SessionCookie); token != "" {
		t, _, err := a.check(ctx, token)
		switch {
		case err == nil:
			return t, true, nil
		case errs.CodeOf(err) == errs.Unavailable:
			return auth.Token{}, false, err // not a stale cookie: the sessions could not be read
		}
	}
	return auth.Token{}, false, nil
}

// Verify checks a token a request or frame stands on, its session
// included; a refusal is counted.
func (a *Auth) Verify(ctx context.Context, token string) (auth.Token, error) {
	t, reason, err := a.check(ctx, token)
	if err != nil && a.Failed != nil && reason != "" {
		a.Failed(reason)
	}
	return t, err
}

// Recheck checks again that the token an open socket stands on is good
// (its session not ended, its user not signed out everywhere): sockets
// call it before every frame. It costs a map lookup, and a read of the
// store when this node's view of the session is stale.
func (a *Auth) Recheck(ctx context.Context, t auth.Token) error {
	if t.Identity.Anonymous() || (t.Identity.Guest && t.Session == "") {
		return nil // a passing guest stands on no token
	}
	return a.Sessions.Check(ctx, t)
}

// Peek returns the identity of an Authorization header's value, else of a
// session cookie's, for checks made before the request is routed (a body
// limit): it checks the signature and expiry only, not the session, and
// grants nothing (Identify checks the same credentials fully later); a
// refusal is not counted.
func (a *Auth) Peek(authorization, cookie string) (auth.Identity, bool) {
	token := BearerOf(authorization)
	if token == "" {
		token = cookie
	}
	t, _, err := a.parse(token)
	return t.Identity, err == nil
}

// check checks a token, its session included, and turns any failure into
// a 401 whose message says whether a fresh token would help, and a reason
// for metrics ("" when the sessions could not be read: not a refusal).
func (a *Auth) check(ctx context.Context, token string) (auth.Token, string, error) {
	t, reason, err := a.parse(token)
	if err != nil {
		return t, reason, err
	}
	if err := a.Sessions.Check(ctx, t); err != nil {
		if errs.CodeOf(err) == errs.Unauthorized {
			return auth.Token{}, "ended", err
		}
		return auth.Token{}, "", err
	}
	return t, "", nil
}

// parse checks a token's signature, expiry and claims. Guest tokens count
// only where guests are allowed.
func (a *Auth) parse(token string) (auth.Token, string, error) {
	t, err := a.Signer.Parse(token)
	switch {
	case errors.Is(err, auth.ErrExpired):
		return auth.Token{}, "expired", errs.New(errs.Unauthorized, "token expired: get a fresh one")
	case err != nil:
		return auth.Token{}, "invalid", errs.New(errs.Unauthorized, "invalid token")
	case t.Identity.Guest && a.Guests == GuestsOff:
		return auth.Token{}, "guests_off", errs.New(errs.Unauthorized, "guests are not allowed here: sign in with a user token")
	}
	return t, "", nil
}

// SetCredentials stores the token the request stands on (for a passing
// guest, one with only an identity), whose identity handlers read.
func SetCredentials(c *fiber.Ctx, t auth.Token) {
	c.Locals(localIdentity, t.Identity)
	c.Locals(localToken, t)
}

// IdentityOf returns the identity Identify stored.
func IdentityOf(c *fiber.Ctx) auth.Identity {
	id, _ := c.Locals(localIdentity).(auth.Identity)
	return id
}

// CredentialsOf returns the token Identify stored: who, until when, and
// which session.
func CredentialsOf(c *fiber.Ctx) auth.Token {
	t, _ := c.Locals(localToken).(auth.Token)
	return t
}

// NewGuestCookie returns the Set-Cookie value IdentifySocket kept for a new
// or renewed guest session, or "".
func NewGuestCookie(c *fiber.Ctx) string {
	cookie, _ := c.Locals(localSetCookie).(string)
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
