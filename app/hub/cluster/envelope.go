package cluster

import (
	"encoding/json"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/protocol"
)

// envelope is one room message on the wire: what hub.Message carries plus
// where it sits in the room's seq stream.
type envelope struct {
	Node string `json:"n"`
	Room string `json:"r"`
	// First and Last are the seq range of a comments batch or a skip.
	First int64 `json:"f,omitempty"`
	Last  int64 `json:"l,omitempty"`
	// After is, for anything but comments and skips, the room's last seq
	// when it was published: it is delivered only once every comment up
	// to After has been, so a retraction never overtakes its comment.
	After    int64              `json:"a,omitempty"`
	Skip     bool               `json:"s,omitempty"`
	Comments []protocol.Comment `json:"c,omitempty"`
	Likes    *wireLikes         `json:"k,omitempty"`
	Data     []byte             `json:"d,omitempty"`
	User     string             `json:"u,omitempty"`
}

// wireLikes is hub.Likes with JSON-friendly keys.
type wireLikes struct {
	Room     *int64          `json:"r,omitempty"`
	Comments map[int64]int64 `json:"c,omitempty"`
}

// ordered reports whether e takes a place in the seq stream (comments
// or a skip) rather than waiting for a point in it. Comments for one user
// (a shadowed comment, with the seq it would have taken) are not in it.
func (e *envelope) ordered() bool { return (len(e.Comments) > 0 && e.User == "") || e.Skip }

// envelopeOf wraps msg for the wire.
func envelopeOf(node string, msg hub.Message) *envelope {
	e := &envelope{Node: node, Room: msg.Room, Comments: msg.Comments, Data: msg.Data, User: msg.User}
	if n := len(msg.Comments); n > 0 && msg.User == "" {
		e.First, e.Last = msg.Comments[0].Seq, msg.Comments[n-1].Seq
	}
	if msg.Skip != nil {
		e.Skip, e.First, e.Last = true, msg.Skip.First, msg.Skip.Last
	}
	if msg.Likes != nil {
		e.Likes = &wireLikes{Room: msg.Likes.Room, Comments: msg.Likes.Comments}
	}
	return e
}

// message is what e delivers to this node's room.
func (e *envelope) message() hub.Message {
	m := hub.Message{Room: e.Room, Comments: e.Comments, Data: e.Data, User: e.User}
	if e.Likes != nil {
		m.Likes = &hub.Likes{Room: e.Likes.Room, Comments: e.Likes.Comments}
	}
	return m
}

func (e *envelope) encode() []byte {
	b, _ := json.Marshal(e) // plain values: cannot fail
	return b
}

func decodeEnvelope(b []byte) (*envelope, error) {
	e := &envelope{}
	return e, json.Unmarshal(b, e)
}
