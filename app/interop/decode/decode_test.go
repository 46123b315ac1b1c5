package decode_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/interop/decode"
)

func TestOpen(t *testing.T) {
	for _, tc := range []struct {
		name   string
		file   string
		format interop.Format
		texts  []string
		err    string
	}{
		{"bilibili xml", "\uFEFF<?xml version=\"1.0\"?><i><d p=\"1.5,1,25,16777215,0,0,abc,1\">弹幕</d></i>",
			interop.FormatBilibiliXML, []string{"弹幕"}, ""},
		{"json export", `{"format":"danmaku/v1","comments":[{"time":2,"text":"hi","mode":"top"}]}`,
			interop.FormatJSON, []string{"hi"}, ""},
		{"empty", "", "", nil, "empty"},
		{"neither", "hello", "", nil, "neither"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dec, format, err := decode.Open(strings.NewReader(tc.file))
			if tc.err != "" {
				if errs.CodeOf(err) != errs.BadRequest || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Open: %v, want bad_request mentioning %q", err, tc.err)
				}
				return
			}
			if err != nil || format != tc.format {
				t.Fatalf("Open: %v, %v; want %v", format, err, tc.format)
			}
			var got []string
			for {
				e, err := dec.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, e.Input.Text)
			}
			if strings.Join(got, "|") != strings.Join(tc.texts, "|") {
				t.Errorf("entries %q, want %q", got, tc.texts)
			}
		})
	}
}
