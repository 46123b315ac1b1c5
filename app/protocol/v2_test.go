package protocol_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

var update = flag.Bool("update", false, "rewrite the v2 golden file the browser tests read")

// goldenPath is the frames the browser's unit tests decode (wire.test.mjs):
// the same comments as a v1 and as a v2 frame.
var goldenPath = filepath.Join("..", "web", "testdata", "js", "wire-golden.json")

// wireCases are comments that exercise every rule of a v2 row.
func wireCases() []protocol.Comment {
	at := protocol.TimestampOf(time.Date(2026, 11, 26, 4, 28, 42, 939e6, time.UTC))
	guest := protocol.User{ID: "g-4f2a9c01d3e5b6a7", Name: "guest-4f2a"}
	base := protocol.Comment{ID: 1000, Room: "demo", Seq: 100, Time: 12340, Text: "前方高能 this is a comment",
		Mode: "scroll", Color: "#ffffff", Size: "medium", User: guest, CreatedAt: at, Weight: 5}
	with := func(f func(*protocol.Comment)) protocol.Comment {
		c := base
		f(&c)
		return c
	}
	return []protocol.Comment{
		base,
		with(func(c *protocol.Comment) { c.ID, c.Seq, c.CreatedAt = 1001, 101, at+12 }),
		with(func(c *protocol.Comment) {
			c.ID, c.Seq, c.User = 1003, 102, protocol.User{ID: "u1", Name: "Alice"}
			c.Text = `quotes " and \ and <b> & ` + "\u2028"
		}),
		with(func(c *protocol.Comment) { c.ID, c.Seq, c.User.Name = 1004, 103, "Nick Name" }),
		with(func(c *protocol.Comment) { c.ID, c.Seq, c.Likes, c.Weight = 1005, 104, 7, 0 }),
		with(func(c *protocol.Comment) { c.ID, c.Seq, c.Mode, c.Color, c.Size = 1006, 105, "top", "#000000", "small" }),
		with(func(c *protocol.Comment) { c.ID, c.Seq, c.Mode, c.Size = 1007, 106, "bottom", "large" }),
		with(func(c *protocol.Comment) { c.ID, c.Seq, c.Color = 1008, 106, "#ff5c5c" }), // a shadowed one shares a seq
		with(func(c *protocol.Comment) { c.ID, c.Seq = 900, 0 }),                        // an approved older id; no seq
		with(func(c *protocol.Comment) { c.ID, c.Seq, c.Time, c.CreatedAt, c.Weight = 1009, 107, 0, at-5000, 10 }),
	}
}

func TestCommentsV2RoundTrip(t *testing.T) {
	all := wireCases()
	for _, tc := range []struct {
		name  string
		items []protocol.Comment
	}{
		{"every rule", all},
		{"one", all[:1]},
		{"none", []protocol.Comment{}},
		{"seq-less first", all[8:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := protocol.EncodeCommentsV2("demo", tc.items)
			if !json.Valid(data) {
				t.Fatalf("not JSON: %s", data)
			}
			got, err := protocol.DecodeCommentsV2(data)
			if err != nil {
				t.Fatal(err)
			}
			// What a v1 client reads from the v1 frame of the same comments.
			var want protocol.Comments
			if err := json.Unmarshal(protocol.EncodeComments("demo", tc.items), &want); err != nil {
				t.Fatal(err)
			}
			if got.Room != "demo" || len(got.Items) != len(want.Items) {
				t.Fatalf("got %d items of room %q, want %d", len(got.Items), got.Room, len(want.Items))
			}
			for i := range want.Items {
				if !reflect.DeepEqual(got.Items[i], want.Items[i]) {
					t.Errorf("item %d:\n v2 %+v\n v1 %+v\n frame %s", i, got.Items[i], want.Items[i], data)
				}
			}
		})
	}
}

func TestCommentsV2Size(t *testing.T) {
	items := benchComments(100)
	v1 := len(protocol.EncodeComments("demo", items))
	v2 := len(protocol.EncodeCommentsV2("demo", items))
	if per := float64(v2) / 100; per > 90 {
		t.Errorf("v2 carries %.1f bytes per typical item, want at most 90", per)
	}
	if v2 >= v1/2 {
		t.Errorf("v2 frame %d bytes, v1 %d: want under half", v2, v1)
	}
}

func TestDecodeCommentsV2Refuses(t *testing.T) {
	for _, tc := range []struct{ name, frame string }{
		{"not JSON", `{"type":"comments","rows":[`},
		{"other type", `{"type":"presence","room":"demo"}`},
		{"short row", `{"type":"comments","room":"demo","rows":[[1,1,0,0,"x"]]}`},
		{"bad mode", `{"type":"comments","room":"demo","rows":[[1,1,0,0,"x","u",0,0,0,9]]}`},
		{"text not a string", `{"type":"comments","room":"demo","rows":[[1,1,0,0,5,"u"]]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := protocol.DecodeCommentsV2([]byte(tc.frame)); err == nil {
				t.Fatalf("%s decoded", tc.frame)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want protocol.Version
		ok   bool
	}{{"", protocol.V1, true}, {"1", protocol.V1, true}, {"2", protocol.V2, true}, {"3", 0, false}, {"v2", 0, false}} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := protocol.ParseVersion(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("ParseVersion(%q) = %v, %v", tc.in, got, err)
			}
		})
	}
}

// TestWireGolden keeps the browser's fixture in step with the encoders: the
// JS unit tests decode its v2 frame and compare with its v1 frame.
func TestWireGolden(t *testing.T) {
	items := wireCases()
	want, err := json.MarshalIndent(map[string]string{
		"v1": string(protocol.EncodeComments("demo", items)),
		"v2": string(protocol.EncodeCommentsV2("demo", items)),
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *update {
		if err := os.WriteFile(goldenPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (go test ./app/protocol -run TestWireGolden -update writes it)", err)
	}
	if string(got) != string(want) {
		t.Fatalf("%s is out of date: go test ./app/protocol -run TestWireGolden -update", goldenPath)
	}
}
