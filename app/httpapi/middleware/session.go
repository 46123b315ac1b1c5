package middleware

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
)

// SocketCloser closes the open sockets of sessions that end (see
// socket.Server).
type SocketCloser interface {
	RevokeSession(session, reason string) int
	RevokeUser(user, reason string) int
}

// storeWait bounds how long a request waits for the store to take a
// session's write when its queue is full (then: Unavailable, 503).
const storeWait = 5 * time.Second

// ReasonSignedOut is the close reason of the sockets of a session that
// was signed out.
const ReasonSignedOut = "signed out"

// SignIn makes the browser id until exp and sets its cookie: the sign-in
// form's answer. A guest taking a nickname keeps its session (and its
// id); any other sign-in starts a new session and ends the request's old
// one, so that a session id never gains rights it did not start with.
func (a *Auth) SignIn(c *fiber.Ctx, id auth.Identity, exp time.Time) error {
	old := CredentialsOf(c)
	if old.Session != "" && id.Guest && old.Identity.ID == id.ID {
		if err := a.Sessions.Extend(c.UserContext(), old.Session, id.ID, exp); err != nil {
			return err
		}
		return a.setSessionCookie(c, auth.Token{Identity: id, Expires: exp, IssuedAt: time.Now(), Session: old.Session}, false)
	}
	if old.Session != "" {
		if err := a.Sessions.End(c.UserContext(), old.Session); err != nil {
			return err
		}
	}
	_, err := a.startSession(c, id, exp, false)
	return err
}

// SignedOut is what a sign-out ended.
type SignedOut struct {
	Sessions int `json:"sessions"` // sessions ended
	Sockets  int `json:"sockets"`  // open sockets closed with them
}

// SignOut ends the request's session, or with everywhere every session
// of its user and every sessionless token of theirs issued until now;
// it clears the cookie and closes the sockets that stood on what ended.
// A sessionless token cannot end alone: as a Bearer token, signing out
// with one needs everywhere; as a cookie (set before sessions existed),
// the cookie is cleared and the token lives on until it expires.
func (a *Auth) SignOut(c *fiber.Ctx, everywhere bool) (SignedOut, error) {
	t := CredentialsOf(c)
	fromCookie := BearerToken(c) == "" && c.Cookies(SessionCookie) != ""
	var out SignedOut
	switch {
	case t.Identity.Anonymous() || (t.Session == "" && (t.Identity.Guest || fromCookie) && !everywhere):
		// Nothing to end: not signed in, a passing guest, or an old cookie.
	case everywhere:
		n, err := a.Sessions.EndUser(c.UserContext(), t.Identity.ID)
		if err != nil {
			return out, err
		}
		out.Sessions, out.Sockets = n, a.Sockets.RevokeUser(t.Identity.ID, ReasonSignedOut)
	case t.Session == "":
		return out, errs.New(errs.BadRequest, "this token has no session to end: sign out everywhere, or let it expire")
	default:
		if err := a.Sessions.End(c.UserContext(), t.Session); err != nil {
			return out, err
		}
		out.Sessions, out.Sockets = 1, a.Sockets.RevokeSession(t.Session, ReasonSignedOut)
	}
	if c.Cookies(SessionCookie) != "" {
		gone := FiberCookie(SessionCookieFor(c, "", time.Unix(0, 0)))
		gone.MaxAge = -1
		c.Cookie(gone)
	}
	return out, nil
}

// startSession stores a session for id until exp and hands its cookie to
// the browser: set on the answer, or kept for the upgrader of a socket.
func (a *Auth) startSession(c *fiber.Ctx, id auth.Identity, exp time.Time, socket bool) (auth.Token, error) {
	ctx, cancel := context.WithTimeout(c.UserContext(), storeWait)
	defer cancel()
	sess, err := a.Sessions.Start(ctx, id, exp)
	if err != nil {
		return auth.Token{}, err
	}
	t := auth.Token{Identity: id, Expires: sess.Expires, IssuedAt: sess.Created, Session: sess.ID}
	return t, a.setSessionCookie(c, t, socket)
}

// renew extends a guest's session to a whole GuestTTL and sends the
// cookie again with the new expiry.
func (a *Auth) renew(c *fiber.Ctx, t auth.Token, socket bool) (auth.Token, error) {
	exp := time.Now().Add(GuestTTL)
	ctx, cancel := context.WithTimeout(c.UserContext(), storeWait)
	defer cancel()
	if err := a.Sessions.Extend(ctx, t.Session, t.Identity.ID, exp); err != nil {
		return auth.Token{}, err
	}
	t.Expires = exp
	return t, a.setSessionCookie(c, t, socket)
}

func (a *Auth) setSessionCookie(c *fiber.Ctx, t auth.Token, socket bool) error {
	token, err := a.Signer.IssueSession(t.Identity, t.Session, t.Expires)
	if err != nil {
		return err
	}
	cookie := SessionCookieFor(c, token, t.Expires)
	if socket {
		c.Locals(localSetCookie, cookie.String())
	} else {
		c.Cookie(FiberCookie(cookie))
	}
	SetCredentials(c, t)
	return nil
}
