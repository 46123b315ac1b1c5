package httpapi

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/heat"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/protocol"
)

// Heat computes rooms' heat curves (see heat.Service).
type Heat interface {
	Curve(ctx context.Context, room string, step int, to float64) (heat.Curve, error)
}

// getHeat serves GET /api/rooms/:id/heat?step=S[&to=T][&format=artplayer]:
// comments per step of S seconds, up to second T (default: the last
// comment); format=artplayer answers ArtPlayer's [[seconds, count], …].
func (s *server) getHeat(c *fiber.Ctx) error {
	step, err := intParam(c, "step", heat.DefaultStep, 1, heat.MaxStep)
	if err != nil {
		return err
	}
	to, err := secondsParam(c, "to", 0)
	if err != nil {
		return err
	}
	if err := protocol.CheckRoomID(c.Params("id")); err != nil {
		return err
	}
	curve, err := s.deps.Heat.Curve(c.UserContext(), c.Params("id"), step, to)
	if err != nil {
		return err
	}
	// Counts change with every comment: a short cache at most. Other
	// sites' players may read the curve (it is what every viewer sees).
	c.Set(fiber.HeaderCacheControl, "max-age=5")
	middleware.CrossOrigin(c)
	switch c.Query("format") {
	case "":
		return c.JSON(curve)
	case "artplayer":
		return c.JSON(curve.ArtPlayer())
	}
	return errs.New(errs.BadRequest, "format must be artplayer or left out")
}
