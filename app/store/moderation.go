package store

import (
	"context"
	"net/netip"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

// ModComment is a comment as moderators see it: any status, with the
// sender's address and what moderation did to it. Never send it to viewers.
type ModComment struct {
	protocol.Comment
	IP          string              `json:"ip"`
	Note        string              `json:"note,omitempty"` // why a plugin held or shadowed it
	ModeratedBy string              `json:"moderated_by,omitempty"`
	ModeratedAt *protocol.Timestamp `json:"moderated_at,omitempty"`
	// Reports counts the distinct viewers who reported it since a
	// moderator last decided on it; Reasons, when read, counts them by
	// reason.
	Reports int64            `json:"reports,omitempty"`
	Reasons map[string]int64 `json:"reasons,omitempty"`
}

// Decision is what a moderator does to comments.
type Decision string

// The decisions. A reject stores the held comment as deleted: for every
// reader it is gone, like a deleted one, and moderated_by and the missing
// seq tell the two apart.
const (
	Approve Decision = "approve" // held → visible, with the room's next seq, fanned out
	Reject  Decision = "reject"  // held → deleted
	Delete  Decision = "delete"  // visible, held or shadowed → deleted, retracted from viewers
	// Restore undoes a delete: deleted → visible, with the room's next
	// seq, fanned out again (the undo of a purge).
	Restore Decision = "restore"
)

// Retraction tells viewers to drop comments a moderator removed: every
// viewer of Room, or, when User is set, only that user's own sockets (their
// shadowed comments, which nobody else saw).
type Retraction struct {
	Room string
	IDs  []int64
	User string
}

// RecentQuery selects comments for the moderators' recent list; zero
// fields do not filter.
type RecentQuery struct {
	Room   string
	UserID string
	Status Status
	Before int64 // only comments with a smaller id (paging back)
	Limit  int
}

// Purge selects the comments a ban takes away: not yet deleted, created at
// or after since, in room (every room when empty), by userID or from an
// address in prefix. Newest first, at most limit.
type Purge struct {
	Room   string
	UserID string
	Prefix netip.Prefix
	Since  time.Time
	Limit  int
}

// Moderation is what moderators read and decide.
type Moderation interface {
	// HeldComments returns the held queue, oldest first: of one room, or
	// of every room when room is empty.
	HeldComments(ctx context.Context, room string, limit int) ([]ModComment, error)
	// RecentComments returns comments of every status, newest first.
	RecentComments(ctx context.Context, q RecentQuery) ([]ModComment, error)
	// PurgeCandidates returns the ids of the comments p selects, newest
	// first. Imported comments are never selected.
	PurgeCandidates(ctx context.Context, p Purge) ([]int64, error)
	// BanHistory returns the newest bans, lifted and expired ones included.
	BanHistory(ctx context.Context, limit int) ([]Ban, error)
	// Decide applies decision d by moderator by to the comments ids, all
	// or nothing, and returns the comments whose status changed, as they
	// are now, once committed. An unknown id is NotFound; approving or
	// rejecting a comment that is not held, or restoring one that is not
	// deleted, is Conflict; deleting a deleted comment changes nothing. Approved comments take their room's next
	// seq and, like removed ones (as Retractions), reach viewers through
	// the commit's Events.
	Decide(ctx context.Context, ids []int64, d Decision, by string) ([]ModComment, error)
}
