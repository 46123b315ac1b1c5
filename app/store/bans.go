package store

import (
	"context"
	"net/netip"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/plugins"
)

// Ban is one ban: of a user id, an address range, or both (then either
// matches), in one room or everywhere, until a time or for good.
type Ban struct {
	ID        int64               `json:"id"`
	UserID    string              `json:"user_id,omitempty"`
	IP        netip.Prefix        `json:"ip"` // "" when the ban is not by address
	Room      string              `json:"room,omitempty"`
	Reason    string              `json:"reason"`
	Until     *protocol.Timestamp `json:"until,omitempty"` // nil: permanent
	CreatedBy string              `json:"created_by"`
	CreatedAt protocol.Timestamp  `json:"created_at"`
	LiftedBy  string              `json:"lifted_by,omitempty"`
	LiftedAt  *protocol.Timestamp `json:"lifted_at,omitempty"`
}

// Active reports whether the ban is in force at now.
func (b Ban) Active(now time.Time) bool {
	return b.LiftedAt == nil && (b.Until == nil || now.Before(b.Until.Time()))
}

// Bans is the bans in force. It is the plugins.BlockStore the blocklist
// plugin asks on every comment and join, so Lookup must answer fast
// (from memory); changes are written through to the store.
type Bans interface {
	plugins.BlockStore
	// Active returns the bans in force, oldest first.
	Active() []Ban
	// Ban stores b, with its ID and CreatedAt set, and enforces it from
	// now on. A ban with neither user id nor address is Invalid; one in a
	// room that does not exist is NotFound.
	Ban(ctx context.Context, b Ban) (Ban, error)
	// Lift ends ban id now, keeping it as history; lifting a lifted ban
	// returns it unchanged. An unknown id is NotFound.
	Lift(ctx context.Context, id int64, by string) (Ban, error)
}
