// Package ratelimit limits how fast users and addresses may comment, with
// token buckets per user and per IP, and an optional slow mode (one comment
// per N seconds per user per room, as on Twitch). Moderators and admins
// are exempt by default.
package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/internal/ttlmap"
)

// Name is the name the plugin registers under.
const Name = "ratelimit"

func init() { plugins.Register(Name, New) }

// Config is the plugin's config block.
type Config struct {
	PerUser     Rate          `yaml:"per_user"`     // default 5/10s; by user id, across rooms
	PerIP       Rate          `yaml:"per_ip"`       // default 20/10s; IPv6 by /64
	SlowMode    time.Duration `yaml:"slow_mode"`    // default 0s (off)
	ExemptRoles []string      `yaml:"exempt_roles"` // default [moderator, admin]
	MaxKeys     int           `yaml:"max_keys"`     // users (and addresses) tracked at most; default 100000
}

// Limiter is the plugin.
type Limiter struct {
	cfg   Config
	now   func() time.Time
	users *ttlmap.Map[string, *rate.Limiter]
	ips   *ttlmap.Map[netip.Prefix, *rate.Limiter]
	slow  *ttlmap.Map[slowKey, time.Time] // last accepted comment

	// shared are the cluster's counters (nil on a single node): the
	// limits hold across nodes, and these local ones stand in while the
	// shared ones do not answer (down says so).
	shared plugins.Counters
	down   atomic.Bool
	log    *slog.Logger
}

type slowKey struct{ room, user string }

var (
	_ plugins.Moderator   = (*Limiter)(nil)
	_ plugins.Configurer  = (*Limiter)(nil)
	_ plugins.Provisioner = (*Limiter)(nil)
	_ plugins.NonBlocking = (*Limiter)(nil)
	_ plugins.Observer    = (*Limiter)(nil)
	_ plugins.Inheritor   = (*Limiter)(nil)
)

// New returns a Limiter with the default config.
func New() plugins.Moderator {
	return &Limiter{now: time.Now, cfg: Config{
		PerUser:     Rate{N: 5, Per: 10 * time.Second},
		PerIP:       Rate{N: 20, Per: 10 * time.Second},
		ExemptRoles: []string{plugins.RoleModerator, plugins.RoleAdmin},
		MaxKeys:     100_000,
	}}
}

// Configure decodes and validates the config block.
func (l *Limiter) Configure(raw plugins.RawConfig) error {
	if err := raw.Decode(&l.cfg); err != nil {
		return err
	}
	switch {
	case l.cfg.SlowMode < 0:
		return plugins.FieldErrorf("slow_mode", "must not be negative, got %v", l.cfg.SlowMode)
	case l.cfg.MaxKeys < 1:
		return plugins.FieldErrorf("max_keys", "must be positive, got %d", l.cfg.MaxKeys)
	}
	// A bucket idle for Per is full again, the same as a new one: forget it.
	// (Until a sweep forgets it, the idle bucket is reused: it is full too.)
	if l.cfg.PerUser.Enabled() {
		l.users = ttlmap.New[string, *rate.Limiter](l.cfg.PerUser.Per, l.cfg.MaxKeys)
	}
	if l.cfg.PerIP.Enabled() {
		l.ips = ttlmap.New[netip.Prefix, *rate.Limiter](l.cfg.PerIP.Per, l.cfg.MaxKeys)
	}
	if l.cfg.SlowMode > 0 {
		l.slow = ttlmap.New[slowKey, time.Time](l.cfg.SlowMode, l.cfg.MaxKeys)
	}
	return nil
}

// Provision takes the host's clock.
func (l *Limiter) Provision(h plugins.Host) error {
	l.now, l.log = h.Now, h.Logger()
	if ch, ok := h.(plugins.CountersHost); ok {
		l.shared = ch.Counters()
	}
	return nil
}

// NonBlocking reports that Moderate only computes: true on a single node;
// shared counters take a round trip.
func (l *Limiter) NonBlocking() bool { return l.shared == nil }

