package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/errs"
)

// Frame types a client may send.
const (
	TypeJoin    = "join"
	TypeLeave   = "leave"
	TypeComment = "comment"
	TypeLike    = "like"
	TypeAuth    = "auth"
	TypePing    = "ping"
)

// Inbound is any frame a client sends. Type decides which fields matter.
type Inbound struct {
	Type string `json:"type"`
	Ref  string `json:"ref,omitempty"`
	Room string `json:"room,omitempty"`

	// join
	Since *int64 `json:"since,omitempty"`

	// comment
	CommentInput

	// like; nil means the room's video
	CommentID *int64 `json:"comment_id,omitempty"`

	// auth
	Token string `json:"token,omitempty"`
}

// CommentInput is what a client submits for a new comment, over WebSocket or REST.
type CommentInput struct {
	Text  string   `json:"text"`
	Time  *float64 `json:"time,omitempty"`
	Mode  string   `json:"mode,omitempty"`
	Color string   `json:"color,omitempty"`
	Size  string   `json:"size,omitempty"`
	// IdempotencyKey, when set, makes a resend safe: the same key from the
	// same user within the server's window answers with the comment stored
	// the first time instead of storing it again (docs/protocol.md).
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// MaxRefLen bounds the client-chosen ref echoed back in acks.
const MaxRefLen = 64

// DecodeInbound parses one client frame. It checks only the shape: that the
// frame is UTF-8 JSON with a known type and a sane ref. Field validation is
// left to the handlers, which know the limits.
func DecodeInbound(data []byte) (Inbound, error) {
	var in Inbound
	// encoding/json would silently replace invalid UTF-8 with U+FFFD; refuse it instead.
	if !utf8.Valid(data) {
		return in, errs.New(errs.BadRequest, "frame is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil {
		return in, errs.New(errs.BadRequest, "frame is not a JSON object: %s", jsonProblem(err))
	}
	if dec.More() {
		return in, errs.New(errs.BadRequest, "frame has data after the JSON object")
	}
	if err := CheckSurrogates(data); err != nil {
		return in, err
	}
	if len(in.Ref) > MaxRefLen {
		return in, errs.New(errs.BadRequest, "ref is longer than %d bytes", MaxRefLen)
	}
	switch in.Type {
	case TypeJoin, TypeLeave, TypeComment, TypeLike, TypeAuth, TypePing:
		return in, nil
	case "":
		return in, errs.New(errs.BadRequest, "frame has no type")
	default:
		return in, errs.New(errs.BadRequest, "unknown frame type %q", truncate(in.Type, 32))
	}
}

// jsonProblem describes a JSON error without echoing the client's input back.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "syntax error at byte " + strconv.FormatInt(syn.Offset, 10)
	case errors.As(err, &typ):
		return "field " + truncate(typ.Field, 32) + " must be " + typ.Type.String()
	default:
		return "malformed JSON"
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// CheckSurrogates refuses JSON whose strings escape a lone UTF-16 surrogate
// (like "\ud800"), which encoding/json would silently turn into U+FFFD:
// like raw invalid UTF-8, it is an error the client should hear about.
// data must be valid JSON, where backslashes occur only inside strings.
func CheckSurrogates(data []byte) error {
	pendingHigh := false // the previous escape was a high surrogate
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' || i+1 >= len(data) {
			if pendingHigh {
				return errUnpairedSurrogate()
			}
			continue
		}
		i++
		if data[i] != 'u' || i+4 >= len(data) {
			if pendingHigh {
				return errUnpairedSurrogate()
			}
			continue
		}
		v, err := strconv.ParseUint(string(data[i+1:i+5]), 16, 16)
		if err != nil {
			return errs.New(errs.BadRequest, "malformed \\u escape")
		}
		i += 4
		switch {
		case v >= 0xD800 && v <= 0xDBFF:
			if pendingHigh {
				return errUnpairedSurrogate()
			}
			pendingHigh = true
		case v >= 0xDC00 && v <= 0xDFFF:
			if !pendingHigh {
				return errUnpairedSurrogate()
			}
			pendingHigh = false
		default:
			if pendingHigh {
				return errUnpairedSurrogate()
			}
		}
	}
	if pendingHigh {
		return errUnpairedSurrogate()
	}
	return nil
}

func errUnpairedSurrogate() error {
	return errs.New(errs.BadRequest, "a string escapes an unpaired UTF-16 surrogate (invalid Unicode)")
}
