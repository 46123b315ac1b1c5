// Package flood stops comment floods: one user repeating the same text
// within a window, many users posting the same text at once (a
// copy-paste wave), and long runs of one character, which it shortens.
//
// Texts compare by [textnorm.Key]: case, width, spacing, punctuation and
// repeated characters do not matter, so "SPAM!!", "s p a m" and "spaaam"
// are the same text.
package flood

import (
	"context"
	"fmt"
	"hash/maphash"
	"net/netip"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/internal/textnorm"
	"github.com/danmaku/danmaku/plugins/internal/ttlmap"
)

// Name is the name the plugin registers under.
const Name = "flood"

func init() { plugins.Register(Name, New) }

// Config is the plugin's config block.
type Config struct {
	// RepeatWindow rejects a user's text seen from them this recently
	// (default 30s; 0s disables). The window runs from their last accepted copy.
	RepeatWindow time.Duration `yaml:"repeat_window"`
	// CrowdMax is how many distinct users may post the same text in one
	// room within CrowdWindow; the next ones get CrowdAction (default 10; 0 disables).
	CrowdMax    int           `yaml:"crowd_max"`
	CrowdWindow time.Duration `yaml:"crowd_window"` // default 30s
	CrowdAction string        `yaml:"crowd_action"` // reject (default) or hold
	// CrowdMinLength exempts texts shorter than this many letters and
	// digits: everyone typing 哈哈 or 2333 at once is the point of danmaku (default 8).
	CrowdMinLength int `yaml:"crowd_min_length"`
	// MaxRun shortens runs of one character to this length, e.g. 哈哈哈哈哈哈哈哈 to
	// 哈哈哈哈哈哈 (default 6; 0 disables). Digits are left alone: 1000000 keeps its value.
	MaxRun int `yaml:"max_run"`
	// ExemptRoles skip the repeat and crowd checks (default [moderator, admin]).
	ExemptRoles []string `yaml:"exempt_roles"`
	// MaxKeys bounds the texts remembered per check (default 100000).
	MaxKeys int `yaml:"max_keys"`
}

// Guard is the plugin.
type Guard struct {
	cfg     Config
	now     func() time.Time
	repeats *ttlmap.Map[uint64, int64]    // hash of repeatKey → last accepted copy, unix ns
	crowds  *ttlmap.Map[uint64, []member] // hash of crowdKey → recent senders
	seed    maphash.Seed                  // keys are hashed to 64 bits: small maps, cheap lookups
}

// who identifies a sender: the user id, or the address for anonymous users.
type who struct {
	user string
	ip   netip.Addr
}

type repeatKey struct {
	room string
	who  who
	text uint64
}

type crowdKey struct {
	room string
	text uint64
}

// member is one sender of a text: who, hashed to keep the list small, and when.
type member struct {
	who uint64
	at  int64 // unix nanoseconds
}

var (
	_ plugins.Moderator   = (*Guard)(nil)
	_ plugins.Configurer  = (*Guard)(nil)
	_ plugins.Provisioner = (*Guard)(nil)
	_ plugins.NonBlocking = (*Guard)(nil)
)

// New returns a Guard with the default config.
func New() plugins.Moderator {
	return &Guard{now: time.Now, seed: maphash.MakeSeed(), cfg: Config{
		RepeatWindow: 30 * time.Second,
		CrowdMax:     10, CrowdWindow: 30 * time.Second, CrowdAction: "reject", CrowdMinLength: 8,
		MaxRun:      6,
		ExemptRoles: []string{plugins.RoleModerator, plugins.RoleAdmin},
		MaxKeys:     100_000,
	}}
}

