package batch

import (
	"errors"

	"github.com/danmaku/danmaku/app/errs"
)

// unknownOutcome marks the error of a commit that may have succeeded.
type unknownOutcome struct{ err error }

func (u unknownOutcome) Error() string { return "commit outcome unknown: " + u.err.Error() }
func (u unknownOutcome) Unwrap() error { return u.err }

// Unknown wraps the error of a commit whose outcome is unknown: the
// connection broke after the commit was sent, so it may have stored the
// batch or not. The writer then answers every op of the batch with
// Unavailable and retries none, since a retry could store them twice.
func Unknown(err error) error { return unknownOutcome{err} }

func isUnknown(err error) bool {
	var u unknownOutcome
	return errors.As(err, &u)
}

// failure is the error an op gets when its batch failed with err.
func failure(err error) error {
	if isUnknown(err) {
		return errs.Wrap(err, errs.Unavailable, "the database connection broke while committing: this may or may not be stored")
	}
	if errs.CodeOf(err) == errs.Unavailable {
		return err
	}
	return errs.Wrap(err, errs.Internal, "storing failed")
}
