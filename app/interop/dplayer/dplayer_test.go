package dplayer_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/interop/dplayer"
	"github.com/danmaku/danmaku/app/protocol"
)

func comment(id int64, secs float64, text string) protocol.Comment {
	return protocol.Comment{ID: id, Room: "demo", Time: protocol.SecondsOf(secs), Text: text,
		Mode: protocol.ModeScroll, Color: "#ffffff", Size: protocol.SizeMedium,
		User: protocol.User{ID: "u1", Name: "Ann"}, CreatedAt: protocol.Timestamp(1714564800000 + id)}
}

func TestItemOf(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*protocol.Comment)
		want   dplayer.Item
	}{
		{"scroll white", func(*protocol.Comment) {}, dplayer.Item{Time: 1.5, Type: 0, Color: 16777215, Author: "Ann", Text: "hi"}},
		{"top", func(c *protocol.Comment) { c.Mode = protocol.ModeTop }, dplayer.Item{Time: 1.5, Type: 1, Color: 16777215, Author: "Ann", Text: "hi"}},
		{"bottom", func(c *protocol.Comment) { c.Mode = protocol.ModeBottom }, dplayer.Item{Time: 1.5, Type: 2, Color: 16777215, Author: "Ann", Text: "hi"}},
		{"red", func(c *protocol.Comment) { c.Color = "#e54256" }, dplayer.Item{Time: 1.5, Type: 0, Color: 15024726, Author: "Ann", Text: "hi"}},
		{"black", func(c *protocol.Comment) { c.Color = "#000000" }, dplayer.Item{Time: 1.5, Type: 0, Color: 0, Author: "Ann", Text: "hi"}},
		{"unreadable colour is white", func(c *protocol.Comment) { c.Color = "blue" }, dplayer.Item{Time: 1.5, Type: 0, Color: 16777215, Author: "Ann", Text: "hi"}},
		{"milliseconds", func(c *protocol.Comment) { c.Time = 61_234 }, dplayer.Item{Time: 61.234, Type: 0, Color: 16777215, Author: "Ann", Text: "hi"}},
		{"text is HTML-escaped", func(c *protocol.Comment) { c.Text = `<img src=x onerror="alert('x')">&` },
			dplayer.Item{Time: 1.5, Type: 0, Color: 16777215, Author: "Ann", Text: "&lt;img src=x onerror=&#34;alert(&#39;x&#39;)&#34;&gt;&amp;"}},
		{"author is HTML-escaped", func(c *protocol.Comment) { c.User.Name = "<b>Bo</b>" }, dplayer.Item{Time: 1.5, Type: 0, Color: 16777215, Author: "&lt;b&gt;Bo&lt;/b&gt;", Text: "hi"}},
		{"no name: the id", func(c *protocol.Comment) { c.User.Name = "" }, dplayer.Item{Time: 1.5, Type: 0, Color: 16777215, Author: "u1", Text: "hi"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := comment(1, 1.5, "hi")
			tc.change(&c)
			if got := dplayer.ItemOf(c); got != tc.want {
				t.Fatalf("ItemOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func times(items []dplayer.Item) []float64 {
	var out []float64
	for _, it := range items {
		out = append(out, it.Time)
	}
	return out
}

func TestList(t *testing.T) {
	// Posted in id order; video times out of order; ids 4 and 2 tie on time.
	comments := []protocol.Comment{comment(1, 30, "a"), comment(2, 10, "b"), comment(3, 20, "c"), comment(4, 10, "d"), comment(5, 5, "e")}
	for _, tc := range []struct {
		name  string
		max   int
		times []float64
		texts string
	}{
		{"all, by time", 0, []float64{5, 10, 10, 20, 30}, "ebdca"},
		{"max larger than the room", 10, []float64{5, 10, 10, 20, 30}, "ebdca"},
		{"the newest three, by time", 3, []float64{5, 10, 20}, "edc"},
		{"the newest one", 1, []float64{5}, "e"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items := dplayer.List(comments, tc.max)
			var texts strings.Builder
			for _, it := range items {
				texts.WriteString(it.Text)
			}
			if got := times(items); len(got) != len(tc.times) || texts.String() != tc.texts {
				t.Fatalf("times %v texts %q; want %v %q", got, texts.String(), tc.times, tc.texts)
			}
		})
	}
	if comments[0].Text != "a" || comments[4].Text != "e" {
		t.Fatal("List reordered its argument")
	}
}

func TestResponseShapes(t *testing.T) {
	for _, tc := range []struct {
		name string
		resp dplayer.Response
		want string
	}{
		{"list", dplayer.OK(dplayer.List([]protocol.Comment{comment(1, 1.5, "a&b")}, 0)), `{"code":0,"data":[[1.5,0,16777215,"Ann","a\u0026amp;b"]]}`},
		{"empty list", dplayer.OK(dplayer.List(nil, 0)), `{"code":0,"data":[]}`},
		{"error", dplayer.Fail(`room "x" does not exist`), `{"code":1,"msg":"room \"x\" does not exist"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.resp)
			if err != nil || string(got) != tc.want {
				t.Fatalf("%s, %v; want %s", got, err, tc.want)
			}
		})
	}
	var it dplayer.Item
	if err := json.Unmarshal([]byte(`[2.5,1,255,"Bo","x"]`), &it); err != nil || it != (dplayer.Item{Time: 2.5, Type: 1, Color: 255, Author: "Bo", Text: "x"}) {
		t.Fatalf("Unmarshal: %+v, %v", it, err)
	}
}

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		name, id, max string
		want          dplayer.Query
		err           string
	}{
		{"id only", "demo", "", dplayer.Query{Room: "demo", Max: 1000}, ""},
		{"max", "demo", "50", dplayer.Query{Room: "demo", Max: 50}, ""},
		{"max zero means the limit", "demo", "0", dplayer.Query{Room: "demo", Max: 1000}, ""},
		{"max over the limit", "demo", "5000", dplayer.Query{Room: "demo", Max: 1000}, ""},
		{"no id", "", "", dplayer.Query{}, "id is missing"},
		{"bad id", "../etc", "", dplayer.Query{}, "id must match"},
		{"max not a number", "demo", "many", dplayer.Query{}, "max must be a whole number from 0"},
		{"negative max", "demo", "-1", dplayer.Query{}, "max must be a whole number from 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := dplayer.ParseQuery(tc.id, tc.max, 1000)
			if got != tc.want || (err == nil) != (tc.err == "") || err != nil && (!strings.Contains(err.Error(), tc.err) || errs.CodeOf(err) != errs.Invalid) {
				t.Fatalf("ParseQuery = %+v, %v; want %+v, %q", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestDecodePost(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name, body string
		room       string
		want       protocol.CommentInput
		err        string
	}{
		{"current DPlayer", `{"token":"tok","id":"demo","author":"DIYgod","time":12.345,"text":"hello","color":16777215,"type":0}`,
			"demo", protocol.CommentInput{Text: "hello", Time: f(12.345), Mode: protocol.ModeScroll, Color: "#ffffff"}, ""},
		{"top in red", `{"id":"demo","time":1,"text":"x","color":15024726,"type":1}`,
			"demo", protocol.CommentInput{Text: "x", Time: f(1), Mode: protocol.ModeTop, Color: "#e54256"}, ""},
		{"bottom in black", `{"id":"demo","time":1,"text":"x","color":0,"type":2}`,
			"demo", protocol.CommentInput{Text: "x", Time: f(1), Mode: protocol.ModeBottom, Color: "#000000"}, ""},
		{"colour as #rrggbb", `{"id":"demo","time":1,"text":"x","color":"#E54256","type":0}`,
			"demo", protocol.CommentInput{Text: "x", Time: f(1), Mode: protocol.ModeScroll, Color: "#e54256"}, ""},
		{"colour as #rgb, type as a word (DPlayer 1.x)", `{"player":"demo","time":1,"text":"x","color":"#fff","type":"right"}`,
			"demo", protocol.CommentInput{Text: "x", Time: f(1), Mode: protocol.ModeScroll, Color: "#ffffff"}, ""},
		{"colour without #, type as a numeric string", `{"id":"demo","time":1,"text":"x","color":"39ccff","type":"1"}`,
			"demo", protocol.CommentInput{Text: "x", Time: f(1), Mode: protocol.ModeTop, Color: "#39ccff"}, ""},
		{"top and bottom as words", `{"id":"demo","time":1,"text":"x","type":"bottom"}`,
			"demo", protocol.CommentInput{Text: "x", Time: f(1), Mode: protocol.ModeBottom}, ""},
		{"no colour or type: the defaults", `{"id":"demo","text":"x","color":null,"type":null}`,
			"demo", protocol.CommentInput{Text: "x"}, ""},
		{"unknown fields are ignored", `{"id":"demo","text":"x","referer":"y","size":9}`, "demo", protocol.CommentInput{Text: "x"}, ""},
		{"colour out of range", `{"id":"demo","text":"x","color":16777216}`, "", protocol.CommentInput{}, "color must be a number from 0 to 16777215 or a string like #rrggbb"},
		{"negative colour", `{"id":"demo","text":"x","color":-1}`, "", protocol.CommentInput{}, "color must be"},
		{"fractional colour", `{"id":"demo","text":"x","color":1.5}`, "", protocol.CommentInput{}, "color must be"},
		{"colour not hex", `{"id":"demo","text":"x","color":"#ggg"}`, "", protocol.CommentInput{}, "color must be"},
		{"colour of the wrong type", `{"id":"demo","text":"x","color":true}`, "", protocol.CommentInput{}, "color must be"},
		{"unknown type", `{"id":"demo","text":"x","type":3}`, "", protocol.CommentInput{}, "type must be 0 (scroll), 1 (top) or 2 (bottom), got \"3\""},
		{"unknown type word", `{"id":"demo","text":"x","type":"left"}`, "", protocol.CommentInput{}, "type must be 0 (scroll), 1 (top) or 2 (bottom), got \"left\""},
		{"time as a string", `{"id":"demo","text":"x","time":"12"}`, "", protocol.CommentInput{}, "time must be a number"},
		{"text as a number", `{"id":"demo","text":5}`, "", protocol.CommentInput{}, "text must be a string"},
		{"no id", `{"text":"x"}`, "", protocol.CommentInput{}, "id is missing"},
		{"not JSON", `text=x`, "", protocol.CommentInput{}, "the body must be a JSON object"},
		{"empty", ``, "", protocol.CommentInput{}, "the body must be a JSON object"},
		{"an array", `[1]`, "", protocol.CommentInput{}, "the body must be a JSON object"},
		{"two objects", `{"id":"demo","text":"x"}{}`, "", protocol.CommentInput{}, "the body has data after the JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := dplayer.DecodePost([]byte(tc.body))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || errs.CodeOf(err) != errs.BadRequest {
					t.Fatalf("err %v, want BadRequest %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := p.Input()
			if p.Room() != tc.room || got.Text != tc.want.Text || got.Mode != tc.want.Mode || got.Color != tc.want.Color ||
				(got.Time == nil) != (tc.want.Time == nil) || got.Time != nil && *got.Time != *tc.want.Time {
				t.Fatalf("room %q, input %+v; want %q, %+v", p.Room(), got, tc.room, tc.want)
			}
			// What DPlayer sends is valid as it is.
			if _, err := protocol.DefaultLimits.Validate(got); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
	p, _ := dplayer.DecodePost([]byte(`{"id":"demo","text":"x","author":"<b>","token":"abc"}`))
	if p.Author != "<b>" || p.Token != "abc" {
		t.Fatalf("author %q token %q", p.Author, p.Token)
	}
}
