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

// moderateShared is Moderate over the cluster's shared counters: it only
// looks, as Moderate does. An error means they could not answer, and the
// caller decides locally.
func (l *Limiter) moderateShared(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
	ctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	defer cancel()
	if key := l.slowKey(c); key != "" {
		left, err := l.shared.Held(ctx, key)
		if err != nil {
			return plugins.Verdict{}, err
		}
		if left > 0 {
			secs := int(math.Ceil(left.Seconds()))
			return plugins.Reject(fmt.Sprintf("slow mode is on: one comment every %v, try again in %ds", l.cfg.SlowMode, secs)), nil
		}
	}
	for _, b := range l.sharedBuckets(c) {
		if v, err := l.takeShared(ctx, b.key, b.rate, false); err != nil || v.Action != plugins.ActionAllow {
			return v, err
		}
	}
	return plugins.Allow(), nil
}

// observeShared counts an accepted comment in the shared counters: a
// token from each bucket and the start of the slow-mode wait.
func (l *Limiter) observeShared(ctx context.Context, c plugins.Comment) error {
	ctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	defer cancel()
	for _, b := range l.sharedBuckets(c) {
		if _, err := l.takeShared(ctx, b.key, b.rate, true); err != nil {
			return err
		}
	}
	if key := l.slowKey(c); key != "" {
		return l.shared.Hold(ctx, key, l.cfg.SlowMode)
	}
	return nil
}

// slowKey is the shared key of c's slow-mode wait, or "" when none applies.
func (l *Limiter) slowKey(c plugins.Comment) string {
	if l.cfg.SlowMode <= 0 || c.User.ID == "" {
		return ""
	}
	return "slow:" + c.Room + "\x00" + c.User.ID
}

// sharedBucket is one of the buckets a comment counts against.
type sharedBucket struct {
	key  string
	rate Rate
}

// sharedBuckets lists c's buckets, the address's first (so that a
// comment refused for it is not looked up further).
func (l *Limiter) sharedBuckets(c plugins.Comment) []sharedBucket {
	var out []sharedBucket
	if l.cfg.PerIP.Enabled() && c.IP.IsValid() {
		out = append(out, sharedBucket{"ip:" + ipKey(c.IP).String(), l.cfg.PerIP})
	}
	if l.cfg.PerUser.Enabled() && c.User.ID != "" {
		out = append(out, sharedBucket{"user:" + c.User.ID, l.cfg.PerUser})
	}
	return out
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
