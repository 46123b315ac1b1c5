package httpapi

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/feedback"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/store"
)

// Feedback carries out viewers' feedback and moderators' dismissals (see
// feedback.Service).
type Feedback interface {
	Unlike(ctx context.Context, rooms []string, commentID int64, by auth.Identity) (store.LikeChange, error)
	Liked(ctx context.Context, room string, by auth.Identity) (store.Liked, error)
	Report(ctx context.Context, by auth.Identity, ip string, commentID int64, reason string) (store.ReportResult, error)
	Recall(ctx context.Context, by auth.Identity, commentID int64) (store.ModComment, error)
	Reported(ctx context.Context, room string, limit int) ([]store.ModComment, error)
	Dismiss(ctx context.Context, by auth.Identity, ids []int64) ([]store.ModComment, error)
}

// commentID reads the :id of a /api/comments/:id route.
func commentID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.New(errs.BadRequest, "comment id must be a positive number")
	}
	return id, nil
}

// getLiked serves GET /api/rooms/:id/liked: what the caller liked there.
func (s *server) getLiked(c *fiber.Ctx) error {
	r, err := s.deps.Rooms.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	liked, err := s.deps.Feedback.Liked(c.UserContext(), r.ID, middleware.IdentityOf(c))
	if err != nil {
		return err
	}
	return c.JSON(liked)
}

// unlikeComment serves DELETE /api/comments/:id/like.
func (s *server) unlikeComment(c *fiber.Ctx) error {
	id, err := commentID(c)
	if err != nil {
		return err
	}
	change, err := s.deps.Feedback.Unlike(c.UserContext(), nil, id, middleware.IdentityOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"comment_id": id, "room": change.Room, "likes": change.Likes})
}

// reportComment serves POST /api/comments/:id/report {"reason": …}.
func (s *server) reportComment(c *fiber.Ctx) error {
	id, err := commentID(c)
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	res, err := s.deps.Feedback.Report(c.UserContext(), middleware.IdentityOf(c), ipString(c), id, body.Reason)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"comment_id": id, "room": res.Comment.Room, "reported": res.Added, "hidden": res.Hidden})
}

// recallComment serves POST /api/comments/:id/recall.
func (s *server) recallComment(c *fiber.Ctx) error {
	id, err := commentID(c)
	if err != nil {
		return err
	}
	m, err := s.deps.Feedback.Recall(c.UserContext(), middleware.IdentityOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"comment_id": id, "room": m.Room, "recalled": true})
}

// getReported serves GET /api/admin/reports: the reported comments' queue.
func (s *server) getReported(c *fiber.Ctx) error { return serveQueue(c, s.deps.Feedback.Reported) }

// postDismiss serves POST /api/admin/reports/dismiss {"ids": […]}.
func (s *server) postDismiss(c *fiber.Ctx) error {
	var body struct {
		IDs []int64 `json:"ids"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	changed, err := s.deps.Feedback.Dismiss(c.UserContext(), middleware.IdentityOf(c), body.IDs)
	if err != nil {
		return err
	}
	return c.JSON(modproto.DecisionResult{Comments: changed})
}

// ipString is the client's address as stored with reports ("" when unknown).
func ipString(c *fiber.Ctx) string {
	a := middleware.ClientAddr(c)
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

var _ Feedback = (*feedback.Service)(nil)
