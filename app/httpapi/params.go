package httpapi

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// decodeJSON parses the request body into v, with errors that say what is
// wrong. Bodies must come as they are: c.Body() would inflate a
// Content-Encoding without any limit (a few KiB can become gigabytes).
func decodeJSON(c *fiber.Ctx, v any) error {
	if enc := c.Get(fiber.HeaderContentEncoding); enc != "" && enc != "identity" {
		return errs.New(errs.BadRequest, "JSON bodies must not be encoded (Content-Encoding)")
	}
	body := c.Request().Body()
	if !utf8.Valid(body) {
		return errs.New(errs.BadRequest, "body is not valid UTF-8")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var e *errs.Error
		if errors.As(err, &e) { // a body type's own check, like an unknown mode
			return e
		}
		return errs.New(errs.BadRequest, "body must be a JSON object: %v", err)
	}
	return protocol.CheckSurrogates(body)
}

func intParam(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, errs.New(errs.BadRequest, "%s must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

func secondsParam(c *fiber.Ctx, name string, def float64) (float64, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > protocol.MaxTime {
		return 0, errs.New(errs.BadRequest, "%s must be seconds from 0 to %g", name, float64(protocol.MaxTime))
	}
	return f, nil
}
