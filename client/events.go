package client

import (
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

// Comment is a stored comment as the server sends it.
type Comment = protocol.Comment

// Me is who the connection speaks for: a user or a guest, with its roles.
type Me = protocol.Me

// Event is something the server told the client, or a change of the
// connection: one of Welcome, Comments, Likes, Presence, Retract, Modes,
// Authed, ErrorEvent, Disconnected and Reconnected. Switch on its type.
type Event interface{ event() }

// Welcome answers every join, first ones and the ones after a reconnect
// (Resumed): the stream of the room follows it.
type Welcome struct {
	Room    string
	Viewers int
	LastSeq int64 // the room's newest seq at the moment of joining
	User    Me
	// Resumed says the join resumed after the last comment the client had
	// seen (since=): the comments missed meanwhile come next.
	Resumed bool
}

// Comments carries new comments of one room in seq order, each once: the
// client drops what it has already delivered, whatever the server resends
// after a reconnect.
type Comments struct {
	Room  string
	Items []Comment
}

// Likes carries new like counts of one room; a nil RoomLikes or a comment
// absent from Comments did not change. Counts are totals, not increments.
type Likes struct {
	Room      string
	RoomLikes *int64
	Comments  map[int64]int64 // comment id → likes
}

// Presence carries a room's viewer count when it changes.
type Presence struct {
	Room    string
	Viewers int
}

// Retract lists comments a moderator deleted: drop them if shown.
type Retract struct {
	Room string
	IDs  []int64
}

// Modes carries a room's live modes (slow mode, unique chat, signed-in
// only, chat delay, emergency mode): after its Welcome when any is on, and
// whenever moderators change them. 0 and false are off.
type Modes struct {
	Room  string
	Modes protocol.Modes
}

// Authed says the server accepted a token sent in an auth frame (the
// first one, or a refresh): the connection speaks for User until ExpiresAt.
type Authed struct {
	User      Me
	ExpiresAt time.Time
}

// ErrorEvent is an error not tied to a call: an error frame without a
// request, a room the client could not rejoin after a reconnect (Room set,
// and the room is dropped), a gap it could not fill, or a token refresh
// that failed.
type ErrorEvent struct {
	Room string
	Err  error
}

// Disconnected says the connection dropped (Err says why) and the client
// tries again after Retry; Attempt counts the tries since the last
// connection (1 for the first).
type Disconnected struct {
	Err     error
	Attempt int
	Retry   time.Duration
}

// Reconnected says the client is connected again; a Welcome per room
// follows, each resuming where the stream stopped.
type Reconnected struct {
	Attempts int // how many tries it took
}

func (Welcome) event()      {}
func (Comments) event()     {}
func (Likes) event()        {}
func (Presence) event()     {}
func (Retract) event()      {}
func (Modes) event()        {}
func (Authed) event()       {}
func (ErrorEvent) event()   {}
func (Disconnected) event() {}
func (Reconnected) event()  {}
