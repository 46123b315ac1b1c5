package httpapi

import (
	"github.com/gofiber/fiber/v2"
)

// logout serves POST /api/logout: it ends the session the request stands
// on (a cookie, or a session token as Bearer) and closes its sockets.
func (s *server) logout(c *fiber.Ctx) error { return s.signOut(c, false) }

// logoutEverywhere serves POST /api/logout/everywhere: it ends every
// session of the caller's user, and every token issued to them until now,
// and closes their sockets.
func (s *server) logoutEverywhere(c *fiber.Ctx) error { return s.signOut(c, true) }

func (s *server) signOut(c *fiber.Ctx, everywhere bool) error {
	out, err := s.deps.Auth.SignOut(c, everywhere)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
