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
	api.Post("/rooms/:id/import", noStore, a.requireRole(auth.RoleModerator), a.sameOriginWrites, a.postImport)
	a.dplayerRoutes(f)
	f.Server().HeaderReceived = a.requestLimits
}
