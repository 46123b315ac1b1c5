package protocol

// TypeModes is the frame that tells a room's viewers its live modes: after
// the welcome when any is on, and to every viewer when moderators change them.
const TypeModes = "modes"

// Modes are a room's live modes as viewers see them (docs/protocol.md,
// "Room modes"); 0 and false are off.
type Modes struct {
	Type         string `json:"type"`
	Room         string `json:"room"`
	SlowSeconds  int    `json:"slow_seconds"`
	UniqueWindow int    `json:"unique_window"`
	SignedInOnly bool   `json:"signed_in_only"`
	DelaySeconds int    `json:"delay_seconds"`
	Emergency    bool   `json:"emergency"`
}
