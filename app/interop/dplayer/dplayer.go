// Package dplayer maps comments to and from DPlayer's danmaku API (v3):
// DPlayer's `danmaku: {id, api}` option makes the player GET `api+"v3/?id=…"`
// and POST to `api+"v3/"`. This package holds the shapes and conversions;
// the HTTP handlers live with the server.
package dplayer

import (
	"encoding/json"
	"html"
	"slices"

	"github.com/danmaku/danmaku/app/protocol"
)

// DPlayer's type numbers.
const (
	TypeScroll = 0 // "right" in DPlayer's own code: enters from the right
	TypeTop    = 1
	TypeBottom = 2
)

// White is the colour given to a comment whose colour cannot be read,
// DPlayer's own default.
const White = 0xFFFFFF

// Response is the envelope of every v3 answer: code 0 with data, or a
// non-zero code with a message, which DPlayer shows to the viewer.
type Response struct {
	Code int    `json:"code"`
	Data any    `json:"data,omitempty"`
	Msg  string `json:"msg,omitempty"`
}

// OK wraps data in a success response.
func OK(data any) Response { return Response{Data: data} }

// Fail is an error response; DPlayer shows msg only when the HTTP status
// is 2xx, so handlers answer 200 with it.
func Fail(msg string) Response { return Response{Code: 1, Msg: msg} }

// Item is one comment as DPlayer reads it. It encodes as the array
// [time, type, color, author, text].
type Item struct {
	Time   float64 // video position in seconds
	Type   int     // TypeScroll, TypeTop or TypeBottom
	Color  int64   // decimal RGB: #ffffff is 16777215
	Author string  // HTML-escaped
	Text   string  // HTML-escaped
}

// MarshalJSON encodes the item as DPlayer's five-element array.
func (it Item) MarshalJSON() ([]byte, error) {
	return json.Marshal([5]any{it.Time, it.Type, it.Color, it.Author, it.Text})
}

// UnmarshalJSON decodes DPlayer's five-element array.
func (it *Item) UnmarshalJSON(b []byte) error {
	fields := [5]any{&it.Time, &it.Type, &it.Color, &it.Author, &it.Text}
	return json.Unmarshal(b, &fields)
}

// ItemOf converts a stored comment. Author and text are HTML-escaped,
// because DPlayer inserts them with innerHTML; the author is the user's
// name, or their id when they have none.
func ItemOf(c protocol.Comment) Item {
	author := c.User.Name
	if author == "" {
		author = c.User.ID
	}
	return Item{
		Time:   c.Time.Float(),
		Type:   typeOf(c.Mode),
		Color:  colorOf(c.Color),
		Author: html.EscapeString(author),
		Text:   html.EscapeString(c.Text),
	}
}

// List converts a room's comments for GET: when max > 0 it keeps the newest
// max of them (by when they were posted), and it returns them sorted by
// video time. It never returns nil, so the data encodes as [].
func List(comments []protocol.Comment, max int) []Item {
	if max > 0 && len(comments) > max {
		comments = slices.Clone(comments)
		slices.SortFunc(comments, func(a, b protocol.Comment) int {
			if a.CreatedAt != b.CreatedAt {
				return compare(b.CreatedAt, a.CreatedAt)
			}
			return compare(b.ID, a.ID)
		})
		comments = comments[:max]
	}
	sorted := slices.Clone(comments)
	slices.SortStableFunc(sorted, func(a, b protocol.Comment) int {
		if a.Time != b.Time {
			return compare(a.Time, b.Time)
		}
		return compare(a.ID, b.ID)
	})
	items := make([]Item, 0, len(sorted))
	for _, c := range sorted {
		items = append(items, ItemOf(c))
	}
	return items
}

func compare[T ~int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func typeOf(mode string) int {
	switch mode {
	case protocol.ModeTop:
		return TypeTop
	case protocol.ModeBottom:
		return TypeBottom
	}
	return TypeScroll
}

// colorOf reads "#rrggbb"; anything else is White.
func colorOf(color string) int64 {
	if n, ok := parseHex(color); ok {
		return n
	}
	return White
}
