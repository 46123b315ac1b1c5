package pages

import (
	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/httpapi/middleware"
)

// showTokenHint reports whether a page may show how to print a moderator
// token (`go run . token …`): to moderators, and, on a fresh install (no
// room but the demo), to a visitor on the server's own machine, who is
// the operator setting it up. Anyone else has no use for the command.
func (p *Pages) showTokenHint(c *fiber.Ctx) bool {
	if canCreateRooms(middleware.IdentityOf(c)) {
		return true
	}
	if a := middleware.ClientAddr(c); !a.IsValid() || !a.IsLoopback() {
		return false
	}
	list, err := p.deps.Rooms.List(c.UserContext())
	return err == nil && len(list) <= 1
}
