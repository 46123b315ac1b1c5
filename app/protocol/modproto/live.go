package modproto

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// Frame types of the moderators' live tools (issue 15).
const (
	TypeLive       = "live"        // server: room modes, blocked terms and user actions, after a change
	TypeModes      = "modes"       // client: change a room's modes
	TypeUserAction = "user_action" // client: time out, hide or purge a user
	TypeUndo       = "undo"        // client: undo a user action (id)
	TypeTermAdd    = "term_add"    // client: block a term
	TypeTermRemove = "term_remove" // client: unblock a term (id)
	TypeTermBan    = "term_ban"    // client: ban everyone who used a term lately (id, term_ban)
)

// ModeNames are the keys of a ModesRequest, one per room mode.
var ModeNames = []string{"slow_seconds", "unique_window", "signed_in_only", "delay_seconds", "emergency"}

// ModesRequest changes some of a room's modes (PUT
// /api/admin/rooms/:id/modes, and the modes frame); a mode left out keeps
// its value. 0 or false turns a mode off.
type ModesRequest struct {
	Room         string `json:"room"`
	SlowSeconds  *int   `json:"slow_seconds,omitempty"`
	UniqueWindow *int   `json:"unique_window,omitempty"`
	SignedInOnly *bool  `json:"signed_in_only,omitempty"`
	DelaySeconds *int   `json:"delay_seconds,omitempty"`
	Emergency    *bool  `json:"emergency,omitempty"`
}

// UnmarshalJSON refuses unknown modes by name, so a typo is an error and
// not a silent no-op.
func (r *ModesRequest) UnmarshalJSON(data []byte) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return err
	}
	for k := range keys {
		if k != "room" && !slices.Contains(ModeNames, k) {
			return errs.New(errs.Invalid, "unknown mode %q (modes: %s)", k, strings.Join(ModeNames, ", "))
		}
	}
	type plain ModesRequest
	dec := json.NewDecoder(bytes.NewReader(data))
	var p plain
	if err := dec.Decode(&p); err != nil {
		return err
	}
	*r = ModesRequest(p)
	return nil
}

// UserActionRequest is the body of POST /api/admin/actions and of the
// user_action frame.
type UserActionRequest struct {
	Kind   store.UserActionKind `json:"kind"` // timeout, hide or purge
	UserID string               `json:"user_id"`
	Room   string               `json:"room"` // empty: every room (not for purge)
	// Duration of a timeout, "10s" to "24h".
	Duration string `json:"duration,omitempty"`
	Reason   string `json:"reason,omitempty"` // shown to the user
}

// TermRequest is the body of POST /api/admin/terms and of the term_add frame.
type TermRequest struct {
	Term string `json:"term"` // a word, with '*' at the start or the end as a wildcard
	// Terms adds several at once (at most MaxTermsAtOnce), with the same
	// room, action and expiry.
	Terms  []string         `json:"terms,omitempty"`
	Room   string           `json:"room"`   // empty: every room
	Action store.TermAction `json:"action"` // mask (default), reject or hold
	// ExpiresIn like "30m" or "7d"; empty: until removed.
	ExpiresIn string `json:"expires_in,omitempty"`
}

// MaxTermsAtOnce bounds the terms one request adds.
const MaxTermsAtOnce = 100

// TermBanRequest bans everyone who used a blocked term lately (POST
// /api/admin/terms/:id/ban, and the term_ban frame).
type TermBanRequest struct {
	Minutes  int    `json:"minutes"`  // how far back to look, 1 to 1440
	Duration string `json:"duration"` // of the bans; empty: permanent
	Reason   string `json:"reason"`   // shown to them; default names the term
}

// TermBanResult answers a TermBanRequest.
type TermBanResult struct {
	Bans []store.Ban `json:"bans"` // one per user banned
}

// Live carries the live tools' state: the rooms with modes on, the blocked
// terms in force and the newest user actions.
type Live struct {
	Type    string              `json:"type"`
	Modes   []store.RoomModes   `json:"modes"`
	Terms   []store.BlockedTerm `json:"terms"`
	Actions []store.UserAction  `json:"actions"`
}
