package moderation

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/store"
)

// Bounds on user actions.
const (
	minTimeout    = 10 * time.Second
	maxTimeout    = 24 * time.Hour
	recentActions = 100 // user actions the moderators' pages list
)

// validateUserAction checks a user action request and returns the action to store.
func validateUserAction(r modproto.UserActionRequest, by auth.Identity, now time.Time) (store.UserAction, error) {
	a := store.UserAction{Kind: r.Kind, UserID: strings.TrimSpace(r.UserID), Room: r.Room, Reason: strings.TrimSpace(r.Reason), CreatedBy: by.ID}
	switch a.Kind {
	case store.ActTimeout, store.ActHide, store.ActPurge:
	default:
		return a, errs.New(errs.Invalid, "kind must be timeout, hide or purge, got %q", r.Kind)
	}
	if a.UserID == "" || len(a.UserID) > maxUserIDBytes || strings.ContainsFunc(a.UserID, unicode.IsControl) || !utf8.ValidString(a.UserID) {
		return a, errs.New(errs.Invalid, "user_id must be 1 to %d bytes, without control characters", maxUserIDBytes)
	}
	if a.UserID == by.ID {
		return a, errs.New(errs.Invalid, "you cannot %s yourself", a.Kind)
	}
	if a.Room != "" {
		if err := protocol.CheckRoomID(a.Room); err != nil {
			return a, err
		}
	} else if a.Kind == store.ActPurge {
		return a, errs.New(errs.Invalid, "a purge needs the room to purge")
	}
	if utf8.RuneCountInString(a.Reason) > maxReasonRunes || strings.ContainsFunc(a.Reason, unicode.IsControl) {
		return a, errs.New(errs.Invalid, "reason must be at most %d characters, without control characters", maxReasonRunes)
	}
	if a.Kind != store.ActTimeout {
		if r.Duration != "" {
			return a, errs.New(errs.Invalid, "only a timeout takes a duration")
		}
		return a, nil
	}
	d, err := time.ParseDuration(r.Duration)
	if err != nil || d < minTimeout || d > maxTimeout {
		return a, errs.New(errs.Invalid, "duration must be from %s to %s, like 10s, 5m or 1h; got %q", minTimeout, maxTimeout, r.Duration)
	}
	until := protocol.TimestampOf(now.Add(d))
	a.Until = &until
	return a, nil
}

// UserAction times out, hides or purges a user. A purge deletes the user's
// visible comments in the room (retracted from every screen and from
// replay) and keeps their ids, so that Undo can restore them.
func (s *Service) UserAction(ctx context.Context, by auth.Identity, req modproto.UserActionRequest) (store.UserAction, error) {
	if s.live == nil {
		return store.UserAction{}, errNoLive
	}
	a, err := validateUserAction(req, by, s.live.now())
	if err != nil {
		return a, err
	}
	if a.Kind == store.ActPurge {
		if a.Comments, err = s.purge(ctx, by, a); err != nil {
			return a, err
		}
	}
	a, err = s.deps.Live.AddUserAction(ctx, a, store.AuditEntry{By: by.ID, Room: a.Room, Action: string(a.Kind), Detail: actionDetail(a)})
	if err != nil {
		return a, err
	}
	s.liveChanged()
	s.log.Info("user action", "moderator", by.ID, "action", a.Kind, "user", a.UserID, "room", a.Room, "id", a.ID)
	return a, nil
}

// purge deletes a user's visible comments in a room, newest first, up to maxPurge.
func (s *Service) purge(ctx context.Context, by auth.Identity, a store.UserAction) ([]int64, error) {
	var ids []int64
	err := s.eachRecent(ctx, store.RecentQuery{Room: a.Room, UserID: a.UserID, Status: store.Visible}, maxPurge, func(c store.ModComment) bool {
		ids = append(ids, c.ID)
		return false
	})
	if err != nil {
		return nil, err
	}
	deleted := []int64{}
	for start := 0; start < len(ids); start += maxDecisionIDs {
		changed, err := s.Decide(ctx, by, store.Delete, ids[start:min(start+maxDecisionIDs, len(ids))])
		if err != nil {
			return deleted, err
		}
		for _, c := range changed {
			deleted = append(deleted, c.ID)
		}
	}
	return deleted, nil
}

// actionDetail says a user action in words, for the audit log.
func actionDetail(a store.UserAction) string {
	where := "every room"
	if a.Room != "" {
		where = "room " + a.Room
	}
	var s string
	switch a.Kind {
	case store.ActTimeout:
		s = fmt.Sprintf("timed out %s in %s until %s", a.UserID, where, a.Until.Time().Format(time.RFC3339))
	case store.ActHide:
		s = fmt.Sprintf("hid %s in %s", a.UserID, where)
	default:
		s = fmt.Sprintf("purged %d comments of %s in %s", len(a.Comments), a.UserID, where)
	}
	if a.Reason != "" {
		s += ": " + a.Reason
	}
	return s
}

// Undo undoes user action id: a timeout or a hide ends now; a purge's
// comments come back (visible again, to every screen and to replay).
func (s *Service) Undo(ctx context.Context, by auth.Identity, id int64) (store.UserAction, error) {
	undone := false
	a, err := endLive(s, ctx, by, id, "user action", store.AuditEntry{Action: "undo", Detail: fmt.Sprintf("undid user action %d", id)},
		func(ctx context.Context, id int64, e store.AuditEntry) (store.UserAction, error) {
			a, did, err := s.deps.Live.UndoUserAction(ctx, id, e)
			undone = did
			return a, err
		})
	if err != nil || !undone {
		return a, err // undone before: its comments are back already
	}
	if a.Kind == store.ActPurge && len(a.Comments) > 0 {
		for start := 0; start < len(a.Comments); start += maxDecisionIDs {
			if _, err := s.deps.Store.Decide(ctx, a.Comments[start:min(start+maxDecisionIDs, len(a.Comments))], store.Restore, by.ID); err != nil {
				return a, errs.Wrap(err, errs.Conflict, "the purge is undone, but some comments could not be restored (changed since?)")
			}
		}
	}
	s.log.Info("user action undone", "moderator", by.ID, "id", id, "action", a.Kind, "user", a.UserID)
	return a, nil
}
