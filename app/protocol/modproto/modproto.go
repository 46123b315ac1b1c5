// Package modproto defines the frames of the moderators' socket, GET
// /ws/admin, and the bodies the moderators' REST API shares with it. The
// viewers' frames are in package protocol; docs/protocol.md documents both.
package modproto

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// Frame types of the moderators' socket.
const (
	TypeSnapshot = "snapshot" // server: the held queue, recent comments, bans and counters
	TypeComments = "comments" // server: comments stored or changed since the last frame
	TypeBans     = "bans"     // server: the bans in force, after a change
	TypeStats    = "stats"    // server: the plugin counters, when they change
	TypeAck      = "ack"      // server: the answer to an action
	TypeAuth     = "auth"     // client: replace the socket's session token
	TypeRefresh  = "refresh"  // client: send a new snapshot
	TypeApprove  = "approve"  // client: approve held comments
	TypeReject   = "reject"   // client: reject held comments
	TypeDelete   = "delete"   // client: delete comments
	TypeBan      = "ban"      // client: ban a user or address
	TypeUnban    = "unban"    // client: lift a ban
	TypeReload   = "reload"   // client: reload the plugin config
)

// Snapshot is what a moderator's socket gets first, and on refresh.
type Snapshot struct {
	Type   string             `json:"type"`
	User   protocol.User      `json:"user"`
	Held   []store.ModComment `json:"held"`
	Recent []store.ModComment `json:"recent"`
	// Reported are the comments viewers reported, not reviewed yet, most
	// reported first, with their reasons.
	Reported []store.ModComment `json:"reported"`
	Bans     []store.Ban        `json:"bans"`
	Stats    plugins.Stats      `json:"stats"`
	// Live are the room modes, blocked terms and user actions.
	Live Live `json:"live"`
}

// Comments carries comments stored or changed since the last frame.
type Comments struct {
	Type    string             `json:"type"`
	Items   []store.ModComment `json:"items"`
	Dropped int                `json:"dropped,omitempty"` // comments left out of the feed; refresh to see them
}

// Bans carries the bans in force after a change.
type Bans struct {
	Type string      `json:"type"`
	Bans []store.Ban `json:"bans"`
}

// Stats carries the plugin counters.
type Stats struct {
	Type  string        `json:"type"`
	Stats plugins.Stats `json:"stats"`
}

// Ack answers an action frame, echoing its ref.
type Ack struct {
	Type   string              `json:"type"`
	Ref    string              `json:"ref,omitempty"`
	OK     bool                `json:"ok"`
	Result any                 `json:"result,omitempty"`
	Error  *protocol.ErrorBody `json:"error,omitempty"`
}

// BanRequest is the body of POST /api/admin/bans and of the ban frame.
type BanRequest struct {
	UserID string `json:"user_id"` // ban this user id
	IP     string `json:"ip"`      // and/or this address or CIDR range
	Room   string `json:"room"`    // in this room; empty: everywhere
	Reason string `json:"reason"`  // shown to the banned user
	// Duration like "24h", "30m" or "7d"; empty: permanent.
	Duration string `json:"duration"`
	// DeleteRecent like "1h": also delete their comments from that long
	// back (in the ban's room, or everywhere); empty: delete none.
	DeleteRecent string `json:"delete_recent"`
}

// BanResult answers a ban.
type BanResult struct {
	Ban     store.Ban `json:"ban"`
	Deleted []int64   `json:"deleted"` // ids of the comments deleted with it
}

// DecisionResult answers approve, reject and delete.
type DecisionResult struct {
	Comments []store.ModComment `json:"comments"` // the comments that changed, as they are now
}

// Inbound is any frame a moderator's socket sends.
type Inbound struct {
	Type  string      `json:"type"`
	Ref   string      `json:"ref,omitempty"`
	IDs   []int64     `json:"ids,omitempty"`   // approve, reject, delete
	ID    int64       `json:"id,omitempty"`    // unban
	Ban   *BanRequest `json:"ban,omitempty"`   // ban
	Token string      `json:"token,omitempty"` // auth

	Modes   *ModesRequest      `json:"modes,omitempty"`    // modes
	Action  *UserActionRequest `json:"action,omitempty"`   // user_action
	Term    *TermRequest       `json:"term,omitempty"`     // term_add
	TermBan *TermBanRequest    `json:"term_ban,omitempty"` // term_ban
}

// Decode parses a moderator's frame, checking its shape only.
func Decode(data []byte) (Inbound, error) {
	var in Inbound
	if !utf8.Valid(data) {
		return in, errs.New(errs.BadRequest, "frame is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil || dec.More() {
		if e, ok := err.(*errs.Error); ok { // an unknown mode, say
			return in, e
		}
		return in, errs.New(errs.BadRequest, "frame must be one JSON object")
	}
	if len(in.Ref) > protocol.MaxRefLen {
		return Inbound{}, errs.New(errs.BadRequest, "ref is longer than %d bytes", protocol.MaxRefLen)
	}
	return in, nil
}

// EncodeAck returns the ack frame for an action: its result, or its error.
func EncodeAck(ref string, result any, err error) []byte {
	if err != nil {
		return protocol.Encode(Ack{Type: TypeAck, Ref: ref, Error: protocol.BodyOf(err)})
	}
	return protocol.Encode(Ack{Type: TypeAck, Ref: ref, OK: true, Result: result})
}
