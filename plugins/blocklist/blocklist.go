// Package blocklist refuses banned users and addresses: their comments are
// rejected (or shadowed) and, unless shadowed, they are refused at the door.
// The bans live in the host's [plugins.BlockStore].
package blocklist

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/plugins"
)

// Name is the name the plugin registers under.
const Name = "blocklist"

func init() { plugins.Register(Name, New) }

// Config is the plugin's config block.
type Config struct {
	// Action for a banned user's comments: reject (default; they are told)
	// or shadow (only they see their comments, and they may still join).
	Action string `yaml:"action"`
}

// Blocklist is the plugin.
type Blocklist struct {
	cfg   Config
	store plugins.BlockStore
	now   func() time.Time
}

var (
	_ plugins.Moderator   = (*Blocklist)(nil)
	_ plugins.Configurer  = (*Blocklist)(nil)
	_ plugins.Provisioner = (*Blocklist)(nil)
	_ plugins.JoinChecker = (*Blocklist)(nil)
	_ plugins.NonBlocking = (*Blocklist)(nil)
)

// New returns a Blocklist that rejects.
func New() plugins.Moderator { return &Blocklist{cfg: Config{Action: "reject"}, now: time.Now} }

// Configure decodes and validates the config block.
func (b *Blocklist) Configure(raw plugins.RawConfig) error {
	if err := raw.Decode(&b.cfg); err != nil {
		return err
	}
	if b.cfg.Action != "reject" && b.cfg.Action != "shadow" {
		return plugins.FieldErrorf("action", "must be reject or shadow, got %q", b.cfg.Action)
	}
	return nil
}

// ErrNoStore means the host offers no BlockStore, so bans cannot be enforced.
var ErrNoStore = errors.New("the host provides no BlockStore")

// Provision takes the host's block store and clock.
func (b *Blocklist) Provision(h plugins.Host) error {
	b.store = h.BlockStore()
	if b.store == nil {
		return ErrNoStore
	}
	b.now = h.Now
	return nil
}

// NonBlocking is true when the store promises to answer from memory.
func (b *Blocklist) NonBlocking() bool {
	nb, ok := b.store.(plugins.NonBlocking)
	return ok && nb.NonBlocking()
}

// Moderate rejects or shadows comments from banned users and addresses.
func (b *Blocklist) Moderate(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
	blk, ok, err := b.lookup(ctx, plugins.BlockQuery{Room: c.Room, UserID: c.User.ID, IP: c.IP})
	switch {
	case err != nil:
		return plugins.Verdict{}, err
	case !ok:
		return plugins.Allow(), nil
	case b.cfg.Action == "shadow":
		return plugins.Shadow("shadow-banned: " + blk.Reason), nil
	}
	return plugins.Reject(blk.Message()), nil
}

// CheckJoin refuses banned users at the door, unless bans are shadow bans:
// a shadow-banned user must not notice anything.
func (b *Blocklist) CheckJoin(ctx context.Context, j plugins.Join) (plugins.Verdict, error) {
	if b.cfg.Action == "shadow" {
		return plugins.Allow(), nil
	}
	blk, ok, err := b.lookup(ctx, plugins.BlockQuery{Room: j.Room, UserID: j.User.ID, IP: j.IP})
	if err != nil || !ok {
		return plugins.Allow(), err
	}
	return plugins.Reject(blk.Message()), nil
}

func (b *Blocklist) lookup(ctx context.Context, q plugins.BlockQuery) (plugins.Block, bool, error) {
	blk, ok, err := b.store.Lookup(ctx, q)
	if err != nil {
		return blk, false, fmt.Errorf("blocklist: %w", err)
	}
	// The store should return only active bans; checking again costs nothing.
	return blk, ok && blk.Active(b.now()), nil
}
