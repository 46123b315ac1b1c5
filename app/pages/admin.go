package pages

import (
	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
)

// Admin serves /admin; the page loads its data over /ws/admin.
func (p *Pages) Admin(c *fiber.Ctx) error {
	return c.Render("admin", fiber.Map{"Title": "Moderation", "User": middleware.IdentityOf(c).User()}, "layout")
}

// AdminRefusals shows the refusals of the admin page as the page itself
// (401: sign in as a moderator; 403: this account is not one).
func AdminRefusals(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	code := errs.CodeOf(err)
	if code != errs.Unauthorized && code != errs.Forbidden {
		return err
	}
	return c.Status(code.Status()).Render("admin", fiber.Map{
		"Title": "Moderation", "Refused": errs.From(err).Message, "SignIn": code == errs.Unauthorized,
	}, "layout")
}
