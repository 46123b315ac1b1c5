package protocol_test

import (
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

var hexColor = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// FuzzDecodeInbound feeds arbitrary frames to the decoder and, for comment
// frames, the validator: neither may panic; decoding either fails with a
// short bad_request or yields a known type; what validation accepts obeys
// every limit and survives encoding unchanged.
func FuzzDecodeInbound(f *testing.F) {
	for _, seed := range []string{
		`{"type":"comment","ref":"c1","room":"demo","text":"hello","time":12.34,"mode":"top","color":"#FFCC00","size":"large"}`,
		`{"type":"comment","text":"  弹幕😀  "}`,
		`{"type":"comment","text":"a\u0007b"}`,
		`{"type":"comment","text":"\ud83d\ude00 \ud83d"}`,
		`{"type":"comment","text":"x","time":-0.0}`,
		`{"type":"comment","text":"x","time":1e309}`,
		`{"type":"join","room":"demo","since":9223372036854775807}`,
		`{"type":"like","ref":"l","comment_id":-1}`,
		`{"type":"auth","token":"eyJ.eyJ.sig"}`,
		`{"type":"ping","ref":"` + strings.Repeat("r", 65) + `"}`,
		`{"type":"leave","room":"demo"} {}`,
		`{"type":"comment","text":"a\u202eb"}`,
		"{\"type\":\"comment\",\"text\":\"\xff\"}",
		`[]`, `null`, `"comment"`, `{}`, ``, `{"type":`, `{"type":"comment","text":{"a":1}}`,
	} {
		f.Add([]byte(seed))
	}
	lim := protocol.Limits{MinRunes: 1, MaxRunes: 100}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := protocol.DecodeInbound(data)
		if err != nil {
			e := errs.From(err)
			if e.Code != errs.BadRequest || e.Message == "" || len(e.Message) > 200 {
				t.Fatalf("decode error %q (%s): want a short bad_request", e.Message, e.Code)
			}
			return
		}
		if !utf8.Valid(data) || len(in.Ref) > protocol.MaxRefLen {
			t.Fatalf("accepted invalid UTF-8 or a long ref: %q", data)
		}
		switch in.Type {
		case protocol.TypeJoin, protocol.TypeLeave, protocol.TypeComment, protocol.TypeLike, protocol.TypeAuth, protocol.TypePing:
		default:
			t.Fatalf("accepted type %q", in.Type)
		}
		checkValidate(t, lim, in.CommentInput)
	})
}

// FuzzValidate drives the validator with arbitrary field values.
func FuzzValidate(f *testing.F) {
	f.Add("hello", 1.5, "scroll", "#ffffff", "medium")
	f.Add("  ", 0.0, "", "", "")
	f.Add("😀", math.Inf(1), "top", "#FFF", "huge")
	f.Add("a\u0085b", -1.0, "bottom", "#12345g", "small")
	f.Add(strings.Repeat("字", 101), 1e9, "scroll", "#abcdef", "large")
	f.Add("\u202e\u2066x", math.NaN(), "Top", "red", "")
	lim := protocol.Limits{MinRunes: 1, MaxRunes: 100}
	f.Fuzz(func(t *testing.T, text string, at float64, mode, color, size string) {
		checkValidate(t, lim, protocol.CommentInput{Text: text, Time: &at, Mode: mode, Color: color, Size: size})
	})
}

// checkValidate validates in and checks what comes out against every rule.
func checkValidate(t *testing.T, lim protocol.Limits, in protocol.CommentInput) {
	t.Helper()
	d, err := lim.Validate(in)
	if err != nil {
		if e := errs.From(err); e.Code != errs.Invalid || e.Message == "" {
			t.Fatalf("validation error %v: want invalid with a message", err)
		}
		return
	}
	n := utf8.RuneCountInString(d.Text)
	switch {
	case !utf8.ValidString(d.Text) || d.Text != strings.TrimSpace(d.Text) || n < 1 || n > lim.MaxRunes:
		t.Fatalf("accepted text %q (%d runes)", d.Text, n)
	case strings.ContainsFunc(d.Text, unicode.IsControl):
		t.Fatalf("accepted a control character in %q", d.Text)
	case d.Text != strings.TrimSpace(in.Text):
		t.Fatalf("text changed from %q to %q", in.Text, d.Text)
	case d.Mode != "scroll" && d.Mode != "top" && d.Mode != "bottom":
		t.Fatalf("accepted mode %q", d.Mode)
	case !hexColor.MatchString(d.Color):
		t.Fatalf("accepted color %q", d.Color)
	case d.Size != "small" && d.Size != "medium" && d.Size != "large":
		t.Fatalf("accepted size %q", d.Size)
	case d.Time < 0 || d.Time.Float() > protocol.MaxTime:
		t.Fatalf("accepted time %v", d.Time)
	}
	// What is accepted reaches viewers unchanged.
	var back protocol.Comments
	if err := json.Unmarshal(protocol.EncodeComments("r", []protocol.Comment{{Text: d.Text, Time: d.Time}}), &back); err != nil ||
		back.Items[0].Text != d.Text || back.Items[0].Time != d.Time {
		t.Fatalf("encoding changed %q/%v to %+v (%v)", d.Text, d.Time, back.Items, err)
	}
}
