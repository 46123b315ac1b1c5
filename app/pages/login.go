package pages

import (
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/store"
)

// Login shows the sign-in form: a nickname (where guests may comment)
// or a pasted token.
func (p *Pages) Login(c *fiber.Ctx) error {
	return p.renderLogin(c, fiber.StatusOK, "", false)
}

// Logout asks before signing out: signing out changes state, so it is
// a POST (from this page or the form on /login), never a bare link.
func (p *Pages) Logout(c *fiber.Ctx) error {
	return p.renderLogin(c, fiber.StatusOK, "", true)
}

func (p *Pages) renderLogin(c *fiber.Ctx, status int, problem string, signOut bool) error {
	title := "Sign in"
	if signOut {
		title = "Sign out"
	}
	return c.Status(status).Render("login", fiber.Map{
		"Title":     title,
		"Next":      p.nextPage(c),
		"Nicknames": p.deps.Auth.Guests == middleware.GuestsSend,
		"Error":     problem,
		"SignOut":   signOut,
		"TokenHint": p.showTokenHint(c),
	}, "layout")
}

// SignIn signs the browser in with a pasted token, or as a guest with a
// chosen nickname, by starting a session and setting its cookie; then it
// goes back to next. A pasted token is not the cookie: the session it
// starts ends with a sign-out, while the token lives on for its bots.
func (p *Pages) SignIn(c *fiber.Ctx) error {
	token := strings.TrimSpace(c.FormValue("token"))
	nickname := c.FormValue("nickname")
	var id auth.Identity
	var exp time.Time
	switch {
	case token != "":
		t, err := p.deps.Auth.Verify(c.UserContext(), token)
		if err != nil {
			return p.renderLogin(c, errs.From(err).Code.Status(), errs.From(err).Message, false)
		}
		id, exp = t.Identity, t.Expires
		// The name a token gives is the operator's word: recorded, so that
		// no guest may take a look-alike of it, never refused.
		if err := p.claimName(c, id, true); err != nil {
			return err
		}
	case nickname != "":
		if p.deps.Auth.Guests != middleware.GuestsSend {
			return p.renderLogin(c, fiber.StatusForbidden, "Nicknames are turned off here: sign in with a token.", false)
		}
		name, err := auth.CheckNickname(nickname)
		if err != nil {
			return p.renderLogin(c, fiber.StatusUnprocessableEntity, "Pick another nickname: "+err.Error()+".", false)
		}
		id = middleware.IdentityOf(c)
		if !id.Guest { // a guest keeps its id (and its likes); anyone else starts a new one
			id = auth.NewGuest()
		}
		id = auth.Identity{ID: id.ID, Name: name, Roles: []string{auth.RoleViewer}, Guest: true}
		if err := p.claimName(c, id, false); err != nil {
			if errs.CodeOf(err) == errs.Conflict {
				return p.renderLogin(c, fiber.StatusConflict, "Pick another nickname: "+errs.From(err).Message+".", false)
			}
			return err
		}
		exp = time.Now().Add(middleware.GuestTTL)
	default:
		return p.renderLogin(c, fiber.StatusBadRequest, "Enter a nickname or paste a token.", false)
	}
	if err := p.deps.Auth.SignIn(c, id, exp); err != nil {
		return err
	}
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

// SignOut ends the browser's session (with everywhere=1, every session
// and token of its user), clears the cookie, and closes the sockets that
// stood on what ended, so nothing keeps acting under that identity.
func (p *Pages) SignOut(c *fiber.Ctx) error {
	everywhere := c.FormValue("everywhere") != ""
	id := middleware.IdentityOf(c)
	out, err := p.deps.Auth.SignOut(c, everywhere)
	if err != nil {
		return err
	}
	if out.Sessions > 0 || out.Sockets > 0 {
		p.log.Info("signed out", "user", id.ID, "everywhere", everywhere, "sessions", out.Sessions, "sockets_closed", out.Sockets)
	}
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

// nicknameHold is how long a guest's nickname stays theirs after they were
// last seen: within it, nobody else may take a name that looks the same.
const nicknameHold = 30 * 24 * time.Hour

// claimName records the name id goes by, refusing (Conflict) a guest's
// nickname that looks like the name of a signed-in user the server knows
// or of a guest seen within nicknameHold; force records it regardless.
func (p *Pages) claimName(c *fiber.Ctx, id auth.Identity, force bool) error {
	if p.deps.Names == nil {
		return nil
	}
	return p.deps.Names.ClaimName(c.UserContext(), store.NameClaim{
		User: id.User(), Key: auth.NameKey(id.Name), Force: force,
		GuestPrefix: auth.GuestPrefix, Since: time.Now().Add(-nicknameHold),
	})
}

// nextPage is where to go after signing in: the next parameter, else the
// page the visitor came from on this site, else the home page.
func (p *Pages) nextPage(c *fiber.Ctx) string {
	if next := c.Query("next", c.FormValue("next")); next != "" {
		return safeNext(next)
	}
	if ref, err := url.Parse(c.Get(fiber.HeaderReferer)); err == nil && strings.EqualFold(ref.Host, p.deps.Origins.RequestHost(c)) &&
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
