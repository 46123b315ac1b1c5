package plugins

import (
	"context"
	"net/netip"
	"time"
)

// BlockStore answers whether a user or address is banned. The host
// implements it (in SQLite); the blocklist plugin asks it for every comment
// and join, so an implementation should answer from memory. A store that
// never blocks may also implement [NonBlocking] so the chain calls it inline.
type BlockStore interface {
	// Lookup returns the block that applies to q, if any. A store returns
	// only blocks in force: room-wide ones for q.Room and global ones, by
	// user id or by IP, and not expired. ok is false when none applies.
	Lookup(ctx context.Context, q BlockQuery) (b Block, ok bool, err error)
}

// BlockQuery names who is asking to comment or join, and where.
type BlockQuery struct {
	Room   string
	UserID string     // empty for anonymous users: match by IP only
	IP     netip.Addr // may be invalid (zero) if unknown
}

// Block is one ban.
type Block struct {
	Room   string       // empty for a ban in every room
	UserID string       // banned user id, or empty for an IP ban
	IP     netip.Prefix // banned address range, or invalid for a user ban
	Reason string       // shown to the banned user
	Until  time.Time    // zero for a permanent ban
}

// Active reports whether the block is in force at now.
func (b Block) Active(now time.Time) bool { return b.Until.IsZero() || now.Before(b.Until) }

// NoBlocks is a [BlockStore] without bans, for hosts and tools that build
// chains without a database (a config check, a dry run).
type NoBlocks struct{}

var (
	_ BlockStore  = NoBlocks{}
	_ NonBlocking = NoBlocks{}
)

// Lookup finds nothing.
func (NoBlocks) Lookup(context.Context, BlockQuery) (Block, bool, error) { return Block{}, false, nil }

// NonBlocking reports true.
func (NoBlocks) NonBlocking() bool { return true }
