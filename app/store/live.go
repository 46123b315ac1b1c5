package store

import (
	"context"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

// RoomModes are the modes moderators set on a room while it runs. The
// zero value is a room with every mode off.
type RoomModes struct {
	Room string `json:"room"`
	// SlowSeconds: one comment per this many seconds per user; 0 off.
	SlowSeconds int `json:"slow_seconds"`
	// UniqueWindow: no comment equal (normalised) to one of the room's
	// last this many; 0 off.
	UniqueWindow int `json:"unique_window"`
	// SignedInOnly: guests watch but may not send.
	SignedInOnly bool `json:"signed_in_only"`
	// DelaySeconds: non-moderators' comments wait this long before anyone
	// sees them, so moderators can remove them first; 0 off.
	DelaySeconds int `json:"delay_seconds"`
	// Emergency holds every non-moderator's comment for review.
	Emergency bool                `json:"emergency"`
	UpdatedBy string              `json:"updated_by,omitempty"`
	UpdatedAt *protocol.Timestamp `json:"updated_at,omitempty"`
}

// Any reports whether some mode is on.
func (m RoomModes) Any() bool {
	return m.SlowSeconds > 0 || m.UniqueWindow > 0 || m.SignedInOnly || m.DelaySeconds > 0 || m.Emergency
}

// UserActionKind is what a moderator does to one user.
type UserActionKind string

// The user actions.
const (
	ActTimeout UserActionKind = "timeout" // the user may not send until Until
	ActHide    UserActionKind = "hide"    // the user's comments are shadowed from now on
	ActPurge   UserActionKind = "purge"   // the user's comments in a room were deleted
)

// UserAction is one moderator's action on one user, in a room or (Room
// empty) everywhere. Undoing keeps the row, as history.
type UserAction struct {
	ID     int64               `json:"id"`
	Kind   UserActionKind      `json:"kind"`
	Room   string              `json:"room,omitempty"`
	UserID string              `json:"user_id"`
	Reason string              `json:"reason,omitempty"`
	Until  *protocol.Timestamp `json:"until,omitempty"` // a timeout's end; nil for the others
	// Comments are the ids a purge deleted (an undo restores them).
	Comments  []int64             `json:"comments,omitempty"`
	CreatedBy string              `json:"created_by"`
	CreatedAt protocol.Timestamp  `json:"created_at"`
	UndoneBy  string              `json:"undone_by,omitempty"`
	UndoneAt  *protocol.Timestamp `json:"undone_at,omitempty"`
}

// Active reports whether the action is in force at now: not undone, and
// for a timeout, not over. A purge is never "in force": it happened.
func (a UserAction) Active(now time.Time) bool {
	if a.UndoneAt != nil || a.Kind == ActPurge {
		return false
	}
	return a.Until == nil || now.Before(a.Until.Time())
}

// TermAction is what a blocked term does to a comment that has it.
type TermAction string

// The term actions.
const (
	TermMask   TermAction = "mask"   // the term is replaced by asterisks
	TermReject TermAction = "reject" // the comment is refused
	TermHold   TermAction = "hold"   // the comment waits for a moderator
)

// BlockedTerm is a term moderators block, in a room or (Room empty)
// everywhere. A '*' at the start or the end is a wildcard: "spoil*"
// matches every word that starts with "spoil".
type BlockedTerm struct {
	ID        int64               `json:"id"`
	Room      string              `json:"room,omitempty"`
	Term      string              `json:"term"`
	Action    TermAction          `json:"action"`
	Until     *protocol.Timestamp `json:"until,omitempty"` // nil: until removed
	CreatedBy string              `json:"created_by"`
	CreatedAt protocol.Timestamp  `json:"created_at"`
	RemovedBy string              `json:"removed_by,omitempty"`
	RemovedAt *protocol.Timestamp `json:"removed_at,omitempty"`
}

// Active reports whether the term is in force at now.
func (t BlockedTerm) Active(now time.Time) bool {
	return t.RemovedAt == nil && (t.Until == nil || now.Before(t.Until.Time()))
}

// AuditEntry is one line of the moderators' audit log: who did what, when,
// where.
type AuditEntry struct {
	ID     int64              `json:"id"`
	At     protocol.Timestamp `json:"at"`
	By     string             `json:"by"`
	Room   string             `json:"room,omitempty"`
	Action string             `json:"action"` // "modes", "timeout", "undo", "term_add" …
	Detail string             `json:"detail"` // what changed, in words
}

// AuditQuery selects audit entries, newest first; zero fields do not filter.
type AuditQuery struct {
	Room   string
	Before int64 // only entries with a smaller id (paging back)
	Limit  int
}

// Live is what moderators change while a room runs: its modes, actions on
// users, blocked terms, and the audit log of all of it. Every change
// writes its audit entry in the same transaction, so the log cannot miss
// one. The values live in the database; every node reads them from there.
type Live interface {
	// AllRoomModes returns the modes of every room that has any set.
	AllRoomModes(ctx context.Context) ([]RoomModes, error)
	// RoomModes returns a room's modes (all off when never set).
	RoomModes(ctx context.Context, room string) (RoomModes, error)
	// SetRoomModes replaces a room's modes; a missing room is NotFound.
	SetRoomModes(ctx context.Context, m RoomModes, audit AuditEntry) (RoomModes, error)
	// AddUserAction stores a, with its ID and CreatedAt set.
	AddUserAction(ctx context.Context, a UserAction, audit AuditEntry) (UserAction, error)
	// UndoUserAction marks action id undone and reports whether this call
	// did; undoing an undone action returns it unchanged (and writes no
	// audit entry). An unknown id is NotFound.
	UndoUserAction(ctx context.Context, id int64, audit AuditEntry) (UserAction, bool, error)
	// ActiveUserActions returns the timeouts and hides in force at now, oldest first.
	ActiveUserActions(ctx context.Context, now time.Time) ([]UserAction, error)
	// UserActions returns the newest actions, undone ones included, at most limit.
	UserActions(ctx context.Context, limit int) ([]UserAction, error)
	// AddTerm stores t, with its ID and CreatedAt set.
	AddTerm(ctx context.Context, t BlockedTerm, audit AuditEntry) (BlockedTerm, error)
	// RemoveTerm ends term id now; an unknown id is NotFound.
	RemoveTerm(ctx context.Context, id int64, audit AuditEntry) (BlockedTerm, error)
	// ActiveTerms returns the terms not removed and not expired at now, oldest first.
	ActiveTerms(ctx context.Context, now time.Time) ([]BlockedTerm, error)
	// Audit appends e to the audit log (for changes stored elsewhere, like bans).
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog returns audit entries, newest first.
	AuditLog(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
}
