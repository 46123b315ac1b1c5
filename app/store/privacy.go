package store

import (
	"context"
	"time"
)

// UserRecord is the row a user gets when they first comment: the name
// they last used and when they were first and last seen acting.
type UserRecord struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// Like is one like a user gave: of a comment (CommentID set) or of a
// room's video.
type Like struct {
	Room      string    `json:"room,omitempty"`
	CommentID int64     `json:"comment_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// UserData is everything stored about one user, for a data request.
type UserData struct {
	User     *UserRecord  `json:"user"` // nil: they never commented
	Comments []ModComment `json:"comments"`
	Likes    []Like       `json:"likes"`
	Sessions []Session    `json:"sessions"`
	Bans     []Ban        `json:"bans"` // bans of their user id, lifted ones included
}

// Erasure counts what EraseUser removed.
type Erasure struct {
	Comments int  `json:"comments"` // emptied and marked deleted
	Likes    int  `json:"likes"`    // removed, their counts taken back
	Sessions int  `json:"sessions"` // ended
	User     bool `json:"user_row"` // the user row was deleted
}

// AddressErasure counts what EraseAddresses removed.
type AddressErasure struct {
	Comments int `json:"comments"` // comments whose client address was erased
	Bans     int `json:"bans"`     // ended bans whose address was erased
}

// Privacy answers people's data requests and keeps addresses only as long
// as allowed.
type Privacy interface {
	// UserData returns everything stored about user.
	UserData(ctx context.Context, user string) (UserData, error)
	// EraseUser erases user's data: their comments keep their ids and
	// seqs (so no room's numbering changes) but lose text, name, user id
	// and address, and are deleted (visible ones are retracted from
	// viewers through the commit's Events); their likes are removed and
	// the counts taken back; their sessions end, and sessionless tokens
	// issued before cutoff are refused; their user row goes. Bans of their
	// user id stay, so that a banned person cannot come back by asking.
	EraseUser(ctx context.Context, user string, cutoff time.Time) (Erasure, error)
	// EraseAddresses erases the client addresses of comments created
	// before before, and those of bans that ended before it (a ban by
	// address alone is deleted then). Bans in force keep theirs.
	EraseAddresses(ctx context.Context, before time.Time) (AddressErasure, error)
}
