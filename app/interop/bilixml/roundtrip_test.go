package bilixml_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/interop/bilixml"
	"github.com/danmaku/danmaku/app/interop/interoptest"
	"github.com/danmaku/danmaku/app/protocol"
)

func encodeAll(t *testing.T, h bilixml.Header, comments []protocol.Comment) string {
	t.Helper()
	var out strings.Builder
	enc := bilixml.NewEncoder(&out, h)
	for _, c := range comments {
		if err := enc.Encode(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// stored is what an import makes of an entry: a comment validated like any
// other, keeping the file's author, timestamp and (here) id.
func stored(t *testing.T, room string, e interop.Entry) protocol.Comment {
	t.Helper()
	d, err := protocol.DefaultLimits.Validate(e.Input)
	if err != nil {
		t.Fatalf("line %d: %v", e.Line, err)
	}
	id, err := strconv.ParseInt(e.SourceID, 10, 64)
	if err != nil {
		t.Fatalf("line %d: source id %q", e.Line, e.SourceID)
	}
	return protocol.Comment{ID: id, Room: room, Time: d.Time, Text: d.Text, Mode: d.Mode, Color: d.Color, Size: d.Size, User: e.User, CreatedAt: e.CreatedAt}
}

func TestRoundTrip(t *testing.T) {
	var comments []protocol.Comment
	modes := []string{protocol.ModeScroll, protocol.ModeTop, protocol.ModeBottom}
	sizes := []string{protocol.SizeSmall, protocol.SizeMedium, protocol.SizeLarge}
	texts := []string{"plain", `<script>alert("x")</script> & 'more'`, "弹幕 🎉", "a&amp;b", "]]>", "100% /n not a newline"}
	users := []string{"u31", "guest-7f3a", "bili:1e81f70", ""}
	for i := range 36 {
		c := comment(int64(100+i), texts[i%len(texts)])
		c.Mode, c.Size = modes[i%3], sizes[i/3%3]
		c.Color = []string{"#ffffff", "#000000", "#e54256", "#00a0ea"}[i%4]
		c.Time = protocol.Seconds(i * 1001) // millisecond precision survives
		c.CreatedAt = protocol.Timestamp(1714564800123 + int64(i)*1000)
		c.User.ID = users[i%len(users)]
		comments = append(comments, c)
	}
	h := bilixml.Header{ChatID: "demo", MaxLimit: len(comments)}
	first := encodeAll(t, h, comments)

	dec := bilixml.NewDecoder(strings.NewReader(first))
	var again []protocol.Comment
	for _, e := range interoptest.Drain(t, dec) {
		again = append(again, stored(t, "copy", e))
	}
	if len(again) != len(comments) || dec.Skipped().Total != 0 || dec.Header() != h {
		t.Fatalf("%d entries, %d skipped, header %+v", len(again), dec.Skipped().Total, dec.Header())
	}
	if second := encodeAll(t, h, again); second != first {
		t.Fatalf("the second export differs:\n%s\nfirst:\n%s", second, first)
	}
}
