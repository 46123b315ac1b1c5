// Package errs defines the typed errors the server returns to clients and
// maps each error code to its HTTP status in one place, so REST responses,
// WebSocket error frames and acks agree on what went wrong.
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is a stable, machine-readable error code sent to clients.
type Code string

// The codes a client can see. Clients switch on these, so never rename one.
const (
	BadRequest   Code = "bad_request"  // malformed JSON, unknown frame type
	Invalid      Code = "invalid"      // well-formed but fails validation
	NotFound     Code = "not_found"    // room or comment does not exist
	Conflict     Code = "conflict"     // e.g. a room id already taken
	Rejected     Code = "rejected"     // a moderation plugin refused it
	Held         Code = "held"         // stored for review, not shown yet
	RateLimited  Code = "rate_limited" // too many requests or frames
	Unauthorized Code = "unauthorized" // missing or bad credentials
	Forbidden    Code = "forbidden"    // authenticated but not allowed
	TooLarge     Code = "too_large"    // body or frame over the limit
	Unavailable  Code = "unavailable"  // shutting down or overloaded
	Internal     Code = "internal"     // a bug or a storage failure

	// Refusals by a room's live modes and moderators' actions (issue 15).
	SlowMode Code = "slow_mode" // the room's slow mode: too soon after the sender's last comment
	Repeated Code = "repeated"  // the room's unique chat: the same as a recent comment
	TimedOut Code = "timed_out" // a moderator timed the sender out
	Delayed  Code = "delayed"   // stored; shown to everyone once the room's chat delay is over
)

var statuses = map[Code]int{
	BadRequest:   http.StatusBadRequest,
	Invalid:      http.StatusUnprocessableEntity,
	NotFound:     http.StatusNotFound,
	Conflict:     http.StatusConflict,
	Rejected:     http.StatusUnprocessableEntity,
	Held:         http.StatusAccepted,
	RateLimited:  http.StatusTooManyRequests,
	Unauthorized: http.StatusUnauthorized,
	Forbidden:    http.StatusForbidden,
	TooLarge:     http.StatusRequestEntityTooLarge,
	Unavailable:  http.StatusServiceUnavailable,
	Internal:     http.StatusInternalServerError,
	SlowMode:     http.StatusTooManyRequests,
	Repeated:     http.StatusUnprocessableEntity,
	TimedOut:     http.StatusForbidden,
	Delayed:      http.StatusAccepted,
}

// Status returns the HTTP status that goes with code.
func (c Code) Status() int {
	if s, ok := statuses[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error is an error with a client-facing code and message. Err, when set, is
// the underlying cause; it is logged but never shown to clients.
type Error struct {
	Code    Code
	Message string
	Err     error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error with code and message that wraps cause.
func Wrap(cause error, code Code, message string) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

// From turns any error into an *Error. Errors without a code become Internal
// with a generic message, so internal details never leak to clients.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", Err: err}
}

// CodeOf returns the code of err, or Internal when it carries none.
func CodeOf(err error) Code { return From(err).Code }
