package protocol_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/internal/hostile"
	"github.com/danmaku/danmaku/app/protocol"
)

func ptr[T any](v T) *T { return &v }

func TestValidate(t *testing.T) {
	lim := protocol.Limits{MinRunes: 1, MaxRunes: 10}
	for _, tc := range []struct {
		name string
		in   protocol.CommentInput
		want protocol.Draft // zero when an error is expected
		msg  string         // part of the error message
	}{
		{"defaults filled", protocol.CommentInput{Text: " hi "}, protocol.Draft{Text: "hi", Mode: "scroll", Color: "#ffffff", Size: "medium"}, ""},
		{"all fields", protocol.CommentInput{Text: "弹幕", Time: ptr(12.345), Mode: "top", Color: "#A0B1C2", Size: "large"},
			protocol.Draft{Text: "弹幕", Time: 12345, Mode: "top", Color: "#a0b1c2", Size: "large"}, ""},
		{"emoji count as one rune", protocol.CommentInput{Text: "😀😀😀😀😀😀😀😀😀😀"}, protocol.Draft{Text: "😀😀😀😀😀😀😀😀😀😀", Mode: "scroll", Color: "#ffffff", Size: "medium"}, ""},
		{"too long", protocol.CommentInput{Text: "12345678901"}, protocol.Draft{}, "1 to 10 characters"},
		{"blank", protocol.CommentInput{Text: " \t "}, protocol.Draft{}, "1 to 10 characters"},
		{"newline", protocol.CommentInput{Text: "a\nb"}, protocol.Draft{}, "control"},
		{"C1 control", protocol.CommentInput{Text: "a\u0085b"}, protocol.Draft{}, "control"},
		{"invalid utf-8", protocol.CommentInput{Text: "a\xffb"}, protocol.Draft{}, "UTF-8"},
		{"negative time", protocol.CommentInput{Text: "a", Time: ptr(-0.001)}, protocol.Draft{}, "time"},
		{"huge time", protocol.CommentInput{Text: "a", Time: ptr(2e9)}, protocol.Draft{}, "time"},
		{"bad mode", protocol.CommentInput{Text: "a", Mode: "Top"}, protocol.Draft{}, "mode"},
		{"short color", protocol.CommentInput{Text: "a", Color: "#fff"}, protocol.Draft{}, "color"},
		{"bad size", protocol.CommentInput{Text: "a", Size: "xl"}, protocol.Draft{}, "size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := lim.Validate(tc.in)
			if tc.msg != "" {
				if errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("err = %v, want invalid mentioning %q", err, tc.msg)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestDecodeInbound(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		wantType   string
		wantErr    bool
	}{
		{"comment", `{"type":"comment","ref":"1","text":"x","time":1.5}`, "comment", false},
		{"unknown fields are ignored", `{"type":"ping","extra":[1,2]}`, "ping", false},
		{"not an object", `"comment"`, "", true},
		{"unknown type", `{"type":"explode"}`, "", true},
		{"two objects", `{"type":"ping"}{"type":"ping"}`, "", true},
		{"ref too long", `{"type":"ping","ref":"` + strings.Repeat("r", 65) + `"}`, "", true},
		{"invalid utf-8", "{\"type\":\"ping\",\"ref\":\"\xc3\x28\"}", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := protocol.DecodeInbound([]byte(tc.data))
			if tc.wantErr {
				if errs.CodeOf(err) != errs.BadRequest {
					t.Fatalf("err = %v, want bad_request", err)
				}
				return
			}
			if err != nil || in.Type != tc.wantType {
				t.Fatalf("got %+v, %v", in, err)
			}
		})
	}
}

func TestCommentJSON(t *testing.T) {
	c := protocol.Comment{ID: 1, Room: "r", Seq: 2, Time: protocol.SecondsOf(12.34), Text: "<b>&",
		CreatedAt: protocol.TimestampOf(time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC))}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"time":12.34`, `"created_at":"2026-01-02T03:04:05.006Z"`, `"text":"\u003cb\u003e\u0026"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	var back protocol.Comment
	if err := json.Unmarshal(b, &back); err != nil || back != c {
		t.Fatalf("round trip: %+v, %v; want %+v", back, err, c)
	}
}

// TestHostileTextSurvivesTheProtocol checks decoding, validation and
// encoding alone (no moderation plugins): hostile text is kept verbatim,
// bidi controls included, and invalid Unicode is refused clearly.
func TestHostileTextSurvivesTheProtocol(t *testing.T) {
	lim := protocol.Limits{MinRunes: 1, MaxRunes: 100}
	for _, h := range hostile.Texts {
		t.Run(h.Name, func(t *testing.T) {
			frame, err := json.Marshal(map[string]any{"type": "comment", "ref": "r", "text": h.Text})
			if err != nil {
				t.Fatal(err)
			}
			in, err := protocol.DecodeInbound(frame)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			d, err := lim.Validate(in.CommentInput)
			if err != nil || d.Text != h.Text {
				t.Fatalf("validated %q, %v; want %q kept", d.Text, err, h.Text)
			}
			var back protocol.Comments
			if err := json.Unmarshal(protocol.EncodeComments("r", []protocol.Comment{{Text: d.Text}}), &back); err != nil || back.Items[0].Text != h.Text {
				t.Fatalf("round trip gave %q, %v", back.Items[0].Text, err)
			}
		})
	}
	for _, h := range hostile.Invalid {
		t.Run(h.Name, func(t *testing.T) {
			_, err := protocol.DecodeInbound([]byte(h.Text))
			if errs.CodeOf(err) != errs.BadRequest || !strings.Contains(err.Error(), "nicode") && !strings.Contains(err.Error(), "UTF-8") {
				t.Fatalf("err = %v, want bad_request naming the invalid Unicode", err)
			}
		})
	}
}

func TestCheckSurrogates(t *testing.T) {
	for _, tc := range []struct {
		json string
		ok   bool
	}{
		{`"plain"`, true},
		{`"\ud83d\ude00"`, true}, // 😀 as a pair
		{`"\\ud800"`, true},      // an escaped backslash, then text
		{`"\u00e9\n\"\\"`, true},
		{`"\ud83d"`, false},
		{`"\ud83dx"`, false},
		{`"\ud83d\n"`, false},
		{`"\ude00"`, false},
		{`"\ud83d\ud83d\ude00"`, false},
		{`["\ud83d", "\ude00"]`, false},
	} {
		t.Run(tc.json, func(t *testing.T) {
			if err := protocol.CheckSurrogates([]byte(tc.json)); (err == nil) != tc.ok {
				t.Fatalf("CheckSurrogates(%s) = %v, want ok=%v", tc.json, err, tc.ok)
			}
		})
	}
}
