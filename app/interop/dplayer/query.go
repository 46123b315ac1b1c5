package dplayer

import (
	"strconv"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// Query is a GET v3/?id=ROOM[&max=N].
type Query struct {
	Room string
	Max  int // how many comments to return, the newest; never 0
}

// ParseQuery reads the id and max parameters. A missing or zero max means
// limit, the most the server returns; a larger one is capped to it.
// Errors are Invalid and name the parameter.
func ParseQuery(id, max string, limit int) (Query, error) {
	if id == "" {
		return Query{}, errs.New(errs.Invalid, "id is missing")
	}
	if err := protocol.CheckRoomID(id); err != nil {
		return Query{}, errs.New(errs.Invalid, "id must match ^[A-Za-z0-9_-]{1,64}$")
	}
	q := Query{Room: id, Max: limit}
	if max != "" {
		n, err := strconv.Atoi(max)
		if err != nil || n < 0 {
			return Query{}, errs.New(errs.Invalid, "max must be a whole number from 0")
		}
		if n > 0 && n < limit {
			q.Max = n
		}
	}
	return q, nil
}
