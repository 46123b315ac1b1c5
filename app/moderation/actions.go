package moderation

import (
	"context"
	"strings"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/store"
)

// Bounds on moderators' actions.
const (
	// ActionTimeout bounds one moderator's action, whatever API it came through.
	ActionTimeout  = 10 * time.Second
	maxDecisionIDs = 500                 // comments in one approve, reject or delete
	maxPurge       = 2000                // comments one ban may delete
	maxPurgeSpan   = 30 * 24 * time.Hour // how far back a ban may delete comments
	maxBanSpan     = 100 * 365 * 24 * time.Hour
	maxReasonRunes = 200
	maxUserIDBytes = 128
	minPrefixV4    = 16 // the widest address ranges a ban may cover
	minPrefixV6    = 48
)

// Decide applies a moderator's decision to comments and returns them once
// committed. The store's commit events carry the rest, in commit order
// (see ingest.Service.Deliver): approved comments are fanned out like new
// ones, deleted ones retracted from viewers, and every change reaches the
// moderators' feed.
func (s *Service) Decide(ctx context.Context, by auth.Identity, d store.Decision, ids []int64) ([]store.ModComment, error) {
	if len(ids) == 0 || len(ids) > maxDecisionIDs {
		return nil, errs.New(errs.Invalid, "ids must list 1 to %d comment ids", maxDecisionIDs)
	}
	changed, err := s.deps.Store.Decide(ctx, ids, d, by.ID)
	if err != nil {
		return nil, err
	}
	s.log.Info("moderator decision", "moderator", by.ID, "decision", string(d), "ids", ids, "changed", len(changed))
	return changed, nil
}

// Ban stores a ban, enforced from the next comment and join on, and
// deletes the banned user's recent comments when asked.
func (s *Service) Ban(ctx context.Context, by auth.Identity, req modproto.BanRequest) (modproto.BanResult, error) {
	b, purge, err := validateBan(req, by, time.Now())
	if err != nil {
		return modproto.BanResult{}, err
	}
	b, err = s.deps.Bans.Ban(ctx, b)
	if err != nil {
		return modproto.BanResult{}, err
	}
	s.feed.noteBans()
	s.log.Info("ban", "moderator", by.ID, "ban", b.ID, "user", b.UserID, "ip", b.IP, "room", b.Room)
	s.audit(ctx, store.AuditEntry{By: by.ID, Room: b.Room, Action: "ban", Detail: banDetail(b)})
	if s.deps.OnBan != nil {
		s.deps.OnBan(b)
	}
	res := modproto.BanResult{Ban: b, Deleted: []int64{}}
	if purge <= 0 {
		return res, nil
	}
	ids, err := s.deps.Store.PurgeCandidates(ctx, store.Purge{
		Room: b.Room, UserID: b.UserID, Prefix: b.IP, Since: time.Now().Add(-purge), Limit: maxPurge,
	})
	for start := 0; err == nil && start < len(ids); start += maxDecisionIDs {
		var changed []store.ModComment
		changed, err = s.Decide(ctx, by, store.Delete, ids[start:min(start+maxDecisionIDs, len(ids))])
		for _, c := range changed {
			res.Deleted = append(res.Deleted, c.ID)
		}
	}
	if err != nil {
		// The ban stands; say that the clean-up did not finish.
		return res, errs.Wrap(err, errs.Internal, "the ban is in force, but deleting their comments failed")
	}
	return res, nil
}

// Unban lifts ban id.
func (s *Service) Unban(ctx context.Context, by auth.Identity, id int64) (store.Ban, error) {
	if id <= 0 {
		return store.Ban{}, errs.New(errs.Invalid, "id must be a ban id")
	}
	b, err := s.deps.Bans.Lift(ctx, id, by.ID)
	if err != nil {
		return b, err
	}
	s.feed.noteBans()
	s.log.Info("unban", "moderator", by.ID, "ban", id)
	s.audit(ctx, store.AuditEntry{By: by.ID, Room: b.Room, Action: "unban", Detail: "lifted the ban of " + banWho(b)})
	if s.deps.OnUnban != nil {
		s.deps.OnUnban(b)
	}
	return b, nil
}

// ActiveBans returns the bans in force.
func (s *Service) ActiveBans() []store.Ban { return s.deps.Bans.Active() }

// banWho names who a ban is for, for the audit log.
func banWho(b store.Ban) string {
	var parts []string
	if b.UserID != "" {
		parts = append(parts, "user "+b.UserID)
	}
	if b.IP.IsValid() {
		parts = append(parts, "address "+b.IP.String())
	}
	return strings.Join(parts, " and ")
}

// banDetail says a ban in words, for the audit log.
func banDetail(b store.Ban) string {
	s := "banned " + banWho(b)
	if b.Room != "" {
		s += " in room " + b.Room
	}
	if b.Until != nil {
		s += " until " + b.Until.Time().Format(time.RFC3339)
	}
	if b.Reason != "" {
		s += ": " + b.Reason
	}
	return s
}
