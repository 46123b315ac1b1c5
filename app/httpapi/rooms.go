package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/rooms"
)

func (s *server) listRooms(c *fiber.Ctx) error {
	views, err := s.deps.Rooms.List(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rooms": views})
}

func (s *server) getRoom(c *fiber.Ctx) error {
	r, err := s.deps.Rooms.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *server) createRoom(c *fiber.Ctx) error {
	var req rooms.NewRoom
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.deps.Rooms.Create(c.UserContext(), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}
