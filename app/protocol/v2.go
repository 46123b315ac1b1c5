package protocol

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/errs"
)

// Version is a viewer socket's wire version, chosen at the handshake with
// ?v= (docs/protocol.md#wire-versions). Only the comments frame differs.
type Version uint8

// The wire versions.
const (
	V1 Version = 1 // every field of every item by name: existing clients
	V2 Version = 2 // compact comments frames: rows of positioned fields
)

// Versions is how many versions there are, for tables indexed by Version-1.
const Versions = 2

// ParseVersion reads a handshake's v parameter: "" and "1" are V1, "2" V2.
func ParseVersion(s string) (Version, error) {
	switch s {
	case "", "1":
		return V1, nil
	case "2":
		return V2, nil
	}
	return 0, errs.New(errs.BadRequest, "v must be 1 or 2")
}

// EncodeCommentsAs encodes a comments frame in wire version v.
func EncodeCommentsAs(v Version, room string, items []Comment) []byte {
	if v == V2 {
		return EncodeCommentsV2(room, items)
	}
	return EncodeComments(room, items)
}

// Codes of the v2 row's mode and size fields; 0 is the default.
var (
	modeCodes = [...]string{ModeScroll, ModeTop, ModeBottom}
	sizeCodes = [...]string{SizeMedium, SizeSmall, SizeLarge}
)

// DefaultGuestName is the name a guest with user id id gets (guest-4f2a
// for g-4f2a…), which a v2 row leaves out; "" when id is not a guest's.
func DefaultGuestName(id string) string {
	if len(id) < 6 || !strings.HasPrefix(id, "g-") {
		return ""
	}
	return "guest-" + id[2:6]
}

// EncodeCommentsV2 encodes a comments frame in wire version 2: the room
// once, then one row per comment,
//
//	[Δid, Δseq, time_ms, Δcreated_ms, text, user_id, weight, name, likes, mode, color, size]
//
// where each Δ is the difference from the row before (from 0 for the
// first), Δseq is null for a comment without a seq, and the fields from
// weight on are left off the end while they hold their defaults (0 stands
// for a default before one that is not): weight 0, the user's default
// guest name, 0 likes, mode 0 scroll 1 top 2 bottom, colour "rrggbb"
// (white), size 0 medium 1 small 2 large.
func EncodeCommentsV2(room string, items []Comment) []byte {
	b := make([]byte, 0, 40+len(room)+len(items)*96)
	b = append(b, `{"type":"comments","room":`...)
	b = appendString(b, room)
	b = append(b, `,"rows":[`...)
	var id, seq, created int64
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		c := &items[i]
		b = appendRow(b, c, id, seq, created)
		id, created = c.ID, int64(c.CreatedAt)
		if c.Seq != 0 {
			seq = c.Seq
		}
	}
	return append(b, "]}"...)
}

// appendRow appends c's row, its deltas taken from the previous row's values.
func appendRow(b []byte, c *Comment, id, seq, created int64) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, c.ID-id, 10)
	b = append(b, ',')
	if c.Seq == 0 {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, c.Seq-seq, 10)
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(c.Time), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(c.CreatedAt)-created, 10)
	b = append(b, ',')
	b = appendString(b, c.Text)
	b = append(b, ',')
	b = appendString(b, c.User.ID)
	mode, color, size := codeOf(modeCodes[:], c.Mode), c.Color != DefaultColor && c.Color != "", codeOf(sizeCodes[:], c.Size)
	name := c.User.Name != DefaultGuestName(c.User.ID)
	// The last optional field that is not its default: the row ends there.
	last := 0
	for i, set := range [...]bool{c.Weight != 0, name, c.Likes != 0, mode != 0, color, size != 0} {
		if set {
			last = i + 1
		}
	}
	for i := 1; i <= last; i++ {
		b = append(b, ',')
		switch i {
		case 1:
			b = strconv.AppendInt(b, int64(c.Weight), 10)
		case 2:
			b = appendOr(b, name, c.User.Name)
		case 3:
			b = strconv.AppendInt(b, c.Likes, 10)
		case 4:
			b = appendCode(b, mode, c.Mode)
		case 5:
			b = appendOr(b, color, strings.TrimPrefix(c.Color, "#"))
		case 6:
			b = appendCode(b, size, c.Size)
		}
	}
	return append(b, ']')
}

// codeOf is v's index in codes, or -1 when it is none of them.
func codeOf(codes []string, v string) int {
	if v == "" {
		return 0
	}
	for i, c := range codes {
		if c == v {
			return i
		}
	}
	return -1
}

// appendCode appends a mode or size code, or the value itself when it has
// none (a value the validation never lets through, kept rather than lost).
func appendCode(b []byte, code int, v string) []byte {
	if code < 0 {
		return appendString(b, v)
	}
	return strconv.AppendInt(b, int64(code), 10)
}

// appendOr appends s as a string when set, else the default's placeholder 0.
func appendOr(b []byte, set bool, s string) []byte {
	if !set {
		return append(b, '0')
	}
	return appendString(b, s)
}

// appendString appends s as a JSON string: as it is when nothing in it
// needs escaping (comment text almost never does), else as encoding/json
// writes it.
func appendString(b []byte, s string) []byte {
	if !plain(s) {
		q, _ := json.Marshal(s) // a string always encodes
		return append(b, q...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plain reports whether s is valid UTF-8 without a quote, a backslash or
// a control character: a JSON string as it is.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.ValidString(s)
}
