package bilixml

import (
	"bufio"
	"io"
	"strings"
)

// layout says where a p attribute keeps each field. Version 1.0 files
// (Bilibili's web player and everything copying it) start with the time in
// seconds; version 2.0 files (Bilibili's UWP client) start with the row id
// and give the time in milliseconds:
//
//	1.0: time,mode,size,color,unix_ts,pool,user_hash,id[,weight…]
//	2.0: id,?,time_ms,mode,size,color,unix_ts,?,user_hash[,…]
type layout struct {
	time, mode, size, color, sent, user, id int
	perSecond                               float64 // units of the time field in a second
	unit                                    string  // the time field's unit, for messages
	leading                                 string  // the fields up to color, for messages
}

var (
	layoutV1 = layout{time: 0, mode: 1, size: 2, color: 3, sent: 4, user: 6, id: 7, perSecond: 1, unit: "seconds", leading: "time,mode,size,color"}
	layoutV2 = layout{id: 0, time: 2, mode: 3, size: 4, color: 5, sent: 6, user: 8, perSecond: 1000, unit: "milliseconds", leading: "id,?,time_ms,mode,size,color"}
)

// minFields is how many fields a p attribute needs: up to the colour.
func (l layout) minFields() int { return max(l.time, l.mode, l.size, l.color) + 1 }

// field returns f[i], or "" when the attribute is shorter.
func field(f []string, i int) string {
	if i < len(f) {
		return f[i]
	}
	return ""
}

// readVersion looks at the XML declaration. encoding/xml refuses any
// version but 1.0, so a 2.0 declaration, which is Bilibili's own, is read
// as 1.0 (same length: lines and offsets do not move) and reported, since
// its p attributes use layoutV2. Other versions are left for encoding/xml
// to refuse.
func readVersion(r io.Reader) (io.Reader, layout) {
	br := bufio.NewReader(r)
	for _, q := range []string{`"`, `'`} {
		decl := `<?xml version=` + q + `2.0` + q
		if head, _ := br.Peek(len(decl)); string(head) == decl {
			_, _ = br.Discard(len(decl))
			return io.MultiReader(strings.NewReader(strings.Replace(decl, "2.0", "1.0", 1)), br), layoutV2
		}
	}
	return br, layoutV1
}
