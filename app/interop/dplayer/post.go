package dplayer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// Post is the body DPlayer sends to POST v3/.
type Post struct {
	ID string `json:"id"`
	// Player is what DPlayer 1.x (API v2) called the id.
	Player string `json:"player"`
	// Author is who the page says the viewer is. It is not proof of
	// anything: the server decides who posted from the session or token.
	Author string   `json:"author"`
	Time   *float64 `json:"time"`
	Text   string   `json:"text"`
	Color  Color    `json:"color"`
	Type   Type     `json:"type"`
	// Token is the page's api.token, passed through unchanged.
	Token string `json:"token"`
}

// DecodePost parses a POST body. Errors are BadRequest and name the field;
// fields DPlayer does not send are ignored.
func DecodePost(body []byte) (Post, error) {
	var p Post
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		var typ *json.UnmarshalTypeError
		var field *fieldError
		switch {
		case errors.As(err, &field):
			return Post{}, errs.New(errs.BadRequest, "%s", field.msg)
		case errors.As(err, &typ) && typ.Field != "":
			return Post{}, errs.New(errs.BadRequest, "%s must be %s", typ.Field, jsonKind(typ.Type.Kind().String()))
		}
		return Post{}, errs.New(errs.BadRequest, "the body must be a JSON object")
	}
	if dec.More() {
		return Post{}, errs.New(errs.BadRequest, "the body has data after the JSON object")
	}
	if p.Room() == "" {
		return Post{}, errs.New(errs.BadRequest, "id is missing")
	}
	return p, nil
}

func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "float64", "ptr":
		return "a number"
	}
	return kind
}

// Room returns the room the comment is for.
func (p Post) Room() string {
	if p.ID != "" {
		return p.ID
	}
	return p.Player
}

// Input is the comment the post submits; it goes through the same
// validation as every other comment. DPlayer has no sizes: medium.
func (p Post) Input() protocol.CommentInput {
	return protocol.CommentInput{Text: p.Text, Time: p.Time, Mode: p.Type.Mode, Color: p.Color.Hex}
}

// fieldError carries a message naming the field out of UnmarshalJSON.
type fieldError struct{ msg string }

func (e *fieldError) Error() string { return e.msg }

// Color is DPlayer's colour. Current DPlayer sends a number (its
// color2Number of the picker's value); older versions sent the picker's
// value itself, "#fff" or "#e54256". Both are accepted, and a string
// without the '#' too, as color2Number does.
type Color struct {
	Hex string // "#rrggbb", or "" when the body had none
}

// UnmarshalJSON accepts a number from 0 to 16777215 or a "#rgb" or
// "#rrggbb" string.
func (c *Color) UnmarshalJSON(b []byte) error {
	bad := &fieldError{"color must be a number from 0 to 16777215 or a string like #rrggbb"}
	switch {
	case string(b) == "null":
		c.Hex = ""
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return bad
		}
		s = strings.TrimPrefix(s, "#")
		if len(s) == 3 {
			s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
		}
		n, ok := parseHex("#" + s)
		if !ok {
			return bad
		}
		c.Hex = hex(n)
	default:
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil || f != math.Trunc(f) || f < 0 || f > White {
			return bad
		}
		c.Hex = hex(int64(f))
	}
	return nil
}

// Type is DPlayer's comment type as a mode. Current DPlayer sends 0, 1 or
// 2; older versions sent the strings "right", "top" and "bottom".
type Type struct {
	Mode string // a protocol mode, or "" when the body had none
}

// UnmarshalJSON accepts 0, 1, 2, their strings, or "right", "top", "bottom".
func (t *Type) UnmarshalJSON(b []byte) error {
	var s string
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return &fieldError{"type is not a valid string"}
		}
	} else {
		s = string(b)
	}
	switch s {
	case "null", "":
		t.Mode = ""
	case "0", "right", "scroll":
		t.Mode = protocol.ModeScroll
	case "1", "top":
		t.Mode = protocol.ModeTop
	case "2", "bottom":
		t.Mode = protocol.ModeBottom
	default:
		return &fieldError{fmt.Sprintf("type must be 0 (scroll), 1 (top) or 2 (bottom), got %.20q", s)}
	}
	return nil
}

func parseHex(s string) (int64, bool) {
	if len(s) != 7 || s[0] != '#' {
		return 0, false
	}
	n, err := strconv.ParseUint(s[1:], 16, 32)
	return int64(n), err == nil
}

func hex(n int64) string { return fmt.Sprintf("#%06x", n) }
