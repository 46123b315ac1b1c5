package guest

import (
	"errors"
	"math"
	"strings"
)

// errRecord is a comment_read record the kit cannot parse: a host bug.
var errRecord = errors.New("guest: malformed comment record from the host")

// recordReader takes length-prefixed strings off the front of a record.
type recordReader struct {
	rest string
	bad  bool
}

// str returns the next string, sharing the record's memory.
func (r *recordReader) str() string {
	if len(r.rest) < 4 {
		r.bad = true
		return ""
	}
	n := int(u32(r.rest))
	if n > len(r.rest)-4 {
		r.bad = true
		return ""
	}
	v := r.rest[4 : 4+n]
	r.rest = r.rest[4+n:]
	return v
}

// parseRecord decodes a comment_read record (see package abi). The
// strings share rec's memory, so reading a comment allocates nothing but
// the roles list; in a module every allocation and every loop costs, as
// the host checks its deadline on each.
func parseRecord(rec string) (Comment, error) {
	var c Comment
	if len(rec) < 8 {
		return c, errRecord
	}
	c.Time = math.Float64frombits(uint64(u32(rec)) | uint64(u32(rec[4:]))<<32)
	r := recordReader{rest: rec[8:]}
	c.Room, c.User.ID, c.User.Name = r.str(), r.str(), r.str()
	roles := r.str()
	c.Text, c.Mode, c.Color, c.Size = r.str(), r.str(), r.str(), r.str()
	if r.bad || len(r.rest) < 4 {
		return c, errRecord
	}
	if roles != "" {
		c.User.Roles = strings.Split(roles, "\n")
	}
	c.Metadata.raw = r.rest[4:] // the entries after their count
	return c, nil
}
