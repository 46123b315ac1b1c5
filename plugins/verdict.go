package plugins

import "fmt"

// Action is what a plugin (or the whole chain) decided for a comment.
type Action uint8

// The actions, in the order of their severity for the sender.
const (
	// ActionAllow lets the comment through unchanged.
	ActionAllow Action = iota
	// ActionRewrite lets the comment through with changed fields (e.g. masked words).
	ActionRewrite
	// ActionReject drops the comment; only the sender learns why.
	ActionReject
	// ActionHold stores the comment as held until a moderator decides.
	ActionHold
	// ActionShadow shows the comment to its sender only, who believes it was accepted.
	ActionShadow
)

var actionNames = [...]string{"allow", "rewrite", "reject", "hold", "shadow"}

// String returns the lower-case name used in logs, JSON and YAML.
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// MarshalText encodes the action as its name, so JSON shows "reject", not 2.
func (a Action) MarshalText() ([]byte, error) {
	if int(a) >= len(actionNames) {
		return nil, fmt.Errorf("plugins: unknown action %d", uint8(a))
	}
	return []byte(a.String()), nil
}

// Stops reports whether the action ends the chain (reject, hold, shadow).
func (a Action) Stops() bool { return a >= ActionReject && a <= ActionShadow }

// Accepted reports whether the comment is stored as visible and fanned out.
func (a Action) Accepted() bool { return a == ActionAllow || a == ActionRewrite }

// Verdict is one plugin's decision about one comment.
type Verdict struct {
	Action  Action
	Comment Comment // the changed comment; read only for ActionRewrite
	Reason  string  // shown to the sender for reject and hold; logged otherwise
}

// Allow lets the comment pass this plugin unchanged.
func Allow() Verdict { return Verdict{Action: ActionAllow} }

// Rewrite passes the changed comment c on to the next plugin.
func Rewrite(c Comment, reason string) Verdict {
	return Verdict{Action: ActionRewrite, Comment: c, Reason: reason}
}

// Reject drops the comment and tells the sender reason.
func Reject(reason string) Verdict { return Verdict{Action: ActionReject, Reason: reason} }

// Hold keeps the comment for a moderator; the sender is told reason.
func Hold(reason string) Verdict { return Verdict{Action: ActionHold, Reason: reason} }

// Shadow shows the comment to its sender only; reason is for logs, never the sender.
func Shadow(reason string) Verdict { return Verdict{Action: ActionShadow, Reason: reason} }
