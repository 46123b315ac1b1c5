package app

import (
	"github.com/gofiber/fiber/v2"
)

// indexPage lists the rooms.
func (a *App) indexPage(c *fiber.Ctx) error {
	rooms, err := a.store.Rooms(c.UserContext())
	if err != nil {
		return err
	}
	views := make([]roomView, len(rooms))
	for i, r := range rooms {
		views[i] = a.view(r)
	}
	return c.Render("index", fiber.Map{"Title": "Rooms", "Rooms": views}, "layout")
}
