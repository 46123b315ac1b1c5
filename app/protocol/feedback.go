package protocol

import "strconv"

// Frame types of viewers' feedback on comments (docs/protocol.md).
const (
	TypeUnlike  = "unlike"  // client: take back a like of comment_id
	TypeReport  = "report"  // client: report comment_id, with a reason
	TypeRecall  = "recall"  // client: recall one's own comment_id (2 minutes)
	TypeWeights = "weights" // server: comments' new quality weights
	TypeBanned  = "banned"  // server: this socket's user is banned; it closes with CloseBanned
)

// CloseBanned is the WebSocket close code of a socket whose user or
// address is banned from the room (reason "banned"). Clients do not
// reconnect before the ban's end; the banned frame before it says why.
const CloseBanned = 4003

// ReasonBanned is the close reason that goes with CloseBanned.
const ReasonBanned = "banned"

// Weights carries new quality weights of comments of one room, by comment id.
type Weights struct {
	Type    string         `json:"type"`
	Room    string         `json:"room"`
	Weights map[string]int `json:"weights"`
}

// EncodeWeights encodes a weights frame from comment id → weight.
func EncodeWeights(room string, weights map[int64]int) []byte {
	f := Weights{Type: TypeWeights, Room: room, Weights: make(map[string]int, len(weights))}
	for id, w := range weights {
		f.Weights[strconv.FormatInt(id, 10)] = w
	}
	return Encode(f)
}

// Banned tells a viewer that they may not be in Room (every room when
// empty) until Until (for good when nil), and why; the server closes the
// socket with CloseBanned right after.
type Banned struct {
	Type    string     `json:"type"`
	Room    string     `json:"room,omitempty"`
	Reason  string     `json:"reason,omitempty"`
	Until   *Timestamp `json:"until,omitempty"`
	Message string     `json:"message"`
}
