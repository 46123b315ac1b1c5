package app

import (
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
)

// loginPage shows the sign-in form: a nickname (where guests may comment)
// or a pasted token.
func (a *App) loginPage(c *fiber.Ctx) error {
	return a.renderLogin(c, fiber.StatusOK, "", false)
}

// logoutPage asks before signing out: signing out changes state, so it is
// a POST (from this page or the form on /login), never a bare link.
func (a *App) logoutPage(c *fiber.Ctx) error {
	return a.renderLogin(c, fiber.StatusOK, "", true)
}

func (a *App) renderLogin(c *fiber.Ctx, status int, problem string, signOut bool) error {
	title := "Sign in"
	if signOut {
		title = "Sign out"
	}
	return c.Status(status).Render("login", fiber.Map{
		"Title":     title,
		"Next":      a.nextPage(c),
		"Nicknames": a.cfg.Guests == GuestsSend,
		"Error":     problem,
		"SignOut":   signOut,
	}, "layout")
}

// login signs the browser in with a pasted token, or as a guest with a
// chosen nickname, by setting the session cookie; then it goes back to next.
func (a *App) login(c *fiber.Ctx) error {
	token := strings.TrimSpace(c.FormValue("token"))
	nickname := c.FormValue("nickname")
	var exp time.Time
	switch {
	case token != "":
		var err error
		if _, exp, err = a.verifyToken(token); err != nil {
			return a.renderLogin(c, fiber.StatusUnauthorized, errs.From(err).Message, false)
		}
	case nickname != "":
		if a.cfg.Guests != GuestsSend {
			return a.renderLogin(c, fiber.StatusForbidden, "Nicknames are turned off here: sign in with a token.", false)
		}
		name, err := auth.CheckNickname(nickname)
		if err != nil {
			return a.renderLogin(c, fiber.StatusUnprocessableEntity, "Pick another nickname: "+err.Error()+".", false)
		}
		id := identityOf(c)
		if !id.Guest { // a guest keeps its id (and its likes); anyone else starts a new one
			id = auth.NewGuest()
		}
		id = auth.Identity{ID: id.ID, Name: name, Roles: []string{auth.RoleViewer}, Guest: true}
		exp = time.Now().Add(guestTTL)
		if token, err = a.signer.Issue(id, guestTTL); err != nil {
			return err
		}
	default:
		return a.renderLogin(c, fiber.StatusBadRequest, "Enter a nickname or paste a token.", false)
	}
	c.Cookie(fiberCookie(a.sessionCookie(c, token, exp)))
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

// logout clears the session cookie and closes the signed-out user's open
// sockets, so nothing keeps acting under that identity.
func (a *App) logout(c *fiber.Ctx) error {
	gone := fiberCookie(a.sessionCookie(c, "", time.Unix(0, 0)))
	gone.MaxAge = -1
	c.Cookie(gone)
	if id := identityOf(c); !id.Anonymous() {
		n := a.revokeSockets(id.ID, reasonSignedOut)
		a.log.Info("signed out", "user", id.ID, "sockets_closed", n)
	}
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

// revokeSockets ends the identity of every open socket of user: an error
// frame (unauthorized) and a 1008 close, both with reason. It returns how
// many there were.
func (a *App) revokeSockets(user, reason string) int {
	n := 0
	a.sockets.each(func(cl *client) {
		if cl.identity().ID == user {
			cl.revoke(0, "", errs.New(errs.Unauthorized, "%s", reason))
			n++
		}
	})
	return n
}

// nextPage is where to go after signing in: the next parameter, else the
// page the visitor came from on this site, else the home page.
func (a *App) nextPage(c *fiber.Ctx) string {
	if next := c.Query("next", c.FormValue("next")); next != "" {
		return safeNext(next)
	}
	if ref, err := url.Parse(c.Get(fiber.HeaderReferer)); err == nil && strings.EqualFold(ref.Host, a.requestHost(c)) &&
		ref.Path != "/login" && ref.Path != "/logout" {
		return safeNext(ref.RequestURI())
	}
	return "/"
}

// safeNext returns next when it is a path on this site, else "/": the
// redirect after signing in must never lead to another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		len(next) > 2048 || strings.ContainsFunc(next, unicode.IsControl) {
		return "/"
	}
	return next
}
