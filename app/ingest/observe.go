package ingest

import (
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Reasons for comments that moderation kept out and no error code names.
const (
	rejectShadowed    = "shadowed"     // stored, shown to its sender only
	rejectPluginError = "plugin_error" // the deciding plugin failed closed
)

// count counts a comment received through via and wraps done so that its
// outcome is counted once: accepted, or rejected with its reason (the
// error's code, or the moderation verdict) and the plugin that decided. v
// is read when done runs: moderation fills it in before.
func (s *Service) count(via string, v *moderation.Verdict, done func(protocol.Comment, error)) func(protocol.Comment, error) {
	o := s.deps.Observer
	o.CommentReceived(via)
	return func(c protocol.Comment, err error) {
		switch {
		case err == nil && v.Status == store.Shadowed:
			o.CommentRejected(via, rejectShadowed, v.Plugin)
		case err == nil:
			o.CommentAccepted(via)
		case v.Failed:
			o.CommentRejected(via, rejectPluginError, v.Plugin)
		default:
			code, plugin := errs.CodeOf(err), ""
			if code == errs.Rejected || code == errs.Held { // a plugin's verdict, not a validation or storage error
				plugin = v.Plugin
			}
			o.CommentRejected(via, string(code), plugin)
		}
		done(c, err)
	}
}

// Refused counts a comment that a transport refused before it reached
// Submit (not signed in, over the frame rate, not in the room, a malformed
// body), so that every comment received is counted once.
func (s *Service) Refused(via string, err error) {
	s.deps.Observer.CommentReceived(via)
	s.deps.Observer.CommentRejected(via, string(errs.CodeOf(err)), "")
}
