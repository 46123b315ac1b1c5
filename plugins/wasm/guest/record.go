package guest

import (
	"errors"
	"math"
	"strings"
)

// errRecord is a comment_read record the kit cannot parse: a host bug.
var errRecord = errors.New("guest: malformed comment record from the host")

// parseRecord decodes a comment_read record (see package abi). The
// strings share rec's memory, so reading a comment costs one allocation.
func parseRecord(rec string) (Comment, error) {
	var c Comment
	if len(rec) < 8 {
		return c, errRecord
	}
	lo, hi := uint64(u32(rec)), uint64(u32(rec[4:]))
	c.Time = math.Float64frombits(lo | hi<<32)
	rec = rec[8:]
	next := func() (string, bool) {
		if len(rec) < 4 {
			return "", false
		}
		n := int(u32(rec))
		if n > len(rec)-4 {
			return "", false
		}
		v := rec[4 : 4+n]
		rec = rec[4+n:]
		return v, true
	}
	var roles string
	for _, dst := range []*string{&c.Room, &c.User.ID, &c.User.Name, &roles, &c.Text, &c.Mode, &c.Color, &c.Size} {
		v, ok := next()
		if !ok {
			return c, errRecord
		}
		*dst = v
	}
	if roles != "" {
		c.User.Roles = strings.Split(roles, "\n")
	}
	if len(rec) < 4 {
		return c, errRecord
	}
	c.Metadata.raw = rec[4:] // the entries after their count
	return c, nil
}
