package ratelimit

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/danmaku/danmaku/plugins"
)

// sharedTimeout bounds the shared counters' answer; past it, the
// plugin's own counters decide.
const sharedTimeout = 200 * time.Millisecond

// moderateShared is Moderate over the cluster's shared counters. An error
// means they could not answer, and the caller decides locally.
func (l *Limiter) moderateShared(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
	ctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	defer cancel()
	var slowKey string
	if l.cfg.SlowMode > 0 && c.User.ID != "" {
		slowKey = "slow:" + c.Room + "\x00" + c.User.ID
		left, err := l.shared.Held(ctx, slowKey)
		if err != nil {
			return plugins.Verdict{}, err
		}
		if left > 0 {
			secs := int(math.Ceil(left.Seconds()))
			return plugins.Reject(fmt.Sprintf("slow mode is on: one comment every %v, try again in %ds", l.cfg.SlowMode, secs)), nil
		}
	}
	v, err := l.sharedBuckets(ctx, c)
	if err != nil || v.Action != plugins.ActionAllow || slowKey == "" {
		return v, err
	}
	return v, l.shared.Hold(ctx, slowKey, l.cfg.SlowMode)
}

// sharedBuckets is buckets over the shared counters: the address is
// looked at first, so a comment refused for it costs the user nothing.
func (l *Limiter) sharedBuckets(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
	checkIP := l.cfg.PerIP.Enabled() && c.IP.IsValid()
	var ipKeyStr string
	if checkIP {
		ipKeyStr = "ip:" + ipKey(c.IP).String()
		if v, err := l.takeShared(ctx, ipKeyStr, l.cfg.PerIP, false); err != nil || v.Action != plugins.ActionAllow {
			return v, err
		}
	}
	if l.cfg.PerUser.Enabled() && c.User.ID != "" {
		if v, err := l.takeShared(ctx, "user:"+c.User.ID, l.cfg.PerUser, true); err != nil || v.Action != plugins.ActionAllow {
			return v, err
		}
	}
	if checkIP {
		return l.takeShared(ctx, ipKeyStr, l.cfg.PerIP, true)
	}
	return plugins.Allow(), nil
}

func (l *Limiter) takeShared(ctx context.Context, key string, r Rate, consume bool) (plugins.Verdict, error) {
	wait, err := l.shared.Take(ctx, key, r.N, r.Per, consume)
	if err != nil {
		return plugins.Verdict{}, err
	}
	if wait > 0 {
		return tooFast(wait), nil
	}
	return plugins.Allow(), nil
}

// fellBack logs, once per outage, that the limits are this node's own.
func (l *Limiter) fellBack(err error) {
	if l.down.CompareAndSwap(false, true) {
		l.log.Warn("ratelimit: the cluster's shared counters do not answer; this node's own limits apply until they do", "err", err)
	}
}

// sharedBack notes the shared counters answer again.
func (l *Limiter) sharedBack() {
	if l.down.CompareAndSwap(true, false) {
		l.log.Info("ratelimit: the cluster's shared counters answer again")
	}
}
