package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Reasons for comments that moderation kept out and no error code names.
const (
	rejectShadowed    = "shadowed"     // stored, shown to its sender only
	rejectPluginError = "plugin_error" // the deciding plugin failed closed
)

// countComment counts a comment received through via and wraps done so
// that its outcome is counted once: accepted, or rejected with its reason
// (the error's code, or the moderation verdict) and the plugin that
// decided. v is read when done runs: moderation fills it in before.
func (a *App) countComment(via string, v *verdict, done func(protocol.Comment, error)) func(protocol.Comment, error) {
	a.metrics.CommentReceived(via)
	return func(c protocol.Comment, err error) {
		switch {
		case err == nil && v.status == store.Shadowed:
			a.metrics.CommentRejected(via, rejectShadowed, v.plugin)
		case err == nil:
			a.metrics.CommentAccepted(via)
		case v.failed:
			a.metrics.CommentRejected(via, rejectPluginError, v.plugin)
		default:
			code, plugin := errs.CodeOf(err), ""
			if code == errs.Rejected || code == errs.Held { // a plugin's verdict, not a validation or storage error
				plugin = v.plugin
			}
			a.metrics.CommentRejected(via, string(code), plugin)
		}
		done(c, err)
	}
}

// commentRefused counts a comment refused before it reached submitComment
// (not signed in, over the frame rate, not in the room, a malformed body).
func (a *App) commentRefused(via string, err error) {
	a.metrics.CommentReceived(via)
	a.metrics.CommentRejected(via, string(errs.CodeOf(err)), "")
}

// localCommentCounted marks a request whose comment reached submitComment,
// which counts it.
const localCommentCounted = "comment_counted"

// countRefusedComments counts the comments a REST route refuses before its
// handler submits them (credentials, body, room id).
func (a *App) countRefusedComments(via string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := c.Next()
		if err != nil && c.Locals(localCommentCounted) == nil {
			a.commentRefused(via, err)
		}
		return err
	}
}
