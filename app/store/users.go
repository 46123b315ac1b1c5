package store

import (
	"context"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

// NameClaim is a user taking a name: a guest choosing a nickname, or a
// signed-in user whose token names them.
type NameClaim struct {
	User protocol.User
	Key  string // the name's look-alike key (auth.NameKey)
	// Force records the name even when another user's looks the same
	// (signed-in users' names come from their tokens, which the operator
	// issues); otherwise such a name is refused.
	Force bool
	// Guests are the ids starting with GuestPrefix; another guest's name
	// counts only if that guest was seen at or after Since.
	GuestPrefix string
	Since       time.Time
}

// Users records the names users go by, so that no two look alike.
type Users interface {
	// ClaimName records that c.User goes by c.User.Name, unless (without
	// Force) another user already goes by a name with the same key: one
	// who is not a guest, or a guest seen at or after c.Since. That is
	// Conflict, and nothing changes. Every comment records its sender's
	// name the same way (forced), so names seen in rooms count too.
	ClaimName(ctx context.Context, c NameClaim) error
}
