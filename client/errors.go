package client

import (
	"errors"
	"fmt"

	"github.com/danmaku/danmaku/app/errs"
)

// Code is the server's stable error code, such as "rejected" or
// "rate_limited"; docs/protocol.md lists them all.
type Code = errs.Code

// Error is a refusal from the server: a failed ack, an error frame, a
// refused handshake or a policy close. Code and Message are the server's
// own; Message is written for people and is the reason to show.
type Error struct {
	Code    Code
	Message string
	// Status is the HTTP status of a refused handshake; 0 otherwise.
	Status int
	// CloseCode is the WebSocket close code when the server closed the
	// connection for this reason (1008 for "token expired"); 0 otherwise.
	CloseCode int
}

// Error implements error as "code: message".
func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Is makes errors.Is(err, ErrRejected) and the like match any *Error with
// that code, whatever its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Status == 0 && t.CloseCode == 0 && t.Code == e.Code
}

// Sentinels for errors.Is, one per server code. Use errors.As with an
// *Error to read the server's message.
var (
	ErrBadRequest   = &Error{Code: errs.BadRequest}
	ErrInvalid      = &Error{Code: errs.Invalid}
	ErrNotFound     = &Error{Code: errs.NotFound}
	ErrConflict     = &Error{Code: errs.Conflict}
	ErrRejected     = &Error{Code: errs.Rejected}
	ErrHeld         = &Error{Code: errs.Held}
	ErrRateLimited  = &Error{Code: errs.RateLimited}
	ErrUnauthorized = &Error{Code: errs.Unauthorized}
	ErrForbidden    = &Error{Code: errs.Forbidden}
	ErrTooLarge     = &Error{Code: errs.TooLarge}
	ErrUnavailable  = &Error{Code: errs.Unavailable}
	ErrInternal     = &Error{Code: errs.Internal}
	// The room's live modes and moderators' actions (docs/protocol.md).
	ErrSlowMode = &Error{Code: errs.SlowMode}
	ErrRepeated = &Error{Code: errs.Repeated}
	ErrTimedOut = &Error{Code: errs.TimedOut}
	ErrDelayed  = &Error{Code: errs.Delayed}
)

// Errors the client itself gives, not the server.
var (
	// ErrClosed is returned by calls on a client that Close has ended.
	ErrClosed = errors.New("client: closed")
	// ErrConnectionLost means the connection dropped after a comment or
	// like was written and before its ack came: the server may or may not
	// have stored it. The client never sends it again by itself; a stored
	// comment shows up in the room's stream after the reconnect.
	ErrConnectionLost = errors.New("client: connection lost before the server answered; the request may or may not have been carried out")
)

// serverError converts the wire form of an error to an *Error.
func serverError(code Code, message string) *Error {
	if code == "" {
		code = errs.Internal
	}
	return &Error{Code: code, Message: message}
}
