package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
)

// interopRoutes mounts what other tools talk to: the exports and the
// import under api (which has identified the caller), and DPlayer's API.
func (a *App) interopRoutes(f *fiber.App, api fiber.Router) {
	api.Get("/rooms/:id/comments.xml", a.exportRoom(exportXML))
	api.Get("/rooms/:id/comments.json", a.exportRoom(exportJSON))
	api.Post("/rooms/:id/import", noStore, a.requireRole(auth.RoleModerator), a.postImport)
	a.dplayerRoutes(f)
	f.Server().HeaderReceived = a.requestLimits
	f.Server().ExpectHandler = a.expectContinue
}

// crossOrigin marks an answer as public to every origin: readable by their
// scripts (CORS, without credentials) and loadable by their pages, over the
// same-origin resource policy the security headers set by default.
func crossOrigin(c *fiber.Ctx) {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderCrossOriginResourcePolicy, "cross-origin")
}
