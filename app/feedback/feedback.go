// Package feedback is what viewers do to comments besides sending and
// liking them: take a like back, see what they liked, report a comment,
// recall their own; and what moderators do with reports. It also owns the
// quality weight's formula (weight.go), which the store applies. It knows
// nothing of HTTP or WebSockets.
package feedback

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// RecallWindow is how long after sending a viewer may recall a comment
// (Bilibili's rule).
const RecallWindow = 2 * time.Minute

// Bounds of the lists the service returns.
const (
	MaxLiked    = 5000 // comment ids in one viewer's liked list
	maxDismiss  = 500  // comments in one dismissal
	DefaultHide = 3    // distinct reporters that hide a comment, by default
)

// Store is what the service reads and writes (see store.Feedback).
type Store interface {
	UnlikeComment(ctx context.Context, commentID int64, userID string, rooms []string) (store.LikeChange, error)
	LikedBy(ctx context.Context, room, userID string, limit int) (store.Liked, error)
	ReportComment(ctx context.Context, r store.NewReport) (store.ReportResult, error)
	RecallComment(ctx context.Context, commentID int64, userID string, since time.Time) (store.ModComment, error)
	ReportedComments(ctx context.Context, room string, limit int) ([]store.ModComment, error)
	DismissReports(ctx context.Context, ids []int64, by string) ([]store.ModComment, error)
}

// Deps are the service's dependencies.
type Deps struct {
	Store Store
	// HideAt is how many distinct viewers' reports hide a comment pending
	// review; 0 or less never hides.
	HideAt int
	Now    func() time.Time // nil: time.Now
	Logger *slog.Logger
}

// Service handles viewers' feedback.
type Service struct {
	deps Deps
}

// New returns the service over deps.
func New(deps Deps) *Service {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	return &Service{deps: deps}
}

// Unlike takes back by's like of a comment: of one of rooms, when rooms
// is not nil (a socket's joined rooms, as for liking).
func (s *Service) Unlike(ctx context.Context, rooms []string, commentID int64, by auth.Identity) (store.LikeChange, error) {
	if commentID <= 0 {
		return store.LikeChange{}, errs.New(errs.BadRequest, "comment_id must be a positive number")
	}
	return s.deps.Store.UnlikeComment(ctx, commentID, by.ID, rooms)
}

// Liked returns what by liked in room.
func (s *Service) Liked(ctx context.Context, room string, by auth.Identity) (store.Liked, error) {
	if by.Anonymous() {
		return store.Liked{Comments: []int64{}}, nil
	}
	return s.deps.Store.LikedBy(ctx, room, by.ID, MaxLiked)
}

// Report records by's report of a comment for reason (one of
// store.ReportReasons). Enough distinct reporters hide it until a
// moderator decides.
func (s *Service) Report(ctx context.Context, by auth.Identity, ip string, commentID int64, reason string) (store.ReportResult, error) {
	if commentID <= 0 {
		return store.ReportResult{}, errs.New(errs.BadRequest, "comment_id must be a positive number")
	}
	if !slices.Contains(store.ReportReasons, reason) {
		return store.ReportResult{}, errs.New(errs.Invalid, "reason must be one of %v", store.ReportReasons)
	}
	res, err := s.deps.Store.ReportComment(ctx, store.NewReport{
		CommentID: commentID, UserID: by.ID, Reason: reason, IP: ip, HideAt: max(0, s.deps.HideAt),
	})
	if err == nil && res.Hidden {
		s.deps.Logger.Info("comment hidden by reports", "comment", commentID, "room", res.Comment.Room, "reports", res.Comment.Reports)
	}
	return res, err
}

// Recall deletes by's own comment if it was sent within RecallWindow: it
// leaves every screen and the replay.
func (s *Service) Recall(ctx context.Context, by auth.Identity, commentID int64) (store.ModComment, error) {
	if commentID <= 0 {
		return store.ModComment{}, errs.New(errs.BadRequest, "comment_id must be a positive number")
	}
	m, err := s.deps.Store.RecallComment(ctx, commentID, by.ID, s.deps.Now().Add(-RecallWindow))
	if err != nil && errs.CodeOf(err) == errs.Conflict {
		return m, errs.Wrap(err, errs.Conflict, "comments can only be recalled within 2 minutes of sending")
	}
	return m, err
}

// Reported returns the moderators' queue of reported comments.
func (s *Service) Reported(ctx context.Context, room string, limit int) ([]store.ModComment, error) {
	return s.deps.Store.ReportedComments(ctx, room, limit)
}

// Dismiss marks the reports of comments ids reviewed, leaving the
// comments as they are.
func (s *Service) Dismiss(ctx context.Context, by auth.Identity, ids []int64) ([]store.ModComment, error) {
	if len(ids) == 0 || len(ids) > maxDismiss {
		return nil, errs.New(errs.Invalid, "ids must list 1 to %d comment ids", maxDismiss)
	}
	changed, err := s.deps.Store.DismissReports(ctx, ids, by.ID)
	if err == nil {
		s.deps.Logger.Info("reports dismissed", "moderator", by.ID, "ids", ids, "changed", len(changed))
	}
	return changed, err
}