// Configure decodes and validates the config block.
func (g *Guard) Configure(raw plugins.RawConfig) error {
	if err := raw.Decode(&g.cfg); err != nil {
		return err
	}
	c := g.cfg
	switch {
	case c.RepeatWindow < 0:
		return plugins.FieldErrorf("repeat_window", "must not be negative, got %v", c.RepeatWindow)
	case c.CrowdMax < 0:
		return plugins.FieldErrorf("crowd_max", "must not be negative, got %d", c.CrowdMax)
	case c.CrowdMax > 0 && c.CrowdWindow <= 0:
		return plugins.FieldErrorf("crowd_window", "must be positive, got %v", c.CrowdWindow)
	case c.CrowdAction != "reject" && c.CrowdAction != "hold":
		return plugins.FieldErrorf("crowd_action", "must be reject or hold, got %q", c.CrowdAction)
	case c.MaxRun < 0:
		return plugins.FieldErrorf("max_run", "must not be negative, got %d", c.MaxRun)
	case c.MaxKeys < 1:
		return plugins.FieldErrorf("max_keys", "must be positive, got %d", c.MaxKeys)
	}
	if c.RepeatWindow > 0 {
		g.repeats = ttlmap.New[uint64, int64](c.RepeatWindow, c.MaxKeys)
	}
	if c.CrowdMax > 0 {
		g.crowds = ttlmap.New[uint64, []member](c.CrowdWindow, c.MaxKeys)
	}
	return nil
}

// Provision takes the host's clock.
func (g *Guard) Provision(h plugins.Host) error {
	g.now = h.Now
	return nil
}

// NonBlocking reports that Moderate only computes.
func (g *Guard) NonBlocking() bool { return true }

// Moderate shortens runs, then checks repeats and copy-paste waves.
func (g *Guard) Moderate(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
	text, shortened := capRuns(c.Text, g.cfg.MaxRun)
	if !c.User.HasRole(g.cfg.ExemptRoles...) {
		key, n := textnorm.Key(text)
		if v, stop := g.check(c, key, n); stop {
			return v, nil
		}
	}
	if !shortened {
		return plugins.Allow(), nil
	}
	c.Text = text
	return plugins.Rewrite(c, "shortened repeated characters"), nil
}

func (g *Guard) check(c plugins.Comment, key uint64, n int) (plugins.Verdict, bool) {
	if n == 0 {
		return plugins.Verdict{}, false // nothing to compare: symbols only
	}
	now := g.now()
	from := who{user: c.User.ID}
	if from.user == "" {
		from.ip = c.IP
	}
	if g.repeats != nil {
		repeated := false
		at := now.UnixNano()
		g.repeats.Do(maphash.Comparable(g.seed, repeatKey{c.Room, from, key}), now, func(last *int64) {
			if repeated = *last != 0 && at-*last < g.cfg.RepeatWindow.Nanoseconds(); !repeated {
				*last = at
			}
		})
		if repeated {
			return plugins.Reject(fmt.Sprintf("you already said that: repeats are allowed after %v", g.cfg.RepeatWindow)), true
		}
	}
	if g.crowds != nil && n >= g.cfg.CrowdMinLength && g.crowded(maphash.Comparable(g.seed, crowdKey{c.Room, key}), maphash.Comparable(g.seed, from), now) {
		reason := "many people are posting this same comment"
		if g.cfg.CrowdAction == "hold" {
			return plugins.Hold(reason), true
		}
		return plugins.Reject(reason), true
	}
	return plugins.Verdict{}, false
}

// crowded records from as a sender of the text and reports whether more
// than CrowdMax distinct senders posted it within the window. The list is
// capped at CrowdMax, so memory per text stays bounded too.
func (g *Guard) crowded(key, from uint64, now time.Time) (full bool) {
	at, window := now.UnixNano(), g.cfg.CrowdWindow.Nanoseconds()
	g.crowds.Do(key, now, func(ms *[]member) {
		live := (*ms)[:0]
		seen := false
		for _, m := range *ms {
			if at-m.at >= window {
				continue
			}
			if m.who == from {
				m.at, seen = at, true
			}
			live = append(live, m)
		}
		*ms = live
		switch {
		case seen:
		case len(live) >= g.cfg.CrowdMax:
			full = true
		default:
			*ms = append(live, member{from, at})
		}
	})
	return full
}

// capRuns shortens runs of one rune (digits aside) to max; max 0 keeps all.
func capRuns(s string, max int) (string, bool) {
	if max == 0 {
		return s, false
	}
	var out []rune
	var last rune = -1
	run := 0
	for i, r := range s {
		if r == last {
			run++
		} else {
			last, run = r, 1
		}
		if run > max && (r < '0' || r > '9') {
			if out == nil {
				out = []rune(s[:i])
			}
			continue
		}
		if out != nil {
			out = append(out, r)
		}
	}
	if out == nil {
		return s, false
	}
	return string(out), true
}
