package loadtest

import (
	"errors"
	"slices"
	"testing"
)

// Frames shaped like the product's, including key orders, whitespace and
// escapes a real encoder may produce.
var capturedFrames = []struct {
	name  string
	frame string
	want  serverFrame
}{
	{
		name:  "welcome",
		frame: `{"type":"welcome","room":"lt0","viewers":12,"last_seq":0,"user":{"id":"g_1f2e","name":"guest-1f2e"}}`,
		want:  serverFrame{typ: []byte("welcome")},
	},
	{
		name: "comments batch of three",
		frame: `{"type":"comments","room":"lt0","items":[` +
			`{"id":1,"seq":101,"room":"lt0","time":1.5,"text":"lt 0a1b2c3d-0-5 1700000000000000001","mode":"scroll","color":"#ffffff","size":"medium","user":{"id":"u1","name":"a \"quoted\" name"},"created_at":"2026-01-02T03:04:05.000Z","likes":0},` +
			`{"id":2,"seq":102,"room":"lt0","time":2,"text":"lt 0a1b2c3d-0-6 1700000000000000002","mode":"top","color":"#ff0000","size":"small","user":{"id":"u2","name":"弹幕"},"created_at":"2026-01-02T03:04:06Z","likes":3},` +
			`{"id":3,"seq":103,"room":"lt0","time":2.25,"text":"hello [world] {x}","mode":"scroll","color":"#ffffff","size":"large","user":{"id":"u3","name":"z"},"created_at":"2026-01-02T03:04:07Z","likes":0}]}`,
		want: serverFrame{typ: []byte("comments"), texts: [][]byte{
			[]byte("lt 0a1b2c3d-0-5 1700000000000000001"),
			[]byte("lt 0a1b2c3d-0-6 1700000000000000002"),
			[]byte("hello [world] {x}"),
		}},
	},
	{
		name: "comments with items before type, spaces and an escaped text",
		frame: "{ \"items\" : [ { \"user\" : { \"id\" : \"u\" , \"name\" : \"n\" } , \"text\" : \"tab\\there \\u00e9\" } ] ,\n" +
			" \"type\" : \"comments\" }",
		want: serverFrame{typ: []byte("comments"), texts: [][]byte{[]byte("tab\there é")}},
	},
	{
		name: "v2 comments batch of three",
		frame: `{"type":"comments","room":"lt0","rows":[` +
			`[1,101,1500,1767323045000,"lt 0a1b2c3d-0-5 1700000000000000001","u1",5,"a \"quoted\" name"],` +
			`[1,1,2000,1000,"lt 0a1b2c3d-0-6 1700000000000000002","u2",5,0,3,1,"ff0000",1],` +
			`[1,null,2250,1000,"hello [world] {x}","u3"]]}`,
		want: serverFrame{typ: []byte("comments"), texts: [][]byte{
			[]byte("lt 0a1b2c3d-0-5 1700000000000000001"),
			[]byte("lt 0a1b2c3d-0-6 1700000000000000002"),
			[]byte("hello [world] {x}"),
		}},
	},
	{
		name:  "v2 row too short for a text",
		frame: `{"type":"comments","rows":[[1,1,0]]}`,
		want:  serverFrame{typ: []byte("comments"), texts: [][]byte{nil}},
	},
	{
		name:  "empty batch",
		frame: `{"type":"comments","room":"lt0","items":[]}`,
		want:  serverFrame{typ: []byte("comments")},
	},
	{
		name:  "item without text",
		frame: `{"type":"comments","items":[{"id":9,"likes":1}]}`,
		want:  serverFrame{typ: []byte("comments"), texts: [][]byte{nil}},
	},
	{
		name:  "ack ok",
		frame: `{"type":"ack","ref":"0a1b2c3d-0-5","ok":true,"comment":{"id":1,"seq":101,"text":"lt 0a1b2c3d-0-5 1700000000000000001","user":{"id":"u1","name":"x"},"likes":0}}`,
		want:  serverFrame{typ: []byte("ack"), ref: []byte("0a1b2c3d-0-5"), ok: true},
	},
	{
		name:  "ack rejected",
		frame: `{"type":"ack","ref":"0a1b2c3d-0-6","ok":false,"error":{"code":"rate_limited","message":"slow down, \"friend\""}}`,
		want:  serverFrame{typ: []byte("ack"), ref: []byte("0a1b2c3d-0-6"), code: []byte("rate_limited")},
	},
	{
		name:  "error frame with the code on top, answering a ref",
		frame: `{"type":"error","ref":"0a1b2c3d-0-7","code":"invalid","message":"text must not be empty"}`,
		want:  serverFrame{typ: []byte("error"), ref: []byte("0a1b2c3d-0-7"), code: []byte("invalid")},
	},
	{
		name:  "error frame with a nested error object",
		frame: `{"type":"error","error":{"message":"bad frame","code":"bad_request"}}`,
		want:  serverFrame{typ: []byte("error"), code: []byte("bad_request")},
	},
	{
		name:  "presence",
		frame: `{"type":"presence","room":"lt0","viewers":5001}`,
		want:  serverFrame{typ: []byte("presence")},
	},
	{
		name:  "likes with nested arrays and null",
		frame: `{"type":"likes","room":"lt0","room_likes":7,"comments":{"101":2,"102":null},"tags":[[1,2],[]],"ok":false}`,
		want:  serverFrame{typ: []byte("likes")},
	},
}

func TestParseFrame(t *testing.T) {
	var f serverFrame // reused across frames, as a reader does
	for _, tt := range capturedFrames {
		t.Run(tt.name, func(t *testing.T) {
			if err := parseFrame([]byte(tt.frame), &f); err != nil {
				t.Fatalf("parseFrame: %v", err)
			}
			assertFrame(t, f, tt.want)
		})
	}
}

func assertFrame(t *testing.T, got, want serverFrame) {
	t.Helper()
	if string(got.typ) != string(want.typ) || string(got.ref) != string(want.ref) || got.ok != want.ok || string(got.code) != string(want.code) {
		t.Errorf("got type %q ref %q ok %v code %q, want %q %q %v %q",
			got.typ, got.ref, got.ok, got.code, want.typ, want.ref, want.ok, want.code)
	}
	if !slices.EqualFunc(got.texts, want.texts, func(a, b []byte) bool { return string(a) == string(b) && (a == nil) == (b == nil) }) {
		t.Errorf("texts %q, want %q", got.texts, want.texts)
	}
}

func TestParseFrameRejectsMalformed(t *testing.T) {
	bad := []string{
		``,
		`[]`,
		`{"type":"comments"`,
		`{"type":"comments","items":[{"text":"x"}}`,
		`{"type":"comments","rows":[[1,2,3,4,"x"}]}`,
		`{"type":"ack","ok":maybe}`,
		`{"type":"x","text":"unterminated}`,
		`{"type":"x"} trailing`,
		`{"type" "x"}`,
		`{"type":"x",}`,
	}
	for _, frame := range bad {
		t.Run(frame, func(t *testing.T) {
			var f serverFrame
			if err := parseFrame([]byte(frame), &f); !errors.Is(err, errSyntax) {
				t.Errorf("parseFrame(%q) = %v, want errSyntax", frame, err)
			}
		})
	}
}

func BenchmarkParseFrameBatch(b *testing.B) {
	frame := []byte(capturedFrames[1].frame)
	var f serverFrame
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		if err := parseFrame(frame, &f); err != nil {
			b.Fatal(err)
		}
	}
}
