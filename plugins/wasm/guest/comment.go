package guest

import "maps"

// Comment is the comment the host asks about, as the previous plugin in the
// chain left it.
type Comment struct {
	Room     string   // room (video) id
	User     User     // the author
	Text     string   // the text
	Time     float64  // seconds into the video
	Mode     string   // scroll, top or bottom
	Color    string   // "#rrggbb"
	Size     string   // small, medium or large
	Metadata Metadata // host and plugin annotations, e.g. "via"
}

// User is a comment's author.
type User struct {
	ID    string   // empty for anonymous users
	Name  string   // display name
	Roles []string // e.g. "moderator"
}

// Action is what a plugin decided.
type Action int32

// The actions, with the ABI's codes.
const (
	ActionAllow   Action = 0
	ActionRewrite Action = 1
	ActionReject  Action = 2
	ActionHold    Action = 3
	ActionShadow  Action = 4
)

// Verdict is a plugin's answer about one comment.
type Verdict struct {
	Action  Action
	Reason  string  // shown to the sender on reject and hold
	Comment Comment // the changed comment, for ActionRewrite
}

// Allow lets the comment pass unchanged.
func Allow() Verdict { return Verdict{Action: ActionAllow} }

// Reject drops the comment and tells the sender reason.
func Reject(reason string) Verdict { return Verdict{Action: ActionReject, Reason: reason} }

// Hold keeps the comment for a moderator; the sender is told reason.
func Hold(reason string) Verdict { return Verdict{Action: ActionHold, Reason: reason} }

// Shadow shows the comment to its sender only; reason goes to the log.
func Shadow(reason string) Verdict { return Verdict{Action: ActionShadow, Reason: reason} }

// Rewrite passes c on instead of the comment received. Text, time, mode,
// colour, size and metadata may change; the host refuses other changes.
func Rewrite(c Comment, reason string) Verdict {
	return Verdict{Action: ActionRewrite, Comment: c, Reason: reason}
}

// Clone returns a deep copy of c, so a plugin can change Roles or Metadata.
func (c Comment) Clone() Comment {
	c.User.Roles = append([]string(nil), c.User.Roles...)
	c.Metadata.set = maps.Clone(c.Metadata.set)
	return c
}
