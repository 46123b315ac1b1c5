package middleware

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/danmaku/danmaku/app/errs"
)

// WriteLimit allows each client IP max state-changing requests per window
// (a sliding window); reads are not counted. Over it the answer is 429
// rate_limited with Retry-After. A max of 0 or less turns it off.
func WriteLimit(max int, window time.Duration) fiber.Handler {
	if max <= 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return limiter.New(limiter.Config{
		Next:              func(c *fiber.Ctx) bool { return SafeMethod(c.Method()) },
		Max:               max,
		Expiration:        window,
		LimiterMiddleware: limiter.SlidingWindow{},
		LimitReached: func(c *fiber.Ctx) error {
			return errs.New(errs.RateLimited, "too many writes: at most %d per %s from one address", max, window)
		},
	})
}
