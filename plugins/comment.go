package plugins

import (
	"maps"
	"net/netip"
	"slices"
)

// Mode is where a comment is drawn on the video.
type Mode string

// The display modes a comment can have.
const (
	ModeScroll Mode = "scroll"
	ModeTop    Mode = "top"
	ModeBottom Mode = "bottom"
)

// Size is the font size class of a comment.
type Size string

// The font sizes a comment can have.
const (
	SizeSmall  Size = "small"
	SizeMedium Size = "medium"
	SizeLarge  Size = "large"
)

// Well-known roles; the host may use others, plugins compare strings.
const (
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

// User is the author of a comment or a user entering a room.
type User struct {
	ID    string   // stable id; empty for anonymous users
	Name  string   // display name
	Roles []string // e.g. "moderator", "admin"
}

// HasRole reports whether u has any of the given roles.
func (u User) HasRole(roles ...string) bool {
	for _, r := range roles {
		if slices.Contains(u.Roles, r) {
			return true
		}
	}
	return false
}

// Comment is one live comment on its way through the chain.
//
// Plugins receive it by value: changing Text or other scalar fields and
// returning [Rewrite] is safe, but Roles and Metadata are shared with the
// caller, so call [Comment.Clone] before changing them.
type Comment struct {
	ID       string            // host-assigned id, opaque to plugins; may be empty
	Room     string            // room (video) id
	User     User              // author
	IP       netip.Addr        // client address; may be invalid (zero) if unknown
	Text     string            // the comment text
	Time     float64           // seconds into the video
	Mode     Mode              // scroll, top or bottom
	Color    string            // "#rrggbb"
	Size     Size              // small, medium or large
	Metadata map[string]string // host or plugin annotations
}

// Clone returns a deep copy of c, so a plugin can change Roles or Metadata.
func (c Comment) Clone() Comment {
	c.User.Roles = slices.Clone(c.User.Roles)
	c.Metadata = maps.Clone(c.Metadata)
	return c
}

// sameIdentity reports whether b still names the comment a names; plugins
// may rewrite content but not who sent it, where, or its id.
func sameIdentity(a, b *Comment) bool {
	return a.ID == b.ID && a.Room == b.Room && a.User.ID == b.User.ID && a.IP == b.IP
}

// Join is a user asking to enter a room; [JoinChecker] plugins see it.
type Join struct {
	Room string
	User User
	IP   netip.Addr
}
