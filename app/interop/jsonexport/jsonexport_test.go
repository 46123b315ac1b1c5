package jsonexport_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/interop/interoptest"
	"github.com/danmaku/danmaku/app/interop/jsonexport"
	"github.com/danmaku/danmaku/app/protocol"
)

var room = jsonexport.Room{ID: "demo", Title: "Demo <video>", VideoURL: "/assets/video/demo.mp4", Kind: "vod",
	CreatedAt: protocol.TimestampOf(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))}

func comment(id int64, text string) protocol.Comment {
	return protocol.Comment{
		ID: id, Room: "demo", Seq: id, Time: protocol.Seconds(1500 * id), Text: text,
		Mode: protocol.ModeScroll, Color: "#ffffff", Size: protocol.SizeMedium,
		User:      protocol.User{ID: "u1", Name: "Ann"},
		CreatedAt: protocol.Timestamp(1714564800123 + id),
	}
}

func export(t *testing.T, comments ...protocol.Comment) string {
	t.Helper()
	var out strings.Builder
	w := jsonexport.NewWriter(&out, room)
	for _, c := range comments {
		if err := w.Write(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Count() != len(comments) {
		t.Fatalf("Count() = %d", w.Count())
	}
	return out.String()
}

func TestWriteExport(t *testing.T) {
	top := comment(2, `<b>"&"</b>`)
	top.Mode, top.Likes = protocol.ModeTop, 3
	got := export(t, comment(1, "hello"), top)
	want := `{"format":"danmaku/v1","room":{"id":"demo","title":"Demo <video>","video_url":"/assets/video/demo.mp4","kind":"vod","created_at":"2024-05-01T12:00:00.000Z"},"comments":[
{"id":1,"room":"demo","seq":1,"time":1.5,"text":"hello","mode":"scroll","color":"#ffffff","size":"medium","user":{"id":"u1","name":"Ann"},"created_at":"2024-05-01T12:00:00.124Z","likes":0},
{"id":2,"room":"demo","seq":2,"time":3,"text":"<b>\"&\"</b>","mode":"top","color":"#ffffff","size":"medium","user":{"id":"u1","name":"Ann"},"created_at":"2024-05-01T12:00:00.125Z","likes":3}
]}
`
	if got != want {
		t.Fatalf("export:\n%s\nwant:\n%s", got, want)
	}
	if empty := export(t); empty != `{"format":"danmaku/v1","room":{"id":"demo","title":"Demo <video>","video_url":"/assets/video/demo.mp4","kind":"vod","created_at":"2024-05-01T12:00:00.000Z"},"comments":[
]}
` {
		t.Fatalf("empty export:\n%s", empty)
	}
}

func readAll(t *testing.T, doc string) ([]interop.Entry, *jsonexport.Reader) {
	t.Helper()
	r := jsonexport.NewReader(strings.NewReader(doc))
	return interoptest.Drain(t, r), r
}

func TestRoundTrip(t *testing.T) {
	var comments []protocol.Comment
	for i := range 30 {
		c := comment(int64(i+1), []string{"plain", `<script>"x"</script>`, "弹幕 🎉", "tab\u00a0nbsp"}[i%4])
		c.Mode = []string{protocol.ModeScroll, protocol.ModeTop, protocol.ModeBottom}[i%3]
		c.Size = []string{protocol.SizeSmall, protocol.SizeMedium, protocol.SizeLarge}[i%3]
		c.Color = []string{"#ffffff", "#e54256"}[i%2]
		c.Time = protocol.Seconds(i * 1001)
		comments = append(comments, c)
	}
	first := export(t, comments...)
	entries, r := readAll(t, first)
	if r.Room() != room || len(entries) != len(comments) || r.Skipped().Total != 0 {
		t.Fatalf("room %+v, %d entries, skipped %+v", r.Room(), len(entries), r.Skipped())
	}
	var again []protocol.Comment
	for i, e := range entries {
		if e.Line != i+2 {
			t.Errorf("entry %d on line %d", i, e.Line)
		}
		d, err := protocol.DefaultLimits.Validate(e.Input)
		if err != nil {
			t.Fatal(err)
		}
		c := comments[i]
		if e.SourceID != "" && e.SourceID[0] == '0' || e.User != c.User || e.CreatedAt != c.CreatedAt {
			t.Fatalf("entry %+v from %+v", e, c)
		}
		c.Time, c.Text, c.Mode, c.Color, c.Size = d.Time, d.Text, d.Mode, d.Color, d.Size
		again = append(again, c)
	}
	if second := export(t, again...); second != first {
		t.Fatalf("the second export differs:\n%s\nfirst:\n%s", second, first)
	}
}

func TestReadPrettyPrinted(t *testing.T) {
	// As jq would reformat an export: an entry's line is where its object starts.
	doc := "{\n  \"format\": \"danmaku/v1\",\n  \"comments\": [\n    {\n      \"text\": \"a\"\n    },\n    {\n      \"text\": 5\n    },\n    {\n      \"text\": \"c\"\n    }\n  ]\n}\n"
	entries, r := readAll(t, doc)
	if len(entries) != 2 || entries[0].Line != 4 || entries[1].Line != 10 {
		t.Fatalf("entries %+v", entries)
	}
	if s := r.Skipped(); s.Total != 1 || s.Examples[0].Line != 7 {
		t.Fatalf("skipped %+v", s)
	}
}

func TestReadToleratesOtherKeyOrders(t *testing.T) {
	doc := `{"version":2,"format":"danmaku/v1","extra":{"a":[1,2]},"comments":[{"text":"only text"}],"room":{"id":"late"},"more":null}`
	entries, r := readAll(t, doc)
	if len(entries) != 1 || entries[0].Input.Text != "only text" || entries[0].Input.Time != nil || r.Room().ID != "late" {
		t.Fatalf("entries %+v, room %+v", entries, r.Room())
	}
	// A timestamp that cannot be read means unknown, as in Bilibili files.
	entries, _ = readAll(t, `{"format":"danmaku/v1","comments":[{"text":"x","created_at":"yesterday"},{"text":"y","created_at":null}]}`)
	if len(entries) != 2 || entries[0].CreatedAt != 0 || entries[1].CreatedAt != 0 {
		t.Fatalf("entries %+v", entries)
	}
	// An export without comments is just empty.
	if entries, _ := readAll(t, `{"format":"danmaku/v1","room":{"id":"x"}}`); len(entries) != 0 {
		t.Fatalf("entries %+v", entries)
	}
}

func TestReadSkipsBadComments(t *testing.T) {
	for _, tc := range []struct {
		name, c string
		reason  interop.Reason
		detail  string
	}{
		{"not an object", `42`, interop.ReasonMalformed, "a comment must be a JSON object"},
		{"text of the wrong type", `{"text":7,"time":1}`, interop.ReasonMalformed, "field text must be string"},
		{"time of the wrong type", `{"text":"x","time":true}`, interop.ReasonBadTime, "time true is not a number in range"},
		{"time in a string", `{"text":"x","time":"1.5"}`, interop.ReasonBadTime, `time "1.5" is not a number in range`},
		{"negative time", `{"text":"x","time":-1}`, interop.ReasonBadTime, "time must be a number of seconds from 0 to 1e+09"},
		{"time out of range", `{"text":"x","time":1e400}`, interop.ReasonBadTime, "time 1e400 is not a number in range"},
		{"time too large", `{"text":"x","time":2e9}`, interop.ReasonBadTime, "time must be a number of seconds from 0 to 1e+09"},
		{"unknown mode", `{"text":"x","mode":"spin"}`, interop.ReasonBadMode, "mode must be scroll, top or bottom"},
		{"bad color", `{"text":"x","color":"red"}`, interop.ReasonBadColor, "color must look like #rrggbb"},
		{"bad size", `{"text":"x","size":"xl"}`, interop.ReasonBadSize, "size must be small, medium or large"},
		{"empty text", `{"text":"","time":1}`, interop.ReasonBadText, "text must be 1 to 10000 characters"},
		{"no text", `{"time":1}`, interop.ReasonBadText, "text must be 1 to 10000 characters"},
		{"control character", `{"text":"a\u0007b"}`, interop.ReasonBadText, "text must not contain control characters"},
		{"user of the wrong type", `{"text":"x","user":"ann"}`, interop.ReasonMalformed, "field user must be protocol.User"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "{\"format\":\"danmaku/v1\",\"comments\":[\n{\"text\":\"first\"},\n" + tc.c + ",\n{\"text\":\"next\"}\n]}"
			entries, r := readAll(t, doc)
			if len(entries) != 2 || entries[1].Input.Text != "next" || entries[1].Line != 4 {
				t.Fatalf("entries %+v", entries)
			}
			s := r.Skipped()
			if s.Total != 1 || s.ByReason[tc.reason] != 1 {
				t.Fatalf("skipped %+v, want one %s", s, tc.reason)
			}
			if got := s.Examples[0]; got.Line != 3 || got.Detail != tc.detail {
				t.Fatalf("skip %+v, want line 3, %q", got, tc.detail)
			}
		})
	}
}

func TestReadMalformed(t *testing.T) {
	const head = "{\"format\":\"danmaku/v1\",\n\"comments\":[\n"
	for _, tc := range []struct {
		name, doc string
		line      int
		msg       string
	}{
		{"empty", "", 1, "the file ends too early"},
		{"an array", "[1,2]", 1, "the file must be a JSON object"},
		{"not JSON", "\n\nhello", 3, "malformed JSON: invalid character 'h' looking for beginning of value"},
		{"no format", `{"comments":[]}`, 1, `the "format" key must come before "comments"`},
		{"no keys", "{\n}", 2, `no "format" key: not a danmaku export`},
		{"another format", "{\n\"format\":\"danmaku/v2\"}", 2, `format "danmaku/v2" is not supported, want "danmaku/v1"`},
		{"format not a string", `{"format":1}`, 1, "format must be a string"},
		{"room not an object", "{\"format\":\"danmaku/v1\",\n\"room\":[]}", 2, "room is not a room object"},
		{"comments not an array", "{\"format\":\"danmaku/v1\",\n\"comments\":{}}", 2, "comments must be an array"},
		{"syntax error in a comment", head + "{\"text\":\"a\"},\n{\"text\":\"b\",}\n]}", 4, "malformed JSON: invalid character '}' looking for beginning of object key string"},
		{"missing comma", head + "{\"text\":\"a\"}\n{\"text\":\"b\"}\n]}", 4, "malformed JSON: expected comma after array element"},
		{"bad literal", head + "{\"text\":\"a\"},\n{\"text\":tru}\n]}", 4, "malformed JSON: invalid character '}' in literal true (expecting 'e')"},
		{"cut short in a comment", head + "{\"text\":\"a\"},\n{\"text\":\"b", 4, "the file ends too early"},
		{"cut short after a comment", head + "{\"text\":\"a\"}\n", 4, "the file ends too early"},
		{"unclosed object", head + "]\n", 4, "the file ends too early"},
		{"duplicate comments", head + "],\n\"comments\":[]}", 4, `key "comments" appears twice or after "comments"`},
		{"data after the object", head + "]}\n{}", 4, "data after the JSON object"},
		{"pretty-printed", "{\n  \"format\": \"danmaku/v1\",\n  \"comments\": [\n    {\n      \"text\": \"a\",\n      \"time\": 1.5x\n    }\n  ]\n}", 6, "malformed JSON: invalid character 'x' after object key:value pair"},
		{"huge comment", head + "{\"text\":\"" + strings.Repeat("x", 2<<20) + "\"}]}", 3, "a single entry or token is longer than 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := jsonexport.NewReader(strings.NewReader(tc.doc))
			var err error
			for err == nil {
				_, err = r.Next()
			}
			var fe *interop.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a FormatError", err)
			}
			if fe.Line != tc.line || !strings.Contains(fe.Msg, tc.msg) {
				t.Fatalf("error %q at line %d; want line %d, %q", fe.Msg, fe.Line, tc.line, tc.msg)
			}
			if _, again := r.Next(); again != err {
				t.Fatalf("Next after a failure: %v", again)
			}
		})
	}
}

// TestReadInBoundedMemory streams 100,000 comments from the writer to the
// reader through a pipe while sampling the live heap.
func TestReadInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 comments")
	}
	const comments = 100_000
	text := strings.Repeat("弹幕", 30)
	write := func(w io.Writer) error {
		x := jsonexport.NewWriter(w, room)
		for i := range comments {
			if err := x.Write(comment(int64(i+1), text)); err != nil {
				return err
			}
		}
		return x.Close()
	}
	open := func(r io.Reader) interop.Decoder { return jsonexport.NewReader(r) }
	interoptest.StreamsInBoundedMemory(t, comments, write, open, func(e interop.Entry) error {
		if e.Input.Text != text {
			return fmt.Errorf("text %q", e.Input.Text)
		}
		return nil
	})
}
