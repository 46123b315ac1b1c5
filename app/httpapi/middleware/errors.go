package middleware

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
)

// ErrorOf returns err as the error answered to the client: Fiber's own
// errors (unknown routes, body too large, …) get the code of their status;
// any other error its own code (errs.From hides internal causes).
func ErrorOf(err error) *errs.Error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return errs.From(errs.New(codeForStatus(fe.Code), "%s", fe.Message))
	}
	return errs.From(err)
}

// codeForStatus maps an HTTP status to the code that answers with it.
func codeForStatus(status int) errs.Code {
	switch status {
	case fiber.StatusNotFound:
		return errs.NotFound
	case fiber.StatusRequestEntityTooLarge:
		return errs.TooLarge
	case fiber.StatusTooManyRequests:
		return errs.RateLimited
	case fiber.StatusUnauthorized:
		return errs.Unauthorized
	case fiber.StatusForbidden:
		return errs.Forbidden
	case fiber.StatusServiceUnavailable:
		return errs.Unavailable
	}
	if status >= 400 && status < 500 {
		return errs.BadRequest
	}
	return errs.Internal
}
