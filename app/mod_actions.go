package app

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Bounds on moderators' actions.
const (
	modActionTimeout = 10 * time.Second
	maxDecisionIDs   = 500                 // comments in one approve, reject or delete
	maxPurge         = 2000                // comments one ban may delete
	maxPurgeSpan     = 30 * 24 * time.Hour // how far back a ban may delete comments
	maxBanSpan       = 100 * 365 * 24 * time.Hour
	maxReasonRunes   = 200
	maxUserIDBytes   = 128
	minPrefixV4      = 16 // the widest address ranges a ban may cover
	minPrefixV6      = 48
)

// decisionResult answers approve, reject and delete.
type decisionResult struct {
	Comments []store.ModComment `json:"comments"` // the comments that changed, as they are now
}

// decide applies a moderator's decision to comments and returns them once
// committed. Approved comments are fanned out like new ones; deleted ones
// are retracted from viewers (see App.retract); the moderators' feed hears
// of every change once it committed.
func (a *App) decide(ctx context.Context, by auth.Identity, d store.Decision, ids []int64) ([]store.ModComment, error) {
	if len(ids) == 0 || len(ids) > maxDecisionIDs {
		return nil, errs.New(errs.Invalid, "ids must list 1 to %d comment ids", maxDecisionIDs)
	}
	changed, err := a.store.Decide(ctx, ids, d, by.ID)
	if err != nil {
		return nil, err
	}
	a.feed.noteComments(changed)
	a.log.Info("moderator decision", "moderator", by.ID, "decision", string(d), "ids", ids, "changed", len(changed))
	return changed, nil
}

// banRequest is the body of POST /api/admin/bans and of the ban frame.
type banRequest struct {
	UserID string `json:"user_id"` // ban this user id
	IP     string `json:"ip"`      // and/or this address or CIDR range
	Room   string `json:"room"`    // in this room; empty: everywhere
	Reason string `json:"reason"`  // shown to the banned user
	// Duration like "24h", "30m" or "7d"; empty: permanent.
	Duration string `json:"duration"`
	// DeleteRecent like "1h": also delete their comments from that long
	// back (in the ban's room, or everywhere); empty: delete none.
	DeleteRecent string `json:"delete_recent"`
}

// banResult answers a ban.
type banResult struct {
	Ban     store.Ban `json:"ban"`
	Deleted []int64   `json:"deleted"` // ids of the comments deleted with it
}

// ban stores a ban, enforced from the next comment and join on, and
// deletes the banned user's recent comments when asked.
func (a *App) ban(ctx context.Context, by auth.Identity, req banRequest) (banResult, error) {
	b, purge, err := req.validate(by, time.Now())
	if err != nil {
		return banResult{}, err
	}
	b, err = a.blocks.Ban(ctx, b)
	if err != nil {
		return banResult{}, err
	}
	a.feed.noteBans()
	a.log.Info("ban", "moderator", by.ID, "ban", b.ID, "user", b.UserID, "ip", b.IP, "room", b.Room)
	res := banResult{Ban: b, Deleted: []int64{}}
	if purge <= 0 {
		return res, nil
	}
	ids, err := a.store.PurgeCandidates(ctx, store.Purge{
		Room: b.Room, UserID: b.UserID, Prefix: b.IP, Since: time.Now().Add(-purge), Limit: maxPurge,
	})
	for start := 0; err == nil && start < len(ids); start += maxDecisionIDs {
		var changed []store.ModComment
		changed, err = a.decide(ctx, by, store.Delete, ids[start:min(start+maxDecisionIDs, len(ids))])
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

// unban lifts ban id.
func (a *App) unban(ctx context.Context, by auth.Identity, id int64) (store.Ban, error) {
	if id <= 0 {
		return store.Ban{}, errs.New(errs.Invalid, "id must be a ban id")
	}
	b, err := a.blocks.Lift(ctx, id, by.ID)
	if err != nil {
		return b, err
	}
	a.feed.noteBans()
	a.log.Info("unban", "moderator", by.ID, "ban", id)
	return b, nil
}

// validate turns the request into a ban by moderator by at now, and the
// span of comments to delete with it, naming the first bad field.
func (r banRequest) validate(by auth.Identity, now time.Time) (store.Ban, time.Duration, error) {
	b := store.Ban{UserID: strings.TrimSpace(r.UserID), Room: r.Room, Reason: strings.TrimSpace(r.Reason), CreatedBy: by.ID}
	if len(b.UserID) > maxUserIDBytes || strings.ContainsFunc(b.UserID, unicode.IsControl) || !utf8.ValidString(b.UserID) {
		return b, 0, errs.New(errs.Invalid, "user_id must be at most %d bytes, without control characters", maxUserIDBytes)
	}
	if b.UserID != "" && b.UserID == by.ID {
		return b, 0, errs.New(errs.Invalid, "you cannot ban yourself")
	}
	if ip := strings.TrimSpace(r.IP); ip != "" {
		p, err := parseBanRange(ip)
		if err != nil {
			return b, 0, err
		}
		b.IP = p
	}
	if b.UserID == "" && !b.IP.IsValid() {
		return b, 0, errs.New(errs.Invalid, "a ban needs a user_id, an ip, or both")
	}
	if b.Room != "" {
		if err := protocol.CheckRoomID(b.Room); err != nil {
			return b, 0, err
		}
	}
	if utf8.RuneCountInString(b.Reason) > maxReasonRunes || strings.ContainsFunc(b.Reason, unicode.IsControl) {
		return b, 0, errs.New(errs.Invalid, "reason must be at most %d characters, without control characters", maxReasonRunes)
	}
	if r.Duration != "" {
		d, err := parseSpan(r.Duration, maxBanSpan)
		if err != nil {
			return b, 0, errs.New(errs.Invalid, "duration: %s", err.Message)
		}
		until := protocol.TimestampOf(now.Add(d))
		b.Until = &until
	}
	var purge time.Duration
	if r.DeleteRecent != "" {
		d, err := parseSpan(r.DeleteRecent, maxPurgeSpan)
		if err != nil {
			return b, 0, errs.New(errs.Invalid, "delete_recent: %s", err.Message)
		}
		purge = d
	}
	return b, purge, nil
}

// parseBanRange reads an address or a CIDR range, refusing ranges so wide
// that a slip would ban a whole network.
func parseBanRange(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, errs.New(errs.Invalid, "ip must be an address like 203.0.113.7 or a range like 203.0.113.0/24")
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	minBits := minPrefixV6
	if p.Addr().Is4() {
		minBits = minPrefixV4
	}
	if p.Bits() < minBits {
		return p, errs.New(errs.Invalid, "ip range %s is too wide: at most /%d", p, minBits)
	}
	return p.Masked(), nil
}

// parseSpan reads a positive duration up to limit: Go's "90m", "24h", or days as "7d".
func parseSpan(s string, limit time.Duration) (time.Duration, *errs.Error) {
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		if n > int(limit/(24*time.Hour)) {
			n = -1 // too long, and too long to multiply safely
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 || d > limit {
		return 0, errs.New(errs.Invalid, "must be a positive span like 30m, 24h or 7d, at most %s", limit)
	}
	return d, nil
}
