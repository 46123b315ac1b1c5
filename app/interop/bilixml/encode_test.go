package bilixml_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/interop/bilixml"
	"github.com/danmaku/danmaku/app/protocol"
)

// comment returns a valid stored comment with the given id and text.
func comment(id int64, text string) protocol.Comment {
	return protocol.Comment{
		ID: id, Room: "demo", Seq: id, Time: protocol.Seconds(1500 * id), Text: text,
		Mode: protocol.ModeScroll, Color: "#ffffff", Size: protocol.SizeMedium,
		User:      protocol.User{ID: "u31", Name: "Ann"},
		CreatedAt: protocol.TimestampOf(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)),
	}
}

func TestEncodeDocument(t *testing.T) {
	var out strings.Builder
	enc := bilixml.NewEncoder(&out, bilixml.Header{ChatID: "demo", MaxLimit: 3})
	top := comment(2, "上")
	top.Mode, top.Size, top.Color = protocol.ModeTop, protocol.SizeLarge, "#e54256"
	bottom := comment(3, "下")
	bottom.Mode, bottom.Size, bottom.Color, bottom.Time = protocol.ModeBottom, protocol.SizeSmall, "#000000", 61_234
	for _, c := range []protocol.Comment{comment(1, "hello"), top, bottom} {
		if err := enc.Encode(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?><i><chatserver>chat.bilibili.com</chatserver><chatid>demo</chatid><mission>0</mission><maxlimit>3</maxlimit><state>0</state><real_name>0</real_name><source>k-v</source>
<d p="1.50000,1,25,16777215,1714564800,0,8ce16a3,1">hello</d>
<d p="3.00000,5,36,15024726,1714564800,0,8ce16a3,2">上</d>
<d p="61.23400,4,18,0,1714564800,0,8ce16a3,3">下</d>
</i>
`
	if out.String() != want {
		t.Fatalf("document:\n%s\nwant:\n%s", out.String(), want)
	}
	if s := enc.Stats(); s != (bilixml.EncodeStats{Written: 3}) {
		t.Fatalf("stats %+v", s)
	}
}

func TestEncodeText(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
		altered, dropped bool
	}{
		{"plain", "hello 世界", "hello 世界", false, false},
		{"markup is escaped with named entities", `<b>&amp;</b>`, "&lt;b&gt;&amp;amp;&lt;/b&gt;", false, false},
		{"quotes stay as they are", `say "hi" it's`, `say "hi" it's`, false, false},
		{"end of CDATA cannot appear", "]]>", "]]&gt;", false, false},
		{"line breaks become spaces", "a\nb\r\nc\td", "a b  c d", true, false},
		{"C0 controls are stripped", "a\x00b\x01c\x1fd", "abcd", true, false},
		{"non-characters are stripped", "a\uFFFEb\uFFFFc", "abc", true, false},
		{"invalid UTF-8 is stripped", "a\xffb\xc3", "ab", true, false},
		{"C1 controls are legal XML and kept", "a\u0085b", "a\u0085b", false, false},
		{"astral characters are kept", "🎉", "🎉", false, false},
		{"nothing printable left is dropped", "\x01\x02", "", true, true},
		{"only line breaks left is dropped", "\n\n", "", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			enc := bilixml.NewEncoder(&out, bilixml.Header{})
			if err := enc.Encode(comment(7, tc.text)); err != nil {
				t.Fatal(err)
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			doc := out.String()
			stats := enc.Stats()
			if tc.dropped {
				if strings.Contains(doc, "<d ") || stats.Dropped != 1 || stats.Written != 0 {
					t.Fatalf("want the comment dropped; stats %+v, document:\n%s", stats, doc)
				}
				return
			}
			line := `,0,8ce16a3,7">` + tc.want + "</d>\n"
			if !strings.Contains(doc, line) {
				t.Fatalf("document lacks %q:\n%s", line, doc)
			}
			if (stats.Altered == 1) != tc.altered || stats.Written != 1 {
				t.Fatalf("stats %+v, want altered %v", stats, tc.altered)
			}
		})
	}
}

func TestEncodeRefusesWhatBilibiliCannotShow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*protocol.Comment)
	}{
		{"mode", func(c *protocol.Comment) { c.Mode = "reverse" }},
		{"size", func(c *protocol.Comment) { c.Size = "huge" }},
		{"color", func(c *protocol.Comment) { c.Color = "red" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			enc := bilixml.NewEncoder(&out, bilixml.Header{})
			c := comment(9, "x")
			tc.change(&c)
			err := enc.Encode(c)
			if err == nil || !strings.Contains(err.Error(), "comment 9") {
				t.Fatalf("err %v, want one naming comment 9", err)
			}
			// The document goes on: the next comment is written.
			if err := enc.Encode(comment(10, "y")); err != nil {
				t.Fatal(err)
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.String(), ",9\">") || !strings.Contains(out.String(), ",10\">y</d>") {
				t.Fatalf("document:\n%s", out.String())
			}
		})
	}
}

// chunkWriter records the size of every write it gets.
type chunkWriter struct {
	writes, largest, total int
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	w.writes++
	w.largest = max(w.largest, len(p))
	w.total += len(p)
	return len(p), nil
}

func TestEncodeStreams(t *testing.T) {
	var w chunkWriter
	enc := bilixml.NewEncoder(&w, bilixml.Header{ChatID: "demo"})
	text := strings.Repeat("弹", 100)
	for i := range 20000 {
		if err := enc.Encode(comment(int64(i+1), text)); err != nil {
			t.Fatal(err)
		}
	}
	// Before Close, most of the ~6 MB document has already gone out in
	// buffer-sized writes: the encoder never holds the document.
	if w.total < 5<<20 || w.largest > 64<<10 {
		t.Fatalf("before Close: %d bytes in %d writes, largest %d", w.total, w.writes, w.largest)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errBroken }

var errBroken = errors.New("broken pipe")

func TestEncodeWriteErrorSticks(t *testing.T) {
	enc := bilixml.NewEncoder(failWriter{}, bilixml.Header{})
	var err error
	for i := 0; err == nil && i < 100000; i++ {
		err = enc.Encode(comment(int64(i+1), strings.Repeat("x", 100)))
	}
	if err != errBroken {
		t.Fatalf("Encode: %v, want the writer's error", err)
	}
	if err := enc.Encode(comment(1, "x")); err != errBroken {
		t.Fatalf("Encode after a failure: %v", err)
	}
	if err := enc.Close(); err != errBroken {
		t.Fatalf("Close after a failure: %v", err)
	}
}