// Moderate rejects a comment over any limit, saying how long to wait. It
// only looks: a comment counts against the limits once it is accepted
// (Observe), so one a later plugin refuses costs nothing.
func (l *Limiter) Moderate(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
	if c.User.HasRole(l.cfg.ExemptRoles...) {
		return plugins.Allow(), nil
	}
	if l.shared != nil {
		v, err := l.moderateShared(ctx, c)
		if err == nil {
			l.sharedBack()
			return v, nil
		}
		l.fellBack(err)
	}
	now := l.now()
	if l.slow != nil && c.User.ID != "" {
		// One accepted comment per SlowMode per user per room; refused
		// attempts do not restart the wait.
		var v plugins.Verdict
		l.slow.Do(slowKey{c.Room, c.User.ID}, now, func(last *time.Time) {
			if since := now.Sub(*last); !last.IsZero() && since < l.cfg.SlowMode {
				secs := int(math.Ceil((l.cfg.SlowMode - since).Seconds()))
				v = plugins.Reject(fmt.Sprintf("slow mode is on: one comment every %v, try again in %ds", l.cfg.SlowMode, secs))
			}
		})
		if v.Action == plugins.ActionReject {
			return v, nil
		}
	}
	return l.buckets(c, now, false), nil
}

// Observe counts a comment the whole chain accepted: a token from the
// user's and the address's bucket, and the start of the user's slow-mode
// wait. (Comments of one user racing through different connections may
// both pass Moderate before either is counted; a socket sends its
// comments one at a time.)
func (l *Limiter) Observe(ctx context.Context, o plugins.Outcome) {
	c := o.Comment
	if o.Committed || !o.Action.Accepted() || c.User.HasRole(l.cfg.ExemptRoles...) {
		return
	}
	if l.shared != nil {
		err := l.observeShared(ctx, c)
		if err == nil {
			return
		}
		l.fellBack(err)
	}
	now := l.now()
	l.buckets(c, now, true)
	if l.slow != nil && c.User.ID != "" {
		l.slow.Do(slowKey{c.Room, c.User.ID}, now, func(last *time.Time) { *last = now })
	}
}

// Inherit takes over a replaced Limiter's slow-mode clocks, and its
// buckets where the rate they were made for is unchanged: a reload that
// changes one setting does not let every user in slow mode go.
func (l *Limiter) Inherit(prev plugins.Moderator) {
	p, ok := prev.(*Limiter)
	if !ok {
		return
	}
	if l.slow != nil && p.slow != nil {
		l.slow.TakeFrom(p.slow)
	}
	if l.users != nil && p.users != nil && l.cfg.PerUser == p.cfg.PerUser {
		l.users.TakeFrom(p.users)
	}
	if l.ips != nil && p.ips != nil && l.cfg.PerIP == p.cfg.PerIP {
		l.ips.TakeFrom(p.ips)
	}
}

// buckets checks (or, with consume, takes) a token from the user's and
// the address's bucket, or neither: a comment refused for its address
// does not cost the user a token.
func (l *Limiter) buckets(c plugins.Comment, now time.Time, consume bool) plugins.Verdict {
	checkIP := l.ips != nil && c.IP.IsValid()
	var ip netip.Prefix
	if checkIP {
		ip = ipKey(c.IP)
		if wait := take(l.ips, ip, l.cfg.PerIP, now, false); wait > 0 && !consume {
			return tooFast(wait)
		}
	}
	if l.users != nil && c.User.ID != "" {
		if wait := take(l.users, c.User.ID, l.cfg.PerUser, now, consume); wait > 0 && !consume {
			return tooFast(wait)
		}
	}
	if checkIP && consume {
		take(l.ips, ip, l.cfg.PerIP, now, true)
	}
	return plugins.Allow()
}

// take takes a token from key's bucket at now (or, if !consume, only
// checks one is there), returning how long until one is free if not.
func take[K comparable](m *ttlmap.Map[K, *rate.Limiter], key K, r Rate, now time.Time, consume bool) (wait time.Duration) {
	m.Do(key, now, func(lim **rate.Limiter) {
		if *lim == nil {
			*lim = r.limiter()
		}
		tokens := (*lim).TokensAt(now)
		switch {
		case tokens < 1:
			wait = time.Duration((1 - tokens) / float64((*lim).Limit()) * float64(time.Second))
		case consume:
			(*lim).AllowN(now, 1)
		}
	})
	return wait
}

func tooFast(wait time.Duration) plugins.Verdict {
	secs := int(math.Ceil(wait.Seconds()))
	return plugins.Reject(fmt.Sprintf("you are commenting too fast: try again in %ds", secs))
}

// ipKey groups IPv6 addresses by /64, the block one subscriber usually gets.
func ipKey(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return p
}
