package app

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/danmaku/danmaku/app/errs"
)

// restWriteLimit allows each client IP RESTWrites state-changing requests
// per RESTWindow (a sliding window); reads are not counted. Over it the
// answer is 429 rate_limited with Retry-After.
func (a *App) restWriteLimit() fiber.Handler {
	if a.cfg.RESTWrites <= 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return limiter.New(limiter.Config{
		Next:              func(c *fiber.Ctx) bool { return safeMethod(c.Method()) },
		Max:               a.cfg.RESTWrites,
		Expiration:        a.cfg.RESTWindow,
		LimiterMiddleware: limiter.SlidingWindow{},
		LimitReached: func(c *fiber.Ctx) error {
			return errs.New(errs.RateLimited, "too many writes: at most %d per %s from one address", a.cfg.RESTWrites, a.cfg.RESTWindow)
		},
	})
}
