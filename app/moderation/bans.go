package moderation

import (
	"net/netip"
	"strconv"
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

// validateBan turns the request into a ban by moderator by at now, and the
// span of comments to delete with it, naming the first bad field.
func validateBan(r modproto.BanRequest, by auth.Identity, now time.Time) (store.Ban, time.Duration, error) {
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
