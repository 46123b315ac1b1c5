package protocol

import (
	"encoding/json"
	"strconv"

	"github.com/danmaku/danmaku/app/errs"
)

// Frame types the server sends.
const (
	TypeWelcome  = "welcome"
	TypeAck      = "ack"
	TypeComments = "comments"
	TypeLikes    = "likes"
	TypePresence = "presence"
	TypeRetract  = "retract"
	TypeError    = "error"
	TypePong     = "pong"
	TypeGap      = "gap"
	TypeAuthed   = "authed"
)

// ErrorBody is the error object inside error frames, failed acks and REST error responses.
type ErrorBody struct {
	Code    errs.Code `json:"code"`
	Message string    `json:"message"`
}

// BodyOf converts err to the error object clients see.
func BodyOf(err error) *ErrorBody {
	e := errs.From(err)
	return &ErrorBody{Code: e.Code, Message: e.Message}
}

// Me is the socket's own identity as the server tells it to the client:
// the user its comments are signed with, plus its roles and whether it is a guest.
type Me struct {
	User
	Roles []string `json:"roles,omitempty"`
	Guest bool     `json:"guest,omitempty"`
}

// Welcome answers a join.
type Welcome struct {
	Type    string `json:"type"`
	Room    string `json:"room"`
	Viewers int    `json:"viewers"`
	LastSeq int64  `json:"last_seq"`
	User    Me     `json:"user"`
}

// Authed answers an auth frame: the socket now speaks for User until ExpiresAt.
type Authed struct {
	Type      string    `json:"type"`
	Ref       string    `json:"ref,omitempty"`
	User      Me        `json:"user"`
	ExpiresAt Timestamp `json:"expires_at"`
}

// Ack answers a comment or like frame that carried a ref.
type Ack struct {
	Type      string     `json:"type"`
	Ref       string     `json:"ref"`
	OK        bool       `json:"ok"`
	Comment   *Comment   `json:"comment,omitempty"`
	Room      string     `json:"room,omitempty"`
	CommentID *int64     `json:"comment_id,omitempty"`
	Likes     *int64     `json:"likes,omitempty"`
	Error     *ErrorBody `json:"error,omitempty"`
}

// Comments carries one or more comments of one room.
type Comments struct {
	Type  string    `json:"type"`
	Room  string    `json:"room"`
	Items []Comment `json:"items"`
}

// Likes carries new like counts of one room; absent fields did not change.
type Likes struct {
	Type      string           `json:"type"`
	Room      string           `json:"room"`
	RoomLikes *int64           `json:"room_likes,omitempty"`
	Comments  map[string]int64 `json:"comments,omitempty"`
}

// Presence carries a room's viewer count.
type Presence struct {
	Type    string `json:"type"`
	Room    string `json:"room"`
	Viewers int    `json:"viewers"`
}

// Retract tells viewers to drop comments a moderator removed.
type Retract struct {
	Type string  `json:"type"`
	Room string  `json:"room"`
	IDs  []int64 `json:"ids"`
}

// Gap tells a client that catch-up stopped early: the comments after
// AfterSeq that it missed must be fetched with GET
// /api/rooms/:id/comments?after_seq=AfterSeq.
type Gap struct {
	Type     string `json:"type"`
	Room     string `json:"room"`
	AfterSeq int64  `json:"after_seq"`
}

// ErrorFrame reports a bad frame; the connection stays open.
type ErrorFrame struct {
	Type string `json:"type"`
	Ref  string `json:"ref,omitempty"`
	ErrorBody
}

// Encode marshals a server frame. The frames above cannot fail to encode, so
// an error here is a programming mistake and panics.
func Encode(frame any) []byte {
	b, err := json.Marshal(frame)
	if err != nil {
		panic("protocol: encoding a server frame: " + err.Error())
	}
	return b
}

// EncodeComments encodes a comments frame.
func EncodeComments(room string, items []Comment) []byte {
	return Encode(Comments{Type: TypeComments, Room: room, Items: items})
}

// EncodePresence encodes a presence frame.
func EncodePresence(room string, viewers int) []byte {
	return Encode(Presence{Type: TypePresence, Room: room, Viewers: viewers})
}

// EncodeError encodes an error frame for err, echoing ref when the bad frame had one.
func EncodeError(ref string, err error) []byte {
	return Encode(ErrorFrame{Type: TypeError, Ref: ref, ErrorBody: *BodyOf(err)})
}

// EncodeLikes encodes a likes frame from comment id → count.
func EncodeLikes(room string, roomLikes *int64, comments map[int64]int64) []byte {
	f := Likes{Type: TypeLikes, Room: room, RoomLikes: roomLikes}
	if len(comments) > 0 {
		f.Comments = make(map[string]int64, len(comments))
		for id, n := range comments {
			f.Comments[strconv.FormatInt(id, 10)] = n
		}
	}
	return Encode(f)
}

// EncodeRetract encodes a retract frame: viewers drop these comments.
func EncodeRetract(room string, ids []int64) []byte {
	return Encode(Retract{Type: TypeRetract, Room: room, IDs: ids})
}

// Pong answers a ping, echoing its ref.
type Pong struct {
	Type string `json:"type"`
	Ref  string `json:"ref,omitempty"`
}

// EncodePong encodes the pong that answers a ping with ref.
func EncodePong(ref string) []byte { return Encode(Pong{Type: TypePong, Ref: ref}) }

// EncodeAckError encodes a failed ack: the request with ref did not succeed.
func EncodeAckError(ref string, err error) []byte {
	return Encode(Ack{Type: TypeAck, Ref: ref, OK: false, Error: BodyOf(err)})
}
